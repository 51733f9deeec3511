"""The one parser of the catalogue's cells.

The spreadsheet import, the Open Referral (HSDS) import and the admin forms all turn their
input into text cells named as the spreadsheet's columns and parse them here (``parse_cells``),
so a value is accepted or refused, with the same message, whatever way it came in; the cells
every catalogue format shares (e-mail and web addresses, numbers, codes) are read by
``core.cells``.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from typing import Any, TypeVar

from babel import Locale
from flask_babel import gettext as _

from orientamento.core import cells
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.support.models import (
    MAX_AGE,
    MIN_AGE,
    AccessMode,
    EligibleStatus,
    HelpKind,
    OrganisationKind,
    Residence,
)

#: Separates the values of a list cell ("orientation;job_search", "it;en;ar").
LIST_SEPARATOR = ";"
#: RFC 5545 day codes, Monday first (as ``date.weekday()``), used by the hours and by HSDS.
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

PHONE_PATTERN = re.compile(r"\+?[0-9][0-9 ./()-]{3,38}")
UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PLACE_CODE_PATTERN = re.compile(r"\d{6}(-[1-9])?")
HOURS_ENTRY = re.compile(r"^([A-Za-z]{2})\s+(\d{1,2}[:.]\d{2})\s*-\s*(\d{1,2}[:.]\d{2})$")
#: ISO 639-1 codes Babel knows (two letters), e.g. "it", "ar", "uk".
ISO_639_1 = frozenset(str(code) for code in Locale("en").languages
                      if re.fullmatch("[a-z]{2}", str(code)))


@dataclass(frozen=True, order=True)
class HoursRecord:
    """One opening: a weekday (0 is Monday) from ``opens`` to ``closes``, Milan time."""

    weekday: int
    opens: time
    closes: time



Parser = Callable[[str], Any]
REFUSED_CHARACTERS = _l("Remove the control or text-direction characters.")


def new_uid() -> str:
    """A fresh identifier for a new organisation, service, location or site."""
    return str(uuid.uuid4())


def _uid(value: str) -> str | None:
    """A UUID in canonical lower-case form, or None for an empty cell (a new thing)."""
    value = value.strip().lower()
    if not value:
        return None
    if not UUID_PATTERN.match(value):
        raise ValueError(_("Write an identifier such as 3f2b8c1e-5d4a-4b7e-9c61-2a0d8e4f7b13, "
                           "or leave it empty for a new one."))
    return value


def _text_cell(limit: int, required: bool = True, lines: bool = False) -> Parser:
    return cells.text_cell(limit, required, lines, REFUSED_CHARACTERS)


def _optional(parse: Parser) -> Parser:
    def optional(value: str) -> Any:
        return parse(value) if value.strip() else None
    return optional


def _decimal(low: float, high: float) -> Parser:
    def parse(value: str) -> float | None:
        value = value.strip().replace(",", ".")
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise ValueError(_("Write a decimal number from %(low)s to %(high)s.",
                               low=low, high=high)) from None
        if not low <= number <= high:  # NaN fails too
            raise ValueError(_("Write a decimal number from %(low)s to %(high)s.",
                               low=low, high=high))
        return round(number, 6)
    return parse


def _date(value: str) -> date | None:
    day = cells.date_cell(value)
    if day is not None and not 1900 <= day.year <= 2099:
        raise ValueError(_("Write a date as YYYY-MM-DD."))
    return day


E = TypeVar("E", bound=StrEnum)


def _members(enum: type[E]) -> Parser:
    def parse(value: str) -> tuple[E, ...]:
        found = set()
        for part in split_list(value):
            try:
                found.add(enum(part.lower()))
            except ValueError:
                raise ValueError(_("Use one or more of: %(options)s, separated by "
                                   "semicolons.", options=", ".join(enum))) from None
        return tuple(sorted(found))
    return parse


def _languages(value: str) -> tuple[str, ...]:
    codes = {part.lower() for part in split_list(value)}
    unknown = sorted(code for code in codes if code not in ISO_639_1)
    if unknown:
        raise ValueError(_("Not ISO 639-1 language codes: %(codes)s. Use two letters, "
                           "such as it, en, ar.", codes=", ".join(unknown)))
    return tuple(sorted(codes))


_phone = cells.checked_cell(PHONE_PATTERN.fullmatch, _l(
    "Write a phone number with digits, spaces and an optional +, such as 02 8846 1234."))


def _postal_code(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"\d{5}", value):
        raise ValueError(_("Write the five-digit postal code (CAP), such as 20121."))
    return value


_place_code = cells.checked_cell(PLACE_CODE_PATTERN.fullmatch, _l(
    "Write the ISTAT code of the municipality, such as 015146 for Milano."))


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in re.split("[:.]", text))
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    return time(hours, minutes)


def parse_hours(value: str) -> tuple[HoursRecord, ...]:
    """Opening hours written as "MO 09:00-12:30; WE 14:00-17:00" (RFC 5545 day codes)."""
    found: set[HoursRecord] = set()
    for part in split_list(value):
        match = HOURS_ENTRY.match(part)
        day = match.group(1).upper() if match else ""
        try:
            if not match or day not in DAY_CODES:
                raise ValueError(part)
            entry = HoursRecord(DAY_CODES.index(day), _clock(match.group(2)),
                                _clock(match.group(3)))
        except ValueError:
            raise ValueError(_("Write each opening as a day and two times, such as "
                               "\"MO 09:00-12:30; WE 14:00-17:00\" (days: %(days)s).",
                               days=" ".join(DAY_CODES))) from None
        if entry.opens >= entry.closes:
            raise ValueError(_("An opening must close after it opens (%(entry)s).",
                               entry=part))
        found.add(entry)
    hours = tuple(sorted(found))
    for earlier, later in itertools.pairwise(hours):
        if earlier.weekday == later.weekday and later.opens < earlier.closes:
            raise ValueError(_("Two openings on the same day overlap."))
    return hours


def format_hours(hours: tuple[HoursRecord, ...]) -> str:
    """Opening hours in the form ``parse_hours`` reads."""
    return f"{LIST_SEPARATOR} ".join(
        f"{DAY_CODES[h.weekday]} {h.opens:%H:%M}-{h.closes:%H:%M}" for h in hours)


def split_list(value: str) -> list[str]:
    """The non-empty parts of a list cell."""
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


PARSERS: dict[str, Parser] = {
    "organisation_id": _uid,
    "organisation_name": _text_cell(200),
    "organisation_kind": cells.member_cell(OrganisationKind, lower=True),
    "organisation_website": cells.url_cell,
    "organisation_email": cells.email_cell,
    "organisation_phone": _phone,
    "organisation_description": _text_cell(4000, required=False, lines=True),
    "service_id": _uid,
    "service_name": _text_cell(200),
    "service_description": _text_cell(4000, required=False, lines=True),
    "help": _members(HelpKind),
    "min_age": cells.integer_cell(MIN_AGE, MAX_AGE, required=False),
    "max_age": cells.integer_cell(MIN_AGE, MAX_AGE, required=False),
    "statuses": _members(EligibleStatus),
    "residence": _optional(cells.member_cell(Residence, lower=True)),
    "languages": _languages,
    "access": cells.member_cell(AccessMode, lower=True),
    "service_email": cells.email_cell,
    "service_phone": _phone,
    "service_website": cells.url_cell,
    "location_id": _uid,
    "location_name": _text_cell(200, required=False),
    "address": _text_cell(200),
    "postal_code": _postal_code,
    "city": _optional(_text_cell(100)),
    "municipio": cells.integer_cell(1, 9, required=False),
    "place_code": _place_code,
    "latitude": _decimal(-90, 90),
    "longitude": _decimal(-180, 180),
    "site_id": _uid,
    "hours": parse_hours,
    "hours_valid_from": _date,
    "hours_valid_to": _date,
}


def parse_cells(cells: Mapping[str, str], columns: tuple[str, ...]
                ) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse the ``columns`` of ``cells``: the values, and an error message per column."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for column in columns:
        try:
            values[column] = PARSERS[column](cells.get(column) or "")
        except ValueError as error:
            errors[column] = str(error)
    return values, errors
