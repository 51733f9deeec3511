"""What every file import reports: errors with their row and column, all counted."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

#: Errors kept to show; the rest are only counted ("... and 310 more").
MAX_REPORTED_ERRORS = 200


@dataclass(frozen=True)
class RowError:
    """A problem in one cell: its row (the header is row 1; 0 is the file as a whole), its
    column (empty for the whole row) and what is wrong."""

    row: int
    column: str
    message: str


@dataclass(kw_only=True)
class ErrorList:
    """The errors an import found: the first MAX_REPORTED_ERRORS kept, every one counted."""

    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        """True when the file had no error."""
        return self.error_count == 0

    def add_error(self, row: int, column: str, message: str) -> None:
        """Record an error, keeping the first MAX_REPORTED_ERRORS for display."""
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, message))


@dataclass
class ImportReport(ErrorList):
    """What a catalogue import found and, unless it was a dry run or had errors, did."""

    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class FileProblem(ValueError):
    """An uploaded file cannot be read at all."""


def decode_upload(data: bytes, max_bytes: int, nul_allowed: bool = False) -> str:
    """The text of an uploaded CSV or JSON file: UTF-8 (a BOM allowed), at most ``max_bytes``,
    no binary data (unless ``nul_allowed``: the caller reports each cell's control characters
    by row and column); else a ``FileProblem`` with a localized message."""
    if len(data) > max_bytes:
        raise FileProblem(_("The file is larger than %(size)d MB.",
                            size=max_bytes // (1024 * 1024)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(_("The file is not UTF-8 text (a problem at byte %(position)d). "
                            "Save it as \"CSV UTF-8\".", position=error.start)) from None
    if "\x00" in text and not nul_allowed:
        raise FileProblem(_("The file contains binary data: save it as CSV or JSON text."))
    return text


#: Names an error lists before "and N more": a header can have a million columns.
LISTED_NAMES = 10


def listed(names: list[str], limit: int = LISTED_NAMES) -> str:
    """``names`` joined for an error message, the first ``limit`` of them (each cut to 64
    characters) and "and N more" for the rest."""
    shown = ", ".join(name[:64] for name in names[:limit])
    if len(names) <= limit:
        return shown
    more = len(names) - limit
    return f"{shown} " + ngettext("and %(num)d more", "and %(num)d more", more)


def csv_delimiter(text: str) -> str:
    """The delimiter of a CSV file, from its header line: a semicolon when it has more
    semicolons than commas (Italian Excel saves "CSV" so: the comma is its decimal mark)."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def csv_rows(text: str, required: Collection[str], known: Collection[str]
             ) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV file with a header, as (line number, cells as written); a FileProblem
    when the header lacks a ``required`` column, has one not ``known`` or one twice, when a
    row has more cells than the header, or when the CSV is malformed."""
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text),
                            strict=True)
    try:
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise FileProblem(_("Missing columns: %(columns)s.", columns=", ".join(missing)))
        unknown = [c for c in header if c not in known]
        if unknown:
            raise FileProblem(_("Unknown columns: %(columns)s.", columns=listed(unknown)))
        if len(set(header)) != len(header):
            raise FileProblem(_("A column appears twice in the header."))
        for row in reader:
            if None in row:
                raise FileProblem(_("Line %(line)d has more cells than the header.",
                                    line=reader.line_num))
            yield reader.line_num, {k: v or "" for k, v in row.items()}
    except csv.Error as error:
        raise FileProblem(_("The CSV cannot be read near line %(line)d (%(problem)s).",
                            line=reader.line_num, problem=str(error))) from None
