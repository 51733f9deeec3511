"""Labour demand imported by admins, and the demand projections ``flask observatory refresh``
stores for the pages to read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from orientamento.core import clock
from orientamento.core.enums import LabelledEnum
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.database import Base, StrEnumType


class EducationAsked(LabelledEnum):
    """The education level firms ask for a planned hire (Excelsior's levels)."""

    ANY = "any", _l("Any level (all hires)")
    COMPULSORY = "compulsory", _l("Compulsory schooling only")
    VOCATIONAL = "vocational", _l("Vocational qualification or diploma (IeFP)")
    UPPER_SECONDARY = "upper_secondary", _l("Upper secondary diploma")
    ITS = "its", _l("ITS Academy diploma")
    UNIVERSITY = "university", _l("University degree")


class LabourDemand(Base):
    """Planned hires of one occupation group, in one territory and month, at one education
    level asked; re-importing the same key replaces the figures."""

    __tablename__ = "labour_demand"
    __table_args__ = (
        UniqueConstraint("occupation_code", "territory", "period", "education"),
        CheckConstraint("hires >= 0", name="hires_non_negative"),
        CheckConstraint("hard_to_fill_pct IS NULL OR (hard_to_fill_pct >= 0 "
                        "AND hard_to_fill_pct <= 100)", name="hard_to_fill_range"),
        CheckConstraint("education IN ('any', 'compulsory', 'vocational', 'upper_secondary', "
                        "'its', 'university')", name="education_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occupation_code: Mapped[str] = mapped_column(String(12), index=True)
    territory: Mapped[str] = mapped_column(String(9))
    #: The first day of the month the hires are planned for.
    period: Mapped[date] = mapped_column(index=True)
    education: Mapped[EducationAsked] = mapped_column(StrEnumType(EducationAsked, 16),
                                                      default=EducationAsked.ANY)
    hires: Mapped[int]
    hard_to_fill_pct: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(80), default="")
    synthetic: Mapped[bool] = mapped_column(default=False)
    imported_at: Mapped[datetime] = mapped_column(default=clock.now)


class DemandProjection(Base):
    """One occupation group's demand series, its chosen model, the backtest that chose it and
    the projection 1 to 24 months after the last observed month."""

    __tablename__ = "demand_projections"

    id: Mapped[int] = mapped_column(primary_key=True)
    occupation_code: Mapped[str] = mapped_column(String(12), unique=True)
    last_period: Mapped[date]
    months: Mapped[int]
    #: SHA-256 of the series the projection was computed from: an unchanged series is not
    #: computed again by the next refresh.
    series_hash: Mapped[str] = mapped_column(String(64), default="")
    model: Mapped[str] = mapped_column(String(40))
    mase: Mapped[float | None] = mapped_column(Float)
    baseline_mase: Mapped[float | None] = mapped_column(Float)
    coverage: Mapped[float | None] = mapped_column(Float)
    published: Mapped[bool] = mapped_column(default=False)
    #: Why a series is not published, in a short machine word ("short", "no_gain").
    reason: Mapped[str] = mapped_column(String(20), default="")
    #: [{"period": "2027-04-01", "mean": .., "lower": .., "upper": ..}, ...]
    points: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(default=clock.now)


class InterestCount(Base):
    """Students whose latest interests result points to an area, by the quarter it was
    submitted in and the municipio of their school (0: unknown): what ``flask observatory
    refresh`` stores for the pages, so a page never reads every result."""

    __tablename__ = "observatory_interest_counts"
    __table_args__ = (
        CheckConstraint("municipio BETWEEN 0 AND 9", name="municipio_range"),
        CheckConstraint("students > 0", name="students_positive"),
    )

    area: Mapped[str] = mapped_column(String(40), primary_key=True)
    quarter: Mapped[str] = mapped_column(String(6), primary_key=True)
    municipio: Mapped[int] = mapped_column(primary_key=True)
    students: Mapped[int]


class InterestPlacement(Base):
    """A student's latest submitted interests result as ``flask observatory refresh`` placed
    it: the area it points to (None: a flat or unscored profile, placed nowhere) and the
    quarter it was submitted in, computed once per result and crosswalk. A refresh places
    only the results that are new since the last one (or placed against another crosswalk)
    and counts the stored rows in SQL. Erasing the student deletes the row (CASCADE)."""

    __tablename__ = "observatory_interest_placements"
    __table_args__ = (
        CheckConstraint("length(quarter) = 6", name="quarter_format"),
    )

    student_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_responses.id", ondelete="CASCADE"), unique=True)
    #: When the result was submitted: a later submission of the student replaces the row.
    submitted_at: Mapped[datetime]
    area: Mapped[str | None] = mapped_column(String(40))
    quarter: Mapped[str] = mapped_column(String(6))
    #: ``Crosswalk.fingerprint`` of the area profiles the result was placed against.
    crosswalk: Mapped[str] = mapped_column(String(16))


class PublishedCell(Base):
    """One cell of a public table as ``flask observatory refresh`` published it, after
    primary and secondary suppression: NULL is a suppressed cell; "TOTAL" names a total's row
    or column. Pages and downloads read these cells and never suppress per request; the
    CHECK keeps a count from 1 to 9 out of every published table."""

    __tablename__ = "observatory_published_cells"
    __table_args__ = (
        CheckConstraint("value IS NULL OR value = 0 OR value >= 10", name="value_safe"),
        CheckConstraint("row_order >= 0 AND column_order >= 0", name="order_non_negative"),
    )

    table: Mapped[str] = mapped_column(String(48), primary_key=True)
    row: Mapped[str] = mapped_column(String(40), primary_key=True)
    column: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_order: Mapped[int]
    column_order: Mapped[int]
    value: Mapped[int | None]


class NeetCount(Base):
    """Flags raised in a quarter, by municipio, trigger, the furthest stage of the path the
    flag reached and the outcome of its referral ("" when none): what ``flask observatory
    refresh`` stores from the outreach tables for the NEET pages (staff cuts read it as is;
    the public tables are published from it with suppression)."""

    __tablename__ = "observatory_neet_counts"
    __table_args__ = (
        CheckConstraint("municipio BETWEEN 1 AND 9", name="municipio_range"),
        CheckConstraint("trigger IN ('model', 'contract_ended', 'self_referral')",
                        name="trigger_valid"),
        CheckConstraint("stage IN ('waiting', 'not_contacted', 'contacted', 'referred', "
                        "'not_taken_up', 'took_up')", name="stage_valid"),
        CheckConstraint("flags > 0", name="flags_positive"),
        CheckConstraint("contacted_30d >= 0 AND contacted_30d <= flags",
                        name="contacted_within_flags"),
        CheckConstraint("referred >= 0 AND referred <= flags", name="referred_within_flags"),
    )

    quarter: Mapped[str] = mapped_column(String(6), primary_key=True)
    municipio: Mapped[int] = mapped_column(primary_key=True)
    trigger: Mapped[str] = mapped_column(String(20), primary_key=True)
    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(20), primary_key=True)
    flags: Mapped[int]
    #: Flags with a contact logged within 30 days of being raised.
    contacted_30d: Mapped[int]
    #: Flags with at least one referral.
    referred: Mapped[int]
