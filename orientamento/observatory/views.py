"""The Observatory's pages: public aggregates, the staff's finer cuts, the demand import,
projections and open data."""

from __future__ import annotations

from flask import Blueprint, Response, flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from orientamento.auth.models import Role
from orientamento.classes.models import SchoolLevel
from orientamento.core import clock
from orientamento.core.access import public, role_required
from orientamento.core.errors import DomainError
from orientamento.core.school_year import school_year_of
from orientamento.courses.areas import AREA_LABELS
from orientamento.extensions import db
from orientamento.observatory import (
    campaign,
    indicators,
    neet,
    opendata,
    pages,
    reach,
    transfer,
)
from orientamento.observatory.forms import DemandImportForm, FilterForm, NeetFilterForm
from orientamento.observatory.models import EducationAsked
from orientamento.observatory.periods import Quarter
from orientamento.observatory.records import MappingProblem, parse_mapping

bp = Blueprint("observatory", __name__)


def _filters() -> tuple[FilterForm, Quarter | None, bool]:
    quarters = pages.recent_quarters()
    form = FilterForm(request.args, quarters=quarters)
    ok = form.validate()
    quarter = Quarter.parse(form.quarter.data or "") if ok else None
    return form, quarter, ok


def _common() -> dict[str, object]:
    return {"synthetic": pages.has_synthetic_demand(), "sources": pages.demand_sources(),
            "area_labels": AREA_LABELS}


def _reach() -> dict[str, object]:
    school_year = school_year_of(clock.today())
    return {"reach_rows": reach.reach(school_year), "school_year": school_year,
            "level_labels": SchoolLevel.labels()}


@bp.get("/")
@public
def overview() -> ResponseReturnValue:
    """Interest, seats and demand per course area, and the gaps, for everyone."""
    form, quarter, ok = _filters()
    by_quarter = pages.interest_by_quarter()
    return render_template(
        "observatory/overview.html", form=form,
        page=pages.overview(pages.crosswalk(), quarter, by_quarter), by_quarter=by_quarter,
        monthly=pages.monthly_totals(), **_reach(), **_common()), 200 if ok else 400


@bp.get("/neet")
@public
def neet_path() -> ResponseReturnValue:
    """The NEET path for everyone: flags by trigger and quarter, and by municipio and the
    furthest stage reached, as the last refresh published them."""
    return render_template("observatory/neet.html", by_trigger=pages.neet_by_trigger(),
                           by_municipio=pages.neet_by_municipio(),
                           campaign=pages.call_campaign(), **_neet_labels(),
                           **_common())


def _neet_labels() -> dict[str, object]:
    return {"trigger_labels": neet.TRIGGER_LABELS, "stage_labels": neet.STAGE_LABELS,
            "outcome_labels": neet.OUTCOME_LABELS, "deadlines": campaign.CONTACT_DEADLINES}


@bp.get("/staff/neet")
@role_required(Role.ADMIN)
def staff_neet() -> ResponseReturnValue:
    """The NEET path's finer cuts for city staff: by quarter, municipio and trigger."""
    quarters = pages.recent_quarters()
    form = NeetFilterForm(request.args, quarters=quarters)
    ok = form.validate()
    chosen = [form.quarter.data] if ok and form.quarter.data else [str(q) for q in quarters]
    rows = neet.stored_counts(chosen, trigger=(form.trigger.data or None) if ok else None)
    return render_template(
        "observatory/staff_neet.html", form=form, chosen=chosen,
        measures=neet.measures_by_municipio(rows), outcomes=neet.outcomes_by_municipio(rows),
        campaign=campaign.live(clock.today()),
        **_neet_labels(), **_common()), 200 if ok else 400


@bp.get("/staff")
@role_required(Role.ADMIN)
def staff() -> ResponseReturnValue:
    """The finer cuts for city staff: by municipio, unprotected counts, unmapped codes."""
    form, quarter, ok = _filters()
    municipio = int(form.municipio.data) if ok and form.municipio.data else None
    crosswalk = pages.crosswalk()
    quarters = pages.recent_quarters()
    points = pages.interest_points()
    return render_template(
        "observatory/staff.html", form=form, quarter=quarter, municipio=municipio,
        mismatch=indicators.mismatch(crosswalk, quarter, municipio, points=points),
        by_municipio=pages.interest_by_municipio(crosswalk, points), quarters=quarters,
        demand_quarters=pages.demand_by_quarter(crosswalk, quarters),
        projections=pages.projections(published_only=False), **_reach(), **_common()), \
        200 if ok else 400


@bp.route("/admin/import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_demand() -> ResponseReturnValue:
    """Check (dry run) or import a labour-demand CSV, all or nothing."""
    form = DemandImportForm()
    shown = {"form": form, "education_levels": list(EducationAsked)}
    if not form.validate_on_submit():
        return render_template("observatory/import.html", report=None, **shown), \
            400 if form.errors else 200
    try:
        mapping = parse_mapping((form.mapping.data or "").splitlines())
    except MappingProblem as problem:
        form.mapping.errors = [str(problem)]
        return render_template("observatory/import.html", report=None, **shown), 400
    upload = form.file.data
    try:
        report = transfer.import_file(
            upload.read(transfer.MAX_IMPORT_BYTES + 1), mapping=mapping,
            territory=form.territory.data, source=form.source.data or upload.filename or "",
            dry_run=form.dry_run.data)
    except DomainError:
        db.session.rollback()
        raise
    if report.ok and not report.dry_run:
        db.session.commit()
        flash(_("Labour demand imported."), "success")
    else:
        db.session.rollback()
    return render_template("observatory/import.html", report=report, **shown), \
        200 if report.ok else 422


@bp.get("/projections")
@public
def projections() -> ResponseReturnValue:
    """Demand by occupation group 12 and 24 months ahead, with the backtests behind them."""
    return render_template("observatory/projections.html",
                           projections=pages.projections(published_only=False),
                           history=pages.history_by_code(), **_common())


@bp.get("/data/<any(" + ", ".join(opendata.TABLE_NAMES) + "):table>.<any(csv, json):fmt>")
@public
def download(table: str, fmt: str) -> ResponseReturnValue:
    """A public table as CSV or JSON (CC BY 4.0)."""
    return opendata.download(table, fmt)


@bp.get("/data/catalogue.jsonld")
@public
def catalogue() -> ResponseReturnValue:
    """The DCAT-AP_IT catalogue of the public tables (JSON-LD)."""
    return Response(opendata.catalogue_json(), content_type="application/ld+json; charset=utf-8")
