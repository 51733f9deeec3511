"""The name and preferred language of the contact details in the records format: optional,
validated like every other cell, stored with the contact details."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from orientamento.extensions import db
from orientamento.risk.models import ContactDetails, RiskPerson, RiskRecord
from orientamento.risk.pseudonyms import pseudonymize
from orientamento.risk.records import ensure_valid, import_snapshot
from orientamento.risk.synth import RECORD_COLUMNS
from tests.risk.conftest import snapshot_csv

COLUMNS = (*RECORD_COLUMNS, "name", "language")


def _contact(source_id: str) -> ContactDetails:
    person = db.session.scalar(select(RiskPerson).where(
        RiskPerson.pseudonym == pseudonymize(source_id)))
    assert person is not None and person.contact is not None
    return person.contact


def _errors(content: bytes) -> list[tuple[int, str, str]]:
    report = import_snapshot(content, "bad.csv")
    assert report.snapshot is None
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RiskRecord)) == 0
    return [(e.row, e.column, e.message) for e in report.errors]


def test_name_and_language_are_stored_with_the_contact_details(app: Flask) -> None:
    ensure_valid(import_snapshot(snapshot_csv([
        {"source_id": "A1", "name": "Ahmed Benali", "language": " AR "},
        {"source_id": "A2", "name": "", "language": ""},
        {"source_id": "A3", "name": "Mei Chen", "language": "zh", "phone": "", "email": "",
         "address": ""},
    ], COLUMNS), "names.csv"))
    db.session.commit()
    first = _contact("A1")
    assert (first.name, first.language, first.phone) == ("Ahmed Benali", "ar",
                                                         "+39 02 1111 2222")
    second = _contact("A2")
    assert (second.name, second.language) == (None, None)
    third = _contact("A3")  # a name and a language alone are contact details too
    assert (third.name, third.language, third.phone) == ("Mei Chen", "zh", None)


def test_files_without_the_new_columns_still_import(app: Flask) -> None:
    ensure_valid(import_snapshot(snapshot_csv([{"source_id": "B1"}]), "old.csv"))
    db.session.commit()
    assert (_contact("B1").name, _contact("B1").language) == (None, None)


@pytest.mark.parametrize("language", ["arabic", "a", "xx", "ar-EG", "زز", "1t"])
def test_a_bad_language_is_a_clear_row_error(app: Flask, language: str) -> None:
    errors = _errors(snapshot_csv([{"source_id": "C1"}, {"source_id": "C2",
                                                         "language": language}], COLUMNS))
    assert errors == [(3, "language", "expected a two-letter ISO 639-1 language code, such "
                                      "as it, en or ar")]


@pytest.mark.parametrize("name", ["A" * 101, "Ahmed\u202eilaneB", "Giulia\x00Rossi"])
def test_a_long_name_or_one_with_control_characters_is_refused(app: Flask, name: str) -> None:
    [(row, column, message)] = _errors(snapshot_csv([{"source_id": "D1", "name": name}],
                                                    COLUMNS))
    assert (row, column) == (2, "name")
    assert "Ahmed" not in message and "Giulia" not in message


def test_the_database_refuses_a_language_that_is_not_a_lower_case_code(app: Flask) -> None:
    ensure_valid(import_snapshot(snapshot_csv([{"source_id": "E1"}]), "e.csv"))
    db.session.commit()
    contact = _contact("E1")
    for bad in ("AR", "a"):
        contact.language = bad
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        contact = _contact("E1")
