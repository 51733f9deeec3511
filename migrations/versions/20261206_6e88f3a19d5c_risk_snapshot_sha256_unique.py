"""risk snapshot sha256 unique: the same file cannot be imported twice, even at once

Revision ID: 6e88f3a19d5c
Revises: 8e2401b89ac6
Create Date: 2026-12-06 17:34:13.342743

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6e88f3a19d5c'
down_revision = '8e2401b89ac6'
branch_labels = None
depends_on = None


def upgrade():
    # A database where the race already happened holds the same file twice: say so rather
    # than pick a copy to delete (flags and scores may point at either).
    twice = op.get_bind().execute(sa.text(
        "SELECT sha256 FROM risk_snapshots GROUP BY sha256 HAVING COUNT(*) > 1")).first()
    if twice is not None:
        raise RuntimeError("risk_snapshots holds the same file more than once (sha256 "
                           f"{twice[0]}): delete the duplicate snapshot, then upgrade again")
    # A unique index, not a constraint: SQLite would rebuild the table for a constraint, and
    # dropping the old table with foreign keys on cascades into records, scores and flags.
    op.create_index("ix_risk_snapshots_sha256", "risk_snapshots", ["sha256"], unique=True)


def downgrade():
    op.drop_index("ix_risk_snapshots_sha256", table_name="risk_snapshots")
