"""Anonymous pages that are the same for every visitor: conditional GETs and shared caches.

``@revalidated(version)`` gives an anonymous page a strong ``ETag`` computed *before* the
view runs, from what the page shows: the address, the locale, htmx or not, the page's data
version (``version(**view_args)``, e.g. the catalogue version) and the deployment (templates
and translations). A request whose ``If-None-Match`` carries it is answered ``304 Not
Modified`` without rendering or querying anything else.

Such a page holds nothing of the visitor's: anonymous pages carry no CSRF token (their one
POST, the language switch, needs none; ``core.views.set_language``), so the same bytes suit
everybody and the page is ``public``: a reverse proxy may keep it for
``HTTP_CACHE_SHARED_MAX_AGE`` seconds (``s-maxage``; a catalogue edit shows there that much
later at worst), a browser revalidates it every time (``max-age=0``). ``Vary: Cookie,
Accept-Language`` keeps visitors with a chosen language (a session cookie) apart. A response
that changes the session (and so sets a cookie) is kept ``private`` instead.

The CSP nonce: a nonce in a page many people receive would be public, so these pages carry
none, and their policy allows no inline script or style at all (``'self'`` only): they have
none. Every other page keeps a fresh nonce per response.

Logged-in visitors, and visitors with flashed messages waiting, get the view as it is
(``core.security`` keeps ``no-store`` for logged-in pages).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, make_response, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user

from orientamento.config import TEMPLATES_DIR, TRANSLATIONS_DIR
from orientamento.core.i18n import current_language

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])

_DEPLOYMENT = "http_cache_deployment"


def deployment_tag() -> str:
    """What changes when the templates or translations are deployed anew (once per process)."""
    tag: str | None = current_app.extensions.get(_DEPLOYMENT)
    if tag is None:
        digest = hashlib.sha256()
        for root in (TEMPLATES_DIR, TRANSLATIONS_DIR):
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    stat = path.stat()
                    digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        tag = current_app.extensions[_DEPLOYMENT] = digest.hexdigest()[:16]
    return tag


def page_tag(data_version: Hashable) -> str:
    """The entity tag of the current request's page for a data version."""
    parts = (request.endpoint, request.full_path, request.headers.get("HX-Request", ""),
             current_language(), data_version, deployment_tag())
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def revalidated(version: Callable[..., Hashable] | None = None) -> Callable[[F], F]:
    """Answer an anonymous GET with 304 when its ``If-None-Match`` holds the page's tag."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(**kwargs: Any) -> ResponseReturnValue:
            if (request.method not in ("GET", "HEAD") or current_user.is_authenticated
                    or session.get("_flashes")):
                return view(**kwargs)
            tag = page_tag(version(**kwargs) if version is not None else None)
            # No nonce in the policy of a page many receive (see above); talisman adds one
            # only when the request has it.
            if hasattr(request, "csp_nonce"):
                del request.csp_nonce
            if request.if_none_match.contains(tag):
                response = current_app.response_class(status=304)
            else:
                response = make_response(view(**kwargs))
                if response.status_code != 200 or session.get("_flashes"):
                    return response
            response.set_etag(tag)
            if session.modified:  # a cookie goes with it: this visitor's only
                response.headers["Cache-Control"] = "private, no-cache"
            else:
                shared = int(current_app.config["HTTP_CACHE_SHARED_MAX_AGE"])
                response.headers["Cache-Control"] = f"public, max-age=0, s-maxage={shared}"
            response.vary.update(("Cookie", "Accept-Language"))
            return response

        return cast(F, wrapped)

    return decorator
