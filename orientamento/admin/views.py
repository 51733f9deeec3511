"""Admin pages: users, invitations, roles, activation, audit log."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from orientamento.admin import queries, services
from orientamento.admin.forms import InviteForm, RoleForm, UserSearchForm
from orientamento.auth.models import AuditAction, Role
from orientamento.core.access import acting_user, role_required
from orientamento.core.errors import DomainError
from orientamento.core.forms import EmptyForm, button_pressed, submitted
from orientamento.core.pagination import paginate_capped
from orientamento.extensions import db

bp = Blueprint("admin", __name__)


@bp.get("/users")
@role_required(Role.ADMIN)
def list_users() -> ResponseReturnValue:
    """List and search users."""
    form = UserSearchForm(request.args)
    if not form.validate():  # the field says what is wrong; nothing is searched
        return render_template("admin/users.html", form=form, pagination=None), 400
    pagination = paginate_capped(queries.search_users(form.q.data, form.role.data),
                                 current_app.config["PAGE_SIZE"], queries.COUNT_CAP)
    return render_template("admin/users.html", form=form, pagination=pagination)


@bp.route("/users/invite", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def invite_user() -> ResponseReturnValue:
    """Create a staff account and e-mail an invitation to set a password."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = services.invite_staff(
                acting_user(), email=form.email.data or "",
                display_name=form.display_name.data or "",
                role=Role(form.role.data), school_id=form.school_id.data or None,
                provider_id=form.provider_id.data or None, municipi=form.municipi.data or [],
                support_organisation_id=form.support_organisation_id.data or None,
            )
        except DomainError as error:
            db.session.rollback()
            form.email.errors = [str(error.message)]
            return render_template("admin/invite.html", form=form), error.status_code
        db.session.commit()
        flash(_("Invitation sent to %(email)s.", email=user.email), "success")
        return redirect(url_for("admin.show_user", user_id=user.id))
    return render_template("admin/invite.html", form=form), 400 if form.errors else 200


@bp.get("/users/<int:user_id>")
@role_required(Role.ADMIN)
def show_user(user_id: int) -> ResponseReturnValue:
    """Show a user with the role form and account actions."""
    user = queries.user_or_404(user_id)
    form = RoleForm(obj=user, municipi=[link.municipio for link in user.municipi])
    return render_template("admin/user.html", user=user, form=form, action_form=EmptyForm())


@bp.post("/users/<int:user_id>/role")
@role_required(Role.ADMIN)
def change_role(user_id: int) -> ResponseReturnValue:
    """Change a user's role and organisation."""
    user = queries.user_or_404(user_id)
    form = RoleForm()

    def act() -> str:
        services.change_role(
            acting_user(), user, role=Role(form.role.data),
            school_id=form.school_id.data or None,
            provider_id=form.provider_id.data or None, municipi=form.municipi.data or [],
            support_organisation_id=form.support_organisation_id.data or None,
        )
        return _("The role has been changed.")

    return submitted(form, act, url_for("admin.show_user", user_id=user.id),
                     lambda status: (render_template("admin/user.html", user=user, form=form,
                                                     action_form=EmptyForm()), status),
                     field=form.role)


@bp.post("/users/<int:user_id>/active")
@role_required(Role.ADMIN)
def set_active(user_id: int) -> ResponseReturnValue:
    """Deactivate or reactivate an account."""
    user = queries.user_or_404(user_id)
    active = request.form.get("active") == "1"
    return button_pressed(lambda: services.set_active(acting_user(), user, active),
                          _("The account is active again.") if active else
                          _("The account has been deactivated and its sessions ended."),
                          url_for("admin.show_user", user_id=user.id))


@bp.post("/users/<int:user_id>/invitation")
@role_required(Role.ADMIN)
def resend_invitation(user_id: int) -> ResponseReturnValue:
    """Send a fresh invitation link."""
    user = queries.user_or_404(user_id)
    return button_pressed(lambda: services.send_invitation(acting_user(), user),
                          _("A new invitation has been sent."),
                          url_for("admin.show_user", user_id=user.id))


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit_log() -> ResponseReturnValue:
    """Read the audit log."""
    action = request.args.get("action") or None
    if action and action not in {a.value for a in AuditAction}:
        action = None
    pagination = paginate_capped(queries.audit_entries(action), 50, queries.COUNT_CAP)
    return render_template(
        "admin/audit.html", pagination=pagination, action=action, actions=list(AuditAction)
    )
