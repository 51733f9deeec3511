"""occupation titles and descriptions in other languages (Arabic first), loaded from
data/occupations.<language>.csv by `flask courses reference`

Revision ID: b8e1d4f7a3c6
Revises: c5e8a1f4d2b7
Create Date: 2026-12-06 23:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8e1d4f7a3c6'
down_revision = 'c5e8a1f4d2b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('occupations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=False,
                                      server_default=sa.text("'{}'")))


def downgrade():
    with op.batch_alter_table('occupations', schema=None) as batch_op:
        batch_op.drop_column('translations')
