"""Read side of the outbox: the backlog an admin watches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from orientamento.extensions import db
from orientamento.outbox.models import OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class Backlog:
    """Messages by delivery state, and when the oldest undelivered one was queued."""

    counts: dict[str, int]
    oldest_waiting: datetime | None

    @property
    def waiting(self) -> int:
        """Messages not yet delivered (pending or being sent)."""
        return self.counts.get(OutboxStatus.PENDING, 0) + self.counts.get(OutboxStatus.SENDING, 0)


def backlog() -> Backlog:
    """Count the outbox by state in one grouped query, plus the oldest waiting message."""
    counts = {key: count for key, count in db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))}
    oldest = db.session.scalar(select(func.min(OutboxMessage.created_at)).where(
        OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])))
    return Backlog(counts={str(k): v for k, v in counts.items()}, oldest_waiting=oldest)
