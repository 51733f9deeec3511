"""Export of everything linked to a user, and erasure that leaves nothing behind.

Both walk the model metadata: every column with a foreign key to ``users``
is found automatically, so a table added later is exported and erased
without anyone having to remember it. A foreign-key column marked
``info={"export": False}`` records the user *acting on someone else's
record* (e.g. the counsellor who recorded a pupil's consent); those rows
belong to the other person and are not exported, and the key is nulled on
erasure.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import Column, Table, func, select

from orientamento.auth import audit
from orientamento.auth.models import AuditAction, Role, User
from orientamento.auth.passwords import verify_password
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.extensions import db

#: Columns never exported: secrets, not data about the person.
SECRET_COLUMNS = frozenset({"password_hash", "session_token", "token_hash"})


def user_foreign_keys() -> list[tuple[Table, Column[Any]]]:
    """Every (table, column) whose foreign key points at ``users.id``."""
    users = User.__table__
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table is users for fk in column.foreign_keys):
                found.append((table, column))
    return found


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return clock.iso_local(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _rows(table: Table, column: Column[Any], user_id: int) -> list[dict[str, Any]]:
    result = db.session.execute(select(table).where(column == user_id)).mappings()
    return [
        {key: _jsonable(value) for key, value in row.items() if key not in SECRET_COLUMNS}
        for row in result
    ]


def export_user_data(user: User) -> dict[str, Any]:
    """Return every row linked to ``user``, grouped by table, and log the export."""
    users: Table = User.__table__  # type: ignore[assignment]
    data: dict[str, Any] = {
        "format": "orientamento-milano-user-export/1",
        "exported_at": clock.iso_local(clock.now()),
        "tables": {"users": _rows(users, users.c.id, user.id)},
    }
    for table, column in user_foreign_keys():
        if not column.info.get("export", True):
            continue
        rows = _rows(table, column, user.id)
        if rows:
            data["tables"].setdefault(table.name, []).extend(rows)
    audit.record(AuditAction.DATA_EXPORTED, actor=user, subject=user)
    return data


def delete_account(user: User, password: str) -> None:
    """Erase ``user`` after checking the password; the audit log keeps a pseudonym."""
    if not verify_password(user.password_hash, password):
        raise DomainError(_l("Your password is not correct."))
    erase_user(user)


def erase_user(user: User) -> None:
    """Delete the user and every row linked to them; null references made as an actor."""
    if user.role == Role.ADMIN and _active_admins() <= 1:
        raise Conflict(_l("The last administrator cannot be deleted."))
    entry = audit.record(AuditAction.ACCOUNT_DELETED, actor=user, subject=user)
    db.session.flush()
    entry.actor_id = None
    entry.subject_id = None
    for table, column in user_foreign_keys():
        # The database does this too (ON DELETE CASCADE / SET NULL); doing it here
        # keeps the behaviour identical on every backend and visible in one place.
        if column.nullable and not column.primary_key and not _cascades(column):
            db.session.execute(table.update().where(column == user.id).values({column.name: None}))
        else:
            db.session.execute(table.delete().where(column == user.id))
    db.session.expire_all()  # the ORM must not try to delete rows already gone
    db.session.delete(user)
    db.session.flush()
    current_app.logger.info("account erased ref=%s", entry.subject_ref)


def _cascades(column: Column[Any]) -> bool:
    return any((fk.ondelete or "").upper() == "CASCADE" for fk in column.foreign_keys)


def _active_admins() -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
    ) or 0
