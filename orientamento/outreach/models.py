"""Flags, the decisions people take on them, contacts and outcomes; self-referrals. Referrals to
support services are in ``referrals/models.py``, call attempts in ``calls/models.py``.

A contact references the decision that allowed it, and only a "contact" decision can be
referenced (composite foreign key plus CHECK): no contact row can exist without a recorded
human decision to make it. One open flag per person and trigger (partial unique index).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

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
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orientamento.core import clock
from orientamento.core.enums import LabelledEnum
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.database import Base, StrEnumType
from orientamento.risk.models import ModelVersion, RiskPerson, RiskScore

if TYPE_CHECKING:
    from orientamento.auth.models import User
    from orientamento.outreach.referrals.models import Referral


class Trigger(LabelledEnum):
    """What raised a flag."""

    MODEL = "model", _l("Risk model (top of the municipio)")
    CONTRACT_ENDED = ("contract_ended",
                      _l("Job contract ended 30+ days ago, no new enrolment or contract"))
    #: The person asked to be contacted, on the public page of support services.
    SELF_REFERRAL = "self_referral", _l("Asked to be contacted (self-referral)")


#: Self-referrals come first in the queue (someone asked for help), oldest first among them.
SELF_REFERRAL_PRIORITY = 2.0


class PreferredTime(LabelledEnum):
    """When a person who asked to be contacted prefers a call or a message."""

    MORNING = "morning", _l("In the morning (9-13)")
    AFTERNOON = "afternoon", _l("In the afternoon (14-18)")
    EVENING = "evening", _l("In the early evening (18-20)")
    ANY = "any", _l("Any time")


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


class FlagStatus(LabelledEnum):
    """Open until someone decides; deferred flags come back to the queue."""

    OPEN = "open", _l("Open flag")
    DEFERRED = "deferred", _l("Deferred")
    CLOSED = "closed", _l("Closed flag")


#: Days a month of the records counts for: the contract-ended rule reads "a month ago" as 30 days.
DAYS_A_MONTH = 30


def _contract_end(context: DefaultExecutionContext) -> date | None:
    """The day a contract-ended flag's contract is read to have ended (None for other flags):
    the snapshot's date minus 30 days a month, as the rule reads the records."""
    row = context.get_current_parameters()
    if row.get("trigger") != Trigger.CONTRACT_ENDED.value:
        return None
    return row["as_of"] - timedelta(days=DAYS_A_MONTH * (row.get("months_since_contract") or 0))


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
        CheckConstraint("(trigger = 'contract_ended') = (contract_ended_on IS NOT NULL)",
                        name="contract_end_stored"),
        Index("uq_outreach_flags_pending", "person_id", "trigger", unique=True,
              postgresql_where=text("status <> 'closed'"),
              sqlite_where=text("status <> 'closed'")),
        Index("ix_outreach_flags_queue", "municipio", "status", "priority"),
        # The call campaign's measures and call list: contract-ended flags by municipio and
        # end day, read from the index alone.
        Index("ix_outreach_flags_contract_end", "trigger", "municipio", "contract_ended_on"),
        # A version's flags (the foreign key's index) with their trigger, so the version
        # overview counts them by trigger from the index alone: with the version_id index
        # only, SQLite walked another index through every flag for the GROUP BY (9.2 ms at
        # 100,000 records; 0.04 ms).
        Index("ix_outreach_flags_version_trigger", "version_id", "trigger"),
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
        ForeignKey("risk_model_versions.id", ondelete="SET NULL"))
    #: For rule flags: the months since the contract ended, as the record said.
    months_since_contract: Mapped[int | None]
    #: The date of the snapshot that raised the flag (the records' date, not the import's).
    as_of: Mapped[date]
    #: For contract-ended flags: the day the contract is read to have ended, from ``as_of`` and
    #: the months when the flag is inserted (flags keep both).
    contract_ended_on: Mapped[date | None] = mapped_column(default=_contract_end)
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
        return str(Trigger(self.trigger).label)


# The queue's whole order, ties included, so a page reads its rows and stops. With only
# (status, priority), SQLite chose the municipio index for the worker's municipi and sorted
# every open flag in them (at a million records, 0.01 of the floor). Declared after the class:
# a descending column needs the column object.
#
# After the order come the columns the queue's filters test (municipio, the person for the
# opt-outs, the assignee, the score for the band), so the index covers the page's ids and its
# capped count: the rows a later page skips, or a worker's flags among the other municipi's,
# are passed over in the index instead of each being read from the table. At a million
# records (SQLite) page 50's ids took 5.3 ms, 0.4 ms covered; the capped count 4.4 and 0.3 ms.
QUEUE_FILTERED = (Flag.municipio, Flag.person_id, Flag.assigned_to_id, Flag.score_id)
Index("ix_outreach_flags_queue_order", Flag.status, Flag.priority.desc(), Flag.raised_at,
      Flag.id, *QUEUE_FILTERED)
# The same order within one trigger: the queue filtered to the few model flags walked the
# order index through every open contract-ended flag (15 ms a page at 100,000 records), since
# SQLite plans for a bound trigger without knowing how rare it is.
Index("ix_outreach_flags_trigger_order", Flag.trigger, Flag.status, Flag.priority.desc(),
      Flag.raised_at, Flag.id, *QUEUE_FILTERED)


class DecisionKind(LabelledEnum):
    """What the worker decided."""

    CONTACT = "contact", _l("Contact the person")
    NO_CONTACT = "no_contact", _l("Do not contact")
    DEFER = "defer", _l("Defer")


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

class ContactOutcome(LabelledEnum):
    """Whether an attempt reached the person."""

    REACHED = "reached", _l("Reached")
    NOT_REACHED = "not_reached", _l("Not reached")
    WRONG_DETAILS = "wrong_details", _l("Wrong contact details")


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
