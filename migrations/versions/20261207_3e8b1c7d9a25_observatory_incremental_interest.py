"""observatory: incremental interest refresh

Each student's latest interests result as the refresh placed it (when it was submitted, area,
quarter, crosswalk fingerprint), so a refresh places only new results and counts the stored
rows in SQL.

Revision ID: 3e8b1c7d9a25
Revises: f7c2a9d4e1b3
Create Date: 2026-12-07 06:00:00

"""
from alembic import op
import sqlalchemy as sa

import orientamento.database


# revision identifiers, used by Alembic.
revision = '3e8b1c7d9a25'
down_revision = 'f7c2a9d4e1b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('observatory_interest_placements',
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', orientamento.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('area', sa.String(length=40), nullable=True),
    sa.Column('quarter', sa.String(length=6), nullable=False),
    sa.Column('crosswalk', sa.String(length=16), nullable=False),
    sa.CheckConstraint('length(quarter) = 6', name=op.f('ck_observatory_interest_placements_quarter_format')),
    sa.ForeignKeyConstraint(['response_id'], ['assessment_responses.id'], name=op.f('fk_observatory_interest_placements_response_id_assessment_responses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], name=op.f('fk_observatory_interest_placements_student_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('student_id', name=op.f('pk_observatory_interest_placements')),
    sa.UniqueConstraint('response_id', name=op.f('uq_observatory_interest_placements_response_id'))
    )


def downgrade():
    op.drop_table('observatory_interest_placements')
