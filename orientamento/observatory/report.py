"""The quarterly report: the public tables of a quarter, their charts and a method note, as
one self-contained HTML page to print, and the same page as PDF (WeasyPrint)."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from orientamento.core import clock
from orientamento.courses.areas import AREA_LABELS
from orientamento.observatory import pages
from orientamento.observatory.disclosure import THRESHOLD
from orientamento.observatory.neet import STAGE_LABELS, TRIGGER_LABELS
from orientamento.observatory.periods import Quarter
from orientamento.outreach.calls.measures import CONTACT_DEADLINES


def render_report(quarter: Quarter, language: str = "it") -> str:
    """The report of ``quarter`` as HTML in ``language`` (protected counts only)."""
    by_quarter = pages.interest_by_quarter()
    with force_locale(language):
        return render_template(
            "observatory/report.html", quarter=quarter, language=language,
            page=pages.overview(pages.crosswalk(), quarter, by_quarter), by_quarter=by_quarter,
            neet_by_trigger=pages.neet_by_trigger(), neet_by_municipio=pages.neet_by_municipio(),
            trigger_labels=TRIGGER_LABELS, stage_labels=STAGE_LABELS,
            campaign=pages.call_campaign(), deadlines=CONTACT_DEADLINES,
            projections=pages.projections(), area_labels=AREA_LABELS,
            synthetic=pages.has_synthetic_demand(), sources=pages.demand_sources(),
            threshold=THRESHOLD, made_on=clock.today())


def render_pdf(html: str) -> bytes:
    """The report's HTML printed to PDF by WeasyPrint (inline SVG charts included)."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
