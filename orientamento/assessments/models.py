"""Assignments of instruments to classes, and students' responses."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orientamento.auth.models import User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.database import Base, StrEnumType


class ResponseStatus(StrEnum):
    """Where a response is in its life."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class Assignment(Base):
    """An instrument a counsellor asked a class to take."""

    __tablename__ = "assessment_assignments"
    __table_args__ = (UniqueConstraint("class_id", "questionnaire_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("school_classes.id", ondelete="CASCADE"), index=True
    )
    questionnaire_id: Mapped[str] = mapped_column(String(40))
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), info={"export": False}
    )
    due_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    def is_overdue(self, today: date) -> bool:
        """Whether the due date (a whole Milan day, included) has passed on ``today``."""
        return self.due_on is not None and self.due_on < today

    school_class: Mapped[SchoolClass] = relationship()


class Response(Base):
    """A student's answers to one version of an instrument, and their scores."""

    __tablename__ = "assessment_responses"
    __table_args__ = (
        CheckConstraint("status IN ('in_progress', 'submitted')", name="status_valid"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "(status = 'submitted') = (submitted_at IS NOT NULL)", name="submitted_has_time"
        ),
        # One response in progress per student and instrument; any number submitted.
        Index(
            "uq_assessment_responses_in_progress", "student_id", "questionnaire_id",
            unique=True,
            sqlite_where=text("status = 'in_progress'"),
            postgresql_where=text("status = 'in_progress'"),
        ),
        Index("ix_assessment_responses_questionnaire", "questionnaire_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    questionnaire_id: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    status: Mapped[ResponseStatus] = mapped_column(StrEnumType(ResponseStatus, 12),
                                                   default=ResponseStatus.IN_PROGRESS)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    section: Mapped[int] = mapped_column(default=0)
    locale: Mapped[str] = mapped_column(String(5), default="it")
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment_assignments.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    submitted_at: Mapped[datetime | None]

    student: Mapped[User] = relationship()
    assignment: Mapped[Assignment | None] = relationship()

    @property
    def is_submitted(self) -> bool:
        """Whether the student has handed it in."""
        return self.status == ResponseStatus.SUBMITTED


class PsychometricRun(Base):
    """The figures of one run of ``flask assessments psychometrics``."""

    __tablename__ = "psychometric_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    responses: Mapped[int]
    results: Mapped[dict[str, Any]] = mapped_column(JSON)
