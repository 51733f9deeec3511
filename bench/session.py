"""Log in once over HTTP and check routes before loading them."""

from __future__ import annotations

import html
import http.client
import re
import urllib.parse
from email.message import Message

from bench.routes import RouteSpec

COOKIE_NAME = "orientamento_session"
#: Sent by the login and by wrk alike: Flask-Login's session protection hashes the user agent.
USER_AGENT = "orientamento-bench/1"
# WTForms renders <input id="csrf_token" name="csrf_token" type="hidden" value="...">.
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*\svalue="([^"]+)"')


class LoginError(RuntimeError):
    """The demo login did not give a session."""


def request(base_url: str, method: str, path: str, headers: dict[str, str],
            body: str | None = None) -> tuple[int, Message, str]:
    """Send one request without following redirects; return status, headers and text."""
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode(errors="replace")
    finally:
        connection.close()


def session_cookie(headers: Message) -> str | None:
    """Return the ``orientamento_session`` value a response sets, if any.

    Parsed by hand: the cookie is ``Secure`` in production, so a cookie jar would not
    send it back over the benchmark's plain HTTP.
    """
    for header in headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name.strip() == COOKIE_NAME:
            return rest.split(";", 1)[0]
    return None


def log_in(base_url: str, login: str, password: str) -> str:
    """Log in through the real form and return a ``Cookie`` header value for the session."""
    status, headers, page = request(base_url, "GET", "/account/login", {})
    cookie = session_cookie(headers)
    match = CSRF_INPUT.search(page)
    if status != 200 or cookie is None or match is None:
        raise LoginError(f"GET /account/login answered {status} without a form and cookie")
    form = urllib.parse.urlencode({
        "csrf_token": html.unescape(match.group(1)),
        "login": login,
        "password": password,
    })
    status, headers, page = request(base_url, "POST", "/account/login", {
        "Cookie": f"{COOKIE_NAME}={cookie}",
        "Content-Type": "application/x-www-form-urlencoded",
    }, form)
    logged_in = session_cookie(headers)
    if status != 302 or logged_in is None:
        raise LoginError(f"POST /account/login as {login} answered {status}:\n{page[:2000]}")
    return f"{COOKIE_NAME}={logged_in}"


def csrf_session(base_url: str, path: str, cookie: str) -> tuple[str, str]:
    """GET a form page with the session ``cookie``; return its CSRF token and the cookie.

    The token is checked against the one stored in the session cookie (the login clears
    the session, so this GET stores a new one): requests must send the token together with
    the cookie this page sets, hence the cookie returned (``cookie`` when none is set).
    """
    status, headers, page = request(base_url, "GET", path, {"Cookie": cookie})
    match = CSRF_INPUT.search(page)
    if status != 200 or match is None:
        raise LoginError(f"GET {path} answered {status} without a csrf_token:\n{page[:2000]}")
    renewed = session_cookie(headers)
    return html.unescape(match.group(1)), f"{COOKIE_NAME}={renewed}" if renewed else cookie


def preflight(base_url: str, route: RouteSpec, headers: dict[str, str], body: str | None = None,
              tries: int = 4) -> int:
    """Send a route's request a few times (warming both workers); return the first non-2xx
    or the last status.

    wrk counts 3xx as success, so a lost session (302 to the login) is caught here.
    """
    status = 0
    for _ in range(tries):
        status, _headers, _page = request(base_url, route.method, route.path, headers, body)
        if not 200 <= status < 300:
            break
    return status
