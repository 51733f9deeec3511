"""Course and occupation suggestions from a student's interest profile, with reasons.

The ranking is a pure function of the six RIASEC interest scores and the candidates'
profiles: the Pearson correlation between the two vectors. It takes no personal attribute
at all (gender in particular can never be passed: the signature has no place for it), and it
always keeps a few good options outside the student's strongest interests.

Candidates may also say which programme they belong to (the same course offered at several
sites or by several providers: one suggestion lists them all) and their area (a cap per area
keeps the first results from filling up with one sector).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from orientamento.core.enums import LabelledEnum
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.courses.areas import CourseKind

RIASEC_LETTERS = ("R", "I", "A", "S", "E", "C")
LETTER_LABELS = {
    "R": _l("Realistic"), "I": _l("Investigative"), "A": _l("Artistic"),
    "S": _l("Social"), "E": _l("Enterprising"), "C": _l("Conventional"),
}


class Education(LabelledEnum):
    """The highest step of education reached (or in progress), which decides entry."""

    LOWER_SECONDARY_IN_PROGRESS = ("lower_secondary_in_progress",
                                   _l("I am in lower secondary school (scuola media)"))
    LOWER_SECONDARY = "lower_secondary", _l("I have the lower secondary diploma (licenza media)")
    UPPER_SECONDARY_IN_PROGRESS = ("upper_secondary_in_progress",
                                   _l("I am in upper secondary school"))
    IEFP_QUALIFICA = "iefp_qualifica", _l("I have a three-year IeFP qualification")
    DIPLOMA = "diploma", _l("I have an upper secondary diploma or a four-year IeFP diploma")


#: Entry rules (REFERENCE.md): IeFP after lower secondary school; the IeFP fourth year after
#: the three-year qualification; ITS Academy and IFTS after a diploma or a four-year IeFP diploma.
ELIGIBLE_KINDS: dict[Education, frozenset[CourseKind]] = {
    Education.LOWER_SECONDARY_IN_PROGRESS: frozenset({CourseKind.IEFP_QUALIFICA}),
    Education.LOWER_SECONDARY: frozenset({CourseKind.IEFP_QUALIFICA}),
    Education.UPPER_SECONDARY_IN_PROGRESS: frozenset({CourseKind.IEFP_QUALIFICA}),
    Education.IEFP_QUALIFICA: frozenset({CourseKind.IEFP_DIPLOMA}),
    Education.DIPLOMA: frozenset({CourseKind.ITS, CourseKind.IFTS}),
}


def default_education(age: int | None) -> Education:
    """A sensible first guess from age alone; the student can change it."""
    if age is None or age >= 19:
        return Education.DIPLOMA
    if age < 14:
        return Education.LOWER_SECONDARY_IN_PROGRESS
    return Education.UPPER_SECONDARY_IN_PROGRESS


@dataclass(frozen=True)
class Candidate:
    """Something to suggest: an id and its RIASEC profile (letters R..C -> weight).

    Candidates with the same non-empty ``group`` are one programme: only the best-fitting is
    ranked, the others ride along. ``area`` is what the cap per area counts.
    """

    id: int
    profile: Mapping[str, float]
    group: str = ""
    area: str = ""
    #: ``profile`` in RIASEC order, made once: kept candidates (the occupations, per
    #: catalogue version) are ranked on every result page.
    vector: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "vector", _vector(self.profile))


@dataclass(frozen=True)
class Suggestion:
    """A ranked candidate: its correlation with the student and the letters they share."""

    id: int
    fit: float
    shared: tuple[str, ...]
    broadening: bool = False
    lead: str = ""
    #: The candidate's two strongest letters, strongest first.
    leads: tuple[str, ...] = ()
    #: The other candidates of the same programme, best-fitting first.
    others: tuple[int, ...] = ()


def _vector(profile: Mapping[str, float]) -> np.ndarray:
    return np.array([float(profile.get(letter, 0.0)) for letter in RIASEC_LETTERS])


def top_letters(profile: Mapping[str, float], count: int = 3) -> tuple[str, ...]:
    """The ``count`` strongest letters, strongest first (ties in RIASEC order)."""
    order = sorted(RIASEC_LETTERS, key=lambda k: (-float(profile.get(k, 0.0)),
                                                  RIASEC_LETTERS.index(k)))
    return tuple(order[:count])


def correlation(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Pearson correlation of two RIASEC profiles (0 when either is flat)."""
    x, y = _vector(a), _vector(b)
    x, y = x - x.mean(), y - y.mean()
    denominator = float(np.sqrt((x * x).sum() * (y * y).sum()))
    return float((x * y).sum() / denominator) if denominator > 1e-12 else 0.0


def rank(scores: Mapping[str, float], candidates: Sequence[Candidate], limit: int = 10,
         broaden: int = 3, per_area: int | None = None) -> list[Suggestion]:
    """Best ``limit`` programmes by correlation, plus ``broaden`` outside the top code.

    Candidates of one programme (``Candidate.group``) give one suggestion, the best-fitting,
    which lists the others. The broadening options are the best-fitting programmes whose
    strongest letter is not among the student's three strongest letters, so suggestions never
    collapse onto one type; they are listed after the others and never twice. With
    ``per_area``, the first ``limit`` suggestions hold at most that many of one area, best
    first, and the broadening ones one per area; when too few areas remain, the best of the
    set-aside ones fill the places left.
    """
    if not candidates:
        return []
    student_top = top_letters(scores)
    matrix = np.array([c.vector for c in candidates])
    centred = matrix - matrix.mean(axis=1, keepdims=True)
    x = _vector(scores) - _vector(scores).mean()
    norms = np.sqrt((centred * centred).sum(axis=1) * float((x * x).sum()))
    fits = np.divide(centred @ x, norms, out=np.zeros(len(candidates)), where=norms > 1e-12)
    # Strongest letters of each candidate; a stable sort keeps ties in RIASEC order.
    leads = np.argsort(-matrix, axis=1, kind="stable")[:, :2]
    order = sorted(range(len(candidates)), key=lambda n: (-round(float(fits[n]), 9),
                                                          candidates[n].id))
    programmes: dict[str, list[int]] = {}
    for n in order:
        programmes.setdefault(candidates[n].group or f"#{candidates[n].id}", []).append(n)
    heads = [members[0] for members in programmes.values()]  # still in rank order

    def suggestion(n: int, broadening: bool = False) -> Suggestion:
        lead_letters = tuple(RIASEC_LETTERS[k] for k in leads[n])
        shared = tuple(k for k in student_top[:2] if k in lead_letters)
        members = programmes[candidates[n].group or f"#{candidates[n].id}"]
        return Suggestion(candidates[n].id, round(float(fits[n]), 4), shared, broadening,
                          lead_letters[0], lead_letters,
                          tuple(candidates[m].id for m in members[1:]))

    # Broadening options are picked first, so they exist whenever such candidates do; with a
    # cap per area, each comes from another area while there are enough.
    outside = [n for n in heads if RIASEC_LETTERS[leads[n][0]] not in student_top]
    wider = _spread(outside, [candidates[n].area for n in outside], broaden,
                    None if per_area is None else 1)
    rest = [n for n in heads if n not in set(wider)]
    best = _spread(rest, [candidates[n].area for n in rest], limit, per_area)
    return [suggestion(n) for n in best] + [suggestion(n, True) for n in wider]


def _spread(ranked: list[int], areas: list[str], limit: int, per_area: int | None) -> list[int]:
    """The first ``limit`` of ``ranked`` with at most ``per_area`` of one area, then fillers."""
    if per_area is None:
        return ranked[:limit]
    taken: list[int] = []
    set_aside: list[int] = []
    counts: dict[str, int] = {}
    for n, area in zip(ranked, areas, strict=True):
        if len(taken) == limit:
            break
        if counts.get(area, 0) < per_area:
            counts[area] = counts.get(area, 0) + 1
            taken.append(n)
        else:
            set_aside.append(n)
    return taken + set_aside[:limit - len(taken)]
