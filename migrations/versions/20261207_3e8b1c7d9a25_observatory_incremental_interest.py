"""observatory: incremental interest refresh (reserved; filled in by the change that needs it)

Revision ID: 3e8b1c7d9a25
Revises: f7c2a9d4e1b3
Create Date: 2026-12-07 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e8b1c7d9a25'
down_revision = 'f7c2a9d4e1b3'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
