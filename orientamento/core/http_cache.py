"""Conditional GETs for pages that are the same for every anonymous visitor of a session.

``@revalidated(version)`` gives an anonymous page a strong ``ETag`` computed *before* the
view runs, from what the page shows: the address, the locale, the page's data version
(``version(**view_args)``, e.g. the catalogue version), the deployment (templates and
translations) and the visitor's CSRF secret. A request whose ``If-None-Match`` carries it is
answered ``304 Not Modified`` without rendering or querying anything else.

Why per session and ``private``: every page embeds a CSRF token (the language switch and
htmx's headers in ``base.html``) tied to the visitor's session, so no HTML page is the same
for everyone, and a shared cache (reverse proxy) must not store it: ``Cache-Control:
private, no-cache`` lets the browser keep it and revalidate. (``public, max-age`` would
need pages without a session-bound token, e.g. a token fetched by script.) The CSRF token
inside a kept page must stay valid, so the tag changes every half of
``WTF_CSRF_TIME_LIMIT``.

The CSP nonce: a browser updates a kept page's headers from a 304, so the 304's
``Content-Security-Policy`` must carry the nonce of the kept body. The nonce of such a page
is therefore derived from its tag with the secret key (unpredictable, one per session and
page version) instead of drawn at random.

Logged-in visitors, and visitors with flashed messages waiting, get the view as it is
(``core.security`` keeps ``no-store`` for logged-in pages).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from base64 import urlsafe_b64encode
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, make_response, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

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


def _csrf_period() -> int:
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT") or 3600
    return int(time.time() // max(1, int(limit) // 2))


def page_tag(data_version: Hashable, secret: str | None) -> str:
    """The entity tag of the current request's page for a data version and CSRF secret."""
    secret_hash = hashlib.sha256(secret.encode()).hexdigest()[:16] if secret else "-"
    parts = (request.endpoint, request.full_path, request.headers.get("HX-Request", ""),
             current_language(), data_version, deployment_tag(), _csrf_period(), secret_hash)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _nonce(tag: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return urlsafe_b64encode(hmac.new(key, f"csp-nonce:{tag}".encode(), "sha256").digest()
                             )[:22].decode()


def revalidated(version: Callable[..., Hashable] | None = None) -> Callable[[F], F]:
    """Answer an anonymous GET with 304 when its ``If-None-Match`` holds the page's tag."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(**kwargs: Any) -> ResponseReturnValue:
            if (request.method not in ("GET", "HEAD") or current_user.is_authenticated
                    or session.get("_flashes")):
                return view(**kwargs)
            data_version = version(**kwargs) if version is not None else None
            # The page will hold a CSRF token: create the secret now so the tag knows it.
            generate_csrf()
            tag = page_tag(data_version, session.get("csrf_token"))
            request.csp_nonce = _nonce(tag)  # type: ignore[attr-defined]
            if request.if_none_match.contains(tag):
                response = current_app.response_class(status=304)
            else:
                response = make_response(view(**kwargs))
                if response.status_code != 200 or session.get("_flashes"):
                    return response
            response.set_etag(tag)
            response.headers["Cache-Control"] = "private, no-cache"
            response.vary.update(("Cookie", "Accept-Language"))
            return response

        return cast(F, wrapped)

    return decorator
