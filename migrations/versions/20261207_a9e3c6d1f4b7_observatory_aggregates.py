"""observatory: stored aggregates

The public tables as published by ``flask observatory refresh`` (after suppression) and the
NEET path counts it stores from the outreach tables.

Revision ID: a9e3c6d1f4b7
Revises: d2b8f5a1e7c4
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import orientamento.database


# revision identifiers, used by Alembic.
revision = 'a9e3c6d1f4b7'
down_revision = 'd2b8f5a1e7c4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('observatory_published_cells',
    sa.Column('table', sa.String(length=48), nullable=False),
    sa.Column('row', sa.String(length=40), nullable=False),
    sa.Column('column', sa.String(length=40), nullable=False),
    sa.Column('row_order', sa.Integer(), nullable=False),
    sa.Column('column_order', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.CheckConstraint('value IS NULL OR value = 0 OR value >= 10', name=op.f('ck_observatory_published_cells_value_safe')),
    sa.CheckConstraint('row_order >= 0 AND column_order >= 0', name=op.f('ck_observatory_published_cells_order_non_negative')),
    sa.PrimaryKeyConstraint('table', 'row', 'column', name=op.f('pk_observatory_published_cells'))
    )
    op.create_table('observatory_neet_counts',
    sa.Column('quarter', sa.String(length=6), nullable=False),
    sa.Column('municipio', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('flags', sa.Integer(), nullable=False),
    sa.Column('contacted_30d', sa.Integer(), nullable=False),
    sa.Column('referred', sa.Integer(), nullable=False),
    sa.CheckConstraint("municipio BETWEEN 1 AND 9", name=op.f('ck_observatory_neet_counts_municipio_range')),
    sa.CheckConstraint("trigger IN ('model', 'contract_ended', 'self_referral')", name=op.f('ck_observatory_neet_counts_trigger_valid')),
    sa.CheckConstraint("stage IN ('waiting', 'not_contacted', 'contacted', 'referred', 'not_taken_up', 'took_up')", name=op.f('ck_observatory_neet_counts_stage_valid')),
    sa.CheckConstraint('flags > 0', name=op.f('ck_observatory_neet_counts_flags_positive')),
    sa.CheckConstraint('contacted_30d >= 0 AND contacted_30d <= flags', name=op.f('ck_observatory_neet_counts_contacted_within_flags')),
    sa.CheckConstraint('referred >= 0 AND referred <= flags', name=op.f('ck_observatory_neet_counts_referred_within_flags')),
    sa.PrimaryKeyConstraint('quarter', 'municipio', 'trigger', 'stage', 'outcome', name=op.f('pk_observatory_neet_counts'))
    )


def downgrade():
    op.drop_table('observatory_neet_counts')
    op.drop_table('observatory_published_cells')
