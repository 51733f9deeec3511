"""Courses, their sites, the occupations they lead to, places, and students' saved courses."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    or_,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from orientamento.core import clock
from orientamento.core.enums import LabelledEnum
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.courses.areas import AREA_LABELS, CourseKind
from orientamento.database import Base, StrEnumType, link_table
from orientamento.orgs.models import Provider

RIASEC = ("r", "i", "a", "s", "e", "c")


class CourseStatus(LabelledEnum):
    """Whether a course is listed."""

    ACTIVE = "active", _l("Active")
    ARCHIVED = "archived", _l("Archived")


class Enrolment(StrEnum):
    """Where a course stands for enrolment on a Milan date; derived from its dates, never stored."""

    OPEN = "open"
    CLOSED = "closed"
    STARTED = "started"


#: The enrolment rule, the only one: on the Milan date ``today`` the first row whose date
#: column is set and compares true with ``today`` gives the state; when none does, the course
#: is open. So a course is started from its start date on (even if enrolment was still open
#: that day), closed the day after its application deadline, and open otherwise: deadline
#: today or later, or no deadline and not started, or no dates at all (the catalogue does not
#: know, so the course is not hidden). ``Course.enrolment_on`` applies it in Python and
#: ``Course.enrolment_in`` in SQL.
ENROLMENT_RULE: tuple[tuple[Enrolment, str, Callable[[Any, Any], Any]], ...] = (
    (Enrolment.STARTED, "start_date", operator.le),  # start_date <= today
    (Enrolment.CLOSED, "application_deadline", operator.lt),  # application_deadline < today
)


class PlaceKind(LabelledEnum):
    """A municipality of the metropolitan city, or one of Milan's municipi."""

    COMUNE = "comune", _l("Municipality")
    MUNICIPIO = "municipio", _l("Municipio")


class Place(Base):
    """A municipality of the Città Metropolitana di Milano, or one of Milan's municipi."""

    __tablename__ = "places"
    __table_args__ = (
        CheckConstraint("kind IN ('comune', 'municipio')", name="kind_valid"),
        CheckConstraint("municipio IS NULL OR municipio BETWEEN 1 AND 9", name="municipio_range"),
    )

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[PlaceKind] = mapped_column(StrEnumType(PlaceKind, 10))
    municipio: Mapped[int | None]
    latitude: Mapped[float]
    longitude: Mapped[float]

    def __repr__(self) -> str:
        return f"<Place {self.code} {self.name}>"


course_occupations = link_table("course_occupations", ("course_id", "courses.id"),
                                ("occupation_id", "occupations.id"))


class Occupation(Base):
    """An occupation from the curated reference list, with its classification codes."""

    __tablename__ = "occupations"

    id: Mapped[int] = mapped_column(primary_key=True)
    cp2021: Mapped[str] = mapped_column(String(12), unique=True)
    isco08: Mapped[str] = mapped_column(String(4))
    title_it: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_it: Mapped[str] = mapped_column(String(400))
    description_en: Mapped[str] = mapped_column(String(400))
    riasec: Mapped[dict[str, float]] = mapped_column(JSON)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Title and description in other languages, ``{"ar": {"title": ..., "description": ...}}``
    #: (from ``data/occupations.<language>.csv``).
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'"))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    def title(self, locale: str) -> str:
        """Title in the reader's language: Italian, English, or a translation; else English."""
        return self._text("title", locale)

    def description(self, locale: str) -> str:
        """Description in the reader's language, as :meth:`title`."""
        return self._text("description", locale)

    def _text(self, field: str, locale: str) -> str:
        if locale in ("it", "en"):
            return str(getattr(self, f"{field}_{locale}"))
        translated = (self.translations or {}).get(locale, {}).get(field)
        return translated or str(getattr(self, f"{field}_en"))


class Course(Base):
    """A course offered by a provider, keyed by provider and course code."""

    __tablename__ = "courses"
    __table_args__ = (
        UniqueConstraint("provider_id", "code"),
        CheckConstraint(
            "(kind = 'its' AND eqf_level IN (5, 6)) OR (kind = 'ifts' AND eqf_level = 4)"
            " OR (kind = 'iefp_qualifica' AND eqf_level = 3)"
            " OR (kind = 'iefp_diploma' AND eqf_level = 4)",
            name="kind_eqf_valid",
        ),
        CheckConstraint("status IN ('active', 'archived')", name="status_valid"),
        CheckConstraint("hours > 0 AND semesters > 0", name="duration_positive"),
        CheckConstraint("cost_cents >= 0", name="cost_not_negative"),
        CheckConstraint("seats IS NULL OR seats > 0", name="seats_positive"),
        CheckConstraint(
            "application_deadline IS NULL OR start_date IS NULL"
            " OR application_deadline <= start_date",
            name="deadline_before_start",
        ),
        *(CheckConstraint(f"riasec_{k} BETWEEN 0 AND 1", name=f"riasec_{k}_range")
          for k in RIASEC),
        Index("ix_courses_listing", "status", "start_date"),
        # A provider's courses by status and start (its start page's courses needing dates):
        # PostgreSQL otherwise read every listed course from ix_courses_listing and kept the
        # provider's (1.4 ms at 20,000 courses; 0.07 ms).
        Index("ix_courses_provider_listing", "provider_id", "status", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[CourseKind] = mapped_column(StrEnumType(CourseKind, 20))
    area: Mapped[str] = mapped_column(String(40))
    eqf_level: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Optional translations: {"en": {"title": ..., "description": ...}, "ar": {...}}.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hours: Mapped[int]
    semesters: Mapped[int]
    start_date: Mapped[date | None]
    application_deadline: Mapped[date | None]
    cost_cents: Mapped[int] = mapped_column(default=0)
    admission: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="it")
    seats: Mapped[int | None]
    riasec_r: Mapped[float] = mapped_column(Float, default=0.0)
    riasec_i: Mapped[float] = mapped_column(Float, default=0.0)
    riasec_a: Mapped[float] = mapped_column(Float, default=0.0)
    riasec_s: Mapped[float] = mapped_column(Float, default=0.0)
    riasec_e: Mapped[float] = mapped_column(Float, default=0.0)
    riasec_c: Mapped[float] = mapped_column(Float, default=0.0)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    web_url: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[CourseStatus] = mapped_column(StrEnumType(CourseStatus, 10),
                                                 default=CourseStatus.ACTIVE)
    #: Accent-folded text the full-text index is built from (title, area, provider, occupations).
    search_document: Mapped[str] = mapped_column(Text, default="")
    #: PostgreSQL only: the stored ``tsvector`` of ``search_document`` (NULL on SQLite).
    search_vector: Mapped[str | None] = mapped_column(
        Text().with_variant(TSVECTOR(), "postgresql"), deferred=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)

    provider: Mapped[Provider] = relationship()
    sites: Mapped[list[CourseSite]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseSite.position"
    )
    occupations: Mapped[list[Occupation]] = relationship(
        secondary=course_occupations, order_by=Occupation.cp2021
    )

    @property
    def riasec(self) -> dict[str, float]:
        """The six RIASEC weights as a dict keyed by letter."""
        return {k: getattr(self, f"riasec_{k}") for k in RIASEC}

    @property
    def is_free(self) -> bool:
        """True when the course costs nothing."""
        return self.cost_cents == 0

    @property
    def area_label(self) -> str:
        """Translated name of the course's area or sector."""
        return str(AREA_LABELS.get(self.area, self.area))

    def enrolment_on(self, today: date) -> Enrolment:
        """The enrolment state on the Milan date ``today``, by ``ENROLMENT_RULE``."""
        for state, column, reached in ENROLMENT_RULE:
            value = getattr(self, column)
            if value is not None and reached(value, today):
                return state
        return Enrolment.OPEN

    def enrolment_since(self, today: date) -> date | None:
        """The Milan date the state on ``today`` began (None while open: open from the start)."""
        state = self.enrolment_on(today)
        if state == Enrolment.STARTED:
            return self.start_date
        if state == Enrolment.CLOSED and self.application_deadline is not None:
            return self.application_deadline + timedelta(days=1)
        return None

    @property
    def enrolment(self) -> Enrolment:
        """The enrolment state today in Milan."""
        return self.enrolment_on(clock.today())

    @classmethod
    def enrolment_in(cls, states: Iterable[Enrolment], today: date) -> ColumnElement[bool]:
        """SQL condition: the enrolment state on ``today`` is one of ``states`` (the same rule).

        A NULL date compares as unknown in SQL, which is exactly "not set" in the rule.
        """
        wanted, alternatives = set(states), []
        earlier: list[ColumnElement[bool]] = []  # no earlier row of the rule applies
        for state, name, reached in ENROLMENT_RULE:
            column = getattr(cls, name)
            if state in wanted:
                alternatives.append(and_(*earlier, reached(column, today)))
            earlier.append(or_(column.is_(None), ~reached(column, today)))
        if Enrolment.OPEN in wanted:
            alternatives.append(and_(*earlier))
        return or_(*alternatives) if alternatives else false()

    def localized(self, field: str, locale: str) -> str:
        """Title or description in the reader's language when translated, else Italian."""
        value = (self.translations or {}).get(locale, {}).get(field)
        return value or getattr(self, field)

    def text_language(self, field: str, locale: str) -> str:
        """The language of what :meth:`localized` shows (for the page's ``lang`` attribute)."""
        return locale if (self.translations or {}).get(locale, {}).get(field) else "it"

    @property
    def phone_uri(self) -> str | None:
        """A ``tel:`` link for the contact phone (digits and a leading +), or None when the
        field holds too few digits to dial."""
        digits = re.sub(r"[^0-9]", "", self.contact_phone or "")
        if len(digits) < 6:
            return None
        plus = "+" if (self.contact_phone or "").lstrip().startswith("+") else ""
        return f"tel:{plus}{digits}"

    def __repr__(self) -> str:
        return f"<Course {self.code}>"


class CourseSite(Base):
    """Where a course is taught."""

    __tablename__ = "course_sites"
    __table_args__ = (
        UniqueConstraint("course_id", "position"),
        CheckConstraint("latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180",
                        name="coordinates_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           index=True)
    position: Mapped[int] = mapped_column(default=0)
    address: Mapped[str] = mapped_column(String(200))
    place_code: Mapped[str] = mapped_column(ForeignKey("places.code"), index=True)
    latitude: Mapped[float]
    longitude: Mapped[float]

    course: Mapped[Course] = relationship(back_populates="sites")
    place: Mapped[Place] = relationship()

    @property
    def geo_uri(self) -> str:
        """A ``geo:`` URI (RFC 5870) of the site for the phone's map app, labelled with the
        address (the ``q=point(label)`` form map apps read); it opens nothing on the web."""
        point = f"{self.latitude:.6f},{self.longitude:.6f}"
        label = quote(f"{self.address}, {self.place.name}", safe="")
        return f"geo:{point}?q={point}({label})"


class SavedCourse(Base):
    """A course a student bookmarked."""

    __tablename__ = "saved_courses"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    course: Mapped[Course] = relationship()
