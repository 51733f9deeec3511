"""What every file import reports: errors with their row and column, all counted."""

from __future__ import annotations

from dataclasses import dataclass, field

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
