"""School classes and their rosters."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orientamento.core import clock
from orientamento.core.enums import LabelledEnum
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.database import Base
from orientamento.orgs.models import School

if TYPE_CHECKING:
    from orientamento.auth.models import User


class SchoolLevel(LabelledEnum):
    """Lower secondary (scuola media, years 1-3) or upper secondary (years 1-5)."""

    LOWER_SECONDARY = "lower_secondary", _l("Lower secondary school")
    UPPER_SECONDARY = "upper_secondary", _l("Upper secondary school")


class SchoolClass(Base):
    """A class of pupils at a school in one school year."""

    __tablename__ = "school_classes"
    __table_args__ = (
        UniqueConstraint("school_id", "school_year", "name"),
        CheckConstraint(
            "(level = 'lower_secondary' AND year BETWEEN 1 AND 3)"
            " OR (level = 'upper_secondary' AND year BETWEEN 1 AND 5)",
            name="level_year",
        ),
        CheckConstraint("length(school_year) = 9", name="school_year_format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), info={"export": False}
    )
    name: Mapped[str] = mapped_column(String(50))
    school_year: Mapped[str] = mapped_column(String(9))
    level: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    join_code: Mapped[str | None] = mapped_column(String(9), unique=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    school: Mapped[School] = relationship()
    memberships: Mapped[list[ClassMembership]] = relationship(
        back_populates="school_class", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def grade_label(self) -> str:
        """Human label of the grade, e.g. "3 - Lower secondary school"."""
        return f"{self.year} - {SchoolLevel(self.level).label}"

    @property
    def first_school_year(self) -> int:
        """The calendar year the class's school year begins in (2026 for 2026/2027)."""
        return int(self.school_year[:4])

    @property
    def is_open(self) -> bool:
        """Whether pupils can currently join with the code."""
        return self.join_code is not None


class ClassMembership(Base):
    """A pupil on a class roster."""

    __tablename__ = "class_memberships"

    class_id: Mapped[int] = mapped_column(
        ForeignKey("school_classes.id", ondelete="CASCADE"), primary_key=True
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(default=clock.now)

    school_class: Mapped[SchoolClass] = relationship(back_populates="memberships")
    student: Mapped[User] = relationship(back_populates="memberships")
