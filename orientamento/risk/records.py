"""Importing a snapshot of administrative records: validate every row, then write all or none.

Format: docs/formats/risk-records.md, read row by row in ``record_rows.py``. Raw source ids
are replaced by keyed pseudonyms before anything is stored; protected attributes and contact
details go to their own tables. Blank model inputs are allowed (such a record gets no score,
and says why); malformed ones are not.
A stored snapshot is announced on ``signals.snapshot_imported``: outreach raises its
contract-ended flags there, in the same transaction.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import IO

from flask_babel import format_date, format_datetime
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from orientamento.auth.audit import record
from orientamento.auth.models import AuditAction, User
from orientamento.core.errors import Conflict, DomainError
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.i18n import lazy_ngettext as _ln
from orientamento.core.imports import RowError
from orientamento.extensions import db
from orientamento.risk import signals
from orientamento.risk.models import (
    ContactDetails,
    ProtectedAttributes,
    RiskPerson,
    RiskRecord,
    RiskSnapshot,
)
from orientamento.risk.record_rows import MAX_ROWS, ParsedRow, parsed_rows

MAX_ERRORS = 50
CHUNK = 5000


@dataclass
class ImportReport:
    """The outcome of an import: the snapshot, or the errors (nothing written)."""

    snapshot: RiskSnapshot | None = None
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    #: Flags raised by the receivers of ``signals.snapshot_imported`` (outreach's
    #: contract-ended rule).
    rule_flags: int = 0


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: stream.read(1 << 20), b""):
        digest.update(block)
    stream.seek(0)
    return digest.hexdigest()


def import_snapshot(source: bytes | IO[bytes], filename: str, actor: User | None = None,
                    max_rows: int = MAX_ROWS) -> ImportReport:
    """Validate a snapshot file and, only if every row is valid, store it (flushes).

    The file is read once to hash it and once to check and store it, a chunk of rows at a
    time inside a savepoint: memory stays flat however long the file is, and the first bad
    row rolls the savepoint back (the rest of the file is still read, to list its problems).
    """
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    digest = _sha256(stream)
    _refuse_imported(digest)
    errors: list[RowError] = []
    savepoint = db.session.begin_nested()
    snapshot: RiskSnapshot | None = None
    pending: list[ParsedRow] = []
    stored = 0
    try:
        for as_of, parsed in parsed_rows(stream, errors, max_rows):
            if errors:
                continue  # nothing more is stored; the file is read on for its problems
            if snapshot is None:
                snapshot = RiskSnapshot(as_of=as_of, filename=filename[:200], sha256=digest,
                                        rows=0, imported_by_id=actor.id if actor else None)
                db.session.add(snapshot)
                db.session.flush()
            pending.append(parsed)
            if len(pending) == CHUNK:
                _store(snapshot, pending)
                stored, pending = stored + len(pending), []
        if errors or snapshot is None:
            savepoint.rollback()
            return ImportReport(errors=errors[:MAX_ERRORS], error_count=len(errors))
        if pending:  # a file of whole chunks has none left (an empty INSERT would fail)
            _store(snapshot, pending)
        snapshot.rows = stored + len(pending)
        savepoint.commit()
    except IntegrityError:
        # The same file, imported at the same moment elsewhere, committed first.
        savepoint.rollback()
        _refuse_imported(digest)
        raise
    record(AuditAction.RISK_RECORDS_IMPORTED, actor=actor, snapshot_id=snapshot.id,
           rows=snapshot.rows)
    return ImportReport(snapshot=snapshot,
                        rule_flags=signals.flags_raised(signals.snapshot_imported, snapshot))


def _refuse_imported(digest: str) -> None:
    """Refuse a file whose exact bytes were imported before, saying when."""
    earlier = db.session.execute(select(RiskSnapshot.imported_at, RiskSnapshot.as_of).where(
        RiskSnapshot.sha256 == digest)).first()
    if earlier is not None:
        raise Conflict(_l("This file was already imported on %(day)s (records as of %(as_of)s).",
                          day=format_datetime(earlier.imported_at, "short"),
                          as_of=format_date(earlier.as_of, "medium")))


def _store(snapshot: RiskSnapshot, rows: list[ParsedRow]) -> None:
    """Upsert people, protected attributes and contacts; insert the records (one chunk)."""
    known = dict(db.session.execute(select(RiskPerson.pseudonym, RiskPerson.id).where(
        RiskPerson.pseudonym.in_([r.pseudonym for r in rows]))).all())
    fresh = [r for r in rows if r.pseudonym not in known]
    if fresh:
        db.session.execute(insert(RiskPerson), [
            {"pseudonym": r.pseudonym, "municipio": r.municipio, "birth_year": r.birth_year}
            for r in fresh])
        known.update(db.session.execute(select(RiskPerson.pseudonym, RiskPerson.id).where(
            RiskPerson.pseudonym.in_([r.pseudonym for r in fresh]))).all())
    returning = {r.pseudonym for r in rows} - {r.pseudonym for r in fresh}
    people = db.session.scalars(select(RiskPerson).where(
        RiskPerson.id.in_([known[p] for p in returning]))).all()
    by_id = {p.id: p for p in people}
    for r in rows:
        person = by_id.get(known[r.pseudonym])
        if person is not None:  # a later snapshot: where they live now
            person.municipio, person.birth_year = r.municipio, r.birth_year
    ids = [known[r.pseudonym] for r in rows]
    db.session.execute(insert(RiskRecord), [
        {"snapshot_id": snapshot.id, "person_id": known[r.pseudonym], "values": r.values}
        for r in rows])
    for model, payloads in ((ProtectedAttributes, [r.protected for r in rows]),
                            (ContactDetails, [r.contact for r in rows])):
        existing = set(db.session.scalars(select(model.person_id).where(
            model.person_id.in_(ids))))
        given = [{"person_id": pid, **payload} for pid, payload in zip(ids, payloads, strict=True)
                 if any(v is not None for v in payload.values())]
        new = [row for row in given if row["person_id"] not in existing]
        if new:
            db.session.execute(insert(model), new)
        known_rows = [row for row in given if row["person_id"] in existing]
        if known_rows:  # one executemany, by primary key, for people seen before
            db.session.execute(update(model), known_rows)


def import_errors_text(report: ImportReport) -> str:
    """The errors of a refused import, one per line, in the reader's language."""
    lines = [str(_l("Row %(row)d, %(column)s: %(message)s", row=e.row, column=e.column or "-",
                    message=e.message)) for e in report.errors]
    if report.error_count > len(report.errors):
        more = report.error_count - len(report.errors)
        lines.append(str(_ln("... and %(num)d more problem", "... and %(num)d more problems",
                             more, num=more)))
    return "\n".join(lines)


def ensure_valid(report: ImportReport) -> RiskSnapshot:
    """The snapshot of a successful import, or a DomainError listing the problems."""
    if report.snapshot is None:
        raise DomainError(import_errors_text(report))
    return report.snapshot
