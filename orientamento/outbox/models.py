"""The outbox: e-mail waiting to be delivered."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from orientamento.core import clock
from orientamento.database import Base, StrEnumType


class OutboxStatus(StrEnum):
    """Delivery state of an outbox message."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """One e-mail to one recipient."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed')", name="status_valid"
        ),
        CheckConstraint("attempts >= 0", name="attempts_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    #: An iCalendar file sent with the message (``event.ics``): an event's date for the diary.
    calendar_ics: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(StrEnumType(OutboxStatus, 10),
                                                 default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.now)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
