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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from babel import Locale
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from orientamento.auth.audit import record
from orientamento.auth.models import AuditAction, User
from orientamento.core.errors import Conflict, DomainError
from orientamento.core.imports import RowError, listed
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
CONTACT = {"name": 100, "phone": 40, "email": 254, "address": 200}
#: The preferred language: an ISO 639-1 code CLDR knows (stored in lower case).
LANGUAGE = "language"
TRUE, FALSE = {"1", "true", "yes", "si", "sì"}, {"0", "false", "no"}
MAX_ERRORS = 50
CHUNK = 5000
#: Where csv.DictReader puts the cells of a row longer than the header.
EXTRA_CELLS = "\x00extra"
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


def _language(text: str) -> str | None:
    """A preferred language as a lower-case ISO 639-1 code, None when blank; ValueError with
    a message when it is not a two-letter code CLDR knows."""
    code = text.strip().lower()
    if not code:
        return None
    if len(code) != 2 or not code.isascii() or code not in Locale("en").languages:
        raise ValueError(str(_l("expected a two-letter ISO 639-1 language code, such as it, "
                                "en or ar")))
    return code


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
    try:
        contact[LANGUAGE] = _language(raw.get(LANGUAGE) or "")
    except ValueError as error:
        fail(LANGUAGE, str(error))
    if len(errors) > found:
        return None
    return ParsedRow(pseudonymize(source, key), birth_year, municipio, values, protected,
                     contact)


#: Every column a snapshot may have (docs/formats/risk-records.md); any other is refused.
COLUMNS = (*IDENTITY, *INPUTS, *PROTECTED, "disability", *CONTACT, LANGUAGE)
#: Rows a snapshot may hold unless the caller says otherwise (`flask risk import --max-rows`).
MAX_ROWS = 2_000_000


def _header_errors(header: list[str]) -> list[RowError]:
    """Missing, unknown and repeated columns (the lists capped: a header can be enormous)."""
    errors = [RowError(1, c, str(_l("missing column"))) for c in (*IDENTITY, *INPUTS)
              if c not in header]
    unknown = [c for c in dict.fromkeys(header) if c not in COLUMNS]
    if unknown:
        errors.append(RowError(1, "", str(_l("Unknown columns: %(columns)s.",
                                             columns=listed(unknown)))))
    if len(set(header)) != len(header):
        errors.append(RowError(1, "", str(_l("a column appears twice in the header"))))
    return errors


def _parsed_rows(stream: IO[bytes], errors: list[RowError], max_rows: int
                 ) -> Iterator[tuple[date, ParsedRow]]:
    """The valid rows of a snapshot file, read as a stream (memory does not grow with the
    file); every problem is appended to ``errors`` with its row and column."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text, restkey=EXTRA_CELLS)
    number = 0  # the last row read whole (the header is row 1)
    try:
        header_errors = _header_errors(list(reader.fieldnames or []))
        if header_errors:
            errors.extend(header_errors)
            return
        number = 1
        key = pseudonym_key()
        as_of: date | None = None
        seen: dict[str, int] = {}
        for number, raw in enumerate(reader, start=2):
            if number - 1 > max_rows:
                errors.append(RowError(number, "", str(_l(
                    "more than %(limit)s records: split the file or raise the limit",
                    limit=format_decimal(max_rows)))))
                return
            if EXTRA_CELLS in raw:
                errors.append(RowError(number, "", str(_l("more cells than the header"))))
                continue
            as_of, parsed = _check_row(number, raw, as_of, key, seen, errors)
            if parsed is not None and as_of is not None:
                yield as_of, parsed
    except UnicodeDecodeError:
        errors.append(RowError(number + 1, "", str(_l("The file is not UTF-8 text."))))
    except csv.Error as error:  # a cell past the size limit, a NUL byte...
        # The reader fails while reading the next row: name that row, not the last good one.
        errors.append(RowError(number + 1, "", str(_l(
            "The file cannot be read as CSV here: %(problem)s", problem=str(error)))))
    finally:
        text.detach()  # the caller's stream stays open
    if number == 1 and not errors:
        errors.append(RowError(2, "", str(_l("The file has no records."))))


def parse_snapshot(content: bytes, max_rows: int = MAX_ROWS
                   ) -> tuple[date | None, list[ParsedRow], list[RowError]]:
    """Read and check a whole file; every problem is reported with its row and column."""
    errors: list[RowError] = []
    rows = list(_parsed_rows(io.BytesIO(content), errors, max_rows))
    return (rows[0][0] if rows else None), [row for _, row in rows], errors


def _check_row(number: int, raw: dict[str, str], as_of: date | None, key: bytes,
               seen: dict[str, int], errors: list[RowError]
               ) -> tuple[date | None, ParsedRow | None]:
    """Check one row: the snapshot date so far, and the parsed row unless it has errors."""
    try:
        when = date.fromisoformat((raw.get("as_of") or "").strip())
    except ValueError:
        errors.append(RowError(number, "as_of", str(_l("expected a date YYYY-MM-DD"))))
        return as_of, None
    if as_of is None:
        as_of = when
    elif when != as_of:
        errors.append(RowError(number, "as_of", str(_l(
            "every row of a snapshot has the same date (%(date)s)", date=as_of.isoformat()))))
        return as_of, None
    parsed = _row(number, raw, as_of, key, errors)
    if parsed is None:
        return as_of, None
    if parsed.pseudonym in seen:
        errors.append(RowError(number, "source_id", str(_l(
            "the same person is already on row %(row)s", row=seen[parsed.pseudonym]))))
        return as_of, None
    seen[parsed.pseudonym] = number
    return as_of, parsed


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
        for as_of, parsed in _parsed_rows(stream, errors, max_rows):
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
