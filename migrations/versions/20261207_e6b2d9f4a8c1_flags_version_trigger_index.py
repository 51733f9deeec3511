"""outreach flags: the version_id index also holds the trigger, so a version's overview counts
its flags by trigger from the index alone

Revision ID: e6b2d9f4a8c1
Revises: 9c3e7a1f5d28
Create Date: 2026-12-07 19:25:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e6b2d9f4a8c1'
down_revision = '9c3e7a1f5d28'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outreach_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_flags_version_id')
        batch_op.create_index('ix_outreach_flags_version_trigger', ['version_id', 'trigger'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('outreach_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_flags_version_trigger')
        batch_op.create_index('ix_outreach_flags_version_id', ['version_id'], unique=False)
