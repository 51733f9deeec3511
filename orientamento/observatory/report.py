"""The quarterly report: the public tables of a quarter, their charts and a method note, as
one self-contained HTML page to print (or save as PDF from the browser)."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from orientamento.core import clock
from orientamento.courses.areas import AREA_LABELS
from orientamento.observatory import pages
from orientamento.observatory.disclosure import THRESHOLD
from orientamento.observatory.periods import Quarter


def render_report(quarter: Quarter, language: str = "it") -> str:
    """The report of ``quarter`` as HTML in ``language`` (protected counts only)."""
    crosswalk = pages.crosswalk()
    points = pages.interest_points()
    quarters = [quarter.previous(n) for n in range(pages.QUARTERS_SHOWN - 1, -1, -1)]
    with force_locale(language):
        return render_template(
            "observatory/report.html", quarter=quarter, language=language,
            page=pages.overview(crosswalk, quarter, points),
            by_quarter=pages.interest_by_quarter(crosswalk, quarters, points),
            projections=pages.projections(), area_labels=AREA_LABELS,
            synthetic=pages.has_synthetic_demand(), sources=pages.demand_sources(),
            threshold=THRESHOLD, made_on=clock.today())
