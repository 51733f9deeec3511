"""Referrals to support services and how they are followed up: the statuses a referral moves
through, the reasons and outcomes the worker and the service choose from, and the CHECKs that
tie each status to the fields it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orientamento.core import clock
from orientamento.core.enums import LabelledEnum
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.database import Base, StrEnumType
from orientamento.outreach.models import Flag
from orientamento.support.models import SupportService


class ReferralStatus(LabelledEnum):
    """Where a referral to a service stands: sent, then accepted or declined; accepted, then
    closed with an outcome. The worker may withdraw it while it is sent or accepted."""

    SENT = "sent", _l("Waiting for the service's answer")
    ACCEPTED = "accepted", _l("Accepted by the service")
    DECLINED = "declined", _l("Declined by the service")
    CLOSED = "closed", _l("Closed with an outcome")
    WITHDRAWN = "withdrawn", _l("Withdrawn by the outreach worker")


#: A live referral: the service is still to answer or working with the person.
LIVE = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)
#: An answered or ended one.
DONE = (ReferralStatus.DECLINED, ReferralStatus.CLOSED, ReferralStatus.WITHDRAWN)

WITHDRAW_REASONS = {
    "consent_withdrawn": _l("The person withdrew their consent"),
    "help_refused": _l("The person refused help"),
    "not_needed": _l("The person no longer needs this service"),
    "wrong_service": _l("Sent to the wrong service"),
}

DECLINE_REASONS = {
    "not_eligible": _l("The person is not eligible for this service"),
    "no_capacity": _l("No place available at the moment"),
    "better_elsewhere": _l("Another service fits the person better"),
    "unreachable": _l("The service could not reach the person"),
    "other": _l("Other (explained below)"),
}

REFERRAL_OUTCOMES = {
    "education": _l("Back in education"),
    "training": _l("Started a training course"),
    "employment": _l("Found a job"),
    "path_completed": _l("Completed the service's path"),
    "referred_on": _l("Sent on to another service"),
    "dropped_out": _l("Stopped coming"),
    "not_taken_up": _l("Never took up the service"),
    "other": _l("Other (explained below)"),
}


def _codes(codes: Mapping[str, object]) -> str:
    return ", ".join(f"'{code}'" for code in codes)


class Referral(Base):
    """A flagged person sent to a support service, with their consent, and what came of it.

    Only the contact details and the worker's note travel to the service: the service's pages
    read them through ``referral_contact``, never the score, its reasons or protected
    attributes. The CHECKs tie each status to the fields it needs.
    """

    __tablename__ = "outreach_referrals"
    __table_args__ = (
        CheckConstraint("status IN ('sent', 'accepted', 'declined', 'closed', 'withdrawn')",
                        name="status_valid"),
        # Answered once accepted, declined or closed; a withdrawn one may or may not be.
        CheckConstraint("status <> 'sent' OR answered_at IS NULL", name="answered"),
        CheckConstraint("status NOT IN ('accepted', 'declined', 'closed')"
                        " OR answered_at IS NOT NULL", name="answered_when_moved"),
        CheckConstraint("(status = 'withdrawn')"
                        " = (withdrawn_at IS NOT NULL AND withdraw_reason IS NOT NULL)",
                        name="withdrawn_with_reason"),
        CheckConstraint(
            f"withdraw_reason IS NULL OR withdraw_reason IN ({_codes(WITHDRAW_REASONS)})",
            name="withdraw_reason_valid"),
        CheckConstraint("(status = 'declined') = (decline_reason IS NOT NULL)",
                        name="declined_with_reason"),
        CheckConstraint(f"decline_reason IS NULL OR decline_reason IN ({_codes(DECLINE_REASONS)})",
                        name="decline_reason_valid"),
        CheckConstraint("(status = 'closed') = (outcome IS NOT NULL AND closed_at IS NOT NULL)",
                        name="closed_with_outcome"),
        CheckConstraint(f"outcome IS NULL OR outcome IN ({_codes(REFERRAL_OUTCOMES)})",
                        name="outcome_valid"),
        CheckConstraint("status IN ('accepted', 'closed', 'withdrawn')"
                        " OR (first_appointment_on IS NULL AND took_up IS NULL)",
                        name="take_up_after_acceptance"),
        CheckConstraint("answer_due_on >= consent_on", name="due_after_consent"),
        # One live referral per flag and service: a double submit adds nothing.
        Index("uq_outreach_referrals_live", "flag_id", "service_id", unique=True,
              postgresql_where=text("status IN ('sent', 'accepted')"),
              sqlite_where=text("status IN ('sent', 'accepted')")),
        Index("ix_outreach_referrals_status_due", "status", "answer_due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_flags.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("support_services.id", ondelete="RESTRICT"), index=True)
    status: Mapped[ReferralStatus] = mapped_column(StrEnumType(ReferralStatus, 10),
                                                   default=ReferralStatus.SENT)
    #: The Milan day the person agreed to be referred (the worker ticks and dates it).
    consent_on: Mapped[date]
    #: The worker's note for the service: what the person needs, when to call.
    note: Mapped[str] = mapped_column(Text, default="")
    referred_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), info={"export": False})
    referred_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: The last Milan day the service may answer before the referral comes back to the worker.
    answer_due_on: Mapped[date]
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), info={"export": False})
    decline_reason: Mapped[str | None] = mapped_column(String(20))
    decline_note: Mapped[str] = mapped_column(Text, default="")
    first_appointment_on: Mapped[date | None]
    #: Whether the person came to the service (None: not known yet).
    took_up: Mapped[bool | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    withdraw_reason: Mapped[str | None] = mapped_column(String(20))

    flag: Mapped[Flag] = relationship(back_populates="referrals")
    service: Mapped[SupportService] = relationship()

    @property
    def decline_label(self) -> str:
        """Translated reason for a decline ("" when not declined)."""
        return str(DECLINE_REASONS.get(self.decline_reason or "", ""))

    @property
    def outcome_label(self) -> str:
        """Translated outcome ("" while open)."""
        return str(REFERRAL_OUTCOMES.get(self.outcome or "", ""))

    @property
    def withdraw_label(self) -> str:
        """Translated reason for a withdrawal ("" when not withdrawn)."""
        return str(WITHDRAW_REASONS.get(self.withdraw_reason or "", ""))

    @property
    def is_live(self) -> bool:
        """Whether the service is still to answer or working with the person."""
        return self.status in LIVE

    def is_overdue(self, today: date) -> bool:
        """Still unanswered after the day it was due."""
        return self.status == ReferralStatus.SENT and today > self.answer_due_on
