"""The headline of an interests result: the areas that stand clear of the rest, or "broad".

One rule and one wording for every page that names a person's strongest interests: the
result page and its printout, the counsellor's class page and the course suggestions (which
receive it through ``courses.signals.interest_profile``).

The rule works on the scores as the chart shows them (0-100). Sort the six areas; the first
``k`` of them stand clear of the rest when the ``k``-th score is above the ``k+1``-th by more
than the standard error of the difference of two scores, ``SEM x sqrt(2)`` (the SEM of a scale
mean on 1-5, rescaled to 0-100). The headline names the largest such group of one, two or
three areas, strongest first; when no gap among the first four scores is that wide, the
profile is broad. The order inside the group is what the chart shows, not a claim the
measurement supports.

With the default SEM of 0.35 the margin is 0.35 x 1.414 x 25 = 12.4 points: Investigative 91,
Realistic 84 and the rest 34-53 name Investigative and Realistic (84 - 53 = 31 points clear),
and not Investigative alone (91 - 84 = 7 is within the error).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _

from orientamento.assessments.scoring import DEFAULT_INTEREST_SEM, LIKERT_MAX, LIKERT_MIN
from orientamento.courses.recommendations import LETTER_LABELS, RIASEC_LETTERS

#: The most areas a headline names: a Holland code has three letters.
MOST_NAMED = 3


def margin(sem: float = DEFAULT_INTEREST_SEM) -> float:
    """The gap (0-100 points) two scores must exceed to differ beyond measurement error."""
    return max(sem, 0.0) * math.sqrt(2) * 100 / (LIKERT_MAX - LIKERT_MIN)


def standing_out(percents: Mapping[str, float | None], gap: float) -> tuple[str, ...]:
    """The areas (at most three, strongest first) above all the others by more than ``gap``.

    Unscored areas are left out; ties keep the RIASEC order. An empty tuple is a broad profile.
    """
    order = {letter: n for n, letter in enumerate(RIASEC_LETTERS)}
    ranked = sorted(((float(value), area) for area, value in percents.items() if value is not None),
                    key=lambda pair: (-pair[0], order.get(pair[1], len(order)), pair[1]))
    for count in range(min(MOST_NAMED, len(ranked) - 1), 0, -1):
        if ranked[count - 1][0] - ranked[count][0] > gap:
            return tuple(area for _, area in ranked[:count])
    return ()


@dataclass(frozen=True)
class Headline:
    """What an interests result supports saying, in the reader's language."""

    areas: tuple[str, ...]  # RIASEC letters, strongest first; empty for a broad profile
    text: str  # the sentence addressed to the person (results, printout, suggestions)
    summary: str  # the short form for lists about other people (the counsellor's class page)
    gap: float  # the margin of error the rule used, in points out of 100

    @property
    def is_broad(self) -> bool:
        """Whether no area stands clear of the others."""
        return not self.areas


def interest_headline(percents: Mapping[str, float | None],
                      sem: float = DEFAULT_INTEREST_SEM) -> Headline:
    """The headline of six interest scores (0-100) measured with the given SEM."""
    gap = margin(sem)
    areas = standing_out(percents, gap)
    if not areas:
        return Headline((), _("You have a broad profile: several areas interest you about as "
                              "much, so no area clearly stands out. That is common and leaves "
                              "many paths open."),
                        _("Broad profile: no area clearly stands out"), gap)
    names = format_list([str(LETTER_LABELS[area]) for area in areas], locale=get_locale() or "it")
    if len(areas) == 1:
        text = _("One area clearly stands out from the others: %(areas)s.", areas=names)
    elif len(areas) == 2:
        text = _("Two areas clearly stand out from the others: %(areas)s.", areas=names)
    else:
        text = _("Three areas clearly stand out from the others: %(areas)s.", areas=names)
    return Headline(areas, text, _("Standing out: %(areas)s", areas=names), gap)


def headline_of_scores(scores: Mapping[str, Any], sem: float) -> Headline:
    """The headline of stored scores (``{"R": {"percent": ...}, ...}``), in the current
    language."""
    percents = tuple((area, (value or {}).get("percent")) for area, value in scores.items())
    return _kept_headline(percents, sem, get_locale())


@lru_cache(maxsize=4096)
def _kept_headline(percents: tuple[tuple[str, float | None], ...], sem: float,
                   _locale: Locale | None) -> Headline:
    """``interest_headline``, kept per scores, SEM and language: a class page shows one for
    each pupil, and the same profiles come back on every view."""
    return interest_headline(dict(percents), sem)

