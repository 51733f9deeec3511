"""The crosswalk from occupations (CP2021) to course areas (ITS areas and IeFP sectors).

It is the course directory's own reference table (courses/data/occupations.csv): each
reference occupation lists the areas whose courses lead to it. A demand row's occupation
group (any CP2021 level, such as 3.1.2 or 3.1.2.1.0) maps to the reference occupations it
contains, and its hires are shared among their areas in proportion to how many of them list
each area. Groups that contain no reference occupation map to no area: their hires are the
uncovered part that the pages show beside the coverage.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from sqlalchemy import select

from orientamento.courses.models import Occupation
from orientamento.courses.recommendations import RIASEC_LETTERS
from orientamento.extensions import db


@dataclass
class Crosswalk:
    """Reference occupations: code -> areas, and each area's mean RIASEC profile."""

    occupations: Mapping[str, tuple[str, ...]]
    area_profiles: Mapping[str, Mapping[str, float]]
    _weights: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)

    @cached_property
    def area_matrix(self) -> tuple[list[str], np.ndarray]:
        """Area codes (sorted) and their profiles centred and scaled to unit length, one row
        each: a student's centred, unit profile times this matrix is the Pearson correlation
        with every area at once."""
        areas = sorted(self.area_profiles)
        matrix = np.array([[self.area_profiles[a][k] for k in RIASEC_LETTERS] for a in areas],
                          dtype=float).reshape(len(areas), len(RIASEC_LETTERS))
        matrix -= matrix.mean(axis=1, keepdims=True)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return areas, np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 1e-12)

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of the areas' profiles: a result placed against another crosswalk is
        placed again by the next refresh (``placements.py``)."""
        areas, matrix = self.area_matrix
        digest = hashlib.sha256("|".join(areas).encode())
        digest.update(np.round(matrix, 12).tobytes())
        return digest.hexdigest()[:16]

    def best_area(self, profile: Mapping[str, float]) -> str | None:
        """The area whose profile correlates best with a RIASEC profile (ties: the first
        area code); None for a flat profile."""
        areas, matrix = self.area_matrix
        vector = np.array([float(profile[k]) for k in RIASEC_LETTERS])
        vector -= vector.mean()
        norm = float(np.linalg.norm(vector))
        if norm < 1e-9 or not areas:
            return None
        return areas[int(np.argmax(matrix @ (vector / norm)))]

    def weights(self, group: str) -> dict[str, float]:
        """Areas of an occupation group with the share of its hires each gets (sums to 1),
        or {} when the group contains no reference occupation."""
        if group in self._weights:
            return self._weights[group]
        counts: Counter[str] = Counter()
        for code, areas in self.occupations.items():
            if code == group or code.startswith(group + "."):
                counts.update(areas)
        total = sum(counts.values())
        shares = {area: n / total for area, n in counts.items()} if total else {}
        self._weights[group] = shares
        return shares


def build_crosswalk(rows: Iterable[tuple[str, list[str], Mapping[str, float]]]) -> Crosswalk:
    """A crosswalk from (code, areas, riasec profile) rows."""
    occupations: dict[str, tuple[str, ...]] = {}
    sums: dict[str, dict[str, float]] = {}
    counts: Counter[str] = Counter()
    for code, areas, profile in rows:
        occupations[code] = tuple(areas)
        for area in areas:
            counts[area] += 1
            target = sums.setdefault(area, dict.fromkeys(RIASEC_LETTERS, 0.0))
            for letter in RIASEC_LETTERS:
                target[letter] += float(profile.get(letter.lower(), profile.get(letter, 0.0)))
    profiles = {area: {k: v / counts[area] for k, v in total.items()}
                for area, total in sums.items()}
    return Crosswalk(occupations, profiles)


def load_crosswalk() -> Crosswalk:
    """The crosswalk from the stored occupation reference table."""
    return build_crosswalk((code, areas, profile) for code, areas, profile in db.session.execute(
        select(Occupation.cp2021, Occupation.areas, Occupation.riasec)))
