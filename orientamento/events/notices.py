"""E-mail notices about events and visits, queued in the outbox (sent after commit)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from orientamento.auth.models import Role, User
from orientamento.core.links import absolute_url
from orientamento.extensions import db
from orientamento.outbox.services import queue_email


def notify(users: Iterable[User | None], template: str, **context: Any) -> int:
    """Queue ``email/<template>`` for each distinct user with an address; return how many."""
    seen: set[int] = set()
    for user in users:
        if user is None or user.id in seen or not user.email or not user.active:
            continue
        seen.add(user.id)
        queue_email(user, template, absolute_url=absolute_url, **context)
    return len(seen)


def provider_staff(provider_id: int) -> list[User]:
    """Active accounts of a provider's staff and ambassadors."""
    return list(db.session.scalars(
        select(User).where(User.provider_id == provider_id, User.role == Role.PROVIDER,
                           User.active.is_(True)).order_by(User.display_name)))
