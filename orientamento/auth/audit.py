"""Writing the audit log, with keyed pseudonyms that survive account erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete

from orientamento.auth.models import AuditAction, AuditEntry, User
from orientamento.core.pseudonyms import keyed_pseudonym
from orientamento.extensions import db


def pseudonym(value: str | int) -> str:
    """Return a keyed, non-reversible pseudonym of an identifier (a user id, a login)."""
    # The key is AUDIT_PSEUDONYM_KEY, not SECRET_KEY: rotating the session secret must not
    # break the link between an erased user's old entries. The "audit:" prefix and the 32
    # digits are the format since the first entry, so a deployment that sets the key to its
    # former secret key keeps every earlier pseudonym.
    key = str(current_app.config["AUDIT_PSEUDONYM_KEY"]).encode("utf-8")
    return keyed_pseudonym(key, f"audit:{value}", length=32)


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


def delete_before(cutoff: datetime) -> int:
    """Delete the audit entries written before ``cutoff`` (retention). Returns how many."""
    result = db.session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff)
                                .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
