"""Events, registrations with a waiting list, peer-visit availability and requests, calendars.

Capacity and "one active X" rules live in the database:

- ``events.seats_taken`` can never pass ``capacity`` (CHECK); registrations change it with one
  conditional UPDATE in the same transaction as the insert (see ``registrations.py``);
- one active registration per person (or per class group) per event (partial unique indexes);
- no ambassador and no class in two overlapping scheduled events: ``event_staff`` and
  ``event_classes`` copy the event's time and status through a composite foreign key with
  ``ON UPDATE CASCADE`` and are guarded by an exclusion constraint on PostgreSQL and by
  triggers on SQLite (``overlap.py``);
- a visit window's ``booked`` can never pass ``max_visits`` (CHECK).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orientamento.database import Base, utcnow
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


class EventKind(StrEnum):
    """What kind of event it is."""

    SCHOOL_VISIT = "school_visit"
    OPEN_DAY = "open_day"
    WEBINAR = "webinar"
    WORKSHOP = "workshop"


EVENT_KIND_LABELS = {
    EventKind.SCHOOL_VISIT: _l("Peer visit at school"),
    EventKind.OPEN_DAY: _l("Open day"),
    EventKind.WEBINAR: _l("Webinar"),
    EventKind.WORKSHOP: _l("Workshop"),
}

#: Kinds anyone can register for (a school visit is arranged through a visit request).
OPEN_KINDS = (EventKind.OPEN_DAY, EventKind.WEBINAR, EventKind.WORKSHOP)


class EventStatus(StrEnum):
    """Whether an event takes place."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class SchoolLevelAudience(StrEnum):
    """Which school level an event is for (none: everyone)."""

    LOWER_SECONDARY = "lower_secondary"
    UPPER_SECONDARY = "upper_secondary"


event_courses = Table(
    "event_courses",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


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
    kind: Mapped[str] = mapped_column(String(20))
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
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.SCHEDULED.value)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    sequence: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), info={"export": False})
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    provider: Mapped[Provider | None] = relationship()
    school: Mapped[School | None] = relationship()
    place: Mapped[Place | None] = relationship()
    courses: Mapped[list[Course]] = relationship(secondary=event_courses)
    staff: Mapped[list[EventStaff]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True)
    classes: Mapped[list[EventClass]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def kind_label(self) -> str:
        """Translated label of the kind."""
        return str(EVENT_KIND_LABELS[EventKind(self.kind)])

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
        return round((self.ends_at - self.starts_at) / timedelta(hours=1), 2)

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
    status: Mapped[str] = mapped_column(String(20))

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
    status: Mapped[str] = mapped_column(String(20))
    pupils: Mapped[int]
    attended: Mapped[int | None]
    attendance_recorded_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship(back_populates="classes")
    school_class: Mapped[SchoolClass] = relationship()


class RegistrationStatus(StrEnum):
    """Where a registration stands."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"


REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("On the waiting list"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
    RegistrationStatus.ATTENDED: _l("Attended"),
}

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
ACTIVE_REGISTRATION = ("confirmed", "waitlisted", "attended")
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
    status: Mapped[str] = mapped_column(String(20))
    position: Mapped[int | None]
    token: Mapped[str] = mapped_column(String(40), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()
    school_class: Mapped[SchoolClass | None] = relationship()

    @property
    def status_label(self) -> str:
        """Translated label of the status."""
        return str(REGISTRATION_STATUS_LABELS[RegistrationStatus(self.status)])

    @property
    def is_active(self) -> bool:
        """Whether the registration holds a seat or a place in the queue."""
        return self.status in ACTIVE_REGISTRATION

    def can_become(self, status: RegistrationStatus) -> bool:
        """Whether the state machine allows moving to ``status``."""
        return status in REGISTRATION_TRANSITIONS[RegistrationStatus(self.status)]


class CalendarFeed(Base):
    """A person's secret iCalendar feed address; regenerating it revokes the old one."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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


class VisitMode(StrEnum):
    """How ambassadors meet a class."""

    IN_PERSON = "in_person"
    ONLINE = "online"


VISIT_MODE_LABELS = {
    VisitMode.IN_PERSON: _l("At the school"),
    VisitMode.ONLINE: _l("Online"),
}

window_ambassadors = Table(
    "visit_window_ambassadors",
    Base.metadata,
    Column("window_id", ForeignKey("visit_windows.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)

window_courses = Table(
    "visit_window_courses",
    Base.metadata,
    Column("window_id", ForeignKey("visit_windows.id", ondelete="CASCADE"), primary_key=True),
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)

window_places = Table(
    "visit_window_places",
    Base.metadata,
    Column("window_id", ForeignKey("visit_windows.id", ondelete="CASCADE"), primary_key=True),
    Column("place_code", ForeignKey("places.code", ondelete="CASCADE"), primary_key=True),
)


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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

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


class VisitStatus(StrEnum):
    """Where a visit request stands."""

    REQUESTED = "requested"
    COUNTER_PROPOSED = "counter_proposed"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


VISIT_STATUS_LABELS = {
    VisitStatus.REQUESTED: _l("Waiting for the provider"),
    VisitStatus.COUNTER_PROPOSED: _l("New time proposed: waiting for the school"),
    VisitStatus.CONFIRMED: _l("Confirmed"),
    VisitStatus.DECLINED: _l("Declined"),
    VisitStatus.CANCELLED: _l("Cancelled"),
}

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
proposed_ambassadors = Table(
    "visit_request_ambassadors",
    Base.metadata,
    Column("request_id", ForeignKey("visit_requests.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


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
    status: Mapped[str] = mapped_column(String(20), default=VisitStatus.REQUESTED.value)
    reply: Mapped[str | None] = mapped_column(String(1000))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    window: Mapped[VisitWindow | None] = relationship()
    provider: Mapped[Provider] = relationship()
    school: Mapped[School] = relationship()
    requested_by: Mapped[User | None] = relationship()
    classes: Mapped[list[VisitRequestClass]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True)
    proposed_ambassadors: Mapped[list[User]] = relationship(secondary=proposed_ambassadors)
    event: Mapped[Event | None] = relationship()

    @property
    def status_label(self) -> str:
        """Translated label of the status."""
        return str(VISIT_STATUS_LABELS[VisitStatus(self.status)])

    @property
    def mode_label(self) -> str:
        """Translated label of the mode."""
        return str(VISIT_MODE_LABELS[VisitMode(self.mode)])

    def can_become(self, status: VisitStatus) -> bool:
        """Whether the state machine allows moving to ``status``."""
        return status in VISIT_TRANSITIONS[VisitStatus(self.status)]
