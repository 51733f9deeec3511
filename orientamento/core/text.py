"""Checks on free text that no feature should store: control and text-direction characters."""

from __future__ import annotations

import unicodedata

#: Characters that reorder text on screen (a name could pretend to be another).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a control character (NUL, a line break...) or a bidi control."""
    return any(unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS for c in text)
