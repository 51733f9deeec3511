"""Events, their staff and classes, registrations with a waiting list, calendar feeds.

Capacity and "one active X" rules live in the database:

- ``events.seats_taken`` can never pass ``capacity`` (CHECK); registrations change it with one
  conditional UPDATE in the same transaction as the insert (see ``registrations.py``);
- one active registration per person (or per class group) per event (partial unique indexes);
- no ambassador and no class in two overlapping scheduled events: ``event_staff`` and
  ``event_classes`` copy the event's time and status through a composite foreign key with
  ``ON UPDATE CASCADE`` and are guarded by an exclusion constraint on PostgreSQL and by
  triggers on SQLite (``overlap.py``).

Peer-visit availability and requests are the visits feature's (``visits/models.py``); a
confirmed visit becomes an event of kind ``school_visit`` with its staff and classes.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
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
from orientamento.core.enums import LabelledEnum
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.database import Base, StrEnumType, link_table
from orientamento.orgs.models import Provider, School

if TYPE_CHECKING:
    from orientamento.auth.models import User
    from orientamento.classes.models import SchoolClass
    from orientamento.courses.models import Course, Place


def new_token() -> str:
    """An opaque random token (ticket or calendar feed)."""
    return secrets.token_urlsafe(24)


def new_uid() -> str:
    """A stable iCalendar UID for a new event."""
    return str(uuid.uuid4())


class EventKind(LabelledEnum):
    """What kind of event it is."""

    SCHOOL_VISIT = "school_visit", _l("Peer visit at school")
    OPEN_DAY = "open_day", _l("Open day")
    WEBINAR = "webinar", _l("Webinar")
    WORKSHOP = "workshop", _l("Workshop")


#: Kinds anyone can register for (a school visit is arranged through a visit request).
OPEN_KINDS = (EventKind.OPEN_DAY, EventKind.WEBINAR, EventKind.WORKSHOP)


class EventStatus(StrEnum):
    """Whether an event takes place."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


event_courses = link_table("event_courses", ("event_id", "events.id"), ("course_id", "courses.id"))



def length_in_hours(starts_at: datetime, ends_at: datetime) -> float:
    """An event's length in hours, to the hundredth (``Event.hours``)."""
    return round((ends_at - starts_at) / timedelta(hours=1), 2)


class Event(Base):
    """An open day, webinar, workshop or a confirmed peer visit at a school."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('school_visit', 'open_day', 'webinar', 'workshop')", name="kind_valid"),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status_valid"),
        CheckConstraint("starts_at < ends_at", name="starts_before_end"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint(
            "seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)",
            name="seats_within_capacity"),
        CheckConstraint("waiting >= 0 AND waitlist_seq >= waiting", name="waiting_valid"),
        CheckConstraint("min_age IS NULL OR max_age IS NULL OR min_age <= max_age",
                        name="age_range"),
        CheckConstraint(
            "school_level IS NULL OR school_level IN ('lower_secondary', 'upper_secondary')",
            name="school_level_valid"),
        CheckConstraint("kind <> 'school_visit' OR school_id IS NOT NULL", name="visit_school"),
        CheckConstraint(
            "registration_opens_at IS NULL OR registration_closes_at IS NULL"
            " OR registration_opens_at < registration_closes_at", name="registration_window"),
        # The target of the composite keys that copy time and status into staff and classes.
        UniqueConstraint("id", "starts_at", "ends_at", "status", name="uq_events_slot"),
        Index("ix_events_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("providers.id", ondelete="RESTRICT"), index=True)
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[EventKind] = mapped_column(StrEnumType(EventKind, 20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    address: Mapped[str | None] = mapped_column(String(300))
    place_code: Mapped[str | None] = mapped_column(ForeignKey("places.code", ondelete="RESTRICT"))
    accessibility: Mapped[str | None] = mapped_column(String(500))
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None]
    seats_taken: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    waiting: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    waitlist_seq: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    school_level: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[EventStatus] = mapped_column(StrEnumType(EventStatus, 20),
                                                default=EventStatus.SCHEDULED)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    sequence: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), info={"export": False})
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    provider: Mapped[Provider | None] = relationship()
    school: Mapped[School | None] = relationship()
    place: Mapped[Place | None] = relationship()
    courses: Mapped[list[Course]] = relationship(secondary=event_courses)
    staff: Mapped[list[EventStaff]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True)
    classes: Mapped[list[EventClass]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def is_cancelled(self) -> bool:
        """Whether the event was cancelled."""
        return self.status == EventStatus.CANCELLED

    @property
    def is_online(self) -> bool:
        """Whether people join through a link rather than at an address."""
        return bool(self.online_url) and not self.address

    @property
    def hours(self) -> float:
        """Length in hours: what attending counts towards the school's orientation hours."""
        return length_in_hours(self.starts_at, self.ends_at)

    @property
    def seats_left(self) -> int | None:
        """Free seats, or None when the event takes no registrations."""
        return None if self.capacity is None else self.capacity - self.seats_taken

    def registration_open(self, now: datetime) -> bool:
        """Whether registrations are accepted at ``now``."""
        closes = self.registration_closes_at or self.starts_at
        return (self.status == EventStatus.SCHEDULED and self.capacity is not None
                and (self.registration_opens_at is None or self.registration_opens_at <= now)
                and now < min(closes, self.starts_at))

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.kind}>"


def _slot_key(table: str) -> ForeignKeyConstraint:
    """The composite key copying an event's time and status into a child row."""
    return ForeignKeyConstraint(
        ["event_id", "starts_at", "ends_at", "status"],
        ["events.id", "events.starts_at", "events.ends_at", "events.status"],
        onupdate="CASCADE", ondelete="CASCADE", name=f"fk_{table}_event_slot")


class EventStaff(Base):
    """A provider's ambassador (staff member or ITS student) assigned to an event."""

    __tablename__ = "event_staff"
    __table_args__ = (_slot_key("event_staff"),)

    event_id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[EventStatus] = mapped_column(StrEnumType(EventStatus, 20))

    event: Mapped[Event] = relationship(back_populates="staff")
    user: Mapped[User] = relationship()


class EventClass(Base):
    """A school class attending a peer visit, with the attendance the provider recorded."""

    __tablename__ = "event_classes"
    __table_args__ = (
        _slot_key("event_classes"),
        CheckConstraint("pupils >= 1", name="pupils_positive"),
        CheckConstraint("attended IS NULL OR (attended >= 0 AND attended <= pupils)",
                        name="attended_range"),
    )

    event_id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("school_classes.id", ondelete="CASCADE"), primary_key=True, index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[EventStatus] = mapped_column(StrEnumType(EventStatus, 20))
    pupils: Mapped[int]
    attended: Mapped[int | None]
    attendance_recorded_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship(back_populates="classes")
    school_class: Mapped[SchoolClass] = relationship()


class RegistrationStatus(LabelledEnum):
    """Where a registration stands."""

    CONFIRMED = "confirmed", _l("Confirmed")
    WAITLISTED = "waitlisted", _l("On the waiting list")
    CANCELLED = "cancelled", _l("Cancelled")
    ATTENDED = "attended", _l("Attended")


#: The registration state machine: every allowed move, nothing else. Registering starts in
#: confirmed (a seat) or waitlisted (a queue number); each move is one conditional UPDATE.
REGISTRATION_TRANSITIONS: dict[RegistrationStatus, frozenset[RegistrationStatus]] = {
    RegistrationStatus.WAITLISTED: frozenset({RegistrationStatus.CONFIRMED,
                                              RegistrationStatus.CANCELLED}),
    RegistrationStatus.CONFIRMED: frozenset({RegistrationStatus.CANCELLED,
                                             RegistrationStatus.ATTENDED}),
    RegistrationStatus.ATTENDED: frozenset(),
    RegistrationStatus.CANCELLED: frozenset(),
}

#: Statuses that hold a seat or a place in the queue.
ACTIVE_REGISTRATION = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
                       RegistrationStatus.ATTENDED)
_ACTIVE_SQL = "status IN ('confirmed', 'waitlisted', 'attended')"


class Registration(Base):
    """A person (or a counsellor for a class group) registered for an event."""

    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint(
            "status IN ('confirmed', 'waitlisted', 'cancelled', 'attended')", name="status_valid"),
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint("status <> 'waitlisted' OR position IS NOT NULL", name="waitlist_position"),
        CheckConstraint("status <> 'attended' OR checked_in_at IS NOT NULL", name="attended_time"),
        UniqueConstraint("event_id", "position"),
        Index("uq_registrations_person", "event_id", "user_id", unique=True,
              sqlite_where=text(f"class_id IS NULL AND {_ACTIVE_SQL}"),
              postgresql_where=text(f"class_id IS NULL AND {_ACTIVE_SQL}")),
        Index("uq_registrations_class", "event_id", "class_id", unique=True,
              sqlite_where=text(f"class_id IS NOT NULL AND {_ACTIVE_SQL}"),
              postgresql_where=text(f"class_id IS NOT NULL AND {_ACTIVE_SQL}")),
        Index("ix_registrations_event_status", "event_id", "status", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int | None] = mapped_column(
        ForeignKey("school_classes.id", ondelete="CASCADE"), index=True)
    seats: Mapped[int] = mapped_column(default=1)
    status: Mapped[RegistrationStatus] = mapped_column(StrEnumType(RegistrationStatus, 20))
    position: Mapped[int | None]
    token: Mapped[str] = mapped_column(String(40), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()
    school_class: Mapped[SchoolClass | None] = relationship()

    @property
    def is_active(self) -> bool:
        """Whether the registration holds a seat or a place in the queue."""
        return self.status in ACTIVE_REGISTRATION

    def can_become(self, status: RegistrationStatus) -> bool:
        """Whether the state machine allows moving to ``status``."""
        return status in REGISTRATION_TRANSITIONS[self.status]


class CalendarFeed(Base):
    """A person's secret iCalendar feed address; regenerating it revokes the old one."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
