"""Single-use, time-limited tokens sent by e-mail; only their hashes are stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from orientamento.auth.models import TokenPurpose, User, UserToken
from orientamento.core import clock
from orientamento.core.errors import DomainError
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.extensions import db


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
    """Create a token for ``user`` and return its raw value (to put in a link)."""
    raw = secrets.token_urlsafe(32)
    db.session.add(
        UserToken(
            user_id=user.id,
            purpose=purpose.value,
            token_hash=_digest(raw),
            expires_at=clock.now() + lifetime,
        )
    )
    return raw


def peek_token(raw: str, purpose: TokenPurpose, now: datetime | None = None) -> User | None:
    """Return the user of a valid, unused token without using it up."""
    now = now or clock.now()
    token = db.session.scalar(
        select(UserToken).where(
            UserToken.token_hash == _digest(raw),
            UserToken.purpose == purpose.value,
            UserToken.used_at.is_(None),
            UserToken.expires_at > now,
        )
    )
    return token.user if token else None


def consume_token(raw: str, purpose: TokenPurpose, now: datetime | None = None) -> User:
    """Use up a token, exactly once even under concurrent requests, and return its user."""
    now = now or clock.now()
    user = peek_token(raw, purpose, now)
    used = db.session.execute(
        update(UserToken)
        .where(
            UserToken.token_hash == _digest(raw),
            UserToken.purpose == purpose.value,
            UserToken.used_at.is_(None),
            UserToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if user is None or used.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(_l("This link is invalid, has already been used or has expired."))
    # Any other outstanding token of the same purpose stops working too.
    db.session.execute(
        update(UserToken)
        .where(
            UserToken.user_id == user.id,
            UserToken.purpose == purpose.value,
            UserToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return user
