"""Set-based writes (a conditional UPDATE, a DELETE) and how many rows they changed.

``Session.execute`` is typed as returning a ``Result``, which has no ``rowcount``; for an
UPDATE or a DELETE it is a ``CursorResult``, which has. ``changed_rows`` says so once, checked,
instead of a silenced type error at every conditional UPDATE.
"""

from __future__ import annotations

from sqlalchemy import CursorResult
from sqlalchemy.sql.dml import UpdateBase

from orientamento.extensions import db


def changed_rows(statement: UpdateBase) -> int:
    """Run ``statement`` in the session and return how many rows it matched."""
    result = db.session.execute(statement)
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(statement).__name__} returned no row count")
    return int(result.rowcount or 0)
