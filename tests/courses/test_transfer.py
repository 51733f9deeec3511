"""Catalogue import (dry run, all or nothing, bad files) and export, by function, web and CLI."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from orientamento.auth.models import Role
from orientamento.courses.models import Course, CourseSite, Occupation, course_occupations
from orientamento.courses.records import COLUMNS, REQUIRED_COLUMNS
from orientamento.courses.transfer import (
    MAX_IMPORT_BYTES,
    ImportReport,
    export_csv,
    export_json,
    import_catalogue,
)
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from tests.conftest import COURSE_CELLS

MILANO, SESTO = "015146", "015209"


# --- helpers --------------------------------------------------------------------------------

@pytest.fixture
def en(app: Flask) -> Iterator[None]:
    """A request context in English: gettext needs one, and messages are then the msgids."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def providers(reference_data: None, make_provider: Callable[..., Provider]) -> None:
    """Two providers, ENTE-A and ENTE-B, and the reference tables."""
    make_provider(code="ENTE-A", name="Fondazione A")
    make_provider(code="ENTE-B", name="Centro B")


def first_occupation_code() -> str:
    code = db.session.scalars(select(Occupation.cp2021).order_by(Occupation.cp2021)).first()
    assert code, "the occupations reference table is empty"
    return code


def row(provider: str = "ENTE-A", code: str = "C-1", **cells: str) -> dict[str, str]:
    """Catalogue cells of one course (the shared test course with ``cells``)."""
    return COURSE_CELLS | {"provider_code": provider, "course_code": code} | cells


def csv_bytes(*rows: dict[str, str], columns: tuple[str, ...] | list[str] = COLUMNS) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n",
                            extrasaction="ignore")
    writer.writeheader()
    for cells in rows:
        writer.writerow({c: cells.get(c, "") for c in columns})
    return out.getvalue().encode("utf-8")


def counts() -> tuple[int, int, int]:
    """Rows in the courses, course_sites and course_occupations tables."""
    return (db.session.scalar(select(func.count()).select_from(Course)) or 0,
            db.session.scalar(select(func.count()).select_from(CourseSite)) or 0,
            db.session.scalar(select(func.count()).select_from(course_occupations)) or 0)


def tally(report: ImportReport) -> tuple[int, int, int, int]:
    return report.rows, report.created, report.updated, report.unchanged


def course(provider: str, code: str) -> Course:
    db.session.expire_all()
    found = db.session.scalar(select(Course).join(Provider).where(
        Provider.code == provider, Course.code == code))
    assert found is not None
    return found


def imported(data: bytes, filename: str = "cat.csv") -> ImportReport:
    """Import for real and commit; the file must be valid."""
    report = import_catalogue(data, filename, dry_run=False)
    assert report.ok, report.errors
    db.session.commit()
    return report


def sample_file() -> bytes:
    """Three courses of two providers, with several sites, an occupation and translations."""
    return csv_bytes(
        row("ENTE-A", "ITS-1", title="Tecnico meccatronico", occupation_codes=first_occupation_code(),
            title_en="Mechatronics technician", description_ar="وصف"),
        row("ENTE-A", "IEFP-2", kind="iefp_qualifica", area="iefp_mechanics", eqf_level="3",
            title="Operatore meccanico", site_addresses="Via Uno 1|Via Due 2",
            site_place_codes=f"{MILANO}|{SESTO}", site_latitudes="45.4642|45.535",
            site_longitudes="9.19|9.237", seats="", start_date="", application_deadline=""),
        row("ENTE-B", "ITS-1", title="Tecnico per l'energia", area="energy", cost_eur="1200.50",
            status="archived", contact_phone="'+39 02 555", web_url=""),
    )


# --- dry run and real import ----------------------------------------------------------------

def test_dry_run_reports_counts_and_writes_nothing(en: None, providers: None) -> None:
    imported(csv_bytes(row(code="SAME"), row(code="CHANGED")))
    before = counts()
    data = csv_bytes(row(code="SAME"), row(code="CHANGED", hours="1800"), row(code="NEW"),
                     row("ENTE-B", "NEW"))
    report = import_catalogue(data, "cat.csv", dry_run=True)
    assert report.ok and report.errors == []
    assert report.dry_run
    assert tally(report) == (4, 2, 1, 1)
    assert counts() == before
    db.session.rollback()
    assert counts() == before
    assert course("ENTE-A", "CHANGED").hours == 2000


def test_import_creates_then_reports_unchanged_then_one_update(en: None, providers: None) -> None:
    data = sample_file()
    report = imported(data)
    assert tally(report) == (3, 3, 0, 0)
    assert counts() == (3, 4, 1)
    its = course("ENTE-A", "ITS-1")
    assert its.title == "Tecnico meccatronico"
    assert its.translations == {"en": {"title": "Mechatronics technician"},
                                "ar": {"description": "وصف"}}
    assert [o.cp2021 for o in its.occupations] == [first_occupation_code()]
    assert [(s.address, s.place_code) for s in course("ENTE-A", "IEFP-2").sites] == [
        ("Via Uno 1", MILANO), ("Via Due 2", SESTO)]
    energy = course("ENTE-B", "ITS-1")
    assert (energy.cost_cents, energy.status, energy.contact_phone) == (120050, "archived",
                                                                       "+39 02 555")

    again = imported(data)
    assert tally(again) == (3, 0, 0, 3)
    assert counts() == (3, 4, 1)

    changed = data.replace(b"Operatore meccanico", b"Operatore meccanico industriale")
    report = imported(changed)
    assert tally(report) == (3, 0, 1, 2)
    assert course("ENTE-A", "IEFP-2").title == "Operatore meccanico industriale"
    assert counts() == (3, 4, 1)


def test_update_changes_sites_and_occupations_in_place(en: None, providers: None) -> None:
    imported(csv_bytes(row(site_addresses="Via Uno|Via Due", site_place_codes=f"{MILANO}|{SESTO}",
                           site_latitudes="45.1|45.2", site_longitudes="9.1|9.2",
                           occupation_codes=first_occupation_code())))
    report = imported(csv_bytes(row(site_addresses="Piazza Tre", site_place_codes=SESTO,
                                    site_latitudes="45.3", site_longitudes="9.3")))
    assert tally(report) == (1, 0, 1, 0)
    updated = course("ENTE-A", "C-1")
    assert [(s.address, s.place_code, s.latitude) for s in updated.sites] == [
        ("Piazza Tre", SESTO, 45.3)]
    assert updated.occupations == []
    assert counts() == (1, 1, 0)
    report = imported(csv_bytes(row(site_addresses="A|B|C", site_place_codes=f"{MILANO}|{SESTO}|{MILANO}",
                                    site_latitudes="45.1|45.2|45.3", site_longitudes="9.1|9.2|9.3")))
    assert tally(report) == (1, 0, 1, 0)
    assert [s.address for s in course("ENTE-A", "C-1").sites] == ["A", "B", "C"]


def test_import_is_keyed_on_provider_and_course_code(en: None, providers: None) -> None:
    imported(csv_bytes(row("ENTE-A", "X-1"), row("ENTE-B", "X-1")))
    assert counts()[0] == 2
    report = imported(csv_bytes(row("ENTE-B", "X-1", title="Altro titolo"), row("ENTE-A", "X-2")))
    assert tally(report) == (2, 1, 1, 0)
    assert course("ENTE-A", "X-1").title == COURSE_CELLS["title"]
    assert course("ENTE-B", "X-1").title == "Altro titolo"
    assert counts()[0] == 3


def test_occupations_listed_out_of_order_are_unchanged_on_reimport(en: None,
                                                                   providers: None) -> None:
    codes = list(db.session.scalars(select(Occupation.cp2021).order_by(Occupation.cp2021)))[:2]
    if len(codes) < 2:
        pytest.skip("needs two occupations")
    data = csv_bytes(row(occupation_codes="|".join(reversed(codes))))
    imported(data)
    assert tally(import_catalogue(data, "cat.csv", dry_run=True)) == (1, 0, 0, 1)


def test_occupation_code_listed_twice_is_an_error_or_merged(en: None, providers: None) -> None:
    code = first_occupation_code()
    data = csv_bytes(row(occupation_codes=f"{code}|{code}"))
    report = import_catalogue(data, "cat.csv", dry_run=False)
    if report.ok:
        db.session.commit()
        assert counts() == (1, 1, 1)
    else:
        assert report.errors[0].column == "occupation_codes"


# --- all or nothing and row errors ----------------------------------------------------------

def test_one_bad_row_among_good_ones_writes_nothing(en: None, providers: None) -> None:
    data = csv_bytes(row(code="GOOD-1"), row(code="GOOD-2", description="Riga uno\nriga due"),
                     row(code="BAD", hours="molte"), row(code="GOOD-3"))
    report = import_catalogue(data, "cat.csv", dry_run=False)
    assert not report.ok
    # The header is line 1; GOOD-2's description spans lines 3 and 4.
    assert [(e.row, e.column) for e in report.errors] == [(5, "hours")]
    assert "whole number" in report.errors[0].message
    assert report.error_count == 1
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert counts() == (0, 0, 0)
    db.session.rollback()
    assert counts() == (0, 0, 0)


def test_a_bad_row_also_blocks_updates(en: None, providers: None) -> None:
    imported(csv_bytes(row(code="KEEP")))
    report = import_catalogue(csv_bytes(row(code="KEEP", title="Nuovo"),
                                        row(code="BAD", kind="liceo")), "cat.csv", dry_run=False)
    assert [(e.row, e.column) for e in report.errors] == [(3, "kind")]
    db.session.rollback()
    assert course("ENTE-A", "KEEP").title == COURSE_CELLS["title"]


def test_every_row_error_is_listed(en: None, providers: None) -> None:
    data = csv_bytes(row(code="A", hours="x", web_url="ftp://x.org"), row(code="B"),
                     row(code="C", eqf_level="3"))
    report = import_catalogue(data, "cat.csv", dry_run=True)
    assert sorted((e.row, e.column) for e in report.errors) == [
        (2, "hours"), (2, "web_url"), (4, "eqf_level")]
    assert report.error_count == 3


@pytest.mark.parametrize(("cells", "column", "fragment"), [
    ({"provider_code": "ENTE-Z"}, "provider_code", "provider"),
    ({"site_place_codes": "999999"}, "site_place_codes", "999999"),
    ({"site_addresses": "Via A|Via B", "site_place_codes": f"{SESTO}|015999",
      "site_latitudes": "45.1|45.2", "site_longitudes": "9.1|9.2"}, "site_place_codes", "015999"),
    ({"occupation_codes": "9.9.9.9.9"}, "occupation_codes", "9.9.9.9.9"),
])
def test_unknown_references_are_row_errors(en: None, providers: None, cells: dict[str, str],
                                           column: str, fragment: str) -> None:
    data = csv_bytes(row(code="OK"), row(code="UNKNOWN") | cells)
    report = import_catalogue(data, "cat.csv", dry_run=False)
    assert [(e.row, e.column) for e in report.errors] == [(3, column)]
    assert fragment in report.errors[0].message
    assert counts() == (0, 0, 0)


def test_the_same_course_twice_is_an_error(en: None, providers: None) -> None:
    data = csv_bytes(row(code="TWICE"), row("ENTE-B", "TWICE"), row(code="TWICE", hours="10"))
    report = import_catalogue(data, "cat.csv", dry_run=False)
    assert [(e.row, e.column) for e in report.errors] == [(4, "course_code")]
    assert "row 2" in report.errors[0].message
    assert counts() == (0, 0, 0)


def test_bare_formula_in_a_cell_is_a_row_error(en: None, providers: None) -> None:
    report = import_catalogue(csv_bytes(row(title="=cmd|' /C calc'!A0")), "cat.csv")
    assert [(e.row, e.column) for e in report.errors] == [(2, "title")]
    assert "apostrophe" in report.errors[0].message


# --- bad files ------------------------------------------------------------------------------

GOOD_LINE = csv_bytes(row()).split(b"\r\n", 1)[1]
HEADER = ",".join(COLUMNS).encode() + b"\r\n"


def _without(*names: str) -> bytes:
    columns = [c for c in COLUMNS if c not in names]
    return csv_bytes(row(), columns=columns)


BAD_FILES: list[tuple[str, bytes, str, tuple[str, ...]]] = [
    ("latin1", csv_bytes(row(title="Attività è già qui")).decode().encode("latin-1"), "cat.csv",
     ("UTF-8",)),
    ("missing-columns", _without("title", "hours", "riasec_c"), "cat.csv",
     ("title", "hours", "riasec_c")),
    ("unknown-column", csv_bytes(row() | {"colour": "blu"}, columns=[*COLUMNS, "colour"]),
     "cat.csv", ("colour",)),
    ("duplicate-column", csv_bytes(row(), columns=[*COLUMNS, "title"]), "cat.csv", ("twice",)),
    ("unclosed-quote", HEADER + GOOD_LINE + b'ENTE-A,"C-2,its\r\n', "cat.csv", ("line",)),
    ("stray-quote", HEADER + b'ENTE-A,"C-2"x,its\r\n', "cat.csv", ("line",)),
    ("extra-cells", HEADER + GOOD_LINE + GOOD_LINE.rstrip(b"\r\n") + b",extra\r\n", "cat.csv",
     ("Line 3", "more cells")),
    ("empty", b"", "cat.csv", ("Missing columns",)),
    ("blank", b"\r\n\r\n  \r\n", "cat.csv", ("Missing columns",)),
    ("header-only", HEADER, "cat.csv", ("no courses",)),
    ("nul-bytes", b"provider_code\x00\x01\x02\x03course_code\x00", "cat.csv", ("binary",)),
    ("binary-junk", bytes(range(256)) * 4, "cat.csv", ("UTF-8",)),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "cat.png", ("UTF-8",)),
    ("too-large", HEADER + GOOD_LINE * (6 * 1024 * 1024 // len(GOOD_LINE)), "cat.csv", ("5 MB",)),
    ("json-object", b'{"provider_code": "ENTE-A"}', "cat.json", ("list",)),
    ("json-number", b"42", "cat.json", ("list",)),
    ("json-courses-not-list", b'{"courses": {"a": 1}}', "cat.json", ("list",)),
    ("json-malformed", b'[{"provider_code": "ENTE-A",', "cat.json", ("JSON",)),
    ("json-trailing-comma", b'[{"provider_code": "ENTE-A"},]', "cat.json", ("JSON",)),
    ("json-not-objects", b"[1, 2, 3]", "cat.json", ("object",)),
    ("json-deep", b"[" * 100_000 + b"]" * 100_000, "cat.json", ("JSON",)),
    ("json-empty-list", b"[]", "cat.json", ("no courses",)),
]


@pytest.mark.parametrize(("data", "filename", "fragments"),
                         [pytest.param(d, f, m, id=i) for i, d, f, m in BAD_FILES])
def test_bad_files_give_a_file_error_and_write_nothing(
        en: None, providers: None, data: bytes, filename: str, fragments: tuple[str, ...]) -> None:
    report = import_catalogue(data, filename, dry_run=False)
    assert not report.ok
    assert report.errors[0].row == 0
    assert report.errors[0].column == ""
    for fragment in fragments:
        assert fragment in report.errors[0].message
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert counts() == (0, 0, 0)


def test_missing_columns_message_lists_every_missing_required_column(en: None,
                                                                     providers: None) -> None:
    report = import_catalogue(b"provider_code,course_code,title\r\nENTE-A,C-1,T\r\n", "cat.csv")
    message = report.errors[0].message
    for column in REQUIRED_COLUMNS:
        if column not in ("provider_code", "course_code", "title"):
            assert column in message


def test_a_file_without_the_status_column_is_a_file_error(en: None, providers: None) -> None:
    report = import_catalogue(_without("status"), "cat.csv")
    assert [(e.row, e.column) for e in report.errors] == [(0, "")]
    assert "status" in report.errors[0].message


def test_optional_columns_may_be_left_out(en: None, providers: None) -> None:
    report = import_catalogue(csv_bytes(row(), columns=list(REQUIRED_COLUMNS)),
                              "cat.csv", dry_run=False)
    assert report.ok, report.errors
    db.session.commit()
    created = course("ENTE-A", "C-1")
    assert (created.description, created.seats, created.contact_email, created.status) == (
        "", None, None, "active")


def test_a_utf8_bom_is_accepted(en: None, providers: None) -> None:
    data = b"\xef\xbb\xbf" + csv_bytes(row(title="Attività già èè"))
    report = imported(data)
    assert tally(report) == (1, 1, 0, 0)
    assert course("ENTE-A", "C-1").title == "Attività già èè"


def test_a_semicolon_csv_with_a_bom_from_italian_excel_is_imported(en: None,
                                                                  providers: None) -> None:
    """Italian Excel's "CSV UTF-8": a BOM, semicolons, decimal commas, CRLF line ends."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(row(title="Tecnico; meccatronico, serale", cost_eur="150,50",
                        site_latitudes="45,4642", site_longitudes="9,19", riasec_r="0,9",
                        description="Robot, sensori; linee\ndi produzione."))
    writer.writerow(row(code="C-2", title="Operatore", seats=""))
    data = b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
    assert data.count(b",") < data.count(b";")
    report = imported(data)
    assert tally(report) == (2, 2, 0, 0)
    first = course("ENTE-A", "C-1")
    assert first.title == "Tecnico; meccatronico, serale"
    assert first.description == "Robot, sensori; linee\ndi produzione."
    assert first.cost_cents == 15050 and first.sites[0].latitude == pytest.approx(45.4642)
    assert first.riasec_r == pytest.approx(0.9)
    # Exported (with commas) and imported again: unchanged.
    assert tally(imported(export_csv().encode("utf-8"))) == (2, 0, 0, 2)


def test_the_delimiter_is_read_from_the_header_line(en: None, providers: None) -> None:
    from orientamento.core.imports import csv_delimiter

    assert csv_delimiter("a,b,c\r\n1;2;3;4\r\n") == ","
    assert csv_delimiter("\ufeffa;b;c\r\n1,2,3,4,5\r\n") == ";"
    assert csv_delimiter("a;b,c;d\n") == ";"
    assert csv_delimiter("") == ","
    # A semicolon file whose header is incomplete is refused for its columns, not misread.
    report = import_catalogue(b"provider_code;course_code;title\r\nENTE-A;C-1;T\r\n", "c.csv")
    assert not report.ok and "Missing columns" in report.errors[0].message
    assert "provider_code" not in report.errors[0].message


def test_a_file_of_exactly_the_size_limit_is_read(en: None, providers: None) -> None:
    body = HEADER + GOOD_LINE
    data = body + b"\r\n" * ((MAX_IMPORT_BYTES - len(body)) // 2)
    data += b"\n" * (MAX_IMPORT_BYTES - len(data))
    assert len(data) == MAX_IMPORT_BYTES
    report = import_catalogue(data, "cat.csv")
    assert report.ok, report.errors[:3]
    assert report.rows == 1


def test_json_with_odd_translations_is_an_error_not_a_crash(en: None, providers: None) -> None:
    item = {**row(), "translations": {"en": "Mechatronics"}}
    report = import_catalogue(json.dumps([item]).encode(), "cat.json")
    assert not report.ok or report.created == 1


# --- export and round trips -----------------------------------------------------------------

def _catalogue_with_awkward_values() -> None:
    imported(sample_file())
    formula = course("ENTE-A", "ITS-1")
    formula.title = "=1+1"
    formula.description = "@SUM(A1:A2)\nseconda riga, con \"virgolette\""
    formula.admission = "-2+3"
    formula.sites[0].address = "=Via Formula 1"
    formula.sites[0].longitude = -9.19
    formula.translations = {"en": {"title": "+sign"}}
    db.session.commit()


def test_csv_export_imports_unchanged_and_is_stable(en: None, providers: None) -> None:
    _catalogue_with_awkward_values()
    first = export_csv()
    report = import_catalogue(first.encode(), "catalogue.csv", dry_run=False)
    assert report.ok, report.errors
    assert tally(report) == (3, 0, 0, 3)
    db.session.commit()
    assert export_csv() == first
    rows = list(csv.DictReader(io.StringIO(first, newline="")))
    assert [(r["provider_code"], r["course_code"]) for r in rows] == [
        ("ENTE-A", "IEFP-2"), ("ENTE-A", "ITS-1"), ("ENTE-B", "ITS-1")]
    assert list(rows[0]) == list(COLUMNS)


def test_json_export_imports_unchanged_and_is_stable(en: None, providers: None) -> None:
    imported(sample_file())
    formula = course("ENTE-A", "ITS-1")
    formula.title = "=1+1"
    formula.contact_phone = "+39 02 1"
    db.session.commit()
    first = export_json()
    items = json.loads(first)
    assert next(i["title"] for i in items
                if (i["provider_code"], i["course_code"]) == ("ENTE-A", "ITS-1")) == "=1+1"
    report = import_catalogue(first.encode(), "catalogue.json", dry_run=False)
    assert report.ok, report.errors
    assert tally(report) == (3, 0, 0, 3)
    db.session.commit()
    assert export_json() == first
    # A {"courses": [...]} wrapper is accepted too.
    wrapped = json.dumps({"courses": items}).encode()
    assert tally(import_catalogue(wrapped, "x.json", dry_run=True)) == (3, 0, 0, 3)


@pytest.mark.parametrize("change", ["address", "longitude"])
def test_json_export_with_formula_like_site_values_imports_unchanged(
        en: None, providers: None, change: str) -> None:
    imported(sample_file())
    site = course("ENTE-A", "ITS-1").sites[0]
    if change == "address":
        site.address = "=Via Formula 1"
    else:
        site.longitude = -9.19
    db.session.commit()
    report = import_catalogue(export_json().encode(), "catalogue.json")
    assert report.ok, report.errors
    assert tally(report) == (3, 0, 0, 3)


def test_formula_title_is_escaped_in_csv_and_round_trips(en: None, providers: None) -> None:
    imported(csv_bytes(row(code="F")))
    target = course("ENTE-A", "F")
    target.title = "=HYPERLINK(\"http://evil.example\",\"clic\")"
    db.session.commit()
    exported = export_csv()
    cells = next(csv.DictReader(io.StringIO(exported, newline="")))
    assert cells["title"] == "'=HYPERLINK(\"http://evil.example\",\"clic\")"
    for value in cells.values():
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))

    target = course("ENTE-A", "F")
    target.title = "=1+1"
    db.session.commit()
    exported = export_csv()
    assert ",'=1+1," in exported
    changed = exported.replace(",2000,", ",1500,")
    report = imported(changed.encode(), "cat.csv")
    assert tally(report) == (1, 0, 1, 0)
    again = course("ENTE-A", "F")
    assert (again.title, again.hours) == ("=1+1", 1500)


def test_empty_catalogue_exports_a_header_and_an_empty_list(en: None) -> None:
    assert export_csv() == ",".join(COLUMNS) + "\r\n"
    assert json.loads(export_json()) == []


# --- the web pages --------------------------------------------------------------------------

def upload(client: FlaskClient, data: bytes, filename: str = "cat.csv", dry_run: bool = True,
           ) -> Any:
    form: dict[str, Any] = {"file": (io.BytesIO(data), filename)}
    if dry_run:
        form["dry_run"] = "y"
    return client.post("/courses/import", data=form, content_type="multipart/form-data")


@pytest.fixture
def admin(as_role: Callable[..., Any], providers: None) -> Any:
    return as_role(Role.ADMIN, locale="en")


def test_admin_sees_the_import_form(client: FlaskClient, admin: Any) -> None:
    response = client.get("/courses/import")
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.get_data(as_text=True)


def test_admin_dry_run_upload_shows_counts_and_writes_nothing(client: FlaskClient,
                                                              admin: Any) -> None:
    response = upload(client, sample_file())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "3 rows: 3 new, 0 updated, 0 unchanged." in page
    assert "Dry run" in page
    assert counts() == (0, 0, 0)


def test_admin_real_upload_imports_and_reupload_is_unchanged(client: FlaskClient,
                                                             admin: Any) -> None:
    response = upload(client, sample_file(), dry_run=False)
    assert response.status_code == 200
    assert "3 rows: 3 new, 0 updated, 0 unchanged." in response.get_data(as_text=True)
    db.session.rollback()
    assert counts() == (3, 4, 1)
    response = upload(client, sample_file(), dry_run=False)
    assert response.status_code == 200
    assert "3 rows: 0 new, 0 updated, 3 unchanged." in response.get_data(as_text=True)


def test_admin_bad_upload_gets_422_and_the_error_table(client: FlaskClient, admin: Any) -> None:
    data = csv_bytes(row(code="OK"), row(code="BAD", web_url="javascript:alert(1)"))
    response = upload(client, data, dry_run=False)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "1 error: nothing was imported." in page
    assert "<td>3</td>" in page
    assert '<td class="font-monospace" dir="ltr">web_url</td>' in page
    assert "javascript:alert(1)" not in page
    db.session.rollback()
    assert counts() == (0, 0, 0)


def test_admin_unreadable_upload_gets_422_with_a_whole_file_error(client: FlaskClient,
                                                                  admin: Any) -> None:
    response = upload(client, b"\x00\x01\x02", "cat.csv", dry_run=False)
    assert response.status_code == 422
    assert "whole file" in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)


def test_upload_without_a_file_is_refused(client: FlaskClient, admin: Any) -> None:
    response = client.post("/courses/import", data={"dry_run": "y"},
                           content_type="multipart/form-data")
    assert response.status_code == 400


def test_a_50_mb_upload_gets_413(client: FlaskClient, admin: Any) -> None:
    response = upload(client, b"a" * (50 * 1024 * 1024), dry_run=False)
    assert response.status_code == 413
    assert counts() == (0, 0, 0)


def test_a_6_mb_upload_is_refused(client: FlaskClient, admin: Any) -> None:
    # The file and the form's own bytes pass MAX_CONTENT_LENGTH (6 MB): refused before reading.
    data = HEADER + GOOD_LINE * (6 * 1024 * 1024 // len(GOOD_LINE))
    response = upload(client, data, dry_run=False)
    assert response.status_code == 413
    assert counts() == (0, 0, 0)


def test_an_upload_just_over_5_mb_gets_the_size_error(client: FlaskClient, admin: Any) -> None:
    data = HEADER + GOOD_LINE * ((MAX_IMPORT_BYTES + 1024) // len(GOOD_LINE))
    response = upload(client, data, dry_run=False)
    assert response.status_code == 422
    assert "5 MB" in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("role", [Role.STUDENT, Role.COUNSELLOR, Role.PROVIDER, Role.OUTREACH])
def test_non_admins_get_403(client: FlaskClient, as_role: Callable[..., Any],
                            reference_data: None, role: Role) -> None:
    as_role(role)
    assert client.get("/courses/import").status_code == 403
    assert upload(client, csv_bytes(row()), dry_run=False).status_code == 403
    assert client.get("/courses/export.csv").status_code == 403
    assert client.get("/courses/export.json").status_code == 403
    assert counts() == (0, 0, 0)


def test_anonymous_visitors_cannot_import_or_export(client: FlaskClient) -> None:
    for url in ("/courses/import", "/courses/export.csv", "/courses/export.json"):
        response = client.get(url)
        assert response.status_code == 302, url  # to the login page, like every staff page
        assert response.location.startswith("/account/login?next="), response.location


def test_export_downloads_are_attachments_that_parse_back(client: FlaskClient, admin: Any,
                                                          ) -> None:
    with client.application.test_request_context(headers={"Accept-Language": "en"}):
        imported(sample_file())
    response = client.get("/courses/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=catalogue.csv"
    body = response.get_data()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))
    assert len(rows) == 3 and list(rows[0]) == list(COLUMNS)
    reupload = upload(client, body, "catalogue.csv")
    assert "3 rows: 0 new, 0 updated, 3 unchanged." in reupload.get_data(as_text=True)

    response = client.get("/courses/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == "attachment; filename=catalogue.json"
    items = json.loads(response.get_data(as_text=True))
    assert sorted((i["provider_code"], i["course_code"]) for i in items) == [
        ("ENTE-A", "IEFP-2"), ("ENTE-A", "ITS-1"), ("ENTE-B", "ITS-1")]
    reupload = upload(client, response.get_data(), "catalogue.json")
    assert "3 rows: 0 new, 0 updated, 3 unchanged." in reupload.get_data(as_text=True)


# --- the command line -----------------------------------------------------------------------

def test_cli_dry_run_prints_counts_and_writes_nothing(runner: FlaskCliRunner, providers: None,
                                                      tmp_path: Path) -> None:
    path = tmp_path / "cat.csv"
    path.write_bytes(sample_file())
    result = runner.invoke(args=["courses", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "3 rows: 3 would be created, 0 would be updated, 0 unchanged" in result.output
    assert counts() == (0, 0, 0)


def test_cli_import_writes_and_reimport_is_unchanged(runner: FlaskCliRunner, providers: None,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "cat.csv"
    path.write_bytes(sample_file())
    result = runner.invoke(args=["courses", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 rows: 3 were created, 0 were updated, 0 unchanged" in result.output
    db.session.rollback()
    assert counts() == (3, 4, 1)
    result = runner.invoke(args=["courses", "import", str(path)])
    assert "3 rows: 0 were created, 0 were updated, 3 unchanged" in result.output


@pytest.mark.parametrize(("data", "expected"), [
    (csv_bytes(row(code="OK"), row(code="BAD", hours="molte")), "Riga 3, hours:"),
    (b"\x00junk", "File:"),
])
def test_cli_bad_file_exits_non_zero_with_row_errors(
        runner: FlaskCliRunner, providers: None, tmp_path: Path, data: bytes,
        expected: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    result = runner.invoke(args=["courses", "import", str(path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert expected in result.output  # the application's language (Italian by default)
    assert "1 problema: non è stato importato nulla." in result.output
    assert "Error:" not in result.output  # click's English frame
    assert counts() == (0, 0, 0)


def test_cli_bad_file_exits_non_zero_and_writes_nothing(runner: FlaskCliRunner,
                                                        providers: None, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(row(code="OK"), row(code="BAD", hours="molte")))
    result = runner.invoke(args=["courses", "import", str(path)])
    assert result.exit_code != 0
    db.session.rollback()
    assert counts() == (0, 0, 0)


def test_cli_json_export_to_a_file_imports_unchanged(runner: FlaskCliRunner, en: None,
                                                     providers: None, tmp_path: Path) -> None:
    imported(sample_file())
    path = tmp_path / "out" / "catalogue.json"
    path.parent.mkdir()
    result = runner.invoke(args=["courses", "export", "--format", "json", "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert str(path) in result.output
    assert path.read_text(encoding="utf-8") == export_json()
    report = import_catalogue(path.read_bytes(), path.name, dry_run=True)
    assert tally(report) == (3, 0, 0, 3)
    result = runner.invoke(args=["courses", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "3 rows: 0 would be created, 0 would be updated, 3 unchanged" in result.output


def test_cli_csv_export_to_stdout(runner: FlaskCliRunner, en: None, providers: None) -> None:
    imported(sample_file())
    result = runner.invoke(args=["courses", "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.replace("\r\n", "\n") == export_csv().replace("\r\n", "\n")
