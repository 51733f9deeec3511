"""CSV cells a spreadsheet opens safely: a value that looks like a formula stays text."""

from __future__ import annotations

from flask_babel import gettext as _

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
