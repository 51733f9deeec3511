"""outreach queue: the two order indexes also hold the columns the queue's filters test
(municipio, person_id, assigned_to_id, score_id), so a page's ids and its capped count are
read from the index alone

Revision ID: 9c3e7a1f5d28
Revises: 4b7e9c2d1f60
Create Date: 2026-12-07 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c3e7a1f5d28'
down_revision = '4b7e9c2d1f60'
branch_labels = None
depends_on = None

ORDER = [sa.literal_column('priority').desc(), 'raised_at', 'id']
FILTERED = ['municipio', 'person_id', 'assigned_to_id', 'score_id']


def _replace(filtered):
    with op.batch_alter_table('outreach_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_flags_queue_order')
        batch_op.drop_index('ix_outreach_flags_trigger_order')
        batch_op.create_index('ix_outreach_flags_queue_order',
                              ['status', *ORDER, *filtered], unique=False)
        batch_op.create_index('ix_outreach_flags_trigger_order',
                              ['trigger', 'status', *ORDER, *filtered], unique=False)


def upgrade():
    _replace(FILTERED)


def downgrade():
    _replace([])
