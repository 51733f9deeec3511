"""What every file import reports: errors with their row and column, all counted."""

from __future__ import annotations

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


class FileProblem(ValueError):
    """An uploaded file cannot be read at all."""


def decode_upload(data: bytes, max_bytes: int) -> str:
    """The text of an uploaded CSV or JSON file: UTF-8 (a BOM allowed), at most ``max_bytes``,
    no binary data; else a ``FileProblem`` with a localized message."""
    if len(data) > max_bytes:
        raise FileProblem(_("The file is larger than %(size)d MB.",
                            size=max_bytes // (1024 * 1024)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(_("The file is not UTF-8 text (a problem at byte %(position)d). "
                            "Save it as \"CSV UTF-8\".", position=error.start)) from None
    if "\x00" in text:
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
