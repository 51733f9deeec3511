"""model governance: activation gate justification

PLACEHOLDER: reserved for a helper; empty until filled in.

Revision ID: d2b8f5a1e7c4
Revises: c4a7e2f9b1d3
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import orientamento.database


# revision identifiers, used by Alembic.
revision = 'd2b8f5a1e7c4'
down_revision = 'c4a7e2f9b1d3'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
