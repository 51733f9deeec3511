"""The model card, rendered only through Jinja: the Markdown stored with a version
(templates/risk/card.md) and the card page with its reliability chart (templates/risk/card.html
and _reliability.html) read the same metrics. The Markdown is what is stored and downloadable,
so the card read at activation can be archived as text.
"""

from __future__ import annotations

from flask import render_template

from orientamento.risk.models import ModelVersion
from orientamento.risk.spec import Spec


def card_markdown(spec: Spec, version: ModelVersion) -> str:
    """The model card of a version as Markdown (English; the card page is translated), from
    templates/risk/card.md."""
    text = render_template("risk/card.md", spec=spec, version=version, m=version.metrics)
    return text if text.endswith("\n") else text + "\n"
