"""Importing a snapshot of administrative records: validate every row, then write all or none.

Format: docs/formats/risk-records.md. Raw source ids are replaced by keyed pseudonyms before
anything is stored; protected attributes and contact details go to their own tables. Blank
model inputs are allowed (such a record gets no score, and says why); malformed ones are not.
A stored snapshot is announced on ``signals.snapshot_imported``: outreach raises its
contract-ended flags there, in the same transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from orientamento.auth.audit import record
from orientamento.auth.models import AuditAction, User
from orientamento.core.errors import Conflict, DomainError
from orientamento.core.imports import RowError
from orientamento.core.text import has_control_characters
from orientamento.extensions import db
from orientamento.risk import signals
from orientamento.risk.models import (
    ContactDetails,
    ProtectedAttributes,
    RiskPerson,
    RiskRecord,
    RiskSnapshot,
)
from orientamento.risk.pseudonyms import pseudonym_key, pseudonymize
from orientamento.risk.synth import EDUCATION_LEVELS

IDENTITY = ("source_id", "as_of", "birth_year", "municipio")
BOOLEAN = {"enrolled", "early_leaver", "employment_centre"}
#: Numeric inputs with their allowed range (inclusive) and whether they are whole numbers.
NUMERIC = {"months_since_enrolment": (0, 360, True), "attendance_rate": (0, 1, False),
           "repetitions": (0, 15, True), "months_since_contract_end": (0, 360, True),
           "contracts_24m": (0, 200, True)}
CATEGORIES = {"education": EDUCATION_LEVELS}
INPUTS = (*CATEGORIES, *BOOLEAN, *NUMERIC)
PROTECTED = {"gender": ("F", "M", "X"), "citizenship_group": ("italian", "eu", "non_eu")}
CONTACT = {"phone": 40, "email": 254, "address": 200}
TRUE, FALSE = {"1", "true", "yes", "si", "sì"}, {"0", "false", "no"}
MAX_ERRORS = 50
CHUNK = 5000
#: The csv module refuses cells over 128 KiB by default; let them through to the length
#: checks (which name the column) up to the largest request body.
csv.field_size_limit(max(csv.field_size_limit(), 8 * 1024 * 1024))


@dataclass
class ParsedRow:
    """A valid row, ready to store."""

    pseudonym: str
    birth_year: int
    municipio: int
    values: dict[str, Any]
    protected: dict[str, Any]
    contact: dict[str, str | None]


@dataclass
class ImportReport:
    """The outcome of an import: the snapshot, or the errors (nothing written)."""

    snapshot: RiskSnapshot | None = None
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    #: Flags raised by the receivers of ``signals.snapshot_imported`` (outreach's
    #: contract-ended rule).
    rule_flags: int = 0


def _flag(text: str) -> bool | None:
    lowered = text.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ValueError


def _cell(name: str, text: str) -> Any:
    """A typed input value, None when blank; ValueError with a message when malformed."""
    if not text.strip():
        return None
    if name in BOOLEAN:
        try:
            return _flag(text)
        except ValueError:
            raise ValueError(str(_l("expected 1/0, true/false or yes/no"))) from None
    if name in CATEGORIES:
        if text.strip() not in CATEGORIES[name]:
            raise ValueError(str(_l("expected one of %(values)s",
                                    values=", ".join(CATEGORIES[name]))))
        return text.strip()
    low, high, whole = NUMERIC[name]
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise ValueError(str(_l("expected a number"))) from None
    if not low <= number <= high or (whole and not number.is_integer()):
        kind = _l("a whole number") if whole else _l("a number")
        raise ValueError(str(_l("expected %(kind)s from %(low)s to %(high)s", kind=kind,
                                low=low, high=high)))
    return int(number) if whole else number


def _row(number: int, raw: dict[str, str], as_of: date, key: bytes,
         errors: list[RowError]) -> ParsedRow | None:
    found = len(errors)

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    # A NUL byte cannot be stored by PostgreSQL, and no cell needs a control character.
    for column, text in raw.items():
        if isinstance(text, str) and has_control_characters(text):
            fail(column or "", str(_l("contains a control character (such as NUL)")))
    if len(errors) > found:
        return None

    source = (raw.get("source_id") or "").strip()
    if not source or len(source) > 64:
        fail("source_id", str(_l("required, at most 64 characters")))
    try:
        birth_year = int(raw.get("birth_year") or "")
        if not 15 <= as_of.year - birth_year <= 29:
            fail("birth_year", str(_l("the person must be 15 to 29 years old")))
    except ValueError:
        birth_year = 0
        fail("birth_year", str(_l("expected a year such as 2006")))
    try:
        municipio = int(raw.get("municipio") or "")
        if not 1 <= municipio <= 9:
            raise ValueError
    except ValueError:
        municipio = 0
        fail("municipio", str(_l("expected a municipio from 1 to 9")))
    values: dict[str, Any] = {}
    for name in INPUTS:
        try:
            values[name] = _cell(name, raw.get(name) or "")
        except ValueError as error:
            fail(name, str(error))
    protected: dict[str, Any] = {}
    for name, allowed in PROTECTED.items():
        text = (raw.get(name) or "").strip()
        if text and text not in allowed:
            fail(name, str(_l("expected one of %(values)s", values=", ".join(allowed))))
        protected[name] = text or None
    try:
        protected["disability"] = (_flag(raw["disability"]) if (raw.get("disability") or "")
                                   .strip() else None)
    except ValueError:
        fail("disability", str(_l("expected 1/0, true/false or yes/no")))
    contact: dict[str, str | None] = {}
    for name, limit in CONTACT.items():
        text = (raw.get(name) or "").strip()
        if len(text) > limit:
            fail(name, str(_l("at most %(limit)s characters", limit=limit)))
        contact[name] = text or None
    if len(errors) > found:
        return None
    return ParsedRow(pseudonymize(source, key), birth_year, municipio, values, protected,
                     contact)


def parse_snapshot(content: bytes) -> tuple[date | None, list[ParsedRow], list[RowError]]:
    """Read and check a whole file; every problem is reported with its row and column."""
    errors: list[RowError] = []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [], [RowError(1, "", str(_l("The file is not UTF-8 text.")))]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in (*IDENTITY, *INPUTS) if c not in (reader.fieldnames or [])]
    if missing:
        return None, [], [RowError(1, c, str(_l("missing column"))) for c in missing]
    key = pseudonym_key()
    as_of: date | None = None
    rows: list[ParsedRow] = []
    seen: dict[str, int] = {}
    try:
        for number, raw in enumerate(reader, start=2):
            as_of = _check_row(number, raw, as_of, key, rows, seen, errors)
    except csv.Error as error:  # a cell past the csv module's limit, a NUL byte...
        errors.append(RowError(reader.line_num, "", str(_l(
            "The file cannot be read as CSV here: %(problem)s", problem=str(error)))))
    if as_of is None and not errors:
        errors.append(RowError(2, "", str(_l("The file has no records."))))
    return as_of, rows, errors


def _check_row(number: int, raw: dict[str, str], as_of: date | None, key: bytes,
               rows: list[ParsedRow], seen: dict[str, int], errors: list[RowError]
               ) -> date | None:
    """Check one row, appending it or its errors; returns the snapshot date so far."""
    try:
        when = date.fromisoformat((raw.get("as_of") or "").strip())
    except ValueError:
        errors.append(RowError(number, "as_of", str(_l("expected a date YYYY-MM-DD"))))
        return as_of
    if as_of is None:
        as_of = when
    elif when != as_of:
        errors.append(RowError(number, "as_of", str(_l(
            "every row of a snapshot has the same date (%(date)s)", date=as_of.isoformat()))))
        return as_of
    parsed = _row(number, raw, as_of, key, errors)
    if parsed is None:
        return as_of
    if parsed.pseudonym in seen:
        errors.append(RowError(number, "source_id", str(_l(
            "the same person is already on row %(row)s", row=seen[parsed.pseudonym]))))
        return as_of
    seen[parsed.pseudonym] = number
    rows.append(parsed)
    return as_of


def import_snapshot(content: bytes, filename: str, actor: User | None = None) -> ImportReport:
    """Validate a snapshot file and, only if every row is valid, store it (flushes)."""
    digest = hashlib.sha256(content).hexdigest()
    _refuse_imported(digest)
    as_of, rows, errors = parse_snapshot(content)
    if errors or as_of is None:
        return ImportReport(errors=errors[:MAX_ERRORS], error_count=len(errors))
    snapshot = RiskSnapshot(as_of=as_of, filename=filename[:200], sha256=digest,
                            rows=len(rows), imported_by_id=actor.id if actor else None)
    try:
        with db.session.begin_nested():
            db.session.add(snapshot)
            db.session.flush()
    except IntegrityError:
        # The same file, imported at the same moment elsewhere, committed first.
        _refuse_imported(digest)
        raise
    for start in range(0, len(rows), CHUNK):
        _store(snapshot, rows[start:start + CHUNK])
    record(AuditAction.RISK_RECORDS_IMPORTED, actor=actor, snapshot_id=snapshot.id,
           rows=len(rows))
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
    """The errors of a refused import, one per line."""
    lines = [f"row {e.row}, {e.column or '-'}: {e.message}" for e in report.errors]
    if report.error_count > len(report.errors):
        lines.append(f"... and {report.error_count - len(report.errors)} more")
    return "\n".join(lines)


def ensure_valid(report: ImportReport) -> RiskSnapshot:
    """The snapshot of a successful import, or a DomainError listing the problems."""
    if report.snapshot is None:
        raise DomainError(import_errors_text(report))
    return report.snapshot
