"""Peer-visit availability (windows, holidays, blocked days) and visit requests.

A confirmed request points at the school-visit event it became (``events.models.Event``).
A window's ``booked`` can never pass ``max_visits`` (CHECK); a confirmed request always has
its event (CHECK); the request state machine is ``VISIT_TRANSITIONS``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orientamento.core import clock
from orientamento.core.enums import LabelledEnum
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.database import Base, StrEnumType, link_table
from orientamento.events.models import Event
from orientamento.orgs.models import Provider, School

if TYPE_CHECKING:
    from orientamento.auth.models import User
    from orientamento.classes.models import SchoolClass
    from orientamento.courses.models import Course, Place


class SchoolHoliday(Base):
    """A school holiday period entered by the admin: no visits are offered on these days."""

    __tablename__ = "school_holidays"
    __table_args__ = (CheckConstraint("first_day <= last_day", name="days_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    first_day: Mapped[date]
    last_day: Mapped[date]


class BlockedDay(Base):
    """A day on which a provider cannot visit schools."""

    __tablename__ = "provider_blocked_days"

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    reason: Mapped[str | None] = mapped_column(String(200))


class VisitMode(LabelledEnum):
    """How ambassadors meet a class."""

    IN_PERSON = "in_person", _l("At the school")
    ONLINE = "online", _l("Online")


window_ambassadors = link_table("visit_window_ambassadors", ("window_id", "visit_windows.id"),
                                ("user_id", "users.id"))
window_courses = link_table("visit_window_courses", ("window_id", "visit_windows.id"),
                            ("course_id", "courses.id"))
window_places = link_table("visit_window_places", ("window_id", "visit_windows.id"),
                           ("place_code", "places.code"), index_right=False)


class VisitWindow(Base):
    """A provider's offer: ambassadors free to visit schools in a time window on one day."""

    __tablename__ = "visit_windows"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="starts_before_end"),
        CheckConstraint("mode IN ('in_person', 'online', 'both')", name="mode_valid"),
        CheckConstraint("max_visits >= 1", name="max_visits_positive"),
        CheckConstraint("booked >= 0 AND booked <= max_visits", name="booked_within_max"),
        Index("ix_visit_windows_provider_starts_at", "provider_id", "starts_at"),
        Index("ix_visit_windows_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    mode: Mapped[str] = mapped_column(String(10))
    max_visits: Mapped[int] = mapped_column(default=1)
    booked: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    provider: Mapped[Provider] = relationship()
    ambassadors: Mapped[list[User]] = relationship(secondary=window_ambassadors)
    courses: Mapped[list[Course]] = relationship(secondary=window_courses)
    places: Mapped[list[Place]] = relationship(secondary=window_places)

    def offers(self, mode: str) -> bool:
        """Whether the window offers visits in ``mode``."""
        return self.mode in (mode, "both")

    @property
    def is_full(self) -> bool:
        """Whether every visit of the window is booked."""
        return self.booked >= self.max_visits


class VisitStatus(LabelledEnum):
    """Where a visit request stands."""

    REQUESTED = "requested", _l("Waiting for the provider")
    COUNTER_PROPOSED = "counter_proposed", _l("New time proposed: waiting for the school")
    CONFIRMED = "confirmed", _l("Confirmed")
    DECLINED = "declined", _l("Declined")
    CANCELLED = "cancelled", _l("Cancelled")


#: The visit request state machine: every allowed move, nothing else.
VISIT_TRANSITIONS: dict[VisitStatus, frozenset[VisitStatus]] = {
    VisitStatus.REQUESTED: frozenset({VisitStatus.CONFIRMED, VisitStatus.DECLINED,
                                      VisitStatus.COUNTER_PROPOSED, VisitStatus.CANCELLED}),
    VisitStatus.COUNTER_PROPOSED: frozenset({VisitStatus.CONFIRMED, VisitStatus.REQUESTED,
                                             VisitStatus.CANCELLED}),
    VisitStatus.CONFIRMED: frozenset({VisitStatus.CANCELLED}),
    VisitStatus.DECLINED: frozenset(),
    VisitStatus.CANCELLED: frozenset(),
}

class VisitRequestClass(Base):
    """A class a visit is requested for, with how many of its pupils will be there."""

    __tablename__ = "visit_request_classes"
    __table_args__ = (CheckConstraint("pupils >= 1", name="pupils_positive"),)

    request_id: Mapped[int] = mapped_column(
        ForeignKey("visit_requests.id", ondelete="CASCADE"), primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("school_classes.id", ondelete="CASCADE"), primary_key=True, index=True)
    pupils: Mapped[int]

    school_class: Mapped[SchoolClass] = relationship()


#: Ambassadors a provider names when proposing another time: accepting confirms with them.
proposed_ambassadors = link_table("visit_request_ambassadors",
                                  ("request_id", "visit_requests.id"), ("user_id", "users.id"))


class VisitRequest(Base):
    """A counsellor's request for a peer visit to some of their classes."""

    __tablename__ = "visit_requests"
    __table_args__ = (
        CheckConstraint(
            "status IN ('requested', 'counter_proposed', 'confirmed', 'declined', 'cancelled')",
            name="status_valid"),
        CheckConstraint("mode IN ('in_person', 'online')", name="mode_valid"),
        CheckConstraint("starts_at < ends_at", name="starts_before_end"),
        CheckConstraint("pupils >= 1", name="pupils_positive"),
        CheckConstraint("status <> 'confirmed' OR event_id IS NOT NULL", name="confirmed_event"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int | None] = mapped_column(
        ForeignKey("visit_windows.id", ondelete="SET NULL"), index=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"),
                                           index=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    mode: Mapped[str] = mapped_column(String(10))
    pupils: Mapped[int]
    message: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[VisitStatus] = mapped_column(StrEnumType(VisitStatus, 20),
                                                default=VisitStatus.REQUESTED)
    reply: Mapped[str | None] = mapped_column(String(1000))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    window: Mapped[VisitWindow | None] = relationship()
    provider: Mapped[Provider] = relationship()
    school: Mapped[School] = relationship()
    requested_by: Mapped[User | None] = relationship()
    classes: Mapped[list[VisitRequestClass]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True)
    proposed_ambassadors: Mapped[list[User]] = relationship(secondary=proposed_ambassadors)
    event: Mapped[Event | None] = relationship()

    @property
    def mode_label(self) -> str:
        """Translated label of the mode."""
        return str(VisitMode(self.mode).label)

    def can_become(self, status: VisitStatus) -> bool:
        """Whether the state machine allows moving to ``status``."""
        return status in VISIT_TRANSITIONS[self.status]
