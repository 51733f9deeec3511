"""Reasons in plain words: a stored score's signed contributions read through its spec.

A score stores, per reason, ``{"feature", "contribution", "direction"}`` where direction is
``"up"`` (the feature raised the risk) or ``"down"``. The words come from the spec the version
was trained with, in the reader's language; a suggestion is shown only for mutable features.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from orientamento.risk.models import ModelVersion
from orientamento.risk.spec import Spec, parse_spec


@dataclass(frozen=True)
class ReasonLine:
    """One reason as shown to an outreach worker."""

    feature: str
    text: str
    direction: str
    contribution: float
    suggestion: str | None


@lru_cache(maxsize=32)
def _spec_of(source: str) -> Spec:
    return parse_spec(source)


def version_spec(version: ModelVersion) -> Spec:
    """The spec a version was trained with (parsed once per process)."""
    return _spec_of(version.spec_yaml)


def reason_lines(spec: Spec, reasons: list[dict[str, Any]], locale: str) -> list[ReasonLine]:
    """Stored reasons in words, in ``locale``; unknown features are skipped."""
    lines = []
    names = set(spec.feature_names)
    for reason in reasons:
        name = str(reason.get("feature", ""))
        if name not in names:
            continue
        feature = spec.feature(name)
        direction = "up" if reason.get("direction") == "up" else "down"
        texts = feature.reasons.up if direction == "up" else feature.reasons.down
        suggestion = (feature.suggestion.get(locale)
                      if feature.mutable and feature.suggestion and direction == "up" else None)
        lines.append(ReasonLine(name, texts.get(locale), direction,
                                float(reason.get("contribution", 0.0)), suggestion))
    return lines
