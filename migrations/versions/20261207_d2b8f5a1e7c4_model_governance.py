"""model governance: activation gate justification

Revision ID: d2b8f5a1e7c4
Revises: c4a7e2f9b1d3
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2b8f5a1e7c4'
down_revision = 'c4a7e2f9b1d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('risk_model_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activation_justification', sa.String(length=2000),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('risk_model_versions', schema=None) as batch_op:
        batch_op.drop_column('activation_justification')
