"""E-mail notices about events and visits, queued in the outbox (sent after commit)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select

from orientamento.auth.models import PROVIDER_ROLES, User
from orientamento.core.links import absolute_url
from orientamento.extensions import db
from orientamento.outbox.services import queue_email


def notify(users: Iterable[User | None], template: str, *,
           calendar_ics: Callable[[User], bytes] | None = None, **context: Any) -> int:
    """Queue ``email/<template>`` for each distinct user with an address; return how many.

    ``calendar_ics`` makes each person's .ics file to attach (what it shows depends on them).
    """
    seen: set[int] = set()
    for user in users:
        if user is None or user.id in seen or not user.email or not user.active:
            continue
        seen.add(user.id)
        queue_email(user, template, absolute_url=absolute_url,
                    calendar_ics=calendar_ics(user) if calendar_ics else None, **context)
    return len(seen)


def provider_staff(provider_id: int) -> list[User]:
    """Active accounts of a provider's staff and ambassadors."""
    return list(db.session.scalars(
        select(User).where(User.provider_id == provider_id, User.role.in_(PROVIDER_ROLES),
                           User.active.is_(True)).order_by(User.display_name)))
