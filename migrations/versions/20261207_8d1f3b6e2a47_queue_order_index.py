"""outreach queue: the order index covers the whole order (priority descending, then raised_at
and id), so a page of the queue stops after its rows instead of sorting every open flag of the
worker's municipi

Revision ID: 8d1f3b6e2a47
Revises: 6a2d4f8c1e93
Create Date: 2026-12-07 07:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d1f3b6e2a47'
down_revision = '6a2d4f8c1e93'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outreach_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_flags_queue_order')
        batch_op.create_index('ix_outreach_flags_queue_order',
                              ['status', sa.literal_column('priority').desc(), 'raised_at', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('outreach_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_flags_queue_order')
        batch_op.create_index('ix_outreach_flags_queue_order', ['status', 'priority'],
                              unique=False)
