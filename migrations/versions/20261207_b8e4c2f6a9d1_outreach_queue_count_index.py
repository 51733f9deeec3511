"""outreach_flags: the municipio index holds the columns the queue's filters test, so its
capped count reads the index alone

Revision ID: b8e4c2f6a9d1
Revises: a3d7f1c9e5b2
Create Date: 2026-12-07 22:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b8e4c2f6a9d1'
down_revision = 'a3d7f1c9e5b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outreach_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_flags_queue')
        batch_op.create_index('ix_outreach_flags_queue',
                              ['municipio', 'status', 'priority', 'person_id',
                               'assigned_to_id', 'score_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outreach_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_flags_queue')
        batch_op.create_index('ix_outreach_flags_queue', ['municipio', 'status', 'priority'],
                              unique=False)
