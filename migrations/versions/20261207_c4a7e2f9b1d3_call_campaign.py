"""call campaign: names and languages on contact details, call attempts

PLACEHOLDER: reserved for a helper; empty until filled in.

Revision ID: c4a7e2f9b1d3
Revises: e9d4b7a2c5f1
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import orientamento.database


# revision identifiers, used by Alembic.
revision = 'c4a7e2f9b1d3'
down_revision = 'e9d4b7a2c5f1'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
