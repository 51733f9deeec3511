"""outbox calendar attachment: registration and promotion e-mails carry the event's .ics

Revision ID: b3d9f0e4c1a2
Revises: a7c3e5b1d2f4
Create Date: 2026-12-06 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d9f0e4c1a2'
down_revision = 'a7c3e5b1d2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('outbox_messages', sa.Column('calendar_ics', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('calendar_ics')
