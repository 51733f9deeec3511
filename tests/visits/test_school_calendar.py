"""The regional school calendar: CSV and iCalendar import, all or nothing, and what it closes."""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Iterator
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel import force_locale
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.errors import DomainError
from orientamento.extensions import db
from orientamento.visits.models import SchoolHoliday, VisitWindow
from orientamento.visits.school_calendar import (
    MAX_CALENDAR_BYTES,
    CalendarPeriod,
    read_calendar,
)
from orientamento.visits.services import availability
from orientamento.visits.services import visit_requests as visits
from tests.conftest import log_in
from tests.events.factories import school_day
from tests.visits.factories import requested, window

pytestmark = pytest.mark.calendar

UserFactory = Callable[..., User]

GOOD_CSV = (
    "name,first_day,last_day\n"
    "Ponte dei defunti,2026-11-02,2026-11-02\n"
    "Vacanze di Natale,2026-12-23,2027-01-06\n"
    "\"Carnevale ambrosiano, rito di Milano\",2027-02-11,2027-02-13\n"
    "Vacanze estive,2027-06-09,2027-09-12\n"
)

GOOD_ICS = (
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//Regione Lombardia//Calendario scolastico//IT\r\n"
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/Rome\r\n"
    "BEGIN:STANDARD\r\n"
    "DTSTART:19701025T030000\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\n"  # line 12
    "UID:natale-2026@example.org\r\n"
    "DTSTAMP:20260901T080000Z\r\n"
    "SUMMARY:Vacanze di Natale\r\n"
    "DTSTART;VALUE=DATE:20261223\r\n"
    "DTEND;VALUE=DATE:20270107\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:ponte-2026@example.org\r\n"
    "DTSTAMP:20260901T080000Z\r\n"
    "SUMMARY:Ponte dei defunti\r\n"
    "DTSTART;VALUE=DATE:20261102\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:pasqua-2027@example.org\r\n"
    "DTSTAMP:20260901T080000Z\r\n"
    "SUMMARY:Vacanze di Pasqua\r\n"
    "DTSTART;TZID=Europe/Rome:20270325T000000\r\n"
    "DTEND;TZID=Europe/Rome:20270331T000000\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:assemblea-2027@example.org\r\n"
    "DTSTAMP:20260901T080000Z\r\n"
    "SUMMARY:Chiusura per elezioni\r\n"
    "DTSTART:20270530T220000Z\r\n"
    "DTEND:20270531T120000Z\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:carnevale-2027@example.org\r\n"
    "DTSTAMP:20260901T080000Z\r\n"
    "SUMMARY:Carnevale ambrosiano\r\n"
    "DTSTART;VALUE=DATE:20270211\r\n"
    "DURATION:P3D\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:annullato@example.org\r\n"
    "DTSTAMP:20260901T080000Z\r\n"
    "SUMMARY:Annullato\r\n"
    "STATUS:CANCELLED\r\n"
    "DTSTART;VALUE=DATE:20270301\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


@pytest.fixture(autouse=True)
def _english(app: Flask) -> Iterator[None]:
    """Messages in English, as the assertions quote them."""
    with force_locale("en"):
        yield


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _periods(data: str | bytes, filename: str = "calendar.csv") -> list[tuple[str, date, date]]:
    report = read_calendar(data.encode() if isinstance(data, str) else data, filename)
    assert report.ok, report.errors
    return [(p.name, p.first_day, p.last_day) for p in report.periods]


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in(client, user)
    return client


def _upload(client: FlaskClient, data: str | bytes, filename: str = "calendar.csv"
            ) -> TestResponse:
    body = data.encode() if isinstance(data, str) else data
    return client.post("/events/holidays/import", data={"file": (io.BytesIO(body), filename)},
                       content_type="multipart/form-data")


# --------------------------------------------------------------------------- reading


def test_good_csv_is_read_with_comma_or_semicolon_with_or_without_bom(app: Flask) -> None:
    expected = [
        ("Ponte dei defunti", date(2026, 11, 2), date(2026, 11, 2)),
        ("Vacanze di Natale", date(2026, 12, 23), date(2027, 1, 6)),
        ("Carnevale ambrosiano, rito di Milano", date(2027, 2, 11), date(2027, 2, 13)),
        ("Vacanze estive", date(2027, 6, 9), date(2027, 9, 12)),
    ]
    assert _periods(GOOD_CSV) == expected
    semicolons = GOOD_CSV.replace(",", ";")
    assert _periods(("\ufeff" + semicolons).encode()) == [
        (name.replace(",", ";"), first, last) for name, first, last in expected]
    windows_lines = "last_day;name;first_day\r\n2026-11-02;Ponte;2026-11-02\r\n\r\n"
    assert _periods(windows_lines) == [("Ponte", date(2026, 11, 2), date(2026, 11, 2))]


def test_good_ics_reads_all_day_and_timed_events_with_dtend_exclusive(app: Flask) -> None:
    assert sorted(_periods(GOOD_ICS, "calendario.ics"), key=lambda p: p[1]) == [
        ("Ponte dei defunti", date(2026, 11, 2), date(2026, 11, 2)),  # no DTEND: one day
        ("Vacanze di Natale", date(2026, 12, 23), date(2027, 1, 6)),  # DTEND 7 Jan excluded
        ("Carnevale ambrosiano", date(2027, 2, 11), date(2027, 2, 13)),  # DURATION P3D
        ("Vacanze di Pasqua", date(2027, 3, 25), date(2027, 3, 30)),  # midnight end excluded
        # 22:00 UTC on 30 May is midnight in Milan: the closure is Milan's 31 May.
        ("Chiusura per elezioni", date(2027, 5, 31), date(2027, 5, 31)),
    ]


def test_an_ics_is_recognised_by_its_content_too(app: Flask) -> None:
    assert len(_periods(GOOD_ICS, "calendar.txt")) == 5


BAD_FILES = [
    pytest.param("nome,inizio,fine\nNatale,2026-12-23,2027-01-06\n", "c.csv",
                 (0, "", "Missing columns: name, first_day, last_day."), id="wrong-columns"),
    pytest.param("name,first_day,last_day,note\nNatale,2026-12-23,2027-01-06,x\n", "c.csv",
                 (0, "", "Unknown columns: note."), id="extra-column"),
    pytest.param("name,first_day,last_day\nPonte,2026-11-02,2026-11-02\n"
                 "Natale,23/12/2026,2027-01-06\n", "c.csv",
                 (3, "first_day", "Write a date as YYYY-MM-DD."), id="bad-date-on-row-3"),
    pytest.param("name,first_day,last_day\nNatale,2027-01-06,2026-12-23\n", "c.csv",
                 (2, "last_day", "The last day must not come before the first."),
                 id="reversed-range"),
    pytest.param("name,first_day,last_day\nEstate,2027-06-09,2027-12-31\n", "c.csv",
                 (2, "last_day", "A period lasts at most 120 days."), id="too-long"),
    pytest.param("name,first_day,last_day\nNa\x00tale,2026-12-23,2027-01-06\n", "c.csv",
                 (2, "name", "The name contains control characters"), id="nul-in-name"),
    pytest.param("name,first_day,last_day\nNatale\u202e,2026-12-23,2027-01-06\n", "c.csv",
                 (2, "name", "The name contains control characters"), id="bidi-in-name"),
    pytest.param("name,first_day,last_day\n,2026-12-23,2027-01-06\n", "c.csv",
                 (2, "name", "Give the holiday a name."), id="empty-name"),
    pytest.param("name,first_day,last_day\nNatale,0226-12-23,2027-01-06\n", "c.csv",
                 (2, "last_day", "Give days between 2000-01-01 and 2099-12-31."),
                 id="year-out-of-range"),
    pytest.param("name,first_day,last_day\nPonte,2026-11-02\n", "c.csv",
                 (2, "", "This row has 2 cells instead of 3."), id="short-row"),
    pytest.param("name,first_day,last_day\nPonte,2026-11-02,2026-11-02\n"
                 "Ponte,2026-11-02,2026-11-02\n", "c.csv",
                 (3, "", "The same period appears on row 2."), id="duplicate"),
    pytest.param("name,name,first_day,last_day\nA,B,2026-11-02,2026-11-02\n", "c.csv",
                 (0, "", "A column appears twice in the header."), id="twice"),
    pytest.param("", "c.csv", (0, "", "The file is empty."), id="empty-file"),
    pytest.param("\ufeff \r\n", "c.ics", (0, "", "The file is empty."), id="blank-file"),
    pytest.param("name,first_day,last_day\n", "c.csv",
                 (0, "", "The file has no holiday periods."), id="header-only"),
    pytest.param(b"\xff\xfen\x00a\x00", "c.csv", (0, "", "The file is not UTF-8 text"),
                 id="not-utf8"),
    pytest.param("Questo non è un calendario.\n", "c.ics",
                 (0, "", "The file cannot be read as iCalendar"), id="not-an-ics"),
    pytest.param("BEGIN:VEVENT\r\nSUMMARY:x\r\nDTSTART;VALUE=DATE:20261102\r\nEND:VEVENT\r\n",
                 "c.ics", (0, "", "The file cannot be read as iCalendar"), id="no-vcalendar"),
    pytest.param(GOOD_ICS.replace("DTSTART;VALUE=DATE:20261102\r\n", ""), "c.ics",
                 (19, "DTSTART", "The event has no DTSTART."), id="ics-event-without-date"),
    pytest.param(GOOD_ICS.replace("DTEND;VALUE=DATE:20270107", "DTEND;VALUE=DATE:20261201"),
                 "c.ics", (12, "DTEND", "The event ends before it starts."),
                 id="ics-reversed"),
    pytest.param(GOOD_ICS.replace("DTSTART;VALUE=DATE:20261223", "DTSTART;VALUE=DATE:2026XX23"),
                 "c.ics", (12, "DTSTART", "Write the date as YYYYMMDD"), id="ics-bad-date"),
    pytest.param(GOOD_ICS.replace("SUMMARY:Vacanze di Natale", "SUMMARY:Vacanze\u2066 di Natale"),
                 "c.ics", (12, "SUMMARY", "The name contains control characters"),
                 id="ics-bidi-summary"),
    pytest.param(GOOD_ICS.replace("DTEND;VALUE=DATE:20270107", "DTEND;VALUE=DATE:20270907"),
                 "c.ics", (12, "DTEND", "A period lasts at most 120 days."), id="ics-too-long"),
    pytest.param(GOOD_ICS.replace("TZID=Europe/Rome:20270325", "TZID=Mars/Olympus:20270325"),
                 "c.ics", (25, "DTSTART", "Unknown time zone Mars/Olympus."),
                 id="ics-unknown-zone"),
    pytest.param(GOOD_ICS.replace("DTSTART;VALUE=DATE:20261102\r\n",
                                  "DTSTART;VALUE=DATE:20261102\r\nRRULE:FREQ=YEARLY\r\n"),
                 "c.ics", (19, "RRULE", "Repeating events are not supported"), id="ics-rrule"),
    pytest.param("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "c.ics",
                 (0, "", "The file has no holiday periods."), id="ics-without-events"),
    pytest.param(b"name,first_day,last_day\n" + b"x" * MAX_CALENDAR_BYTES, "c.csv",
                 (0, "", "The file is larger than 1 MB."), id="too-large"),
]


@pytest.mark.parametrize(("data", "filename", "expected"), BAD_FILES)
def test_bad_files_are_refused_with_the_row_and_column(
        app: Flask, data: str | bytes, filename: str, expected: tuple[int, str, str]) -> None:
    report = read_calendar(data.encode() if isinstance(data, str) else data, filename)
    assert not report.ok and report.periods == []
    row, column, message = expected
    assert any(e.row == row and e.column == column and e.message.startswith(message)
               for e in report.errors), report.errors


@pytest.mark.parametrize(("data", "filename", "expected"), BAD_FILES)
def test_a_bad_file_changes_nothing(app: Flask, data: str | bytes, filename: str,
                                    expected: tuple[int, str, str]) -> None:
    availability.add_school_holiday("Chiusura esistente", date(2026, 12, 24), date(2026, 12, 24))
    db.session.commit()
    report = availability.import_school_calendar(
        data.encode() if isinstance(data, str) else data, filename)
    db.session.rollback()
    assert not report.ok
    assert db.session.scalars(select(SchoolHoliday.name)).all() == ["Chiusura esistente"]


def test_every_error_of_a_file_is_listed(app: Flask) -> None:
    data = ("name,first_day,last_day\n"
            "Ponte,2026-11-02,2026-11-02\n"
            ",2026-11-30,2026-11-29\n"
            "Natale,2026-12-23,domani\n")
    report = read_calendar(data.encode(), "c.csv")
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "name"), (3, "last_day"), (4, "last_day")]


def test_garbage_never_raises(app: Flask) -> None:
    @settings(max_examples=150, deadline=None)
    @given(st.binary(max_size=400), st.sampled_from(["c.csv", "c.ics", ""]))
    def bytes_in(data: bytes, filename: str) -> None:
        report = read_calendar(data, filename)
        assert report.ok == bool(report.periods)

    line = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"),
                   max_size=40)
    prop = st.sampled_from(["DTSTART", "DTSTART;VALUE=DATE", "DTEND", "DTEND;TZID=Europe/Rome",
                            "DURATION", "SUMMARY", "RRULE", "STATUS"])

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.tuples(prop, line), max_size=6))
    def ics_in(props: list[tuple[str, str]]) -> None:
        body = "".join(f"{name}:{value}\r\n" for name, value in props)
        data = f"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n{body}END:VEVENT\r\nEND:VCALENDAR\r\n"
        report = read_calendar(data.encode(), "c.ics")
        assert report.ok == bool(report.periods)
        assert all(isinstance(e.message, str) and e.message for e in report.errors)

    bytes_in()
    ics_in()


# --------------------------------------------------------------------------- importing


def test_import_replaces_the_school_years_it_covers_and_no_other(app: Flask) -> None:
    availability.add_school_holiday("A mano 2026/27", date(2026, 10, 5), date(2026, 10, 5))
    availability.add_school_holiday("A mano 2027/28", date(2027, 10, 4), date(2027, 10, 4))
    availability.add_school_holiday("A mano 2025/26", date(2026, 6, 1), date(2026, 6, 1))
    db.session.commit()
    report = availability.import_school_calendar(GOOD_CSV.encode(), "c.csv")
    db.session.commit()
    assert report.ok and report.replaced == 1 and report.school_years == ["2026/2027"]
    names = set(db.session.scalars(select(SchoolHoliday.name)))
    assert names == {"A mano 2027/28", "A mano 2025/26", "Ponte dei defunti",
                     "Vacanze di Natale", "Carnevale ambrosiano, rito di Milano",
                     "Vacanze estive"}
    again = availability.import_school_calendar(GOOD_CSV.encode(), "c.csv")
    db.session.commit()
    assert again.replaced == 4 and _count(SchoolHoliday) == 6  # re-importing adds nothing


def test_single_period_form_refuses_what_the_import_refuses(app: Flask) -> None:
    with pytest.raises(DomainError, match="control characters"):
        availability.add_school_holiday("Ponte\x00", date(2026, 11, 2), date(2026, 11, 2))
    with pytest.raises(DomainError, match="at most 120 days"):
        availability.add_school_holiday("Estate", date(2027, 6, 1), date(2027, 12, 1))


def _calendar_around(day: date, name: str = "Chiusura regionale") -> str:
    return f"name,first_day,last_day\n{name},{day.isoformat()},{day.isoformat()}\n"


def test_import_withdraws_free_windows_and_keeps_asked_for_ones(
        make_user: UserFactory, make_class: Callable[..., SchoolClass],
        reference_data: None) -> None:
    staff = make_user(Role.PROVIDER)
    day = school_day(clock.today() + timedelta(days=20))
    free = window([staff], day, start=time(9), end=time(11))
    asked = window([staff], day, start=time(14), end=time(16))
    later = window([staff], school_day(day + timedelta(days=1)))
    counsellor = make_user(Role.COUNSELLOR)
    requested(counsellor, asked, [make_class(counsellor)])
    report = availability.import_school_calendar(_calendar_around(day).encode(), "c.csv")
    db.session.commit()
    assert report.ok and report.withdrawn == 1
    remaining = set(db.session.scalars(select(VisitWindow.id)))
    assert free.id not in remaining and {asked.id, later.id} <= remaining


# --------------------------------------------------------------------------- the page


def test_admin_uploads_a_calendar_and_sees_it_by_school_year(
        app: Flask, make_user: UserFactory, reference_data: None) -> None:
    staff = make_user(Role.PROVIDER)
    day = school_day(clock.today() + timedelta(days=20))
    window([staff], day)
    client = _client(app, make_user(Role.ADMIN))
    empty = client.get("/events/holidays")
    assert empty.status_code == 200 and "No school holiday entered yet." in empty.text
    # The window's day may fall in one of GOOD_CSV's periods too: it is withdrawn once.
    response = _upload(client, GOOD_CSV + _calendar_around(day).split("\n", 1)[1])
    assert response.status_code == 302
    page = client.get("/events/holidays")
    text = html.unescape(page.text)
    assert "School calendar imported for" in text and "1 free windows withdrawn" in text
    assert _count(VisitWindow) == 0
    assert "Chiusura regionale" in text and "Import the regional school calendar" in text
    assert "replaces every period of the school years the file covers" in text
    assert "School year 2026/2027" in text
    # Date order within the year: the November bridge before Christmas.
    assert text.index("Ponte dei defunti") < text.index("Vacanze di Natale")


def test_a_refused_upload_shows_the_error_table_and_changes_nothing(
        app: Flask, make_user: UserFactory) -> None:
    client = _client(app, make_user(Role.ADMIN))
    bad = ("name,first_day,last_day\nPonte,2026-11-02,2026-11-02\n"
           "Natale,23/12/2026,2027-01-06\n")
    response = _upload(client, bad)
    assert response.status_code == 422
    text = html.unescape(response.text)
    assert "1 error: nothing was imported." in text
    assert "<td>3</td>" in text and "first_day" in text and "Write a date as YYYY-MM-DD." in text
    assert _count(SchoolHoliday) == 0
    missing = client.post("/events/holidays/import", data={},
                          content_type="multipart/form-data")
    assert missing.status_code == 400 and "Choose a file." in missing.text


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.PROVIDER, Role.STUDENT, Role.OUTREACH])
def test_only_the_admin_imports_a_calendar(app: Flask, make_user: UserFactory,
                                           role: Role) -> None:
    client = _client(app, make_user(role))
    assert _upload(client, GOOD_CSV).status_code == 403
    assert client.get("/events/holidays").status_code == 403
    anonymous = app.test_client().post("/events/holidays/import")
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    assert _count(SchoolHoliday) == 0


def test_admin_removes_a_period(app: Flask, make_user: UserFactory) -> None:
    availability.add_school_holiday("Ponte", date(2026, 11, 2), date(2026, 11, 2))
    db.session.commit()
    holiday = db.session.scalar(select(SchoolHoliday))
    assert holiday is not None
    client = _client(app, make_user(Role.ADMIN))
    page = client.get("/events/holidays").text
    assert "data-confirm" in page and f"/events/holidays/{holiday.id}/delete" in page
    assert client.post(f"/events/holidays/{holiday.id}/delete").status_code == 302
    assert _count(SchoolHoliday) == 0


# --------------------------------------------------------------------------- the command


def test_cli_imports_a_file_or_lists_its_errors(runner: FlaskCliRunner, tmp_path: Path) -> None:
    good = tmp_path / "calendario.ics"
    good.write_text(GOOD_ICS, encoding="utf-8")
    result = runner.invoke(args=["visits", "import-holidays", str(good)])
    assert result.exit_code == 0, result.output
    assert "5 periods imported for 2026/2027" in result.output
    bad = tmp_path / "calendario.csv"
    bad.write_text("name,first_day,last_day\nNatale,2027-01-06,2026-12-23\n", encoding="utf-8")
    refused = runner.invoke(args=["visits", "import-holidays", str(bad)])
    assert refused.exit_code == 1 and "row 2, last_day" in refused.output
    assert _count(SchoolHoliday) == 5
    # The command's earlier name still works (cron jobs written before visits had its group).
    again = runner.invoke(args=["events", "import-holidays", str(good)])
    assert again.exit_code == 0, again.output
    assert "5 periods imported for 2026/2027 (5 earlier periods replaced" in again.output
    assert _count(SchoolHoliday) == 5


# --------------------------------------------------------------------------- visits say so


def test_visit_on_a_school_holiday_is_refused_naming_it(
        make_user: UserFactory, make_class: Callable[..., SchoolClass],
        reference_data: None) -> None:
    staff = make_user(Role.PROVIDER)
    day = school_day(clock.today() + timedelta(days=20))
    slot = window([staff], day, max_visits=3)
    first = make_user(Role.COUNSELLOR)
    visit = requested(first, slot, [make_class(first)])  # keeps the window open
    holiday = CalendarPeriod("Chiusura per elezioni", day, day)
    availability.save_school_calendar([holiday])
    db.session.commit()
    second = make_user(Role.COUNSELLOR)
    with pytest.raises(DomainError, match=f"No visits on {day.isoformat()}: "
                                          "Chiusura per elezioni."):
        visits.request_visit(second, slot, {make_class(second).id: 10}, "in_person",
                             slot.starts_at, slot.starts_at + timedelta(hours=1), "")
    other = school_day(day)
    availability.save_school_calendar([CalendarPeriod("Ponte regionale", other, other)])
    with pytest.raises(DomainError, match=f"No visits on {other.isoformat()}: Ponte regionale."):
        visits.propose_time(staff, visit, clock.rome_datetime(other, time(9)),
                            clock.rome_datetime(other, time(10)), "", [staff.id])
