"""Importing a snapshot of records: every row checked, all or nothing, pseudonyms only."""

from __future__ import annotations

import csv
import hashlib
import io
import threading
import traceback
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import JSON, String, Text, cast, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from orientamento.auth.models import AuditAction, AuditEntry
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError
from orientamento.database import begin_immediate
from orientamento.extensions import db
from orientamento.outreach.models import Flag
from orientamento.risk.models import (
    ContactDetails,
    ProtectedAttributes,
    RiskPerson,
    RiskRecord,
    RiskSnapshot,
)
from orientamento.risk.pseudonyms import pseudonymize
from orientamento.risk.record_rows import INPUTS, parse_snapshot
from orientamento.risk.records import ensure_valid, import_errors_text, import_snapshot
from orientamento.risk.synth import RECORD_COLUMNS, SynthFiles
from tests.conftest import make_app
from tests.risk.conftest import ROW, MakeCsv, snapshot_csv

TABLES = (RiskSnapshot, RiskPerson, RiskRecord, ProtectedAttributes, ContactDetails, Flag)


def _count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _counts() -> dict[str, int]:
    return {model.__tablename__: _count(model) for model in TABLES}


def _rows_mentioning(value: str) -> list[str]:
    """Every text or JSON column of every table holding ``value``."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            kind = column.type.dialect_impl(db.engine.dialect)
            text: Any
            if isinstance(kind, String | Text):
                text = column
            elif isinstance(kind, JSON):
                text = cast(column, Text)
            else:
                continue
            if db.session.scalar(select(func.count()).select_from(table)
                                 .where(text.contains(value))):
                found.append(f"{table.name}.{column.name}")
    return found


def _import(content: bytes, name: str = "snapshot.csv") -> RiskSnapshot:
    snapshot = ensure_valid(import_snapshot(content, name))
    db.session.commit()
    return snapshot


def _person(source_id: str) -> RiskPerson:
    person = db.session.scalar(select(RiskPerson).where(
        RiskPerson.pseudonym == pseudonymize(source_id)))
    assert person is not None
    return person


# ---- Valid files --------------------------------------------------------------------------


def test_a_valid_file_imports_every_row(app: Flask, synthetic: SynthFiles) -> None:
    content = synthetic.current.read_bytes()
    rows = len(content.decode().splitlines()) - 1
    report = import_snapshot(content, "current.csv")
    db.session.commit()
    assert report.errors == [] and report.snapshot is not None
    assert report.snapshot.rows == rows == 250
    assert report.snapshot.as_of == date(2025, 9, 30)
    assert _count(RiskPerson) == _count(RiskRecord) == rows
    assert _count(ContactDetails) == rows  # the current snapshot has contact details
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == AuditAction.RISK_RECORDS_IMPORTED.value))
    assert entry is not None
    assert entry.details == {"snapshot_id": report.snapshot.id, "rows": rows}


def test_values_are_stored_typed(app: Flask, make_csv: MakeCsv) -> None:
    _import(make_csv([{"enrolled": "sì", "attendance_rate": "0,85", "repetitions": "2",
                       "months_since_contract_end": "", "early_leaver": "no"}]))
    record = _person("CF0001").records[0]
    assert record.values == {
        "education": "lower_secondary", "enrolled": True, "early_leaver": False,
        "employment_centre": False, "months_since_enrolment": 14, "attendance_rate": 0.85,
        "repetitions": 2, "months_since_contract_end": None, "contracts_24m": 1}
    assert set(record.values) == set(INPUTS)


def test_raw_source_ids_are_never_stored(app: Flask, synthetic: SynthFiles) -> None:
    content = synthetic.current.read_bytes()
    raw_ids = [line.split(",", 1)[0] for line in content.decode().splitlines()[1:]]
    _import(content, "current.csv")
    for raw in (raw_ids[0], raw_ids[123], raw_ids[-1]):
        assert _rows_mentioning(raw) == []
        assert _person(raw).pseudonym == pseudonymize(raw) != raw
    # The search does find what is stored (so an empty result means something).
    assert _rows_mentioning(pseudonymize(raw_ids[0])) == ["risk_people.pseudonym"]
    assert "risk_contact_details.email" in _rows_mentioning("@example.org")


def test_a_later_snapshot_finds_the_same_person(app: Flask, make_csv: MakeCsv) -> None:
    _import(make_csv([{"as_of": "2024-09-30", "municipio": 3, "source_id": "CF0001"},
                      {"as_of": "2024-09-30", "source_id": "CF0002"}]))
    person = _person("CF0001")
    person.opted_out_at = clock.now()
    db.session.commit()
    _import(make_csv([{"as_of": "2025-09-30", "municipio": 5, "source_id": " cf0001 ",
                       "birth_year": 2003, "phone": "+39 02 9999 0000"},
                      {"as_of": "2025-09-30", "source_id": "CF0003"}]))
    db.session.expire_all()
    person = _person("CF0001")
    assert (person.municipio, person.birth_year) == (5, 2003)
    assert [r.snapshot.as_of for r in person.records] == [date(2024, 9, 30), date(2025, 9, 30)]
    assert person.opted_out_at is not None  # the opt-out stays
    assert person.contact is not None and person.contact.phone == "+39 02 9999 0000"
    assert _count(RiskPerson) == 3 and _count(RiskRecord) == 4
    assert _count(ContactDetails) == _count(ProtectedAttributes) == 3


def test_protected_attributes_and_contacts_have_tables_of_their_own(
        app: Flask, make_csv: MakeCsv) -> None:
    _import(make_csv([{"gender": "X", "citizenship_group": "non_eu", "disability": "1"}]))
    person = _person("CF0001")
    assert person.protected is not None
    assert (person.protected.gender, person.protected.citizenship_group,
            person.protected.disability) == ("X", "non_eu", True)
    assert person.contact is not None
    assert (person.contact.phone, person.contact.email, person.contact.address) == (
        ROW["phone"], ROW["email"], ROW["address"])
    values = person.records[0].values
    assert not set(values) & {"gender", "citizenship_group", "disability", "phone", "email",
                              "address", "source_id", "birth_year", "municipio", "as_of"}
    assert not {"X", "non_eu", ROW["email"], ROW["phone"]} & {str(v) for v in values.values()}


def test_blank_optional_columns_store_no_empty_rows(app: Flask, make_csv: MakeCsv) -> None:
    _import(make_csv([{"gender": "", "citizenship_group": "", "disability": "", "phone": "",
                       "email": "", "address": ""}]))
    assert _count(ProtectedAttributes) == _count(ContactDetails) == 0
    assert _count(RiskRecord) == 1


def test_blank_model_inputs_are_allowed(app: Flask, make_csv: MakeCsv) -> None:
    """A record without some inputs is imported; scoring says what it lacks."""
    _import(make_csv([{name: "" for name in INPUTS}]))
    assert _person("CF0001").records[0].values == {name: None for name in INPUTS}


# ---- Refused files ------------------------------------------------------------------------


def _refused(content: bytes) -> list[tuple[int, str, str]]:
    """Import ``content``; assert nothing was written; return (row, column, message)."""
    before = _counts()
    report = import_snapshot(content, "bad.csv")
    assert report.snapshot is None
    assert report.error_count == len(report.errors) > 0
    db.session.commit()
    assert _counts() == before
    return [(e.row, e.column, e.message) for e in report.errors]


BAD_CELLS = [
    ("repetitions", "two", "expected a number"),
    ("repetitions", "1.5", "expected a whole number from 0 to 15"),
    ("contracts_24m", "-1", "expected a whole number from 0 to 200"),
    ("attendance_rate", "1.2", "expected a number from 0 to 1"),
    ("attendance_rate", "nan", "expected a number from 0 to 1"),
    ("months_since_contract_end", "inf", "from 0 to 360"),
    ("enrolled", "maybe", "expected 1/0, true/false or yes/no"),
    ("education", "phd", "expected one of none, lower_secondary"),
    ("gender", "female", "expected one of F, M, X"),
    ("citizenship_group", "martian", "expected one of italian, eu, non_eu"),
    ("disability", "perhaps", "expected 1/0, true/false or yes/no"),
    ("municipio", "0", "expected a municipio from 1 to 9"),
    ("municipio", "10", "expected a municipio from 1 to 9"),
    ("municipio", "", "expected a municipio from 1 to 9"),
    ("birth_year", "2011", "the person must be 15 to 29 years old"),  # 14 on 2025-09-30
    ("birth_year", "1995", "the person must be 15 to 29 years old"),  # 30
    ("birth_year", "abc", "expected a year"),
    ("source_id", "", "required, at most 64 characters"),
    ("source_id", "X" * 65, "required, at most 64 characters"),
    ("phone", "1" * 41, "at most 40 characters"),
    ("email", "e" * 255, "at most 254 characters"),
    ("as_of", "30/09/2025", "expected a date YYYY-MM-DD"),
    ("as_of", "2025-10-01", "every row of a snapshot has the same date (2025-09-30)"),
]


@pytest.mark.parametrize("column, value, message", BAD_CELLS,
                         ids=[f"{c}={v[:8]}" for c, v, _m in BAD_CELLS])
def test_a_bad_cell_is_reported_with_its_row_and_column(bare_app: Flask, column: str,
                                                       value: str, message: str) -> None:
    rows: list[dict[str, Any]] = [{"source_id": f"OK{i:04d}"} for i in range(30)]
    rows[17] |= {column: value}
    _as_of, parsed, errors = _parses(bare_app, snapshot_csv(rows))
    assert [(e.row, e.column) for e in errors] == [(19, column)]
    assert message in errors[0].message
    assert len(parsed) == 29


@pytest.mark.parametrize("where", [0, 14, 29], ids=["first", "middle", "last"])
def test_one_bad_cell_anywhere_writes_nothing(app: Flask, where: int) -> None:
    rows: list[dict[str, Any]] = [
        {"source_id": f"OK{i:04d}", "months_since_contract_end": "3"} for i in range(30)]
    rows[where] |= {"repetitions": "two"}
    assert _refused(snapshot_csv(rows)) == [(where + 2, "repetitions", "expected a number")]


def test_the_boundaries_are_accepted(app: Flask, make_csv: MakeCsv) -> None:
    _import(make_csv([
        {"source_id": "A", "birth_year": 2010, "municipio": 1, "attendance_rate": "0"},
        {"source_id": "B", "birth_year": 1996, "municipio": 9, "attendance_rate": "1"},
    ]))
    assert _count(RiskRecord) == 2


def test_a_refused_file_leaves_earlier_imports_untouched(app: Flask, make_csv: MakeCsv) -> None:
    _import(make_csv([{"as_of": "2024-09-30", "municipio": 3}]))
    errors = _refused(make_csv([{"municipio": 7}, {"source_id": "NEW", "repetitions": "x"}]))
    assert errors[0][:2] == (3, "repetitions")
    db.session.expire_all()
    assert _person("CF0001").municipio == 3


def test_every_problem_is_listed_with_its_row(app: Flask) -> None:
    rows = [{"source_id": f"R{i}"} for i in range(5)]
    rows[0] |= {"enrolled": "x", "repetitions": "y"}
    rows[3] |= {"municipio": "12"}
    errors = _refused(snapshot_csv(rows))
    assert [(r, c) for r, c, _m in errors] == [(2, "enrolled"), (2, "repetitions"),
                                               (5, "municipio")]
    report = import_snapshot(snapshot_csv(rows), "bad.csv")
    # In the application's language (English in these tests), frame and problem alike.
    assert import_errors_text(report).splitlines()[0].startswith("Row 2, enrolled: ")
    with pytest.raises(DomainError, match="Row 5, municipio"):
        ensure_valid(report)


def test_a_duplicate_source_id_names_the_first_row(app: Flask) -> None:
    errors = _refused(snapshot_csv([{"source_id": "CF9"}, {"source_id": "OTHER"},
                                    {"source_id": "cf9 "}]))
    assert errors == [(4, "source_id", "the same person is already on row 2")]


def test_missing_columns_are_each_named(app: Flask) -> None:
    columns = tuple(c for c in RECORD_COLUMNS if c not in ("municipio", "enrolled"))
    errors = _refused(snapshot_csv([{}], columns=columns))
    assert errors == [(1, "municipio", "missing column"), (1, "enrolled", "missing column")]


def test_a_file_that_is_not_utf8_is_refused(app: Flask, make_csv: MakeCsv) -> None:
    content = make_csv([{"address": "Via Università 1"}]).decode().encode("latin-1")
    assert _refused(content) == [(1, "", "The file is not UTF-8 text.")]


def test_an_empty_file_is_refused(app: Flask) -> None:
    errors = _refused(b"")
    assert (1, "source_id", "missing column") in errors
    header_only = snapshot_csv([])
    assert _refused(header_only) == [(2, "", "The file has no records.")]


def test_the_same_file_cannot_be_imported_twice(app: Flask, make_csv: MakeCsv) -> None:
    content = make_csv([{}])
    _import(content)
    before = _counts()
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(
            Conflict, match=r"already imported on .*records as of") as refused:
        import_snapshot(content, "again.csv")
    assert clock.today().strftime("%y") in str(refused.value.message)  # when, not only "twice"
    assert _counts() == before
    # The same people in a different file are a new snapshot.
    _import(make_csv([{"as_of": "2025-10-31"}]))
    assert _count(RiskSnapshot) == 2 and _count(RiskPerson) == 1


def test_a_byte_order_mark_and_column_order_do_not_matter(app: Flask) -> None:
    columns = tuple(reversed(RECORD_COLUMNS))
    _import(b"\xef\xbb\xbf" + snapshot_csv([{}], columns=columns))
    assert _person("CF0001").records[0].values["repetitions"] == 1


# ---- Garbage in, errors out ---------------------------------------------------------------


@pytest.fixture(scope="module")
def bare_app() -> Iterator[Flask]:
    """An app for parsing only (the pseudonym key comes from its config; no database)."""
    yield make_app("sqlite://", BABEL_DEFAULT_LOCALE="en")


def _parses(app: Flask, content: bytes) -> tuple[Any, list[Any], list[Any]]:
    with app.app_context():
        return parse_snapshot(content)


@given(st.binary(max_size=300))
@example(b"source_id,as_of\rA,2025-09-30\r")
def test_garbage_bytes_never_raise(bare_app: Flask, content: bytes) -> None:
    _as_of, rows, errors = _parses(bare_app, content)
    assert errors or rows


@given(st.text(alphabet=st.characters(exclude_characters="\r", codec="utf-8"),
               max_size=300))
def test_garbage_text_only_returns_errors(bare_app: Flask, text: str) -> None:
    as_of, rows, errors = _parses(bare_app, text.encode())
    assert errors  # no random text has every required column
    assert rows == [] or as_of is not None
    for error in errors:
        assert error.row >= 1 and isinstance(error.column, str) and error.message


def test_a_file_with_carriage_return_line_endings_does_not_crash(bare_app: Flask) -> None:
    content = snapshot_csv([{"source_id": "A"}, {"source_id": "B"}]).replace(b"\n", b"\r")
    _as_of, rows, errors = _parses(bare_app, content)
    assert len(rows) == 2 or errors


def test_a_huge_cell_is_an_error_not_a_crash(bare_app: Flask) -> None:
    content = snapshot_csv([{"address": "x" * 200_000}])
    _as_of, rows, errors = _parses(bare_app, content)
    assert rows == [] and errors and errors[0].column == "address"


_cell = st.one_of(st.sampled_from(["", "1", "0", "sì", "yes", "true", "2", "15", "0.5",
                                   "0,5", "-1", "361", "1e3", "nan", "inf", "abc", "none",
                                   "tertiary", "F", "non_eu", "2004", "2030", "5"]),
                  st.text(alphabet=st.characters(exclude_characters="\r\x00",
                                                 codec="utf-8"), max_size=8))


@given(st.lists(st.fixed_dictionaries({c: _cell for c in RECORD_COLUMNS if c != "as_of"}),
                min_size=1, max_size=6))
def test_any_cells_give_typed_rows_or_located_errors(
        bare_app: Flask, cells: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=RECORD_COLUMNS)
    writer.writeheader()
    writer.writerows([row | {"as_of": "2025-09-30"} for row in cells])
    _as_of, rows, errors = _parses(bare_app, out.getvalue().encode())
    assert {e.row for e in errors} <= set(range(2, len(cells) + 2))
    assert {e.column for e in errors} <= set(RECORD_COLUMNS)
    assert len(rows) + len({e.row for e in errors}) == len(cells)
    for row in rows:
        assert 1 <= row.municipio <= 9 and 15 <= 2025 - row.birth_year <= 29
        values = row.values
        assert set(values) == set(INPUTS)
        for name in ("enrolled", "early_leaver", "employment_centre"):
            assert values[name] in (True, False, None)
        for name, high in (("repetitions", 15), ("contracts_24m", 200),
                           ("months_since_enrolment", 360),
                           ("months_since_contract_end", 360)):
            assert values[name] is None or (isinstance(values[name], int)
                                            and 0 <= values[name] <= high)
        assert values["attendance_rate"] is None or 0 <= values["attendance_rate"] <= 1
        assert len(row.pseudonym) == 64


def test_a_later_snapshot_replaces_contact_details_and_protected_attributes(app: Flask) -> None:
    from orientamento.risk.models import ContactDetails, ProtectedAttributes

    first = snapshot_csv([{"source_id": "P1", "phone": "+39 02 1", "gender": "F"},
                          {"source_id": "P2", "phone": "+39 02 2", "gender": "X"}])
    ensure_valid(import_snapshot(first, "a.csv"))
    later = snapshot_csv([{"source_id": "P1", "phone": "+39 02 9", "gender": "M"},
                          {"source_id": "P2", "phone": "+39 02 2", "gender": "X"}]).replace(
        b"2025-09-30", b"2026-09-30")
    ensure_valid(import_snapshot(later, "b.csv"))
    db.session.commit()
    phones = sorted(db.session.scalars(select(ContactDetails.phone)))
    genders = db.session.scalars(select(ProtectedAttributes.gender)).all()
    assert phones == ["+39 02 2", "+39 02 9"]
    assert sorted(genders) == ["M", "X"]
    assert db.session.scalar(select(func.count()).select_from(ContactDetails)) == 2


def test_the_database_refuses_the_same_file_twice(app: Flask, make_csv: MakeCsv) -> None:
    first = _import(make_csv([{}]))
    db.session.add(RiskSnapshot(as_of=first.as_of, filename="copy.csv", sha256=first.sha256,
                                rows=1))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_simultaneous_imports_of_one_file_store_it_once(threaded_app: Flask) -> None:
    content = snapshot_csv([{"source_id": f"CF{n:04d}"} for n in range(40)])
    imports = 4
    barrier = threading.Barrier(imports)
    outcomes: list[str] = []

    def run_import() -> None:
        with threaded_app.app_context():
            try:
                barrier.wait()
                begin_immediate(db.session())  # what every POST (and the CLI) does first
                _import(content)
                outcomes.append("stored")
            except Conflict as refused:
                outcomes.append(f"refused: {refused.message}")
            except BaseException as error:  # reported by the assertion below
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run_import) for _ in range(imports)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes)[-1] == "stored" and outcomes.count("stored") == 1, outcomes
    assert all(o.startswith("refused: ") for o in outcomes if o != "stored"), outcomes
    with threaded_app.app_context():
        assert _count(RiskSnapshot) == 1 and _count(RiskRecord) == 40
        db.session.remove()


@pytest.mark.parametrize("column", ["phone", "email", "address", "source_id"])
def test_a_nul_byte_is_a_row_error_that_names_no_one(app: Flask, column: str) -> None:
    errors = _refused(snapshot_csv([{}, {column: "Via\x00Roma 1"}]))
    assert errors == [(3, column, "contains a control character (such as NUL)")]
    assert all("Roma" not in message for _, _, message in errors)


def test_a_failed_statement_never_carries_its_parameters(app: Flask) -> None:
    """What reaches a log or a traceback when the database refuses a row."""
    db.session.add(ContactDetails(person_id=999_999, phone="+39 333 000 1111",
                                  email="nobody@example.org", address="Via Segreta 9"))
    with pytest.raises(DBAPIError) as failure:
        db.session.flush()  # no such person: a foreign key (or NUL) error
    db.session.rollback()
    shown = "".join(traceback.format_exception(failure.value))
    for secret in ("333 000 1111", "nobody@example.org", "Via Segreta"):
        assert secret not in shown


def test_unknown_columns_are_refused_and_a_huge_header_is_listed_briefly(app: Flask) -> None:
    one = _refused(snapshot_csv([{}], columns=(*RECORD_COLUMNS, "tax_code")))
    assert one == [(1, "", "Unknown columns: tax_code.")]
    many = tuple(f"extra_{i}" for i in range(100_000))
    (_row, _column, message), = _refused(snapshot_csv([{}], columns=(*RECORD_COLUMNS, *many)))
    assert message.startswith("Unknown columns: extra_0, extra_1") and "and 99990 more" in message
    assert len(message) < 300  # not a 1 MB line


def test_a_repeated_column_and_a_row_longer_than_the_header_are_refused(app: Flask) -> None:
    repeated = _refused(snapshot_csv([{}], columns=(*RECORD_COLUMNS, "email")))
    assert (1, "", "a column appears twice in the header") in repeated
    longer = snapshot_csv([{"source_id": "A"}, {"source_id": "B"}]).rstrip(b"\n") + b",surplus\n"
    assert _refused(longer) == [(3, "", "more cells than the header")]


def test_a_cell_too_large_for_csv_is_reported_on_its_own_row(app: Flask) -> None:
    huge = snapshot_csv([{"source_id": "A"}, {"address": "x" * (9 * 1024 * 1024)}])
    (row, _column, message), = _refused(huge)
    assert row == 3 and "cannot be read as CSV" in message


def test_a_stream_imports_as_its_bytes_do(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "current.csv"
    path.write_bytes(snapshot_csv([{"source_id": f"S{i}"} for i in range(12)]))
    with path.open("rb") as stream:
        snapshot = ensure_valid(import_snapshot(stream, path.name))
    db.session.commit()
    assert snapshot.rows == 12
    assert snapshot.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(DomainError, match="already imported"):
        import_snapshot(path.read_bytes(), "again.csv")


def test_a_refused_file_stores_nothing_even_after_full_chunks(app: Flask,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              ) -> None:
    from orientamento.risk import records

    monkeypatch.setattr(records, "CHUNK", 2)  # rows 2-5 are stored before row 6 fails
    rows = [{"source_id": f"C{i}"} for i in range(6)]
    rows[4] |= {"municipio": "10"}
    assert _refused(snapshot_csv(rows)) == [(6, "municipio", "expected a municipio from 1 to 9")]


def test_a_file_of_whole_chunks_imports_every_row(app: Flask,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from orientamento.risk import records

    monkeypatch.setattr(records, "CHUNK", 2)  # four rows: two full chunks, nothing left over
    snapshot = ensure_valid(import_snapshot(
        snapshot_csv([{"source_id": f"W{i}"} for i in range(4)]), "whole.csv"))
    db.session.commit()
    assert snapshot.rows == 4
    assert db.session.scalar(select(func.count()).select_from(RiskRecord).where(
        RiskRecord.snapshot_id == snapshot.id)) == 4
