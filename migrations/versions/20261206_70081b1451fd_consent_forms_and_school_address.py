"""consent forms and school address: a parental consent's signed form (date, reference) and
its withdrawal; a school's street address for the providers who visit it

Revision ID: 70081b1451fd
Revises: b3d9f0e4c1a2
Create Date: 2026-12-06 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '70081b1451fd'
down_revision = 'b3d9f0e4c1a2'
branch_labels = None
depends_on = None

CONSENT_FORM = ("parental_consent_signed_on IS NULL"
                " OR (parental_consent_at IS NOT NULL AND parental_consent_reference IS NOT NULL)")
CONSENT_WITHDRAWAL = ("parental_consent_withdrawn_on IS NULL OR (parental_consent_at IS NULL"
                      " AND parental_consent_withdrawal_reference IS NOT NULL)")


def upgrade():
    # Consents recorded before keep their instant and recorder; their form is unknown (NULL).
    # On SQLite the batch rebuilds the table (env.py turns foreign keys off around it).
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parental_consent_signed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('parental_consent_reference', sa.String(length=60),
                                      nullable=True))
        batch_op.add_column(sa.Column('parental_consent_withdrawn_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('parental_consent_withdrawal_reference',
                                      sa.String(length=60), nullable=True))
        batch_op.create_check_constraint('consent_form', CONSENT_FORM)
        batch_op.create_check_constraint('consent_withdrawal', CONSENT_WITHDRAWAL)
    op.add_column('schools', sa.Column('address', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_column('address')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_consent_withdrawal'), type_='check')
        batch_op.drop_constraint(op.f('ck_users_consent_form'), type_='check')
        batch_op.drop_column('parental_consent_withdrawal_reference')
        batch_op.drop_column('parental_consent_withdrawn_on')
        batch_op.drop_column('parental_consent_reference')
        batch_op.drop_column('parental_consent_signed_on')
