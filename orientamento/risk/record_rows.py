"""Reading a snapshot file of administrative records (docs/formats/risk-records.md): the
columns, one row's cells checked and typed, and the whole file streamed row by row, with every
problem named by its row and column. Raw source ids become keyed pseudonyms here, before
anything leaves the row. Storing the valid rows is ``records.py``'s.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from babel import Locale
from flask_babel import format_decimal

from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.imports import RowError, listed
from orientamento.core.text import has_control_characters
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


def parsed_rows(stream: IO[bytes], errors: list[RowError], max_rows: int
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
    rows = list(parsed_rows(io.BytesIO(content), errors, max_rows))
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
