"""The regional school calendar as a file: read a CSV or iCalendar file into holiday periods.

The formats are documented in docs/formats/school-calendar.md. Reading never writes: it
returns the periods and every problem found, by row (CSV line, or the line where an
iCalendar event begins) and column; ``services.availability.import_school_calendar`` saves them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import icalendar
from flask_babel import gettext as _

from orientamento.core import clock
from orientamento.core.imports import ErrorList, FileProblem, csv_delimiter, decode_upload
from orientamento.core.text import has_control_characters

#: Largest file accepted: a year's calendar is a few kilobytes.
MAX_CALENDAR_BYTES = 1024 * 1024
#: Most periods in one file, and most errors listed (the rest are counted).
MAX_PERIODS = 500
#: Longest period: the summer break is about 100 days.
MAX_PERIOD_DAYS = 120
MAX_NAME_LENGTH = 100
#: Dates outside these are mistakes (a year typed as 0226, a spreadsheet's day zero).
FIRST_ALLOWED_DAY = date(2000, 1, 1)
LAST_ALLOWED_DAY = date(2099, 12, 31)
CSV_COLUMNS = ("name", "first_day", "last_day")


@dataclass(frozen=True)
class CalendarPeriod:
    """A school holiday period: a name and its first and last Milan calendar days."""

    name: str
    first_day: date
    last_day: date


@dataclass
class CalendarReport(ErrorList):
    """What reading (and, when it had no error, importing) a calendar file found and did."""

    periods: list[CalendarPeriod] = field(default_factory=list)
    school_years: list[str] = field(default_factory=list)
    replaced: int = 0
    withdrawn: int = 0


def name_error(name: str) -> str | None:
    """What is wrong with a period's name, or None."""
    if not name:
        return _("Give the holiday a name.")
    if len(name) > MAX_NAME_LENGTH:
        return _("At most %(limit)d characters.", limit=MAX_NAME_LENGTH)
    if has_control_characters(name):
        return _("The name contains control characters (such as NUL or text-direction marks).")
    return None


def days_error(first_day: date, last_day: date) -> str | None:
    """What is wrong with a period's days, or None."""
    if first_day < FIRST_ALLOWED_DAY or last_day > LAST_ALLOWED_DAY:
        return _("Give days between %(first)s and %(last)s.",
                 first=FIRST_ALLOWED_DAY.isoformat(), last=LAST_ALLOWED_DAY.isoformat())
    if last_day < first_day:
        return _("The last day must not come before the first.")
    if (last_day - first_day).days + 1 > MAX_PERIOD_DAYS:
        return _("A period lasts at most %(days)d days.", days=MAX_PERIOD_DAYS)
    return None


# --- reading ----------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    text = decode_upload(data, MAX_CALENDAR_BYTES, nul_allowed=True)
    if not text.strip():
        raise FileProblem(_("The file is empty."))
    return text


def _csv_day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(_("Write a date as YYYY-MM-DD.")) from None


def _csv_periods(text: str, report: CalendarReport) -> Iterator[tuple[int, CalendarPeriod]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text),
                        strict=True)
    try:
        header = [cell.strip() for cell in next(reader, [])]
        missing = [c for c in CSV_COLUMNS if c not in header]
        if missing:
            raise FileProblem(_("Missing columns: %(columns)s.", columns=", ".join(missing)))
        unknown = [c for c in header if c not in CSV_COLUMNS]
        if unknown:
            raise FileProblem(_("Unknown columns: %(columns)s. The columns are name, first_day "
                                "and last_day.", columns=", ".join(unknown)))
        if len(header) != len(CSV_COLUMNS):
            raise FileProblem(_("A column appears twice in the header."))
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                report.add_error(reader.line_num, "", _(
                    "This row has %(found)d cells instead of %(expected)d.",
                    found=len(cells), expected=len(header)))
                continue
            row = dict(zip(header, cells, strict=True))
            days: dict[str, date] = {}
            problems: dict[str, str] = {}
            for column in ("first_day", "last_day"):
                try:
                    days[column] = _csv_day(row[column])
                except ValueError as error:
                    problems[column] = str(error)
            period = _check_period(reader.line_num, report, row["name"].strip(),
                                   days.get("first_day"), days.get("last_day"), CSV_COLUMNS,
                                   problems)
            if period is not None:
                yield reader.line_num, period
    except csv.Error as error:
        raise FileProblem(_("The CSV cannot be read near line %(line)d (%(problem)s).",
                            line=reader.line_num, problem=str(error))) from None


def _check_period(row: int, report: CalendarReport, name: str, first: date | None,
                  last: date | None, columns: tuple[str, str, str],
                  problems: dict[str, str]) -> CalendarPeriod | None:
    """The period of one row, or None after reporting its problems (those of the days given)."""
    name_column, _first_column, last_column = columns
    if (problem := name_error(name)) is not None:
        problems = {name_column: problem} | problems
    if first is not None and last is not None and (problem := days_error(first, last)):
        problems[last_column] = problem
    for column, message in problems.items():
        report.add_error(row, column, message)
    if problems or first is None or last is None:
        return None
    return CalendarPeriod(name, first, last)


def _dt(value: object) -> object:
    """The Python value of an iCalendar property; None when it could not be parsed."""
    try:
        return getattr(value, "dt", None)
    except ValueError:  # icalendar's broken property: the text did not parse
        return None


def _ics_value(event: icalendar.cal.Component, prop: str) -> date | None:
    """DTSTART/DTEND as a Milan calendar day value (a date, or a Milan datetime)."""
    if prop not in event:
        return None
    value = event[prop]
    moment = _dt(value)
    if not isinstance(moment, date):
        raise ValueError(_("Write the date as YYYYMMDD or the time as YYYYMMDDTHHMMSS."))
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            tzid = value.params.get("TZID") if hasattr(value, "params") else None
            if tzid:
                raise ValueError(_("Unknown time zone %(tzid)s.", tzid=str(tzid)))
            return moment.replace(tzinfo=clock.ROME)  # floating time: Milan's wall clock
        return moment.astimezone(clock.ROME)
    return moment


def _ics_days(event: icalendar.cal.Component) -> tuple[date, date]:
    """First and last Milan day of an event; DTEND (or DTSTART + DURATION) is exclusive."""
    start = _ics_value(event, "DTSTART")
    if start is None:
        raise ValueError(_("The event has no DTSTART."))
    try:
        end = _ics_value(event, "DTEND")
    except ValueError as error:
        raise _EndError(str(error)) from None
    if end is None and "DURATION" in event:
        duration = _dt(event["DURATION"])
        if not isinstance(duration, timedelta):
            raise _EndError(_("The DURATION cannot be read."))
        end = start + duration
    if end is None:
        return _first_day(start), _first_day(start)
    if isinstance(start, datetime) != isinstance(end, datetime):
        raise _EndError(_("DTSTART and DTEND must both be dates or both be date-times."))
    if end <= start:
        raise _EndError(_("The event ends before it starts."))
    if isinstance(end, datetime):
        return _first_day(start), (end - timedelta(microseconds=1)).date()
    return start, end - timedelta(days=1)


def _first_day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


class _EndError(ValueError):
    """A problem with the end of an event (reported in the DTEND column)."""


def _ics_periods(text: str, report: CalendarReport) -> Iterator[tuple[int, CalendarPeriod]]:
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError):
        calendar = None
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise FileProblem(_("The file cannot be read as iCalendar (RFC 5545): it must begin "
                            "with BEGIN:VCALENDAR and end with END:VCALENDAR."))
    starts = [number for number, line in enumerate(re.split(r"\r\n|\n|\r", text), start=1)
              if line.strip().upper() == "BEGIN:VEVENT"]
    for index, event in enumerate(calendar.walk("VEVENT")):
        row = starts[index] if index < len(starts) else 0
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if "RRULE" in event or "RDATE" in event:
            report.add_error(row, "RRULE", _("Repeating events are not supported: give each "
                                             "period as its own event."))
            continue
        period = _ics_period(row, event, report)
        if period is not None:
            yield row, period


def _ics_period(row: int, event: icalendar.cal.Component, report: CalendarReport
                ) -> CalendarPeriod | None:
    problems: dict[str, str] = {}
    first = last = None
    try:
        first, last = _ics_days(event)
    except _EndError as error:
        problems["DTEND"] = str(error)
    except ValueError as error:
        problems["DTSTART"] = str(error)
    return _check_period(row, report, str(event.get("SUMMARY", "")).strip(), first, last,
                         ("SUMMARY", "DTSTART", "DTEND"), problems)


def is_icalendar(text: str, filename: str) -> bool:
    """Whether a file is meant as iCalendar (by its name or its first line)."""
    return filename.lower().endswith((".ics", ".ical", ".ifb", ".icalendar")) or \
        text.lstrip().upper().startswith("BEGIN:VCALENDAR")


def read_calendar(data: bytes, filename: str = "") -> CalendarReport:
    """Read every period of a CSV or iCalendar file, with every problem by row and column."""
    report = CalendarReport()
    seen: dict[CalendarPeriod, int] = {}
    try:
        text = _decode(data)
        reader = _ics_periods if is_icalendar(text, filename) else _csv_periods
        for row, period in reader(text, report):
            if period in seen:
                report.add_error(row, "", _("The same period appears on row %(row)d.",
                                            row=seen[period]))
                continue
            seen[period] = row
            report.periods.append(period)
            if len(report.periods) > MAX_PERIODS:
                raise FileProblem(_("The file has more than %(limit)d periods.",
                                    limit=MAX_PERIODS))
    except FileProblem as problem:
        report.add_error(0, "", str(problem))
    if report.ok and not report.periods:
        report.add_error(0, "", _("The file has no holiday periods."))
    if not report.ok:
        report.periods.clear()
    return report

