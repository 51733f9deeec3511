"""The shared CSV writer: the standard flavour, Italian Excel's, and the download response."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from orientamento.core.errors import DomainError
from orientamento.core.forms import csv_flavour
from orientamento.core.spreadsheet import (
    EXCEL_CSV,
    STANDARD_CSV,
    csv_download,
    csv_text,
    unescape_cell,
)

ROWS = [["Anna", 100.0, Decimal("1.5"), 2, None], ["=SUM(A1)", 62.5, Decimal("2"), -3, "-x"]]


def test_the_standard_flavour_is_comma_and_decimal_point_without_bom() -> None:
    text = csv_text(["pupil", "score", "hours", "n", "note"], ROWS)
    assert not text.startswith("\ufeff") and text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["pupil", "score", "hours", "n", "note"],
                    ["Anna", "100.0", "1.5", "2", ""],
                    ["'=SUM(A1)", "62.5", "2", "-3", "'-x"]]


def test_the_excel_flavour_is_semicolon_decimal_comma_and_a_bom() -> None:
    text = csv_text(["pupil", "score", "hours", "n", "note"], ROWS, EXCEL_CSV)
    assert text.startswith("\ufeffpupil;score;")
    data = text.encode("utf-8")
    assert data[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[1] == ["Anna", "100,0", "1,5", "2", ""]
    assert rows[2] == ["'=SUM(A1)", "62,5", "2", "-3", "'-x"]
    assert unescape_cell(rows[2][0]) == "=SUM(A1)"


def test_text_with_the_delimiter_is_quoted_in_both_flavours() -> None:
    for flavour in (STANDARD_CSV, EXCEL_CSV):
        text = csv_text(["a"], [["Rossi; Bianchi, Verdi"]], flavour)
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""),
                               delimiter=flavour.delimiter))
        assert rows[1] == ["Rossi; Bianchi, Verdi"]


def test_a_download_declares_utf8_once_and_keeps_a_non_ascii_name(app: Flask) -> None:
    with app.test_request_context():
        response = csv_download(csv_text(["a"], [["è"]], EXCEL_CSV), 'Classe 3ª "B".csv')
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.get_data()[:3] == b"\xef\xbb\xbf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Classe 3_ _B_.csv"; ')
    assert "filename*=UTF-8''Classe%203%C2%AA%20%22B%22.csv" in disposition


@pytest.mark.parametrize("query, flavour", [
    ({}, STANDARD_CSV), ({"excel": "0"}, STANDARD_CSV), ({"excel": "1"}, EXCEL_CSV),
    ({"excel": ""}, STANDARD_CSV),
])
def test_the_query_string_chooses_the_flavour(app: Flask, query: dict[str, str],
                                              flavour: object) -> None:
    with app.test_request_context():
        assert csv_flavour(MultiDict(query)) == flavour


@pytest.mark.parametrize("value", ["2", "yes", "1; DROP", "\x00"])
def test_any_other_excel_value_is_refused(app: Flask, value: str) -> None:
    with app.test_request_context(), pytest.raises(DomainError):
        csv_flavour(MultiDict({"excel": value}))
