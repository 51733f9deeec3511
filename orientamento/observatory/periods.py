"""Months and quarters: the periods the Observatory counts in (Milan dates)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

QUARTER_TEXT = re.compile(r"^(?P<year>\d{4})Q(?P<q>[1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, written 2026Q4."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter | None:
        """The quarter written as YYYYQn (years 1997-2100), or None."""
        match = QUARTER_TEXT.match(text.strip())
        if not match or not 1997 <= int(match["year"]) <= 2100:
            return None
        return cls(int(match["year"]), int(match["q"]))

    @classmethod
    def of(cls, day: date) -> Quarter:
        """The quarter a day falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_month(self) -> date:
        """The first day of the quarter."""
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        return add_months(self.first_month, 3)

    def previous(self, count: int = 1) -> Quarter:
        """The quarter ``count`` quarters before."""
        index = self.year * 4 + self.number - 1 - count
        return Quarter(index // 4, index % 4 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_index(day: date) -> int:
    """Months since year 0: consecutive months differ by one."""
    return day.year * 12 + day.month - 1
