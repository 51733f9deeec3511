"""outreach queue filtered by trigger: an index on (trigger, status) in the queue's order, so a
page of the rare model flags stops after its rows instead of walking every open flag

Revision ID: 4b7e9c2d1f60
Revises: 8d1f3b6e2a47
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4b7e9c2d1f60'
down_revision = '8d1f3b6e2a47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outreach_flags', schema=None) as batch_op:
        batch_op.create_index('ix_outreach_flags_trigger_order',
                              ['trigger', 'status', sa.literal_column('priority').desc(),
                               'raised_at', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('outreach_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_flags_trigger_order')
