"""CSV files a spreadsheet opens safely: a value that looks like a formula stays text.

Every CSV download is written here, in one of two flavours: the standard one (comma, decimal
point, UTF-8) that programs read, and the one Italian Excel opens with a double click
(semicolon, decimal comma, UTF-8 with a byte order mark, without which Excel reads the
accents as Windows-1252).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from flask import Response
from flask_babel import gettext as _

#: A cell: text (escaped), a whole number, or a decimal (written with the flavour's separator).
Cell = str | int | float | Decimal | None

#: What makes a spreadsheet treat a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> str:
    """A cell's text, a would-be formula (or a leading apostrophe) prefixed with an apostrophe.

    Spreadsheets then show it as text; escaping leading apostrophes too keeps the mapping
    reversible, so every value survives an export and re-import.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith((*FORMULA_PREFIXES, "'")) else text


def unescape_cell(value: str) -> str:
    """Undo ``escape_cell``; refuse a bare formula."""
    if value.startswith(FORMULA_PREFIXES):
        raise ValueError(_("A value may not start with =, +, -, @ or a tab: a spreadsheet would "
                           "run it as a formula. Start it with an apostrophe (') instead."))
    return value[1:] if value.startswith("'") else value



@dataclass(frozen=True)
class CsvFlavour:
    """How a CSV file separates cells and decimals, and whether it starts with a BOM."""

    delimiter: str
    decimal: str
    bom: bool


STANDARD_CSV = CsvFlavour(delimiter=",", decimal=".", bom=False)
#: What Excel with Italian settings opens as columns: its list separator is ";" because the
#: comma is its decimal separator ("1.5" would become the 1st of May).
EXCEL_CSV = CsvFlavour(delimiter=";", decimal=",", bom=True)


def _cell(value: Cell, flavour: CsvFlavour) -> str:
    if isinstance(value, bool):
        raise TypeError("write booleans as words")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return str(value).replace(".", flavour.decimal)
    return escape_cell(value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]],
             flavour: CsvFlavour = STANDARD_CSV) -> str:
    """A header and rows as CSV text (CRLF line ends), every text cell formula-escaped."""
    out = io.StringIO(newline="")
    if flavour.bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=flavour.delimiter, lineterminator="\r\n")
    writer.writerow([escape_cell(name) for name in header])
    writer.writerows([_cell(value, flavour) for value in row] for row in rows)
    return out.getvalue()


def csv_download(text: str, filename: str) -> Response:
    """Send CSV text as an attachment: UTF-8, declared once in the Content-Type."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                       for c in filename)
    return Response(text.encode("utf-8"), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{fallback}"; '
                               f"filename*=UTF-8''{quote(filename, safe='')}"})

