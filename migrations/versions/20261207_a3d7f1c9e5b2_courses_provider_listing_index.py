"""courses: an index on (provider_id, status, start_date), for a provider's courses needing
dates

Revision ID: a3d7f1c9e5b2
Revises: e6b2d9f4a8c1
Create Date: 2026-12-07 19:35:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a3d7f1c9e5b2'
down_revision = 'e6b2d9f4a8c1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.create_index('ix_courses_provider_listing',
                              ['provider_id', 'status', 'start_date'], unique=False)


def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_index('ix_courses_provider_listing')
