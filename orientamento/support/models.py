"""Support organisations, their services, the sites where they serve and their opening hours.

Every organisation, service, site and service-at-a-site carries a ``uid``: the UUID it has in
the Open Referral (HSDS) exchange files and the spreadsheet, so an exported file imported back
updates the same rows instead of adding new ones.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orientamento.core import clock
from orientamento.core.enums import LabelledEnum
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.database import Base, StrEnumType


class OrganisationKind(LabelledEnum):
    """What kind of organisation offers the services."""

    EMPLOYMENT_CENTRE = "employment_centre", _l("Employment centre (CPI)")
    INFORMAGIOVANI = "informagiovani", _l("Informagiovani")
    YOUTH_GUARANTEE = "youth_guarantee", _l("Youth Guarantee operator")
    CPIA = "cpia", _l("Adult education centre (CPIA)")
    YOUTH_HUB = "youth_hub", _l("Youth hub")
    CENTRO_MILANO_DONNA = "centro_milano_donna", _l("Centro Milano Donna")
    SOCIAL_SERVICES = "social_services", _l("Social services")
    TRAINING_CENTRE = "training_centre", _l("Training centre")
    OTHER = "other", _l("Other organisation")


class HelpKind(LabelledEnum):
    """A kind of help a service gives."""

    ORIENTATION = "orientation", _l("Orientation")
    JOB_SEARCH = "job_search", _l("Looking for a job")
    TRAINING = "training", _l("Training and courses")
    ITALIAN_LANGUAGE = "italian_language", _l("Learning Italian")
    MENTORING = "mentoring", _l("Mentoring")
    PSYCHOLOGICAL_SUPPORT = "psychological_support", _l("Psychological support")
    HOUSING = "housing", _l("Housing")
    OTHER = "other", _l("Other help")


class EligibleStatus(LabelledEnum):
    """Whom a service is for, by what they do today."""

    NEET = "neet", _l("Not studying or working")
    UNEMPLOYED = "unemployed", _l("Unemployed")
    STUDENT = "student", _l("Students")
    ANY = "any", _l("Anyone")


class Residence(LabelledEnum):
    """Where the people a service is for must live."""

    MILAN = "milan", _l("Residents of Milan")
    ANY = "any", _l("Wherever you live")


class AccessMode(LabelledEnum):
    """How a person gets to the service."""

    WALK_IN = "walk_in", _l("Walk in, no appointment needed")
    BOOKING = "booking", _l("By appointment")
    REFERRAL_ONLY = "referral_only", _l("Only when referred by another service")


#: Ages a service can name (a typing mistake beyond them).
MIN_AGE, MAX_AGE = 0, 120
#: Weekdays are numbered from Monday (0) to Sunday (6), as Python's ``date.weekday()``.
WEEKDAYS = tuple(range(7))


def _values(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class SupportOrganisation(Base):
    """An organisation that offers services to young people."""

    __tablename__ = "support_organisations"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(OrganisationKind)})", name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[OrganisationKind] = mapped_column(StrEnumType(OrganisationKind, 20))
    website: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    services: Mapped[list[SupportService]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan",
        passive_deletes=True, order_by="SupportService.name")
    locations: Mapped[list[SupportLocation]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan",
        passive_deletes=True, order_by="SupportLocation.address")

    def __repr__(self) -> str:
        return f"<SupportOrganisation {self.name}>"


class ServiceHelp(Base):
    """A kind of help a service gives (one row per kind)."""

    __tablename__ = "support_service_help"
    __table_args__ = (CheckConstraint(f"kind IN ({_values(HelpKind)})", name="kind_valid"),)

    service_id: Mapped[int] = mapped_column(
        ForeignKey("support_services.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[HelpKind] = mapped_column(StrEnumType(HelpKind, 30), primary_key=True,
                                           index=True)


class ServiceStatus(Base):
    """A status of the people a service is for (one row per status)."""

    __tablename__ = "support_service_statuses"
    __table_args__ = (
        CheckConstraint(f"status IN ({_values(EligibleStatus)})", name="status_valid"),)

    service_id: Mapped[int] = mapped_column(
        ForeignKey("support_services.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[EligibleStatus] = mapped_column(StrEnumType(EligibleStatus, 20),
                                                   primary_key=True)


class ServiceLanguage(Base):
    """A language the staff of a service speak, as an ISO 639-1 code."""

    __tablename__ = "support_service_languages"
    __table_args__ = (
        # Two lower-case letters (the parsers check that the code names a language).
        CheckConstraint("length(code) = 2 AND code = lower(code)", name="code_iso639_1"),)

    service_id: Mapped[int] = mapped_column(
        ForeignKey("support_services.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)


class SupportService(Base):
    """A service an organisation offers: what help, for whom, how to get it."""

    __tablename__ = "support_services"
    __table_args__ = (
        CheckConstraint(f"residence IN ({_values(Residence)})", name="residence_valid"),
        CheckConstraint(f"access IN ({_values(AccessMode)})", name="access_valid"),
        CheckConstraint(f"min_age IS NULL OR min_age BETWEEN {MIN_AGE} AND {MAX_AGE}",
                        name="min_age_range"),
        CheckConstraint(f"max_age IS NULL OR max_age BETWEEN {MIN_AGE} AND {MAX_AGE}",
                        name="max_age_range"),
        CheckConstraint("min_age IS NULL OR max_age IS NULL OR min_age <= max_age",
                        name="ages_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("support_organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    residence: Mapped[Residence] = mapped_column(StrEnumType(Residence, 10),
                                                 default=Residence.ANY)
    access: Mapped[AccessMode] = mapped_column(StrEnumType(AccessMode, 20))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    organisation: Mapped[SupportOrganisation] = relationship(back_populates="services")
    help_rows: Mapped[list[ServiceHelp]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by=ServiceHelp.kind)
    status_rows: Mapped[list[ServiceStatus]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by=ServiceStatus.status)
    language_rows: Mapped[list[ServiceLanguage]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by=ServiceLanguage.code)
    sites: Mapped[list[SupportSite]] = relationship(
        back_populates="service", cascade="all, delete-orphan", passive_deletes=True,
        order_by="SupportSite.id")

    @property
    def help_kinds(self) -> list[HelpKind]:
        """The kinds of help, in a stable order."""
        return sorted(row.kind for row in self.help_rows)

    @property
    def statuses(self) -> list[EligibleStatus]:
        """The statuses of the people the service is for, in a stable order."""
        return sorted(row.status for row in self.status_rows)

    @property
    def languages(self) -> list[str]:
        """ISO 639-1 codes of the languages spoken, in a stable order."""
        return sorted(row.code for row in self.language_rows)

    def __repr__(self) -> str:
        return f"<SupportService {self.name}>"


class SupportLocation(Base):
    """A place where an organisation receives people."""

    __tablename__ = "support_locations"
    __table_args__ = (
        CheckConstraint("municipio IS NULL OR municipio BETWEEN 1 AND 9", name="municipio_range"),
        CheckConstraint("length(postal_code) = 5", name="postal_code_length"),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="coordinates_paired"),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90"
                        " AND longitude BETWEEN -180 AND 180)", name="coordinates_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("support_organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(5))
    city: Mapped[str] = mapped_column(String(100), default="Milano")
    municipio: Mapped[int | None] = mapped_column(index=True)
    #: ISTAT code of the municipality (or of a Milan municipio, "015146-3"), when known.
    place_code: Mapped[str | None] = mapped_column(ForeignKey("places.code"))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    is_demo: Mapped[bool] = mapped_column(default=False)

    organisation: Mapped[SupportOrganisation] = relationship(back_populates="locations")
    sites: Mapped[list[SupportSite]] = relationship(
        back_populates="location", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def full_address(self) -> str:
        """Street, postal code and city, e.g. "Via Demo 1, 20121 Milano"."""
        return f"{self.address}, {self.postal_code} {self.city}"

    def __repr__(self) -> str:
        return f"<SupportLocation {self.address}>"


class SupportSite(Base):
    """A service offered at a location (HSDS "service at location"), with its opening hours.

    The hours hold from ``hours_valid_from`` to ``hours_valid_to`` (either may be open).
    """

    __tablename__ = "support_sites"
    __table_args__ = (
        UniqueConstraint("service_id", "location_id"),
        CheckConstraint("hours_valid_from IS NULL OR hours_valid_to IS NULL"
                        " OR hours_valid_from <= hours_valid_to", name="validity_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("support_services.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(
        ForeignKey("support_locations.id", ondelete="CASCADE"), index=True)
    hours_valid_from: Mapped[date | None]
    hours_valid_to: Mapped[date | None]

    service: Mapped[SupportService] = relationship(back_populates="sites")
    location: Mapped[SupportLocation] = relationship(back_populates="sites")
    hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="site", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(OpeningHours.weekday, OpeningHours.opens)")


class OpeningHours(Base):
    """One opening of a service at a location: a weekday, from ``opens`` to ``closes``."""

    __tablename__ = "support_opening_hours"
    __table_args__ = (
        UniqueConstraint("site_id", "weekday", "opens"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("support_sites.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    opens: Mapped[time]
    closes: Mapped[time]

    site: Mapped[SupportSite] = relationship(back_populates="hours")
