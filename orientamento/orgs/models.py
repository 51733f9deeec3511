"""Schools, training providers and Milan's municipi."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, func
from sqlalchemy.orm import Mapped, mapped_column

from orientamento.core import clock
from orientamento.core.enums import LabelledEnum
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.database import Base, StrEnumType

#: Milan is divided into nine municipi, numbered 1 to 9.
MUNICIPI = tuple(range(1, 10))


class ProviderKind(LabelledEnum):
    """What kind of organisation a training provider is."""

    ITS_FOUNDATION = "its_foundation", _l("ITS Academy foundation")
    TRAINING_CENTRE = "training_centre", _l("IeFP / IFTS training centre")


#: Codice meccanografico: province (2 letters), school type (2 letters), 6 letters or digits.
SCHOOL_CODE_PATTERN = r"^[A-Z]{4}[A-Z0-9]{6}$"


class School(Base):
    """A school, identified by its codice meccanografico."""

    __tablename__ = "schools"
    __table_args__ = (
        CheckConstraint("municipio IS NULL OR municipio BETWEEN 1 AND 9", name="municipio_range"),
        CheckConstraint("length(code) = 10", name="code_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Street and number, for the providers who visit (the municipality is beside it).
    address: Mapped[str | None] = mapped_column(String(200))
    municipality: Mapped[str] = mapped_column(String(100), default="Milano")
    municipio: Mapped[int | None]
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    @property
    def full_address(self) -> str:
        """Street and municipality, e.g. "Via Pacini 71, Milano" (the municipality alone if
        the street is unknown)."""
        return f"{self.address}, {self.municipality}" if self.address else self.municipality

    def __repr__(self) -> str:
        return f"<School {self.code}>"


class Provider(Base):
    """An ITS Academy foundation or an IeFP/IFTS training centre."""

    __tablename__ = "providers"
    __table_args__ = (
        CheckConstraint("kind IN ('its_foundation', 'training_centre')", name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ProviderKind] = mapped_column(StrEnumType(ProviderKind, 20))
    municipality: Mapped[str] = mapped_column(String(100), default="Milano")
    website: Mapped[str | None] = mapped_column(String(300))
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, server_default=func.now())

    def __repr__(self) -> str:
        return f"<Provider {self.code}>"
