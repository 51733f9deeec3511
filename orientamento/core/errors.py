"""Domain exceptions raised by services, and the localized error pages."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain refused an action; the message is shown to the user."""

    status_code = 400

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


class NotAllowed(DomainError):
    """The acting user may not do this."""

    status_code = 403


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the user)."""

    status_code = 404


class Conflict(DomainError):
    """The action clashes with the current state (duplicate, already used, closed)."""

    status_code = 409


ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("This action conflicts with the current state"),
    413: _l("The file you sent is too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
    503: _l("The service is temporarily unavailable"),
}

ERROR_HINTS = {
    400: _l("Check what you entered and try again. If the form has expired, reload the page."),
    403: _l("If you think you should have access, contact your school or the city's help desk."),
    404: _l("The address may be wrong or the page may have been removed."),
    405: _l("Go back and use the buttons on the page."),
    409: _l("Reload the page to see the current state and try again."),
    413: _l("Send a smaller file."),
    429: _l("Wait a few minutes before trying again."),
    500: _l("The problem has been recorded. Please try again later."),
    503: _l("Please try again in a few minutes."),
}


def render_error(status: int, message: object | None = None) -> tuple[str, int]:
    """Render the localized error page for ``status``."""
    title = ERROR_TITLES.get(status, ERROR_TITLES[500])
    hint = message or ERROR_HINTS.get(status, ERROR_HINTS[500])
    return render_template("errors/error.html", status=status, title=title, hint=hint), status


def register_error_handlers(app: Flask) -> None:
    """Show every error as a localized page, never as a stack trace."""

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int] | WerkzeugResponse:
        if error.code is None:
            return error.get_response()
        if request.path.startswith("/static/"):
            return error.get_response()
        description = getattr(error, "description", None)
        # CSRF failures and our own abort(..., description) carry a useful text.
        custom = description if getattr(error, "show_description", False) else None
        return render_error(error.code, custom)

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> tuple[str, int]:
        return render_error(error.status_code, error.message)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
