"""Administrative records, model versions and scores.

People in these tables are mostly not platform users: they are known only by a keyed pseudonym
of their source id (the raw id is never stored). Protected attributes and contact details live
in tables of their own: the first is read only by the fairness audit, the second only by
outreach workers for people in their municipi.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orientamento.core import clock
from orientamento.core.enums import LabelledEnum
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.database import Base, StrEnumType

if TYPE_CHECKING:
    from orientamento.auth.models import User


class RiskPerson(Base):
    """A young person in the administrative records, by pseudonym only."""

    __tablename__ = "risk_people"
    __table_args__ = (
        CheckConstraint("municipio BETWEEN 1 AND 9", name="municipio_range"),
        # The few who opted out, for the queue's "never again" filter (an anti-join against
        # this small index instead of a scan of everybody).
        Index("ix_risk_people_opted_out", "id",
              postgresql_where=text("opted_out_at IS NOT NULL"),
              sqlite_where=text("opted_out_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    municipio: Mapped[int] = mapped_column(index=True)
    birth_year: Mapped[int]
    #: Set when the person refused help: never queued again.
    opted_out_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    records: Mapped[list[RiskRecord]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="RiskRecord.id")
    contact: Mapped[ContactDetails | None] = relationship(
        back_populates="person", cascade="all, delete-orphan")
    protected: Mapped[ProtectedAttributes | None] = relationship(
        back_populates="person", cascade="all, delete-orphan")


class RiskSnapshot(Base):
    """One imported file of records, as of a date."""

    __tablename__ = "risk_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(index=True)
    filename: Mapped[str] = mapped_column(String(200))
    #: Unique (ix_risk_snapshots_sha256): the same file imported twice (two CLIs, a double
    #: submit across instances) would hold every record twice.
    sha256: Mapped[str] = mapped_column(String(64), index=True, unique=True)
    rows: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(default=clock.now)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
        info={"export": False})

    records: Mapped[list[RiskRecord]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan")


class RiskRecord(Base):
    """What a snapshot says about one person: the model inputs, as imported."""

    __tablename__ = "risk_records"
    __table_args__ = (UniqueConstraint("snapshot_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("risk_snapshots.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("risk_people.id", ondelete="CASCADE"), index=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)

    snapshot: Mapped[RiskSnapshot] = relationship(back_populates="records")
    person: Mapped[RiskPerson] = relationship(back_populates="records")


class ProtectedAttributes(Base):
    """Attributes kept for the fairness audit only: never a model input, never shown."""

    __tablename__ = "risk_protected_attributes"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("risk_people.id", ondelete="CASCADE"), primary_key=True)
    gender: Mapped[str | None] = mapped_column(String(20))
    citizenship_group: Mapped[str | None] = mapped_column(String(40))
    disability: Mapped[bool | None]

    person: Mapped[RiskPerson] = relationship(back_populates="protected")


class ContactDetails(Base):
    """How to reach a person: read only by outreach workers covering their municipio."""

    __tablename__ = "risk_contact_details"
    __table_args__ = (
        CheckConstraint("language IS NULL"
                        " OR (length(language) = 2 AND language = lower(language))",
                        name="language_iso639_1"),
    )

    person_id: Mapped[int] = mapped_column(
        ForeignKey("risk_people.id", ondelete="CASCADE"), primary_key=True)
    #: The name to ask for on the phone, as one display name: given and family names do not
    #: split the same way in every culture, and a caller needs only what to say.
    name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(200))
    #: ISO 639-1 code of the language the person prefers to be spoken to in.
    language: Mapped[str | None] = mapped_column(String(2))

    person: Mapped[RiskPerson] = relationship(back_populates="contact")


class VersionStatus(LabelledEnum):
    """A model version's life: draft until an admin activates it."""

    DRAFT = "draft", _l("Draft")
    ACTIVE = "active", _l("Active")
    RETIRED = "retired", _l("Retired")


#: Longest justification an admin can write to activate a version the fairness gate stops.
JUSTIFICATION_MAX = 2000


class ModelVersion(Base):
    """A trained model with its card, metrics, hashes and the skops file.

    At most one version is active (partial unique index).
    """

    __tablename__ = "risk_model_versions"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'active', 'retired')", name="status_valid"),
        CheckConstraint("status <> 'active' OR activated_at IS NOT NULL", name="active_dated"),
        Index("uq_risk_model_versions_active", "spec_name", unique=True,
              postgresql_where=text("status = 'active'"),
              sqlite_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    spec_name: Mapped[str] = mapped_column(String(60))
    algorithm: Mapped[str] = mapped_column(String(40))
    status: Mapped[VersionStatus] = mapped_column(StrEnumType(VersionStatus, 10),
                                                  default=VersionStatus.DRAFT)
    spec_yaml: Mapped[str] = mapped_column(Text)
    spec_sha256: Mapped[str] = mapped_column(String(64))
    data_sha256: Mapped[str] = mapped_column(String(64))
    #: Deferred, like the card: megabytes no page needs (``versions.load_artefact`` reads it).
    model_file: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    model_sha256: Mapped[str] = mapped_column(String(64))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    card_markdown: Mapped[str] = mapped_column(Text, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
        info={"export": False})
    activated_at: Mapped[datetime | None]
    activated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"),
        info={"export": False})
    #: Why the admin activated it although the fairness gate applied (governance.py).
    activation_justification: Mapped[str | None] = mapped_column(String(JUSTIFICATION_MAX))

    activated_by: Mapped[User | None] = relationship(foreign_keys=[activated_by_id])


class Band(LabelledEnum):
    """Score bands: cut-offs on the calibrated probability (see docs/risk-model.md)."""

    LOW = "low", _l("Low")
    MEDIUM = "medium", _l("Medium")
    HIGH = "high", _l("High")


#: Lower bounds of the medium and high bands.
BAND_CUTS = (0.15, 0.35)


def band_of(probability: float) -> Band:
    """The band a calibrated probability falls in."""
    if probability >= BAND_CUTS[1]:
        return Band.HIGH
    if probability >= BAND_CUTS[0]:
        return Band.MEDIUM
    return Band.LOW


class RiskScore(Base):
    """A person's score from one version on one record, or why there is none."""

    __tablename__ = "risk_scores"
    __table_args__ = (
        UniqueConstraint("record_id", "version_id"),
        CheckConstraint(
            "(probability IS NOT NULL AND band IS NOT NULL AND missing IS NULL)"
            " OR (probability IS NULL AND band IS NULL AND missing IS NOT NULL)",
            name="score_or_reason"),
        CheckConstraint("probability IS NULL OR (probability >= 0 AND probability <= 1)",
                        name="probability_range"),
        CheckConstraint("band IS NULL OR band IN ('low', 'medium', 'high')", name="band_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("risk_people.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("risk_records.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(
        ForeignKey("risk_model_versions.id", ondelete="CASCADE"), index=True)
    probability: Mapped[float | None] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String(10))
    #: Up to three reasons: ``{"feature", "contribution", "text", "suggestion"}``.
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: Why there is no score (the missing required inputs), in English column names.
    missing: Mapped[str | None] = mapped_column(String(300))
    scored_at: Mapped[datetime] = mapped_column(default=clock.now)

    person: Mapped[RiskPerson] = relationship()
    record: Mapped[RiskRecord] = relationship()
    version: Mapped[ModelVersion] = relationship()

    @property
    def band_label(self) -> str:
        """Translated band."""
        return str(Band(self.band).label) if self.band else ""
