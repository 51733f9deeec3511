"""Admin read-side queries."""

from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from orientamento.auth.models import AuditEntry, User
from orientamento.extensions import db

#: The users and the audit log grow with the city: their lists count matches only this far
#: past the page's start ("more than 1,000"), not every row on every page.
COUNT_CAP = 1000


def search_users(text: str | None, role: str | None) -> Select[Any]:
    """Users matching a text (e-mail, username, name) and a role, newest first."""
    # A user has at most one school and one provider: in the page's own statement.
    query = select(User).options(
        joinedload(User.school), joinedload(User.provider), selectinload(User.municipi)
    )
    if text:
        # autoescape: "%" and "_" in the text are searched for, not wildcards
        text = text.strip().lower()
        query = query.where(
            or_(
                func.lower(User.email).contains(text, autoescape=True),
                func.lower(User.username).contains(text, autoescape=True),
                func.lower(User.display_name).contains(text, autoescape=True),
            )
        )
    if role:
        query = query.where(User.role == role)
    return query.order_by(User.created_at.desc(), User.id.desc())


def audit_entries(action: str | None) -> Select[Any]:
    """Audit log entries, newest first, optionally of one action."""
    query = select(AuditEntry).options(
        joinedload(AuditEntry.actor), joinedload(AuditEntry.subject)
    )
    if action:
        query = query.where(AuditEntry.action == action)
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def user_or_404(user_id: int) -> User:
    """Any account, by id; 404 if there is none."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user
