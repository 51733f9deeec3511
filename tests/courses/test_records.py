"""The open-data course record: parsing cells, formatting them back, every column's errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orientamento.core.spreadsheet import FORMULA_PREFIXES, escape_cell, unescape_cell
from orientamento.core.text import BIDI_CONTROLS
from orientamento.courses.areas import KIND_EQF_LEVELS, CourseKind, areas_for_kind
from orientamento.courses.models import RIASEC
from orientamento.courses.records import (
    CODE_PATTERN,
    COLUMNS,
    LIST_SEPARATOR,
    MAX_SITES,
    CourseRecord,
    SiteRecord,
    format_record,
    parse_row,
)
from tests.conftest import COURSE_CELLS

# Fixture-scoped request context is fine here: the functions under test are pure.
PROPERTY = settings(max_examples=150,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def en(app: Flask) -> Iterator[None]:
    """A request context in English, so gettext works and messages are the msgids."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def cells(**overrides: str) -> dict[str, str]:
    """A valid row (the shared test course) with ``overrides``."""
    return COURSE_CELLS | {"provider_code": "ENTE-1", "course_code": "ITS-MECC-01"} | overrides


def errors_of(**overrides: str) -> dict[str, str]:
    record, errors = parse_row(cells(**overrides))
    assert record is None
    assert errors
    return errors


# --- round trips ----------------------------------------------------------------------------

def test_format_reproduces_normalised_cells(en: None) -> None:
    record, errors = parse_row(cells())
    assert errors == {}
    assert record is not None
    expected = {column: "" for column in COLUMNS} | cells() | {
        "cost_eur": "0.00", "riasec_r": "0.90", "riasec_i": "0.70", "riasec_a": "0.10",
        "riasec_s": "0.20", "riasec_e": "0.30", "riasec_c": "0.50",
    }
    formatted = format_record(record)
    assert list(formatted) == list(COLUMNS)
    assert formatted == expected
    assert parse_row(formatted) == (record, {})


def test_parse_normalises_spaces_amounts_and_empty_optionals(en: None) -> None:
    record, errors = parse_row(cells(
        title="  Tecnico  ", cost_eur=" 150.5 ", seats="", contact_email="", contact_phone=" ",
        web_url="", start_date="", application_deadline="", site_addresses=" Via A | Via B ",
        site_place_codes="015146|015209", site_latitudes="45.4642|45.535",
        site_longitudes="9.19|9.237", title_en=" Technician ", description_ar=""))
    assert errors == {}
    assert record is not None
    assert record.title == "Tecnico"
    assert record.cost_cents == 15050
    assert record.seats is None and record.contact_email is None
    assert record.contact_phone is None and record.web_url is None
    assert record.start_date is None and record.application_deadline is None
    assert record.translations == {"en": {"title": "Technician"}}
    assert record.sites == (SiteRecord("Via A", "015146", 45.4642, 9.19),
                            SiteRecord("Via B", "015209", 45.535, 9.237))
    formatted = format_record(record)
    assert formatted["cost_eur"] == "150.50"
    assert formatted["site_addresses"] == "Via A|Via B"
    assert parse_row(formatted) == (record, {})


def test_decimal_comma_is_accepted_and_exported_with_a_point(en: None) -> None:
    record, errors = parse_row(cells(cost_eur=" 150,5 ", riasec_r="0,75", riasec_c="1,0"))
    assert errors == {}
    assert record is not None
    assert record.cost_cents == 15050
    assert (record.riasec["r"], record.riasec["c"]) == (0.75, 1.0)
    formatted = format_record(record)
    assert (formatted["cost_eur"], formatted["riasec_r"], formatted["riasec_c"]) == (
        "150.50", "0.75", "1.00")


@pytest.mark.parametrize("value", ["=1+1", "+39 02 1234", "-5 gradi", "@home",
                                   "=HYPERLINK(\"http://x.example\",\"x\")"])
def test_formula_like_text_is_escaped_on_export_and_restored_on_import(en: None,
                                                                       value: str) -> None:
    record, errors = parse_row(cells(title="'" + value, site_addresses="'" + value,
                                     contact_phone="'" + value[:40]))
    assert errors == {}
    assert record is not None
    assert record.title == value
    assert record.sites[0].address == value
    formatted = format_record(record)
    assert formatted["title"] == "'" + value
    assert formatted["site_addresses"] == "'" + value
    assert parse_row(formatted) == (record, {})


def test_escape_and_unescape_cells() -> None:
    assert escape_cell("Corso") == "Corso"
    # A leading apostrophe is escaped too, so the mapping can be undone exactly.
    assert escape_cell("'Ndrangheta e legalità") == "''Ndrangheta e legalità"
    assert unescape_cell(escape_cell("'Ndrangheta")) == "'Ndrangheta"
    for prefix in FORMULA_PREFIXES:
        assert escape_cell(prefix + "x") == "'" + prefix + "x"
        assert unescape_cell("'" + prefix + "x") == prefix + "x"
    assert unescape_cell("'Ndrangheta") == "Ndrangheta"
    assert unescape_cell("") == ""


def test_value_starting_with_apostrophe_and_formula_character_round_trips(en: None) -> None:
    record, _errors = parse_row(cells())
    assert record is not None
    odd = replace(record, title="'=x")
    assert parse_row(format_record(odd))[0] == odd


# --- hypothesis: every valid record survives format -> parse --------------------------------

FORMULA_STARTS = st.sampled_from(["", "", "", "=", "+", "-", "@", "=HYPERLINK(\"x\")", "-1+", "'", "'="])


def text(max_size: int, required: bool = False, bar: bool = True) -> st.SearchStrategy[str]:
    """Stripped text as the parser leaves it, sometimes starting like a formula."""
    # No control or text-direction characters: the parser refuses them (tested below).
    excluded = "".join(BIDI_CONTROLS) + ("" if bar else LIST_SEPARATOR)
    alphabet = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters=excluded)
    value = st.tuples(FORMULA_STARTS, st.text(alphabet, max_size=30)).map(
        lambda parts: (parts[0] + parts[1]).strip()[:max_size].strip())
    return value.filter(bool) if required else value


@st.composite
def translations(draw: Any) -> dict[str, dict[str, str]]:
    result = {}
    for locale in ("en", "ar"):
        entry = {key: draw(text(limit)) for key, limit in (("title", 200), ("description", 4000))}
        entry = {k: v for k, v in entry.items() if v}
        if entry:
            result[locale] = entry
    return result


coordinate = st.floats(-90, 90, allow_nan=False).map(lambda x: round(x, 6))
sites = st.lists(st.builds(
    SiteRecord, address=text(200, required=True, bar=False),
    place_code=st.sampled_from(["015146", "015209", "015146-1"]),
    latitude=coordinate, longitude=coordinate), min_size=1, max_size=MAX_SITES).map(tuple)
weights = st.integers(0, 100).map(lambda n: n / 100)


@st.composite
def records(draw: Any) -> CourseRecord:
    kind = draw(st.sampled_from(list(CourseKind)))
    dates = sorted(draw(st.lists(st.dates(date(2000, 1, 1), date(2099, 12, 31)),
                                 min_size=2, max_size=2)))
    deadline, start = (draw(st.sampled_from([None, d])) for d in dates)
    code = st.from_regex(CODE_PATTERN, fullmatch=True)
    return CourseRecord(
        provider_code=draw(code), course_code=draw(code), kind=kind.value,
        area=draw(st.sampled_from(sorted(areas_for_kind(kind)))),
        eqf_level=draw(st.sampled_from(KIND_EQF_LEVELS[kind])),
        title=draw(text(200, required=True)), description=draw(text(4000)),
        translations=draw(translations()), hours=draw(st.integers(1, 10_000)),
        semesters=draw(st.integers(1, 12)), start_date=start, application_deadline=deadline,
        cost_cents=draw(st.integers(0, 10_000_000)), admission=draw(text(2000)),
        language=draw(st.sampled_from(["it", "en"])),
        seats=draw(st.none() | st.integers(1, 10_000)), sites=draw(sites),
        occupation_codes=tuple(sorted(draw(st.sets(
            st.sampled_from(["3.1.3.1.0", "5.2.2.1.0"]), max_size=2)))),
        riasec={k: draw(weights) for k in RIASEC},
        contact_email=draw(st.none() | st.from_regex(
            r"[a-z0-9=+._-]{0,8}[a-z0-9]@[a-z0-9-]{1,12}\.[a-z]{2,6}", fullmatch=True)),
        contact_phone=draw(st.none() | st.from_regex(r"\+?[0-9][0-9 ]{0,18}[0-9]",
                                                     fullmatch=True)),
        web_url=draw(st.none() | st.from_regex(
            r"https?://[a-z0-9-]{1,15}\.[a-z]{2,6}(/[A-Za-z0-9._~%=+-]{0,15}){0,3}",
            fullmatch=True)),
        status=draw(st.sampled_from(["active", "archived"])),
    )


@PROPERTY
@given(record=records())
def test_every_valid_record_round_trips(en: None, record: CourseRecord) -> None:
    formatted = format_record(record)
    assert set(formatted) == set(COLUMNS)
    assert not any(value.startswith(FORMULA_PREFIXES) for value in formatted.values())
    assert parse_row(formatted) == (record, {})


@PROPERTY
@given(raw=st.dictionaries(st.sampled_from([*COLUMNS, "other"]), st.text(max_size=40)))
def test_arbitrary_text_cells_never_raise(en: None, raw: dict[str, str]) -> None:
    record, errors = parse_row(raw)
    assert (record is None) == bool(errors)
    assert set(errors) <= set(COLUMNS)


@PROPERTY
@given(column=st.sampled_from(COLUMNS), value=st.text(max_size=60))
def test_any_single_cell_gives_a_record_or_errors(en: None, column: str, value: str) -> None:
    record, errors = parse_row(cells(**{column: value}))
    assert (record is None) == bool(errors)
    if record is not None:
        assert parse_row(format_record(record)) == (record, {}), (column, value)


# --- each column's errors -------------------------------------------------------------------

@pytest.mark.parametrize(("overrides", "column", "fragment"), [
    ({"provider_code": ""}, "provider_code", "capital letters"),
    ({"course_code": "corso 1"}, "course_code", "capital letters"),
    ({"course_code": "X" * 41}, "course_code", "capital letters"),
    ({"title": "   "}, "title", "required"),
    ({"title": "T" * 201}, "title", "200"),
    ({"description": "D" * 4001}, "description", "4000"),
    ({"title_en": "T" * 201}, "title_en", "200"),
    ({"kind": "university"}, "kind", "its"),
    ({"kind": ""}, "kind", "Use one of"),
    ({"area": "astrology"}, "area", "Use one of"),
    ({"kind": "iefp_qualifica", "eqf_level": "3"}, "area", "does not apply"),
    ({"kind": "its", "area": "iefp_food"}, "area", "does not apply"),
    ({"eqf_level": "4"}, "eqf_level", "5 / 6"),
    ({"kind": "ifts", "eqf_level": "5"}, "eqf_level", "4"),
    ({"eqf_level": "7"}, "eqf_level", "from 3 to 6"),
    ({"eqf_level": "cinque"}, "eqf_level", "whole number"),
    ({"hours": "0"}, "hours", "from 1"),
    ({"hours": "12.5"}, "hours", "whole number"),
    ({"hours": ""}, "hours", "whole number"),
    ({"semesters": "13"}, "semesters", "to 12"),
    ({"seats": "0"}, "seats", "from 1"),
    ({"application_deadline": "2027-10-02"}, "application_deadline", "after the start"),
    ({"start_date": "01/10/2027"}, "start_date", "YYYY-MM-DD"),
    ({"start_date": "2027-02-30"}, "start_date", "YYYY-MM-DD"),
    ({"application_deadline": "tomorrow"}, "application_deadline", "YYYY-MM-DD"),
    ({"cost_eur": "'-10"}, "cost_eur", "euros"),
    ({"cost_eur": "10.005"}, "cost_eur", "euros"),
    ({"cost_eur": "1.001"}, "cost_eur", "euros"),
    ({"cost_eur": "1.500,00"}, "cost_eur", "euros"),
    ({"cost_eur": "1,500,00"}, "cost_eur", "euros"),
    ({"cost_eur": "NaN"}, "cost_eur", "euros"),
    ({"cost_eur": "Infinity"}, "cost_eur", "euros"),
    ({"cost_eur": "1e999999999999"}, "cost_eur", "euros"),
    ({"cost_eur": "100000.01"}, "cost_eur", "euros"),
    ({"language": "fr"}, "language", "Use one of"),
    ({"riasec_r": "1.01"}, "riasec_r", "from 0 to 1"),
    ({"riasec_c": "'-0.1"}, "riasec_c", "from 0 to 1"),
    ({"riasec_a": ""}, "riasec_a", "from 0 to 1"),
    ({"riasec_s": "nan"}, "riasec_s", "from 0 to 1"),
    ({"contact_email": "info@example"}, "contact_email", "e-mail"),
    ({"contact_email": "in fo@example.org"}, "contact_email", "e-mail"),
    ({"web_url": "ftp://example.org/x"}, "web_url", "https://"),
    ({"web_url": "javascript:alert(1)"}, "web_url", "https://"),
    ({"web_url": "www.example.org"}, "web_url", "https://"),
    ({"status": "deleted"}, "status", "Use one of"),
    ({"site_addresses": ""}, "site_addresses", "at least one"),
    ({"site_addresses": "Via A|Via B"}, "site_place_codes", "as many"),
    ({"site_latitudes": "45.1|45.2"}, "site_place_codes", "as many"),
    ({"site_latitudes": "nord"}, "site_latitudes", "decimal degrees"),
    ({"site_latitudes": "91"}, "site_latitudes", "decimal degrees"),
    ({"site_longitudes": "'-181|9"}, "site_place_codes", "as many"),
    ({"site_addresses": "A" * 201}, "site_addresses", "200"),
    ({"site_addresses": "|".join(["Via A"] * (MAX_SITES + 1)),
      "site_place_codes": "|".join(["015146"] * (MAX_SITES + 1)),
      "site_latitudes": "|".join(["45.4"] * (MAX_SITES + 1)),
      "site_longitudes": "|".join(["9.1"] * (MAX_SITES + 1))}, "site_addresses", "10"),
])
def test_column_errors(en: None, overrides: dict[str, str], column: str, fragment: str) -> None:
    errors = errors_of(**overrides)
    assert column in errors, errors
    assert fragment in errors[column]


def test_ten_sites_are_allowed(en: None) -> None:
    record, errors = parse_row(cells(
        site_addresses="|".join(f"Via {n}" for n in range(MAX_SITES)),
        site_place_codes="|".join(["015146"] * MAX_SITES),
        site_latitudes="|".join(["45.4"] * MAX_SITES),
        site_longitudes="|".join(["9.1"] * MAX_SITES)))
    assert errors == {}
    assert record is not None and len(record.sites) == MAX_SITES


@pytest.mark.parametrize(("overrides", "column"), [
    ({"site_longitudes": "'-181"}, "site_longitudes"),
    ({"site_longitudes": "est"}, "site_longitudes"),
])
def test_bad_longitude_is_reported_on_its_column(en: None, overrides: dict[str, str],
                                                 column: str) -> None:
    assert column in errors_of(**overrides)


def test_every_error_of_a_row_is_reported_at_once(en: None) -> None:
    errors = errors_of(kind="x", hours="x", web_url="x", contact_email="x", riasec_e="2")
    assert {"kind", "hours", "web_url", "contact_email", "riasec_e"} <= set(errors)


@pytest.mark.parametrize("column", ["title", "description", "admission", "title_en",
                                    "description_ar", "contact_phone", "occupation_codes"])
@pytest.mark.parametrize("formula", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)",
                                     "\t=1", "\r=1"])
def test_bare_formula_in_a_text_column_is_refused(en: None, column: str, formula: str) -> None:
    errors = errors_of(**{column: formula})
    assert column in errors
    assert "apostrophe (')" in errors[column]


@pytest.mark.parametrize("column", ["site_addresses", "site_place_codes"])
def test_bare_formula_in_a_site_column_is_refused(en: None, column: str) -> None:
    errors = errors_of(**{column: "=cmd|' /C calc'!A0"})
    assert "apostrophe (')" in errors[column]


def test_numbers_written_as_formulas_are_refused(en: None) -> None:
    errors = errors_of(cost_eur="=100", hours="+10", site_latitudes="-45")
    assert {"cost_eur", "hours", "site_latitudes"} <= set(errors)
    assert "apostrophe" in errors["cost_eur"]


@pytest.mark.parametrize("column, value", [
    ("title", "Tecnico \u202eacitirtaM"), ("admission", "Diploma\x00"),
    ("site_addresses", "Via Roma 1\u2066"), ("contact_phone", "02\x1b1234"),
])
def test_control_and_text_direction_characters_are_row_errors(en: None, column: str,
                                                               value: str) -> None:
    assert "text-direction" in errors_of(**{column: value})[column]


def test_descriptions_keep_their_paragraphs(en: None) -> None:
    record, errors = parse_row(cells(description="Primo paragrafo.\r\nSecondo paragrafo."))
    assert record is not None, errors


@pytest.mark.parametrize("value", ["0001-10-01", "9999-10-01", "1899-12-31"])
def test_a_start_date_outside_the_platform_years_is_a_row_error(en: None, value: str) -> None:
    assert "Give a date between" in errors_of(start_date=value)["start_date"]
