"""Questionnaire definitions: frozen pydantic models validated from YAML.

A questionnaire file is data, written by people who are not programmers, so
every check here names the item and the problem in plain words.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Localized = dict[str, str]
ItemType = Literal["likert5", "single_choice", "multiple_choice", "single_choice_correct"]
Kind = Literal["likert", "digital", "aptitude"]
Level = Literal["basic", "intermediate", "advanced"]
IDENTIFIER = r"^[A-Za-z][A-Za-z0-9_]{0,39}$"


class Frozen(BaseModel):
    """Immutable, strict model: unknown keys are errors (typos must not pass silently)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Option(Frozen):
    """An answer option of a choice item."""

    id: str = Field(pattern=IDENTIFIER)
    text: Localized
    scores: dict[str, float] = Field(default_factory=dict)


class Item(Frozen):
    """One question."""

    id: str = Field(pattern=IDENTIFIER)
    type: ItemType
    scale: str
    text: Localized
    reverse: bool = False
    level: Level | None = None
    options: tuple[Option, ...] = ()
    correct: str | None = None


class Section(Frozen):
    """A page of items."""

    id: str = Field(pattern=IDENTIFIER)
    title: Localized
    items: tuple[Item, ...] = Field(min_length=1)


class Scale(Frozen):
    """What is measured, with plain-language explanations per result band."""

    id: str = Field(pattern=IDENTIFIER)
    name: Localized
    description: Localized
    low: Localized
    medium: Localized
    high: Localized


class Questionnaire(Frozen):
    """An instrument at one published version."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    version: int = Field(ge=1)
    kind: Kind
    framework: str = Field(min_length=10)
    locales: tuple[str, ...] = Field(min_length=1)
    minutes: int = Field(ge=1, le=120)
    title: Localized
    intro: Localized
    response_labels: tuple[Localized, ...] = ()
    scales: tuple[Scale, ...] = Field(min_length=1)
    sections: tuple[Section, ...] = Field(min_length=1)

    @property
    def items(self) -> Iterator[Item]:
        """Every item, in order."""
        for section in self.sections:
            yield from section.items

    def scale(self, scale_id: str) -> Scale:
        """The scale with this id."""
        return next(scale for scale in self.scales if scale.id == scale_id)

    def items_of(self, scale_id: str) -> list[Item]:
        """The items that measure a scale."""
        return [item for item in self.items if item.scale == scale_id]

    def section_index(self, section_id: str) -> int:
        """Position of a section (ValueError if unknown)."""
        for index, section in enumerate(self.sections):
            if section.id == section_id:
                return index
        raise ValueError(section_id)

    @model_validator(mode="after")
    def _check(self) -> Questionnaire:
        problems = list(self._problems())
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _problems(self) -> Iterator[str]:
        yield from _duplicates("scale", [scale.id for scale in self.scales])
        yield from _duplicates("section", [section.id for section in self.sections])
        yield from _duplicates("item", [item.id for item in self.items])
        scale_ids = {scale.id for scale in self.scales}
        for where, text in self._texts():
            missing = [locale for locale in self.locales if not (text.get(locale) or "").strip()]
            if missing:
                yield f"{where}: no text for locale {', '.join(missing)}"
            extra = sorted(set(text) - set(self.locales))
            if extra:
                yield f"{where}: text for undeclared locale {', '.join(extra)}"
        if any(item.type == "likert5" for item in self.items) and len(self.response_labels) != 5:
            yield "likert5 items need exactly 5 response_labels"
        for item in self.items:
            yield from (f"item {item.id}: {problem}" for problem in _item_problems(item, self.kind))
            if item.scale not in scale_ids:
                yield f"item {item.id}: unknown scale {item.scale!r}"
            for option in item.options:
                unknown = sorted(set(option.scores) - scale_ids)
                if unknown:
                    yield f"item {item.id}, option {option.id}: unknown scale {unknown[0]!r}"
        for scale in self.scales:
            if not self.items_of(scale.id):
                yield f"scale {scale.id}: no item measures it"

    def _texts(self) -> Iterator[tuple[str, Localized]]:
        yield "title", self.title
        yield "intro", self.intro
        for number, label in enumerate(self.response_labels, 1):
            yield f"response label {number}", label
        for scale in self.scales:
            for field in ("name", "description", "low", "medium", "high"):
                yield f"scale {scale.id} {field}", getattr(scale, field)
        for section in self.sections:
            yield f"section {section.id} title", section.title
            for item in section.items:
                yield f"item {item.id}", item.text
                for option in item.options:
                    yield f"item {item.id} option {option.id}", option.text


def _duplicates(what: str, ids: list[str]) -> Iterator[str]:
    seen: set[str] = set()
    for identifier in ids:
        if identifier in seen:
            yield f"{what} id {identifier!r} is used twice"
        seen.add(identifier)


def _item_problems(item: Item, kind: Kind) -> Iterator[str]:
    choice = item.type != "likert5"
    if choice and len(item.options) < 2:
        yield "a choice item needs at least 2 options"
    if not choice and item.options:
        yield "a likert5 item takes no options"
    yield from _duplicates("option", [option.id for option in item.options])
    if item.type == "single_choice_correct":
        if len(item.options) < 3:
            yield "an item with a correct answer needs at least 3 options"
        if item.correct not in {option.id for option in item.options}:
            yield f"correct answer {item.correct!r} is not one of the options"
    elif item.correct is not None:
        yield "only single_choice_correct items have a correct answer"
    if item.reverse and item.type != "likert5":
        yield "only likert5 items can be reverse-keyed"
    if kind == "aptitude" and item.type != "single_choice_correct":
        yield "aptitude instruments use single_choice_correct items only"
    if kind == "digital" and item.level is None:
        yield "digital-skills items need a level (basic, intermediate or advanced)"
