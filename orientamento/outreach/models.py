"""Flags, the decisions people take on them, contacts and outcomes; self-referrals; referrals to
support services and how they are followed up.

A contact references the decision that allowed it, and only a "contact" decision can be
referenced (composite foreign key plus CHECK): no contact row can exist without a recorded
human decision to make it. One open flag per person and trigger (partial unique index).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orientamento.core import clock
from orientamento.database import Base, StrEnumType
from orientamento.risk.models import ModelVersion, RiskPerson, RiskScore
from orientamento.support.models import SupportService

if TYPE_CHECKING:
    from orientamento.auth.models import User


class Trigger(StrEnum):
    """What raised a flag."""

    MODEL = "model"
    CONTRACT_ENDED = "contract_ended"
    #: The person asked to be contacted, on the public page of support services.
    SELF_REFERRAL = "self_referral"


TRIGGER_LABELS = {
    Trigger.MODEL: _l("Risk model (top of the municipio)"),
    Trigger.CONTRACT_ENDED: _l("Job contract ended 30+ days ago, no new enrolment or contract"),
    Trigger.SELF_REFERRAL: _l("Asked to be contacted (self-referral)"),
}

#: Self-referrals come first in the queue (someone asked for help), oldest first among them.
SELF_REFERRAL_PRIORITY = 2.0


class PreferredTime(StrEnum):
    """When a person who asked to be contacted prefers a call or a message."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    ANY = "any"


PREFERRED_TIME_LABELS = {
    PreferredTime.MORNING: _l("In the morning (9-13)"),
    PreferredTime.AFTERNOON: _l("In the afternoon (14-18)"),
    PreferredTime.EVENING: _l("In the early evening (18-20)"),
    PreferredTime.ANY: _l("Any time"),
}

#: The channels a person can ask to be contacted by.
SELF_REFERRAL_CHANNELS = ("phone", "email")


class SelfReferral(Base):
    """A young person's own request to be contacted, made without an account.

    It holds the person's contact details as they gave them; its flag is in the queue of the
    municipio they live in. Deleting it deletes its flag (and the flag's referrals).
    """

    __tablename__ = "outreach_self_referrals"
    __table_args__ = (
        CheckConstraint("municipio BETWEEN 1 AND 9", name="municipio_range"),
        CheckConstraint("channel IN ('phone', 'email')", name="channel_valid"),
        CheckConstraint("(channel = 'phone' AND phone IS NOT NULL)"
                        " OR (channel = 'email' AND email IS NOT NULL)",
                        name="detail_for_channel"),
        CheckConstraint("preferred_time IN ('morning', 'afternoon', 'evening', 'any')",
                        name="preferred_time_valid"),
        CheckConstraint("length(language) = 2 AND language = lower(language)",
                        name="language_iso639_1"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipio: Mapped[int]
    #: How the person wants to be called (optional).
    name: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    #: ISO 639-1 code of the language the person prefers to be spoken to in.
    language: Mapped[str] = mapped_column(String(2))
    preferred_time: Mapped[PreferredTime] = mapped_column(StrEnumType(PreferredTime, 10))
    #: The person's own words to the outreach team (never sent on to a service).
    message: Mapped[str] = mapped_column(Text, default="")
    #: When the person ticked the consent box (the form cannot be sent without it).
    consented_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    @property
    def preferred_time_label(self) -> str:
        """Translated preferred time."""
        return str(PREFERRED_TIME_LABELS[self.preferred_time])


class FlagStatus(StrEnum):
    """Open until someone decides; deferred flags come back to the queue."""

    OPEN = "open"
    DEFERRED = "deferred"
    CLOSED = "closed"


FLAG_STATUS_LABELS = {
    FlagStatus.OPEN: _l("Open flag"),
    FlagStatus.DEFERRED: _l("Deferred"),
    FlagStatus.CLOSED: _l("Closed flag"),
}


class Flag(Base):
    """A person put in an outreach queue, and why."""

    __tablename__ = "outreach_flags"
    __table_args__ = (
        CheckConstraint("trigger IN ('model', 'contract_ended', 'self_referral')",
                        name="trigger_valid"),
        # A flag is about a person in the records or about a self-referral, never both...
        CheckConstraint("(person_id IS NULL) <> (self_referral_id IS NULL)", name="one_subject"),
        # ... and only a self-referral flag points at a self-referral.
        CheckConstraint("(trigger = 'self_referral') = (self_referral_id IS NOT NULL)",
                        name="self_referral_trigger"),
        CheckConstraint("status IN ('open', 'deferred', 'closed')", name="status_valid"),
        CheckConstraint("municipio BETWEEN 1 AND 9", name="municipio_range"),
        CheckConstraint("trigger <> 'model' OR score_id IS NOT NULL", name="model_flag_scored"),
        Index("uq_outreach_flags_pending", "person_id", "trigger", unique=True,
              postgresql_where=text("status <> 'closed'"),
              sqlite_where=text("status <> 'closed'")),
        Index("ix_outreach_flags_queue", "municipio", "status", "priority"),
        # The queue's order (read backwards, ties sorted on the way): the first page reads a
        # few index entries, not every flag.
        Index("ix_outreach_flags_queue_order", "status", "priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("risk_people.id", ondelete="CASCADE"), index=True)
    self_referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("outreach_self_referrals.id", ondelete="CASCADE"), unique=True)
    municipio: Mapped[int]
    trigger: Mapped[str] = mapped_column(String(20))
    status: Mapped[FlagStatus] = mapped_column(StrEnumType(FlagStatus, 10),
                                               default=FlagStatus.OPEN)
    #: Higher first: the probability for model flags, 1 + months since the contract ended / 100
    #: for rule flags (so that a rule flag is never buried under model flags).
    priority: Mapped[float] = mapped_column(Float)
    score_id: Mapped[int | None] = mapped_column(ForeignKey("risk_scores.id", ondelete="SET NULL"))
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("risk_model_versions.id", ondelete="SET NULL"), index=True)
    #: For rule flags: the months since the contract ended, as the record said.
    months_since_contract: Mapped[int | None]
    #: The date of the snapshot that raised the flag (the records' date, not the import's).
    as_of: Mapped[date]
    raised_at: Mapped[datetime] = mapped_column(default=clock.now)
    closed_at: Mapped[datetime | None]
    #: The worker of the municipio's team who has the case (None: the team's, unassigned).
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, info={"export": False})

    person: Mapped[RiskPerson | None] = relationship()
    self_referral: Mapped[SelfReferral | None] = relationship()
    assigned_to: Mapped[User | None] = relationship()
    score: Mapped[RiskScore | None] = relationship()
    version: Mapped[ModelVersion | None] = relationship()
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="flag", cascade="all, delete-orphan", order_by="Decision.id")
    referrals: Mapped[list[Referral]] = relationship(
        back_populates="flag", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Referral.id")

    @property
    def is_self_referral(self) -> bool:
        """Whether the person asked to be contacted (no administrative records behind it)."""
        return self.trigger == Trigger.SELF_REFERRAL

    @property
    def trigger_label(self) -> str:
        """Translated trigger."""
        return str(TRIGGER_LABELS[Trigger(self.trigger)])

    @property
    def status_label(self) -> str:
        """Translated status."""
        return str(FLAG_STATUS_LABELS[self.status])


class DecisionKind(StrEnum):
    """What the worker decided."""

    CONTACT = "contact"
    NO_CONTACT = "no_contact"
    DEFER = "defer"


DECISION_LABELS = {
    DecisionKind.CONTACT: _l("Contact the person"),
    DecisionKind.NO_CONTACT: _l("Do not contact"),
    DecisionKind.DEFER: _l("Defer"),
}

#: Reason codes for a decision; "disagree_model" records disagreement with the model.
REASON_CODES = {
    "priority_confirmed": _l("The situation calls for an offer of help"),
    "disagree_model": _l("I disagree with the model's assessment"),
    "already_supported": _l("Already followed by another service"),
    "recent_contact": _l("Contacted recently"),
    "data_outdated": _l("The records look outdated or wrong"),
    "more_information": _l("More information is needed first"),
    "other": _l("Other (explained below)"),
}


class Decision(Base):
    """A person's decision on a flag: contact, do not contact, or defer."""

    __tablename__ = "outreach_decisions"
    __table_args__ = (
        CheckConstraint("kind IN ('contact', 'no_contact', 'defer')", name="kind_valid"),
        UniqueConstraint("id", "kind"),  # target of the contacts' composite foreign key
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_flags.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DecisionKind] = mapped_column(StrEnumType(DecisionKind, 12))
    reason_code: Mapped[str] = mapped_column(String(30))
    reason_text: Mapped[str] = mapped_column(Text, default="")
    #: The worker's view of the model's priority: False records a disagreement.
    agrees_with_model: Mapped[bool]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
        info={"export": False})
    decided_at: Mapped[datetime] = mapped_column(default=clock.now)

    flag: Mapped[Flag] = relationship(back_populates="decisions")
    decided_by: Mapped[User | None] = relationship()
    contacts: Mapped[list[Contact]] = relationship(back_populates="decision",
                                                   order_by="Contact.id")

    @property
    def kind_label(self) -> str:
        """Translated decision."""
        return str(DECISION_LABELS[self.kind])

    @property
    def reason_label(self) -> str:
        """Translated reason code."""
        return str(REASON_CODES.get(self.reason_code, self.reason_code))


CHANNEL_LABELS = {
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "letter": _l("Letter"),
    "visit": _l("Home visit"),
    "meeting": _l("Meeting at a service"),
}

class ContactOutcome(StrEnum):
    """Whether an attempt reached the person."""

    REACHED = "reached"
    NOT_REACHED = "not_reached"
    WRONG_DETAILS = "wrong_details"


CONTACT_OUTCOME_LABELS = {
    ContactOutcome.REACHED: _l("Reached"),
    ContactOutcome.NOT_REACHED: _l("Not reached"),
    ContactOutcome.WRONG_DETAILS: _l("Wrong contact details"),
}


class Contact(Base):
    """One attempt to reach a person, allowed by a "contact" decision."""

    __tablename__ = "outreach_contacts"
    __table_args__ = (
        ForeignKeyConstraint(["decision_id", "decision_kind"],
                             ["outreach_decisions.id", "outreach_decisions.kind"],
                             ondelete="CASCADE", name="fk_outreach_contacts_decision"),
        CheckConstraint("decision_kind = 'contact'", name="decided_to_contact"),
        CheckConstraint("consent IS NULL OR consent IN ('given', 'refused')",
                        name="consent_valid"),
        CheckConstraint("outcome IN ('reached', 'not_reached', 'wrong_details')",
                        name="outcome_valid"),
        CheckConstraint("consent IS NULL OR outcome = 'reached'", name="consent_when_reached"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(index=True)
    decision_kind: Mapped[DecisionKind] = mapped_column(StrEnumType(DecisionKind, 12),
                                                        default=DecisionKind.CONTACT)
    channel: Mapped[str] = mapped_column(String(20))
    contacted_on: Mapped[date]
    outcome: Mapped[ContactOutcome] = mapped_column(StrEnumType(ContactOutcome, 20))
    #: Whether the person accepted help: "refused" opts them out for good.
    consent: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
        info={"export": False})
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)

    decision: Mapped[Decision] = relationship(back_populates="contacts")


FOLLOW_UP_MONTHS = (3, 6, 12)

SITUATION_LABELS = {
    "education": _l("In education"),
    "training": _l("In training"),
    "employment": _l("In employment"),
    "neet": _l("Not in education, employment or training"),
    "unknown": _l("Unknown"),
}


class Outcome(Base):
    """Where a flagged person stands 3, 6 or 12 months after the flag."""

    __tablename__ = "outreach_outcomes"
    __table_args__ = (
        UniqueConstraint("flag_id", "months"),
        CheckConstraint("months IN (3, 6, 12)", name="months_valid"),
        CheckConstraint("situation IN ('education', 'training', 'employment', 'neet',"
                        " 'unknown')", name="situation_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("outreach_flags.id", ondelete="CASCADE"))
    months: Mapped[int]
    situation: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
        info={"export": False})
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)

    flag: Mapped[Flag] = relationship()


class ReferralStatus(StrEnum):
    """Where a referral to a service stands: sent, then accepted or declined; accepted, then
    closed with an outcome. The worker may withdraw it while it is sent or accepted."""

    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


REFERRAL_STATUS_LABELS = {
    ReferralStatus.SENT: _l("Waiting for the service's answer"),
    ReferralStatus.ACCEPTED: _l("Accepted by the service"),
    ReferralStatus.DECLINED: _l("Declined by the service"),
    ReferralStatus.CLOSED: _l("Closed with an outcome"),
    ReferralStatus.WITHDRAWN: _l("Withdrawn by the outreach worker"),
}

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


def _codes(codes: dict[str, object]) -> str:
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
    def status_label(self) -> str:
        """Translated status."""
        return str(REFERRAL_STATUS_LABELS[self.status])

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
        return self.status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED)

    def is_overdue(self, today: date) -> bool:
        """Still unanswered after the day it was due."""
        return self.status == ReferralStatus.SENT and today > self.answer_due_on


# The call campaign's models live in their own module; importing it here registers them with
# the metadata wherever outreach's models are loaded.
from orientamento.outreach.calls import models as _calls  # noqa: E402, F401
