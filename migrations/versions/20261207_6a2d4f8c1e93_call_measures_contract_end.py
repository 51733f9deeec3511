"""call measures: stored contract-end date for the measures query (reserved; filled in by the change that needs it)

Revision ID: 6a2d4f8c1e93
Revises: 3e8b1c7d9a25
Create Date: 2026-12-07 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a2d4f8c1e93'
down_revision = '3e8b1c7d9a25'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
