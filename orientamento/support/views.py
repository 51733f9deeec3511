"""The public page "I'm not studying or working: what can I do?" and the pages that edit,
import and export the catalogue of services: admins edit every organisation's entries, a
service operator those of their own organisation (its services, locations and sites; not the
organisation's existence, the list or the import)."""

from __future__ import annotations

from typing import Any

from babel.dates import get_day_names
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from orientamento.auth.models import Role
from orientamento.core.access import acting_user, public, role_required
from orientamento.core.errors import DomainError
from orientamento.core.forms import EmptyForm
from orientamento.core.i18n import current_language, language_name
from orientamento.core.import_page import export_download, import_page
from orientamento.extensions import db
from orientamento.support import queries, services, transfer
from orientamento.support.forms import (
    HelpFilterForm,
    ImportForm,
    LocationForm,
    OrganisationForm,
    ServiceForm,
    SiteForm,
)
from orientamento.support.models import (
    HelpKind,
    SupportLocation,
    SupportOrganisation,
    SupportService,
    SupportSite,
)

bp = Blueprint("support", __name__)

@bp.get("/")
@public
def find_help() -> ResponseReturnValue:
    """Services for young people who are not studying or working, by need, language, place."""
    locale = current_language()
    form = HelpFilterForm(request.args, languages=queries.spoken_languages(locale))
    shown = {"form": form, "days": get_day_names("wide", locale=locale),
             "language_names": lambda codes: [language_name(c, locale) for c in codes]}
    if not form.validate():
        return render_template("support/find_help.html", page=None, **shown), 400
    filters = queries.HelpFilters(
        need=HelpKind(form.need.data) if form.need.data else None,
        language=form.language.data or None,
        municipio=int(form.municipio.data) if form.municipio.data else None)
    return render_template("support/find_help.html", filters=filters,
                           page=queries.find_services(filters), **shown)


# --- organisations ---------------------------------------------------------------------------

@bp.get("/admin")
@role_required(Role.ADMIN)
def list_organisations() -> ResponseReturnValue:
    """The organisations of the catalogue, by name, with a search by name."""
    text = (request.args.get("q") or "").strip()[:200]
    page = queries.organisations_page(text)
    return render_template("support/organisations.html", page=page, q=text,
                           counts=queries.service_counts([o.id for o in page.items]))


def _render(template: str, status: int = 200, **values: Any) -> ResponseReturnValue:
    return render_template(f"support/{template}", **values), status


def _saved(save: Any, form: Any, template: str, target: Any, shown: object = None,
           **values: Any) -> ResponseReturnValue:
    """Show ``form`` (filled from ``shown`` on a GET); on a POST run ``save`` with its cells,
    commit and go to ``target(saved)``, or show the form again with the parser's messages."""
    if request.method == "GET" and shown is not None:
        form.fill_from(shown)
    if not form.validate_on_submit():
        return _render(template, 400 if form.errors else 200, form=form, **values)
    try:
        saved = save(form.cells())
    except services.InvalidRecord as invalid:
        db.session.rollback()
        form.apply_errors(invalid.errors)
        return _render(template, 400, form=form, **values)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(target(saved))


@bp.route("/admin/organisations/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_organisation() -> ResponseReturnValue:
    """Add an organisation."""
    return _saved(lambda cells: services.save_organisation(None, cells), OrganisationForm(),
                  "organisation.html",
                  lambda o: url_for("support.edit_organisation", organisation_id=o.id),
                  organisation=None)


@bp.route("/admin/organisations/<int:organisation_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SERVICE_OPERATOR)
def edit_organisation(organisation_id: int) -> ResponseReturnValue:
    """Change an organisation; list its services and locations (admins, and its own staff)."""
    organisation = _editable_organisation(organisation_id)
    return _saved(lambda cells: services.save_organisation(organisation, cells), OrganisationForm(),
                  "organisation.html",
                  lambda o: url_for("support.edit_organisation", organisation_id=o.id),
                  organisation=organisation, shown=organisation)


def _delete(thing: object, delete: Any, what: str, name: str, back: str, done: str
            ) -> ResponseReturnValue:
    """Ask to confirm (GET), then delete (POST) and go to ``done``."""
    form = EmptyForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("support/confirm_delete.html", form=form, what=what, name=name,
                               back=back), 200 if request.method == "GET" else 400
    try:
        delete(thing)
    except DomainError as refused:
        db.session.rollback()
        flash(str(refused.message), "danger")
        return redirect(back)
    db.session.commit()
    flash(_("Deleted."), "success")
    return redirect(done)


@bp.route("/admin/organisations/<int:organisation_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def delete_organisation(organisation_id: int) -> ResponseReturnValue:
    """Delete an organisation with its services and locations, after confirmation."""
    organisation = queries.organisation_or_404(organisation_id)
    return _delete(organisation, services.delete_organisation, "organisation", organisation.name,
                   url_for("support.edit_organisation", organisation_id=organisation_id),
                   url_for("support.list_organisations"))


def _editable(organisation_id: int) -> None:
    queries.check_editor(acting_user(), organisation_id)


def _editable_organisation(organisation_id: int) -> SupportOrganisation:
    """The organisation, when the user may edit its entries (else 404 or 403)."""
    organisation = queries.organisation_or_404(organisation_id)
    _editable(organisation.id)
    return organisation


def _editable_service(service_id: int) -> SupportService:
    """The service, when the user may edit its organisation's entries (else 404 or 403)."""
    service = queries.service_or_404(service_id)
    _editable(service.organisation_id)
    return service


# --- services ------------------------------------------------------------------------------

@bp.route("/admin/organisations/<int:organisation_id>/services/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SERVICE_OPERATOR)
def create_service(organisation_id: int) -> ResponseReturnValue:
    """Add a service to an organisation."""
    organisation = _editable_organisation(organisation_id)
    return _saved(lambda cells: services.save_service(organisation, None, cells),
                  ServiceForm(), "service.html",
                  lambda s: url_for("support.edit_service", service_id=s.id),
                  organisation=organisation, service=None)


@bp.route("/admin/services/<int:service_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SERVICE_OPERATOR)
def edit_service(service_id: int) -> ResponseReturnValue:
    """Change a service; list where and when it is offered."""
    service = _editable_service(service_id)
    return _saved(lambda cells: services.save_service(service.organisation, service, cells),
                  ServiceForm(), "service.html",
                  lambda s: url_for("support.edit_service", service_id=s.id),
                  organisation=service.organisation, service=service, shown=service)


@bp.route("/admin/services/<int:service_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SERVICE_OPERATOR)
def delete_service(service_id: int) -> ResponseReturnValue:
    """Delete a service with its sites and hours, after confirmation."""
    service = _editable_service(service_id)
    return _delete(service, services.delete_service, "service", service.name,
                   url_for("support.edit_service", service_id=service_id),
                   url_for("support.edit_organisation",
                           organisation_id=service.organisation_id))


# --- locations -----------------------------------------------------------------------------

@bp.route("/admin/organisations/<int:organisation_id>/locations/new",
          methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SERVICE_OPERATOR)
def create_location(organisation_id: int) -> ResponseReturnValue:
    """Add a location to an organisation."""
    organisation = _editable_organisation(organisation_id)
    return _saved(lambda cells: services.save_location(organisation, None, cells),
                  LocationForm(), "location.html",
                  lambda loc: url_for("support.edit_organisation",
                                      organisation_id=organisation.id),
                  organisation=organisation, location=None)


@bp.route("/admin/locations/<int:location_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SERVICE_OPERATOR)
def edit_location(location_id: int) -> ResponseReturnValue:
    """Change a location."""
    location = db.get_or_404(SupportLocation, location_id)
    _editable(location.organisation_id)
    return _saved(lambda cells: services.save_location(location.organisation, location, cells),
                  LocationForm(), "location.html",
                  lambda loc: url_for("support.edit_organisation",
                                      organisation_id=loc.organisation_id),
                  organisation=location.organisation, location=location, shown=location)


@bp.route("/admin/locations/<int:location_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SERVICE_OPERATOR)
def delete_location(location_id: int) -> ResponseReturnValue:
    """Delete a location (services stop being offered there), after confirmation."""
    location = db.get_or_404(SupportLocation, location_id)
    _editable(location.organisation_id)
    back = url_for("support.edit_organisation", organisation_id=location.organisation_id)
    return _delete(location, services.delete_location, "location", location.full_address,
                   url_for("support.edit_location", location_id=location_id), back)


# --- sites (a service at a location, with opening hours) -----------------------------------

@bp.route("/admin/services/<int:service_id>/sites/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SERVICE_OPERATOR)
def create_site(service_id: int) -> ResponseReturnValue:
    """Offer a service at one of its organisation's locations, with opening hours."""
    service = _editable_service(service_id)
    form = SiteForm(locations=service.organisation.locations)
    return _saved(lambda cells: services.save_site(service, None, cells), form, "site.html",
                  lambda site: url_for("support.edit_service", service_id=service.id),
                  service=service, site=None)


@bp.route("/admin/sites/<int:site_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SERVICE_OPERATOR)
def edit_site(site_id: int) -> ResponseReturnValue:
    """Change where a service is offered and its opening hours."""
    site = db.get_or_404(SupportSite, site_id)
    service = _editable_service(site.service_id)
    form = SiteForm(locations=service.organisation.locations)
    return _saved(lambda cells: services.save_site(service, site, cells), form, "site.html",
                  lambda saved: url_for("support.edit_service", service_id=service.id),
                  service=service, site=site, shown=site)


@bp.route("/admin/sites/<int:site_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SERVICE_OPERATOR)
def delete_site(site_id: int) -> ResponseReturnValue:
    """Stop offering a service at a location, after confirmation."""
    site = db.get_or_404(SupportSite, site_id)
    _editable(site.service.organisation_id)
    back = url_for("support.edit_service", service_id=site.service_id)
    return _delete(site, services.delete_site, "site",
                   f"{site.service.name} – {site.location.full_address}", back, back)


# --- import and export -----------------------------------------------------------------------

@bp.route("/admin/import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_catalogue() -> ResponseReturnValue:
    """Check (dry run) or import an HSDS JSON or spreadsheet file, all or nothing."""
    return import_page(ImportForm(), "support/import.html", transfer.import_file,
                       transfer.MAX_IMPORT_BYTES, _("Catalogue of services imported."))


@bp.get("/admin/export/<any(hsds, csv):fmt>")
@role_required(Role.ADMIN)
def export_catalogue(fmt: str) -> ResponseReturnValue:
    """Download the whole catalogue as HSDS JSON or as the spreadsheet (the import formats)."""
    return export_download(*transfer.export(fmt))
