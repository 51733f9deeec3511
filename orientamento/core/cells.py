"""Cells of an imported file that every catalogue format reads the same way: an e-mail address,
a web address, a whole number in a range, a date, a code of an enumeration.

Each parser takes the cell's text and returns its value (None for an empty optional cell) or
raises ``ValueError`` with a message in the application's language. The course catalogue
(``courses/records.py``) and the catalogue of support services (``support/fields.py``) build
their column parsers from these, so the same cell is refused with the same words in both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import TypeVar

from flask_babel import LazyString
from flask_babel import gettext as _

from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.text import has_control_characters

EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
URL_PATTERN = re.compile(r"https?://[^\s/]+\.[^\s]+")
#: The longest e-mail address SMTP carries (RFC 5321), and the longest web address taken.
EMAIL_LENGTH = 254
URL_LENGTH = 300

E = TypeVar("E", bound=StrEnum)


def is_email(value: str) -> bool:
    """Whether ``value`` (stripped) looks like an e-mail address: the one rule of imports
    and forms."""
    return len(value) <= EMAIL_LENGTH and EMAIL_PATTERN.fullmatch(value) is not None


def text_cell(limit: int, required: bool = True, lines: bool = False,
              message: LazyString | None = None) -> Callable[[str], str]:
    """Plain text of at most ``limit`` characters, stripped; line breaks and tabs only where
    ``lines`` (then Windows line ends become ``\\n``). Control characters and text-direction
    marks are refused with ``message`` (a lazy translation: parsers are built at import time),
    by default the forms' words."""
    def parse(value: str) -> str:
        value = value.strip()
        if required and not value:
            raise ValueError(_("This value is required."))
        if len(value) > limit:
            raise ValueError(_("At most %(limit)d characters.", limit=limit))
        if lines:
            value = value.replace("\r\n", "\n")
        if has_control_characters(
                value.replace("\r", "").replace("\n", "").replace("\t", "") if lines else value):
            raise ValueError(str(message) if message is not None else
                             _("Use plain text: no control characters or text-direction marks."))
        return value
    return parse


def checked_cell(check: Callable[[str], object], message: LazyString
                 ) -> Callable[[str], str | None]:
    """Text (stripped) that ``check`` accepts, or None for an empty cell; else a ValueError
    with ``message`` (a lazy translation: parsers are built at import time)."""
    def parse(value: str) -> str | None:
        value = value.strip()
        if not value:
            return None
        if not check(value):
            raise ValueError(str(message))
        return value
    return parse


#: An e-mail address, or None for an empty cell.
email_cell = checked_cell(is_email, _l("Write an e-mail address such as name@example.org."))
#: A web address starting with http:// or https://, or None for an empty cell.
url_cell = checked_cell(lambda value: len(value) <= URL_LENGTH and URL_PATTERN.fullmatch(value),
                        _l("Write a web address starting with https://."))


def integer_cell(low: int, high: int, required: bool = True) -> Callable[[str], int | None]:
    """A whole number from ``low`` to ``high``; an empty cell is None unless ``required``."""
    def parse(value: str) -> int | None:
        value = value.strip()
        if not value and not required:
            return None
        try:
            number = int(value)
        except ValueError:
            raise ValueError(_("Write a whole number.")) from None
        if not low <= number <= high:
            raise ValueError(_("Write a number from %(low)d to %(high)d.", low=low, high=high))
        return number
    return parse


def date_cell(value: str) -> date | None:
    """A date written as YYYY-MM-DD, or None for an empty cell (each format checks its range)."""
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("Write a date as YYYY-MM-DD.")) from None


def member_cell(enum: type[E], lower: bool = False) -> Callable[[str], E]:
    """A code of ``enum``, read lower-cased first when ``lower``."""
    def parse(value: str) -> E:
        value = value.strip()
        try:
            return enum(value.lower() if lower else value)
        except ValueError:
            raise ValueError(_("Use one of: %(options)s.", options=", ".join(enum))) from None
    return parse
