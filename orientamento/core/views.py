"""Home, static information pages, language switch and health checks."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import text

from orientamento.core.access import public
from orientamento.core.http_cache import revalidated
from orientamento.core.navigation import safe_next_url
from orientamento.extensions import csrf, db

bp = Blueprint("core", __name__)


@bp.get("/")
@public
@revalidated()
def home() -> ResponseReturnValue:
    """Explain the four services."""
    return render_template("core/home.html")


@bp.get("/accessibility")
@public
def accessibility() -> ResponseReturnValue:
    """Show the accessibility statement."""
    return render_template("core/accessibility.html")


@bp.get("/privacy")
@public
def privacy() -> ResponseReturnValue:
    """Show the privacy notice."""
    return render_template("core/privacy.html")


@bp.post("/language")
@csrf.exempt
@public
def set_language() -> ResponseReturnValue:
    """Switch the interface language for the session and, if logged in, the profile.

    CSRF is checked only for a logged-in visitor, whose account the switch changes: anonymous
    pages carry no token, so that shared caches may keep them (``core.http_cache``), and a
    forged switch could only change a visitor's display language.
    """
    if current_user.is_authenticated and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()
    language = request.form.get("language", "")
    if language in current_app.config["LOCALES"]:
        session["locale"] = language
        if current_user.is_authenticated:
            current_user.locale = language
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")))


@bp.get("/healthz")
@public
def healthz() -> ResponseReturnValue:
    """Answer 200 while the process runs."""
    return jsonify(status="ok")


@bp.get("/readyz")
@public
def readyz() -> ResponseReturnValue:
    """Answer 200 only when the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not ready"
        current_app.logger.warning("readiness check failed", exc_info=True)
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
