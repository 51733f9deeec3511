"""observatory: labour demand imported by admins, the stored demand projections and interest counts

Revision ID: f1a6c9d3b8e2
Revises: b8e1d4f7a3c6
Create Date: 2026-12-07 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import orientamento.database


# revision identifiers, used by Alembic.
revision = 'f1a6c9d3b8e2'
down_revision = 'b8e1d4f7a3c6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('labour_demand',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occupation_code', sa.String(length=12), nullable=False),
    sa.Column('territory', sa.String(length=9), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('education', sa.String(length=16), nullable=False),
    sa.Column('hires', sa.Integer(), nullable=False),
    sa.Column('hard_to_fill_pct', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('synthetic', sa.Boolean(), nullable=False),
    sa.Column('imported_at', orientamento.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("education IN ('any', 'compulsory', 'vocational', 'upper_secondary', 'its', 'university')", name=op.f('ck_labour_demand_education_valid')),
    sa.CheckConstraint('hard_to_fill_pct IS NULL OR (hard_to_fill_pct >= 0 AND hard_to_fill_pct <= 100)', name=op.f('ck_labour_demand_hard_to_fill_range')),
    sa.CheckConstraint('hires >= 0', name=op.f('ck_labour_demand_hires_non_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labour_demand')),
    sa.UniqueConstraint('occupation_code', 'territory', 'period', 'education', name=op.f('uq_labour_demand_occupation_code_territory_period_education'))
    )
    with op.batch_alter_table('labour_demand', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_labour_demand_occupation_code'), ['occupation_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_labour_demand_period'), ['period'], unique=False)

    op.create_table('demand_projections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occupation_code', sa.String(length=12), nullable=False),
    sa.Column('last_period', sa.Date(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('series_hash', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=40), nullable=False),
    sa.Column('mase', sa.Float(), nullable=True),
    sa.Column('baseline_mase', sa.Float(), nullable=True),
    sa.Column('coverage', sa.Float(), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('points', sa.JSON(), nullable=False),
    sa.Column('computed_at', orientamento.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_projections')),
    sa.UniqueConstraint('occupation_code', name=op.f('uq_demand_projections_occupation_code'))
    )
    op.create_table('observatory_interest_counts',
    sa.Column('area', sa.String(length=40), nullable=False),
    sa.Column('quarter', sa.String(length=6), nullable=False),
    sa.Column('municipio', sa.Integer(), nullable=False),
    sa.Column('students', sa.Integer(), nullable=False),
    sa.CheckConstraint('municipio BETWEEN 0 AND 9', name=op.f('ck_observatory_interest_counts_municipio_range')),
    sa.CheckConstraint('students > 0', name=op.f('ck_observatory_interest_counts_students_positive')),
    sa.PrimaryKeyConstraint('area', 'quarter', 'municipio', name=op.f('pk_observatory_interest_counts'))
    )


def downgrade():
    op.drop_table('observatory_interest_counts')
    op.drop_table('demand_projections')
    with op.batch_alter_table('labour_demand', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_labour_demand_period'))
        batch_op.drop_index(batch_op.f('ix_labour_demand_occupation_code'))
    op.drop_table('labour_demand')
