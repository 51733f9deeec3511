"""referral withdrawal: a worker withdraws a referral that is sent or accepted (the person
withdrew consent, refused help, no longer needs it, or it went to the wrong service)

Revision ID: f7c2a9d4e1b3
Revises: b5f1d8c3a2e6
Create Date: 2026-12-07 03:35:00

"""
from alembic import op
import sqlalchemy as sa

import orientamento.database


# revision identifiers, used by Alembic.
revision = 'f7c2a9d4e1b3'
down_revision = 'b5f1d8c3a2e6'
branch_labels = None
depends_on = None

STATUS_BEFORE = "status IN ('sent', 'accepted', 'declined', 'closed')"
STATUS_AFTER = "status IN ('sent', 'accepted', 'declined', 'closed', 'withdrawn')"
ANSWERED_BEFORE = "(status = 'sent') = (answered_at IS NULL)"
ANSWERED_AFTER = "status <> 'sent' OR answered_at IS NULL"
ANSWERED_WHEN_MOVED = "status NOT IN ('accepted', 'declined', 'closed') OR answered_at IS NOT NULL"
TAKE_UP_BEFORE = ("status IN ('accepted', 'closed')"
                  " OR (first_appointment_on IS NULL AND took_up IS NULL)")
TAKE_UP_AFTER = ("status IN ('accepted', 'closed', 'withdrawn')"
                 " OR (first_appointment_on IS NULL AND took_up IS NULL)")
WITHDRAWN = "(status = 'withdrawn') = (withdrawn_at IS NOT NULL AND withdraw_reason IS NOT NULL)"
WITHDRAW_REASONS = ("withdraw_reason IS NULL OR withdraw_reason IN ('consent_withdrawn', "
                    "'help_refused', 'not_needed', 'wrong_service')")


def upgrade():
    with op.batch_alter_table('outreach_referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', orientamento.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdraw_reason', sa.String(length=20), nullable=True))
        batch_op.drop_constraint(op.f('ck_outreach_referrals_status_valid'), type_='check')
        batch_op.drop_constraint(op.f('ck_outreach_referrals_answered'), type_='check')
        batch_op.drop_constraint(op.f('ck_outreach_referrals_take_up_after_acceptance'), type_='check')
        batch_op.create_check_constraint('status_valid', STATUS_AFTER)
        batch_op.create_check_constraint('answered', ANSWERED_AFTER)
        batch_op.create_check_constraint('answered_when_moved', ANSWERED_WHEN_MOVED)
        batch_op.create_check_constraint('take_up_after_acceptance', TAKE_UP_AFTER)
        batch_op.create_check_constraint('withdrawn_with_reason', WITHDRAWN)
        batch_op.create_check_constraint('withdraw_reason_valid', WITHDRAW_REASONS)


def downgrade():
    # Withdrawn referrals cannot be told apart once the status is gone: they go first.
    op.execute("DELETE FROM outreach_referrals WHERE status = 'withdrawn'")
    with op.batch_alter_table('outreach_referrals', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outreach_referrals_withdraw_reason_valid'), type_='check')
        batch_op.drop_constraint(op.f('ck_outreach_referrals_withdrawn_with_reason'), type_='check')
        batch_op.drop_constraint(op.f('ck_outreach_referrals_take_up_after_acceptance'), type_='check')
        batch_op.drop_constraint(op.f('ck_outreach_referrals_answered_when_moved'), type_='check')
        batch_op.drop_constraint(op.f('ck_outreach_referrals_answered'), type_='check')
        batch_op.drop_constraint(op.f('ck_outreach_referrals_status_valid'), type_='check')
        batch_op.create_check_constraint('status_valid', STATUS_BEFORE)
        batch_op.create_check_constraint('answered', ANSWERED_BEFORE)
        batch_op.create_check_constraint('take_up_after_acceptance', TAKE_UP_BEFORE)
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('withdrawn_at')
