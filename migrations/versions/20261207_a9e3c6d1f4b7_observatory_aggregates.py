"""observatory: stored aggregates

PLACEHOLDER: reserved for a helper; empty until filled in.

Revision ID: a9e3c6d1f4b7
Revises: d2b8f5a1e7c4
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import orientamento.database


# revision identifiers, used by Alembic.
revision = 'a9e3c6d1f4b7'
down_revision = 'd2b8f5a1e7c4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
