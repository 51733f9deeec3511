"""String enums that carry their own translated label, declared beside the value."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from flask_babel.speaklater import LazyString
from wtforms.fields.choices import SelectChoice


class LabelledEnum(StrEnum):
    """A ``StrEnum`` whose members are written ``ACTIVE = "active", _l("Active")``.

    A member is its value (it compares, hashes and is stored as that string) and keeps the
    lazy label in ``.label``, translated when it is rendered, in the request's language.
    """

    _value_: str
    label: LazyString

    # ``label`` has a default only so that type checkers accept ``Kind("active")``, which looks
    # a member up (Enum calls this method only to make the members).
    def __new__(cls, value: str, label: LazyString | None = None) -> Self:
        if label is None:
            raise TypeError(f"{cls.__name__} member {value!r} has no label")
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls, empty: Any = None) -> list[SelectChoice]:
        """Select options, value and label of each member, after an empty one when ``empty``
        names it."""
        options = [SelectChoice(member.value, member.label) for member in cls]
        return [SelectChoice("", empty), *options] if empty else options

    @classmethod
    def labels(cls) -> dict[str, LazyString]:
        """Each member's value -> its label, for a template that looks up stored strings."""
        return {member.value: member.label for member in cls}
