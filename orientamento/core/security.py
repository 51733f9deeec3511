"""Security headers (flask-talisman) and cache rules for personal pages."""

from __future__ import annotations

from flask import Flask, Response, abort, request
from flask_login import current_user
from flask_talisman import Talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "form-action": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}


def init_security(app: Flask) -> None:
    """Apply the CSP with nonces, HSTS over HTTPS and no-store on personal pages."""
    force_https = bool(app.config.get("FORCE_HTTPS"))
    # One Talisman per app: ``init_app`` keeps its settings on the instance, so a shared one
    # made every app in a process follow the last app's FORCE_HTTPS (in the test suite, the
    # browser tests' plain-HTTP live server began redirecting to HTTPS once another test had
    # built a production app: ERR_SSL_PROTOCOL_ERROR).
    app.extensions["talisman"] = Talisman(
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src", "style-src"],
        force_https=force_https,
        strict_transport_security=force_https,
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        session_cookie_http_only=True,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )

    @app.before_request
    def _refuse_nul_characters() -> None:
        # No legitimate input holds a NUL character, and PostgreSQL cannot store one:
        # refuse it up front with a 400 instead of failing deep in a query.
        values = [*request.args.values(), *request.form.values()]
        if any("\x00" in value for value in values):
            abort(400)

    @app.after_request
    def _no_store_for_personal_pages(response: Response) -> Response:
        if request.endpoint == "static":
            return response
        if current_user and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        else:
            response.headers.setdefault("Cache-Control", "no-cache")
        response.vary.update(("Cookie", "Accept-Language"))
        return response
