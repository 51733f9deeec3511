"""Browser fixtures: a live server on a seeded database, Chromium, axe-core, the outbox.

One server and one browser serve the whole session; each test gets fresh browser
contexts. Every context records console errors (CSP violations included), page
errors, server errors and requests leaving 127.0.0.1, and the test fails at
teardown if any occurred.

Chromium, Java and the Nu checker are looked for on the machine: without them
the tests that need them are skipped, except in CI (``CI=true``) where they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import text
from werkzeug.serving import WSGIRequestHandler, make_server

from orientamento.config import DEFAULT_DEMO_PASSWORD
from orientamento.core import clock
from orientamento.extensions import db
from tests.conftest import make_app

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = PROJECT_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = ("it", "en", "ar")
DEMO_PASSWORD = DEFAULT_DEMO_PASSWORD
SCHOOL_YEAR = "2026/2027"
DEMO_LOGINS = {
    "admin": "admin@demo.example.org",
    "counsellor": "counsellor@demo.example.org",
    "provider": "provider@demo.example.org",
    "ambassador": "ambassador@demo.example.org",
    "outreach": "outreach@demo.example.org",
    "student": "student@demo.example.org",
    # The demo service operator, of the demo Informagiovani.
    "service_operator": "operator@demo.example.org",
}
SERVICE_OPERATOR_LOGIN = DEMO_LOGINS["service_operator"]
# A password the policy accepts and no test account uses.
NEW_PASSWORD = "Lanterne-sul-Naviglio-47"


def in_ci() -> bool:
    """Whether the suite runs in CI, where a missing tool is an error."""
    return os.environ.get("CI") == "true"


def require(available: bool, what: str) -> None:
    """Skip (or, in CI, fail) the current test when a tool is missing."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{what} is missing; CI must provide it", pytrace=False)
    pytest.skip(f"{what} is missing")


def chromium_path() -> str | None:
    """The system Chromium, if installed."""
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


# --- live server -------------------------------------------------------------


@dataclass
class LiveServer:
    """The app served on 127.0.0.1 in a background thread."""

    app: Flask
    url: str


class _QuietHandler(WSGIRequestHandler):
    """Log errors only, not every request (they would drown failure reports)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Skip the access log line."""


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Serve a seeded app with CSRF on, from a file SQLite database, for the session.

    The seed is the demo's (``flask demo seed``): accounts, class 3A, the demo course
    catalogue, a demo school calendar, demo events, a synthetic risk history with an active
    version and outreach flags, and simulated students with submitted assessments plus one
    psychometrics run over them. Its dates follow the real clock, as the browser's do.
    """
    from orientamento.demo.seed import seed_everything

    assets = PROJECT_ROOT / "orientamento" / "static" / "dist" / "css"
    assert (assets / "bootstrap-italia.min.css").is_file(), "static assets missing: make assets"
    database = tmp_path_factory.mktemp("browser") / "browser.db"
    app = make_app(
        f"sqlite:///{database}", RATELIMIT_ENABLED=False, WTF_CSRF_ENABLED=True,
        MAIL_BACKEND="smtp", PUBLIC_URL="http://127.0.0.1",
    )
    with app.app_context():
        db.create_all()
        seed_everything(DEMO_PASSWORD, SCHOOL_YEAR, clock.today())
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    # The port is known only once bound; e-mailed links are built from PUBLIC_URL.
    app.config["PUBLIC_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=url)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


# --- database helpers (read and repair what the flows change) ----------------


def latest_email(app: Flask, address: str) -> str:
    """Return the body of the newest outbox e-mail to ``address``."""
    with app.app_context():
        try:
            body = db.session.execute(
                text("SELECT body FROM outbox_messages WHERE to_address = :address "
                     "ORDER BY id DESC LIMIT 1"),
                {"address": address},
            ).scalar()
        finally:
            db.session.remove()
    assert body, f"no e-mail in the outbox for {address}"
    return str(body)


def email_link(app: Flask, address: str, path_prefix: str) -> str:
    """Return the link starting with ``PUBLIC_URL + path_prefix`` in the newest e-mail."""
    body = latest_email(app, address)
    base = re.escape(app.config["PUBLIC_URL"] + path_prefix)
    match = re.search(base + r"\S+", body)
    assert match, f"no {path_prefix} link in the e-mail to {address}:\n{body}"
    return match[0]


def user_exists(app: Flask, email: str) -> bool:
    """Whether an account with this e-mail address is in the database."""
    with app.app_context():
        try:
            found = db.session.execute(
                text("SELECT 1 FROM users WHERE email = :email"), {"email": email}
            ).first()
        finally:
            db.session.remove()
    return found is not None


def restore_demo_account(app: Flask, email: str) -> None:
    """Give a demo account its documented password back, unlocked, without a language."""
    from orientamento.auth.passwords import hash_password

    with app.app_context():
        try:
            db.session.execute(
                text("UPDATE users SET password_hash = :hash, locale = NULL, failed_logins = 0, "
                     "locked_until = NULL WHERE email = :email"),
                {"hash": hash_password(DEMO_PASSWORD), "email": email},
            )
            db.session.commit()
        finally:
            db.session.remove()


def create_pupil(app: Flask, born: date, class_name: str | None = None) -> str:
    """Create a student who logs in with a username (demo password); return the username.

    With ``class_name``, the pupil is a member of that class of the demo school.
    """
    from orientamento.auth.models import Role, User
    from orientamento.auth.passwords import hash_password
    from orientamento.classes.models import ClassMembership, SchoolClass

    username = f"pupil.{uuid.uuid4().hex[:8]}"
    with app.app_context():
        try:
            pupil = User(username=username, display_name=f"Pupil {username[6:]}",
                         role=Role.STUDENT.value, password_hash=hash_password(DEMO_PASSWORD),
                         date_of_birth=born)
            db.session.add(pupil)
            db.session.flush()
            if class_name:
                school_class = db.session.scalar(
                    db.select(SchoolClass).filter_by(name=class_name, school_year=SCHOOL_YEAR))
                assert school_class is not None, f"no class {class_name}"
                db.session.add(ClassMembership(class_id=school_class.id, student_id=pupil.id))
            db.session.commit()
        finally:
            db.session.remove()
    return username


def query_all(app: Flask, sql: str, **params: Any) -> list[Any]:
    """Rows of a read-only SQL query on the live server's database."""
    with app.app_context():
        try:
            return list(db.session.execute(text(sql), params).all())
        finally:
            db.session.remove()


# --- browser -----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One system Chromium for the session (each test gets its own context)."""
    executable = chromium_path()
    require(executable is not None, "Chromium (/usr/bin/chromium, Debian package 'chromium')")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    require(sync_playwright is not None, "Playwright for Python (pip package 'playwright')")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@dataclass
class Watch:
    """What went wrong in one browser context."""

    console_errors: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    client_error_documents: set[str] = field(default_factory=set)

    def failures(self) -> list[str]:
        """Everything to report, minus Chromium's note on pages we expected as 4xx."""
        found = list(self.problems)
        for message, url in self.console_errors:
            expected = (message.startswith("Failed to load resource")
                        and url in self.client_error_documents)
            if not expected:
                found.append(f"console error: {message} ({url})")
        return found


def _watch(context: Any, watch: Watch) -> None:
    def on_console(message: Any) -> None:
        if message.type == "error":
            watch.console_errors.append((message.text, message.location.get("url", "")))

    def on_request(request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
            watch.problems.append(f"request left 127.0.0.1: {request.method} {request.url}")
        elif parts.scheme in ("https", "wss"):
            # The live server speaks plain HTTP: a request over TLS means the app redirected to
            # HTTPS (an app built with FORCE_HTTPS leaking into it, as a shared Talisman once did).
            watch.problems.append(f"request over TLS to the plain-HTTP server: {request.url}")

    def on_response(response: Any) -> None:
        if response.status >= 500:
            watch.problems.append(f"server error {response.status}: {response.url}")
        elif response.status >= 400 and response.request.resource_type == "document":
            watch.client_error_documents.add(response.url)
        elif response.status >= 400:
            watch.problems.append(f"failed subresource {response.status}: {response.url}")

    context.on("console", on_console)
    context.on("weberror", lambda error: watch.problems.append(f"page error: {error.error}"))
    context.on("request", on_request)
    context.on("response", on_response)


@pytest.fixture
def new_page(browser: Any, live_server: LiveServer) -> Iterator[Callable[..., Any]]:
    """Factory: a page in a fresh, watched context (Italian browser, desktop size)."""
    contexts: list[tuple[Any, Watch]] = []

    def factory(**options: Any) -> Any:
        options = {"locale": "it-IT", "base_url": live_server.url, "accept_downloads": True,
                   "viewport": {"width": 1280, "height": 900}, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        watch = Watch()
        _watch(context, watch)
        contexts.append((context, watch))
        return context.new_page()

    yield factory
    failures = [problem for _, watch in contexts for problem in watch.failures()]
    for context, _ in contexts:
        context.close()
    if failures:
        pytest.fail("the browser reported problems:\n" + "\n".join(failures), pytrace=False)


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    """A page in a fresh, watched browser context."""
    return new_page()


# --- page helpers --------------------------------------------------------------


@cache
def _axe_source() -> str:
    require(AXE_JS.is_file(), f"axe-core ({AXE_JS}; run npm ci)")
    return AXE_JS.read_text(encoding="utf-8")


AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


def check_a11y(page: Any) -> None:
    """Run axe-core in the page; fail on serious or critical WCAG 2.1 A/AA violations."""
    # axe.run waits on timers, which never fire with JavaScript off: it would hang.
    if page.evaluate("document.documentElement.classList.contains('no-js')"):
        pytest.fail(f"check_a11y needs JavaScript; {page.url} runs without", pytrace=False)
    # page.evaluate runs outside the page's CSP, unlike an injected <script> tag.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    violations = page.evaluate(AXE_RUN, AXE_TAGS)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    if serious:
        lines = [f"{len(serious)} accessibility violation(s) on {page.url}:"]
        for violation in serious:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {target}" for target in violation["targets"][:10])
        pytest.fail("\n".join(lines), pytrace=False)


def submit(page: Any, selector: str) -> Any:
    """Click a submit button and return the response of the page it leads to."""
    with page.expect_navigation() as navigation:
        page.locator(selector).click()
    return navigation.value


def open_form(page: Any, flag_id: int, path: str) -> str:
    """Press the flag page's button for the action at ``path``: htmx puts its form in the
    button's place and focuses the form's heading. The form's selector."""
    from playwright.sync_api import expect

    page.locator(f'main a.btn[href="/outreach/flags/{flag_id}/{path}"]').click()
    form = f'form[action="/outreach/flags/{flag_id}/{path}"]'
    expect(page.locator(form)).to_be_visible()
    expect(page.locator(f"#{form_heading(path)}")).to_be_focused()
    return form


def form_heading(path: str) -> str:
    """The id of the heading of the flag page's form at ``path``."""
    return {"decide": "decision", "contacts": "contact", "outcomes": "outcome",
            "referrals": "referral"}[path] + "-heading"


def visit(page: Any, path: str, status: int = 200) -> Any:
    """Open ``path``, check the status and the accessibility of the page."""
    response = page.goto(path)
    assert response is not None and response.status == status, (
        f"{path}: {response.status if response else 'no response'}"
    )
    check_a11y(page)
    return response


def html_lang(page: Any) -> tuple[str | None, str | None]:
    """The ``lang`` and ``dir`` attributes of ``<html>``."""
    root = page.locator("html")
    return root.get_attribute("lang"), root.get_attribute("dir")


def switch_language(page: Any, language: str) -> Any:
    """Press a language button in the slim header and check the page changed."""
    response = submit(
        page, f'form[action="/language"] button[name="language"][value="{language}"]'
    )
    assert response.ok
    assert html_lang(page) == (language, "rtl" if language == "ar" else "ltr")
    return response


def stylesheets_in_use(page: Any) -> list[str]:
    """File names of the stylesheets the document loaded (with rules)."""
    return page.evaluate(
        """() => [...document.styleSheets]
            .filter((s) => s.href && s.cssRules.length > 0)
            .map((s) => s.href.split("/").pop().replace(/\\.[0-9a-f]{12}(?=\\.css$)/, ""))"""
    )


def is_logged_in(page: Any) -> bool:
    """Whether the page shows the logout button."""
    return page.locator('form[action="/account/logout"]').count() == 1


def log_in(page: Any, login: str, password: str = DEMO_PASSWORD,
           language: str | None = None) -> Any:
    """Log in through the form; then switch to ``language`` if given."""
    page.goto("/account/login")
    page.fill("#login", login)
    page.fill("#password", password)
    response = submit(page, "main form button[type=submit]")
    assert response.ok, f"login as {login} answered {response.status}"
    assert is_logged_in(page)
    if language:
        switch_language(page, language)
    return response


def log_out(page: Any) -> Any:
    """Press the logout button in the navigation."""
    response = submit(page, 'form[action="/account/logout"] button[type=submit]')
    assert response.ok
    assert not is_logged_in(page)
    return response


def screenshot(page: Any, name: str, full_page: bool = True) -> None:
    """Save a screenshot to test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def read_json(path: str | Path) -> Any:
    """Load a downloaded JSON file."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
