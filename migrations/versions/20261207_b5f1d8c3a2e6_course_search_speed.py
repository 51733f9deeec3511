"""course search speed

PLACEHOLDER: reserved for a helper; empty until filled in.

Revision ID: b5f1d8c3a2e6
Revises: a9e3c6d1f4b7
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import orientamento.database


# revision identifiers, used by Alembic.
revision = 'b5f1d8c3a2e6'
down_revision = 'a9e3c6d1f4b7'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
