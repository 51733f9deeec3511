"""Cells and CSV headers every catalogue import reads alike (core.cells, core.imports)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask_babel import lazy_gettext as _l

from orientamento.core.cells import checked_cell, text_cell
from orientamento.core.imports import FileProblem, csv_rows


@pytest.fixture
def en(app: Flask) -> Iterator[None]:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def _refusal(parse: Callable[[str], object], value: str) -> str:
    with pytest.raises(ValueError) as refused:
        parse(value)
    return str(refused.value)


def test_text_cells_refuse_with_the_message_their_catalogue_gives(en: None) -> None:
    own = text_cell(20, message=_l("Remove the control or text-direction characters."))
    assert _refusal(own, "Gi\u202eulia") == "Remove the control or text-direction characters."
    assert "no control characters" in _refusal(text_cell(20), "Gi\u202eulia")
    assert _refusal(text_cell(20), "  ") == "This value is required."
    assert text_cell(20, required=False)("  ") == ""
    assert "20" in _refusal(text_cell(20), "x" * 21)


def test_only_text_with_lines_keeps_line_breaks_and_tabs(en: None) -> None:
    lines = text_cell(100, lines=True)
    assert lines(" one\r\ntwo\tthree ") == "one\ntwo\tthree"
    assert "no control characters" in _refusal(text_cell(100), "one\ntwo")
    assert "no control characters" in _refusal(lines, "one\x1btwo")


def test_checked_cells_are_empty_or_pass_their_check(en: None) -> None:
    code = checked_cell(re.compile(r"\d{5}").fullmatch, _l("Write the five-digit postal code "
                                                          "(CAP), such as 20121."))
    assert code("   ") is None
    assert code(" 20121 ") == "20121"
    assert _refusal(code, "2012") == "Write the five-digit postal code (CAP), such as 20121."


def _rows(text: str) -> list[tuple[int, dict[str, str]]]:
    return list(csv_rows(text, required=("code", "name"), known=("code", "name", "note")))


def test_csv_rows_read_either_delimiter_and_number_the_lines(en: None) -> None:
    assert _rows("code,name\nA1,Uno\n") == [(2, {"code": "A1", "name": "Uno"})]
    assert _rows("code;name;note\nA1;Uno, due;\n") == [
        (2, {"code": "A1", "name": "Uno, due", "note": ""})]


@pytest.mark.parametrize(("text", "problem"), [
    ("code\nA1\n", "Missing columns: name."),
    ("code,name,extra\nA1,Uno,x\n", "Unknown columns: extra."),
    ("code,name,name\nA1,Uno,Uno\n", "A column appears twice in the header."),
    ("code,name\nA1,Uno,more\n", "Line 2 has more cells than the header."),
])
def test_csv_headers_and_rows_that_cannot_be_read_are_file_problems(
        en: None, text: str, problem: str) -> None:
    with pytest.raises(FileProblem) as refused:
        _rows(text)
    assert str(refused.value) == problem


def test_unknown_columns_are_listed_ten_at_most(en: None) -> None:
    header = ",".join(["code", "name"] + [f"x{n}" for n in range(12)])
    with pytest.raises(FileProblem) as refused:
        _rows(header + "\n")
    assert str(refused.value).endswith("x9 and 2 more.")
