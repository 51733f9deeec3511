"""Writing the audit log, with keyed pseudonyms that survive account erasure."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app

from orientamento.auth.models import AuditAction, AuditEntry, User
from orientamento.extensions import db


def pseudonym(value: str | int) -> str:
    """Return a keyed, non-reversible pseudonym of an identifier."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"audit:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def record(
    action: AuditAction,
    *,
    actor: User | None = None,
    subject: User | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an entry to the audit log (flushed with the caller's transaction)."""
    entry = AuditEntry(
        action=action.value,
        actor_id=actor.id if actor else None,
        actor_ref=pseudonym(actor.id) if actor else None,
        subject_id=subject.id if subject else None,
        subject_ref=pseudonym(subject.id) if subject else None,
        details=details,
    )
    db.session.add(entry)
    return entry
