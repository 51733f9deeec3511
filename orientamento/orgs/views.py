"""Admin pages for schools and providers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from orientamento.auth.models import Role
from orientamento.core.access import role_required
from orientamento.core.forms import EmptyForm, button_pressed, submitted
from orientamento.core.pagination import paginate
from orientamento.extensions import db
from orientamento.orgs import queries, services
from orientamento.orgs.forms import ProviderForm, SchoolForm
from orientamento.orgs.models import Provider, School

bp = Blueprint("orgs", __name__)

KINDS: dict[str, dict[str, Any]] = {
    "school": {"model": School, "form": SchoolForm, "save": services.save_school,
               "delete": services.delete_school, "list": "orgs.list_schools"},
    "provider": {"model": Provider, "form": ProviderForm, "save": services.save_provider,
                 "delete": services.delete_provider, "list": "orgs.list_providers"},
}


def _listing(kind: str) -> ResponseReturnValue:
    text = (request.args.get("q") or "").strip().lower()
    return render_template("orgs/list.html", kind=kind, q=text,
                           pagination=paginate(queries.organisations(KINDS[kind]["model"], text)))


def _edit(kind: str, obj_id: int | None) -> ResponseReturnValue:
    spec = KINDS[kind]
    obj = db.get_or_404(spec["model"], obj_id) if obj_id is not None else None
    form = spec["form"](obj=obj)

    def act() -> str:
        spec["save"](obj, **{name: None if field.data == "" else field.data
                             for name, field in form._fields.items() if name != "csrf_token"})
        return _("Saved.")

    return submitted(form, act, url_for(spec["list"]), lambda status: (render_template(
        "orgs/edit.html", kind=kind, form=form, obj=obj, delete_form=EmptyForm()), status),
        field=form.code)


def _delete(kind: str, obj_id: int) -> ResponseReturnValue:
    spec = KINDS[kind]
    obj = db.get_or_404(spec["model"], obj_id)
    return button_pressed(lambda: spec["delete"](obj), _("Deleted."), url_for(spec["list"]))


@bp.get("/schools")
@role_required(Role.ADMIN)
def list_schools() -> ResponseReturnValue:
    """List schools."""
    return _listing("school")


@bp.route("/schools/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_school() -> ResponseReturnValue:
    """Add a school."""
    return _edit("school", None)


@bp.route("/schools/<int:school_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_school(school_id: int) -> ResponseReturnValue:
    """Edit a school."""
    return _edit("school", school_id)


@bp.post("/schools/<int:school_id>/delete")
@role_required(Role.ADMIN)
def delete_school(school_id: int) -> ResponseReturnValue:
    """Delete a school without counsellors."""
    return _delete("school", school_id)


@bp.get("/providers")
@role_required(Role.ADMIN)
def list_providers() -> ResponseReturnValue:
    """List training providers."""
    return _listing("provider")


@bp.route("/providers/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_provider() -> ResponseReturnValue:
    """Add a training provider."""
    return _edit("provider", None)


@bp.route("/providers/<int:provider_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_provider(provider_id: int) -> ResponseReturnValue:
    """Edit a training provider."""
    return _edit("provider", provider_id)


@bp.post("/providers/<int:provider_id>/delete")
@role_required(Role.ADMIN)
def delete_provider(provider_id: int) -> ResponseReturnValue:
    """Delete a provider without staff."""
    return _delete("provider", provider_id)
