"""Account pages: log in and out, register, passwords, profile, export and erasure."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_user, logout_user

from orientamento.auth import privacy, services
from orientamento.auth.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    SetPasswordForm,
)
from orientamento.auth.models import TokenPurpose, User
from orientamento.auth.tokens import peek_token
from orientamento.core import clock
from orientamento.core.access import acting_user, login_required, public
from orientamento.core.errors import DomainError
from orientamento.core.forms import EmptyForm, form_status, refusal_shown_on
from orientamento.core.navigation import safe_next_url
from orientamento.database import begin_immediate, locks_when_writing
from orientamento.extensions import db, limiter

bp = Blueprint("auth", __name__)


def _login_key() -> str:
    return "login:" + services.normalize_login(request.form.get("login", ""))[:254]


def _start_session(user: User) -> None:
    """Start a fresh session (no fixation), keeping the language chosen before login.

    A language picked in this browser before logging in is a fresh choice: it wins over the
    one stored in the profile, and becomes the stored one.
    """
    chosen: str | None = session.get("locale")
    session.clear()
    login_user(user)
    if chosen and chosen in current_app.config["LOCALES"] and chosen != user.locale:
        begin_immediate(db.session())  # a second, short write: queue for SQLite's lock
        services.set_locale(user, chosen)
        db.session.commit()
    session["locale"] = user.locale or chosen


@bp.route("/login", methods=["GET", "POST"])
@locks_when_writing
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_IP"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"], key_func=_login_key, methods=["POST"]
)
def login() -> ResponseReturnValue:
    """Log in with e-mail or username and password."""
    form = LoginForm()
    if form.validate_on_submit():
        password = form.password.data or ""
        # The slow password check runs first, outside any write: logins verify in parallel.
        check = services.check_login(form.login.data or "", password)
        begin_immediate(db.session())
        try:
            user = services.record_login(check, password)
        except services.LoginFailed as failure:
            db.session.commit()  # keep the failure count and the audit entry
            form.password.errors = [str(failure.message)]
            return render_template("auth/login.html", form=form), failure.status_code
        db.session.commit()
        _start_session(user)
        return redirect(safe_next_url(request.args.get("next"), "start.index"))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    """End every session of the current user."""
    services.log_out(acting_user())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "success")
    return redirect(url_for("core.home"))


@bp.route("/register", methods=["GET", "POST"])
@public
def register() -> ResponseReturnValue:
    """Register as a student with e-mail and password."""
    form = RegisterForm()
    if form.validate_on_submit():
        with refusal_shown_on(form):
            user = services.register_student(
                email=form.email.data or "",
                password=form.password.data or "",
                display_name=form.display_name.data or "",
                date_of_birth=form.date_of_birth.data,
                locale=session.get("locale"),
                today=clock.today(),
            )
            db.session.commit()
            _start_session(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("start.index"))
    return render_template("auth/register.html", form=form), form_status(form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    """Ask for a reset link; the answer never reveals whether the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data or "")
        db.session.commit()
        flash(_("If an account uses this address, we have sent it a link to reset the "
                "password.") + " " + ngettext(
                    "The link works once and expires in %(num)d hour.",
                    "The link works once and expires in %(num)d hours.",
                    current_app.config["PASSWORD_RESET_HOURS"]), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 400 if form.errors else 200


def _token_page(purpose: TokenPurpose, token: str, template: str) -> ResponseReturnValue:
    form = SetPasswordForm()
    user = peek_token(token, purpose)
    if user is None:
        return render_template("auth/token_invalid.html"), 404
    if form.validate_on_submit():
        action = (services.reset_password if purpose == TokenPurpose.PASSWORD_RESET
                  else services.accept_invitation)
        try:
            user = action(token, form.password.data or "")
        except DomainError as error:
            db.session.rollback()
            form.password.errors = [str(error.message)]
            return render_template(template, form=form, user=user), error.status_code
        db.session.commit()
        _start_session(user)
        flash(_("Your password has been set."), "success")
        return redirect(url_for("start.index"))
    return render_template(template, form=form, user=user), 400 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> ResponseReturnValue:
    """Choose a new password from an e-mailed link."""
    return _token_page(TokenPurpose.PASSWORD_RESET, token, "auth/reset_password.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> ResponseReturnValue:
    """Set the first password of an invited staff account."""
    return _token_page(TokenPurpose.INVITATION, token, "auth/accept_invitation.html")


@bp.get("/")
@login_required
def profile() -> ResponseReturnValue:
    """Show the account, its settings and the privacy actions."""
    return render_template(
        "auth/profile.html", today=clock.today(), password_form=ChangePasswordForm(),
        export_form=EmptyForm(),
    )


@bp.post("/password")
@login_required
def change_password() -> ResponseReturnValue:
    """Change the password; other sessions end, this one continues."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                acting_user(), form.current.data or "", form.password.data or ""
            )
        except DomainError as error:
            db.session.rollback()
            form.current.errors = [str(error.message)]
        else:
            db.session.commit()
            _start_session(acting_user())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.profile"))
    return render_template(
        "auth/profile.html", today=clock.today(), password_form=form, export_form=EmptyForm()
    ), 400


@bp.post("/export")
@login_required
def export_data() -> ResponseReturnValue:
    """Download every piece of data linked to the account as JSON."""
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("auth.profile"))
    data = privacy.export_user_data(acting_user())
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="orientamento-my-data.json"'},
    )


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete_account() -> ResponseReturnValue:
    """Delete the account and all its data, after confirmation."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            privacy.delete_account(acting_user(), form.password.data or "")
        except DomainError as error:
            db.session.rollback()
            form.password.errors = [str(error.message)]
            return render_template("auth/delete_account.html", form=form), error.status_code
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("Your account and all its data have been deleted."), "success")
        return redirect(url_for("core.home"))
    return render_template("auth/delete_account.html", form=form), 400 if form.errors else 200
