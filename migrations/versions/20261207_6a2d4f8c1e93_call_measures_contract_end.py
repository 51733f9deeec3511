"""call measures: stored contract-end date for the measures query (the day a contract-ended
flag's contract is read to have ended, kept on the flag with an index the campaign's measures
and call list read, instead of computing it from as_of and the months on every flag)

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

STORED = "(trigger = 'contract_ended') = (contract_ended_on IS NOT NULL)"
# The rule's reading of the records' whole months: 30 days a month before the snapshot's date.
BACKFILL = {
    'sqlite': ("UPDATE outreach_flags SET contract_ended_on = date(as_of, '-' || "
               "(30 * coalesce(months_since_contract, 0)) || ' days') "
               "WHERE trigger = 'contract_ended'"),
    'postgresql': ("UPDATE outreach_flags SET contract_ended_on = "
                   "as_of - 30 * coalesce(months_since_contract, 0) "
                   "WHERE trigger = 'contract_ended'"),
}


def upgrade():
    with op.batch_alter_table('outreach_flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contract_ended_on', sa.Date(), nullable=True))
    op.execute(BACKFILL[op.get_bind().dialect.name])
    with op.batch_alter_table('outreach_flags', schema=None) as batch_op:
        batch_op.create_check_constraint('contract_end_stored', STORED)
        batch_op.create_index('ix_outreach_flags_contract_end',
                              ['trigger', 'municipio', 'contract_ended_on'], unique=False)


def downgrade():
    with op.batch_alter_table('outreach_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_outreach_flags_contract_end')
        batch_op.drop_constraint(op.f('ck_outreach_flags_contract_end_stored'), type_='check')
        batch_op.drop_column('contract_ended_on')
