"""Domain exceptions raised by services, and the localized error pages."""

from __future__ import annotations

import logging
import sqlite3

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from orientamento.core.i18n import lazy_gettext as _l
from orientamento.extensions import db

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait after a lock timeout (503).
RETRY_AFTER_SECONDS = 5
#: SQLite's result codes for a lock it could not get within the busy timeout.
SQLITE_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED (and their extended codes)
#: PostgreSQL's: lock_not_available (lock_timeout, NOWAIT) and deadlock_detected.
POSTGRES_LOCK_STATES = frozenset({"55P03", "40P01"})


class DomainError(Exception):
    """A rule of the domain refused an action; the message is shown to the user."""

    status_code = 400

    def __init__(self, message: object) -> None:
        # Not str(message) yet: a lazy message is translated when shown, after the error
        # handler's rollback (choosing the language may read the user).
        super().__init__(message)
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


BUSY_MESSAGE = _l("Many people are using the service right now and your request could not be "
                  "completed. Please try again in a few seconds.")
RACE_CONFLICT = _l("Someone else changed the same records at the same time, so nothing was "
                     "saved. Reload the page and try again.")


def is_lock_timeout(error: BaseException) -> bool:
    """Whether a database error is a wait for a lock that gave up (SQLite busy, PostgreSQL
    lock timeout or deadlock): the request can simply be tried again."""
    original = getattr(error, "orig", None)
    if isinstance(original, sqlite3.OperationalError):
        code = getattr(original, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in SQLITE_BUSY_CODES
        return "database is locked" in str(original) or "database is busy" in str(original)
    return getattr(original, "sqlstate", None) in POSTGRES_LOCK_STATES


def rollback_quietly() -> None:
    """End the request's failed transaction, so that the error page can still read."""
    try:
        db.session.rollback()
    except Exception:  # a dead connection: the page is still rendered, without the session
        log.warning("rollback before an error page failed", exc_info=True)
        db.session.remove()


def render_error(status: int, message: object | None = None) -> tuple[str, int]:
    """Render the localized error page for ``status``, after rolling the session back.

    Whatever failed, the request's transaction is over: a session left failed (an
    IntegrityError, a lock timeout) would make the page's own reads fail in turn. If the page
    still cannot be rendered (the database is gone), a bare localized page is returned.
    """
    rollback_quietly()
    title = ERROR_TITLES.get(status, ERROR_TITLES[500])
    hint = message or ERROR_HINTS.get(status, ERROR_HINTS[500])
    try:
        return render_template("errors/error.html", status=status, title=title, hint=hint), status
    except Exception:
        log.exception("the error page for %d could not be rendered", status)
        rollback_quietly()
        return (f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
                f"<p>{escape(hint)}</p>"), status


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

    @app.errorhandler(OperationalError)
    def _database_busy(error: OperationalError) -> ResponseReturnValue:
        if not is_lock_timeout(error):
            return _unexpected(error)
        # No statement and no parameters in the log: they may carry personal data.
        log.warning("database lock timeout on %s %s: answered 503", request.method,
                    request.url_rule.rule if request.url_rule else "?")
        page, status = render_error(503, BUSY_MESSAGE)
        return page, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    @app.errorhandler(IntegrityError)
    def _integrity_error(error: IntegrityError) -> tuple[str, int]:
        # A uniqueness or foreign key check the code did not foresee lost a race: the
        # transaction is rolled back, nothing was saved, and trying again sees the winner.
        log.warning("integrity error on %s %s: answered 409 (%s)", request.method,
                    request.url_rule.rule if request.url_rule else "?", _constraint(error))
        return render_error(409, RACE_CONFLICT)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)


def _constraint(error: DBAPIError) -> str:
    """The name of the constraint a database error names, never the row's values."""
    diag = getattr(getattr(error, "orig", None), "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    return type(getattr(error, "orig", error)).__name__
