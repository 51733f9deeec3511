"""Every main page, as served, passes the Nu HTML checker without errors.

The raw response bodies come from the Flask test client of the live server's app
(same database, CSRF on): ``page.content()`` would give the browser's serialized
DOM, not the HTML the server sent.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from orientamento.core import clock
from tests.browser.conftest import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    LANGUAGES,
    VNU_JAR,
    LiveServer,
    create_pupil,
    email_link,
    require,
)

pytestmark = pytest.mark.browser

PUBLIC_PAGES = (
    "/", "/accessibility", "/privacy", "/account/login", "/account/register",
    "/account/forgot-password", "/classes/join", "/no-such-page",
    "/account/reset-password/not-a-token", "/courses/", "/courses/?q=tecnico&kind=its&eqf=5",
    "/courses/?place=015209&km=15&sort=distance&free=y", "/courses/?q=zzzzzz",
    "/courses/?kind=nonsense", "/events/", "/events/?kind=webinar&online=online",
    "/events/?from_day=nonsense", "/support/", "/support/?municipio=99",
    "/support/contact-me", "/observatory/", "/observatory/projections", "/observatory/neet",
)
ROLE_PAGES = {
    "admin": (
        "/", "/start/", "/account/", "/account/delete", "/admin/users",
        "/admin/users?q=demo&role=student",
        "/support/admin", "/support/admin/organisations/new", "/support/admin/import",
        "/admin/users/invite", "/admin/audit", "/admin/organisations/schools",
        "/admin/organisations/schools/new", "/admin/organisations/providers",
        "/admin/organisations/providers/new", "/courses/import", "/events/holidays",
        "/events/manage", "/events/new", "/risk/versions", "/risk/subject-report",
        "/risk/records", "/observatory/staff", "/observatory/admin/import",
        "/observatory/staff/neet", "/support/admin/organisations/1",
    ),
    "counsellor": ("/", "/start/", "/account/", "/classes/", "/classes/new", "/events/visits/browse",
                   "/events/visits", "/events/hours", "/events/mine"),
    "provider": ("/", "/start/", "/account/", "/courses/manage", "/courses/manage/new", "/events/manage",
                 "/events/new", "/events/availability", "/events/visits"),
    "ambassador": ("/start/", "/account/", "/events/mine"),
    "outreach": ("/", "/start/", "/account/", "/outreach/", "/outreach/deferred",
                 "/outreach/?trigger=contract_ended", "/outreach/mine", "/outreach/calls"),
    "service_operator": ("/", "/start/", "/account/", "/outreach/referrals/",
                         "/outreach/referrals/past"),
    "student": ("/", "/start/", "/account/", "/classes/mine", "/courses/saved", "/events/mine",
                "/courses/suggestions",
                "/courses/suggestions?education=lower_secondary&place=015146&km=30"),
}
# For each role, list pages whose first table row links to a detail page to check too.
DETAIL_FROM = {
    "admin": ("/admin/users", "/admin/organisations/schools", "/admin/organisations/providers",
              "/risk/versions"),
    "outreach": ("/outreach/",),
    "service_operator": ("/outreach/referrals/",),
    "counsellor": ("/classes/", "/events/visits"),
    "provider": ("/courses/manage", "/events/manage", "/events/visits"),
}
# Pages under the provider's first event (from /events/manage).
EVENT_SUBPAGES = ("/edit", "/cancel", "/registrations", "/check-in")
CLASS_3A = re.compile(r'<a href="(/classes/\d+)">3A</a>')
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
COURSE_LINK = re.compile(r'href="(/courses/\d+)(?:\?[^"]*)?"')
EVENT_LINK = re.compile(r'href="(/events/\d+)"')
ROW_LINK = re.compile(r'<th scope="row"><a href="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on ``path``."""
    match = CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match[1]


def choose_language(client: FlaskClient, language: str) -> None:
    """Press the language button, as the browser would (with the form's token, which only a
    logged-in visitor's page holds)."""
    match = CSRF.search(client.get("/").get_data(as_text=True))
    response = client.post("/language", data={
        "language": language, "next": "/", **({"csrf_token": match[1]} if match else {}),
    })
    assert response.status_code == 302


def log_in(client: FlaskClient, login: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form."""
    response = client.post("/account/login", data={
        "login": login, "password": password, "csrf_token": csrf_token(client, "/account/login"),
    })
    assert response.status_code == 302, response.status_code


class Pages:
    """Collects response bodies as files for the checker."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: dict[str, str] = {}

    def save(self, label: str, body: str) -> None:
        """Write one page; ``label`` names it in failure reports."""
        name = re.sub(r"[^A-Za-z0-9]+", "_", label).strip("_") + ".html"
        (self.directory / name).write_text(body, encoding="utf-8")
        self.files[name] = label

    def get(self, client: FlaskClient, label: str, path: str, status: int = 200) -> str:
        """Fetch and save ``path``; check its status."""
        response = client.get(path)
        assert response.status_code == status, f"{label} {path}: {response.status_code}"
        body = response.get_data(as_text=True)
        self.save(f"{label} {path}", body)
        return body

    def post(self, client: FlaskClient, label: str, path: str, data: dict[str, str],
             status: int) -> None:
        """Send a form with a fresh CSRF token and save the page it answers with."""
        response = client.post(path, data={**data, "csrf_token": csrf_token(client, path)})
        assert response.status_code == status, f"{label} POST {path}: {response.status_code}"
        self.save(f"{label} POST {path}", response.get_data(as_text=True))


@pytest.fixture
def pages(live_server: LiveServer, tmp_path: Path) -> Iterator[Pages]:
    """Gather the pages of every language and role into a temporary directory."""
    collected = Pages(tmp_path)
    app = live_server.app
    for language in LANGUAGES:
        client = app.test_client()
        choose_language(client, language)
        for path in PUBLIC_PAGES:
            status = 404 if path in ("/no-such-page",) or "not-a-token" in path else 200
            refused = "nonsense" in path or "=99" in path
            collected.get(client, language, path, 400 if refused else status)
        course = COURSE_LINK.search(client.get("/courses/").get_data(as_text=True))
        assert course, "no course on the search page"
        collected.get(client, language, course[1])
        event = EVENT_LINK.search(client.get("/events/").get_data(as_text=True))
        assert event, "no event on the events page"
        collected.get(client, language, event[1])
        collected.post(client, language, "/account/login", {}, 400)
        collected.post(client, language, "/account/register",
                       {"email": "nope", "password": "short", "confirm": "other"}, 400)
    for language in ("it", "ar"):
        for role, login in DEMO_LOGINS.items():
            client = app.test_client()
            log_in(client, login)
            choose_language(client, language)
            for path in ROLE_PAGES[role]:
                collected.get(client, f"{language} {role}", path)
            for listing in DETAIL_FROM.get(role, ()):
                match = ROW_LINK.search(client.get(listing).get_data(as_text=True))
                assert match, f"no row link on {listing}"
                collected.get(client, f"{language} {role}", match[1])
                if listing == "/events/manage":
                    for suffix in EVENT_SUBPAGES:
                        collected.get(client, f"{language} {role}", match[1] + suffix)
        # Pages behind e-mailed links: a reset for a fresh student, an invitation.
        client = app.test_client()
        choose_language(client, language)
        email = f"html.{language}.{uuid.uuid4().hex[:8]}@example.org"
        collected.post(client, language, "/account/register", {
            "display_name": "Ada", "email": email, "date_of_birth": "2000-02-02",
            "password": "Barche-nel-porto-91", "confirm": "Barche-nel-porto-91",
            "accept_privacy": "y",
        }, 302)
        collected.get(client, language, "/account/")
        client = app.test_client()
        choose_language(client, language)
        collected.post(client, language, "/account/forgot-password", {"email": email}, 302)
        reset = email_link(app, email, "/account/reset-password/")
        collected.get(client, language, reset.removeprefix(app.config["PUBLIC_URL"]))
        collected.post(client, language, reset.removeprefix(app.config["PUBLIC_URL"]),
                       {"password": "x", "confirm": "y"}, 400)
        gather_assessment_pages(collected, live_server, language)
    yield collected


def answers_for(section: object) -> dict[str, str]:
    """A valid answer to every item of a questionnaire section."""
    return {item.id: "3" if item.type == "likert5" else item.options[0].id
            for item in section.items}  # type: ignore[attr-defined]


def take(collected: Pages, client: FlaskClient, label: str, registry: object,
         questionnaire_id: str) -> str:
    """Start an instrument, save the pages (one with an error first), submit; return its result path."""
    response = client.post(f"/assessments/{questionnaire_id}/start",
                           data={"csrf_token": csrf_token(client, "/assessments/")})
    assert response.status_code == 302, response.status_code
    answer = response.location
    collected.get(client, label, answer)
    collected.post(client, label, answer, {"move": "next"}, 400)
    review = re.sub(r"/sections/\d+$", "/review", answer)
    collected.get(client, label, review)
    questionnaire = registry.latest(questionnaire_id)  # type: ignore[attr-defined]
    for number, section in enumerate(questionnaire.sections):
        path = re.sub(r"/sections/\d+$", f"/sections/{number}", answer)
        response = client.post(path, data={**answers_for(section), "move": "next",
                                           "csrf_token": csrf_token(client, path)})
        assert response.status_code == 302, f"{path}: {response.status_code}"
    collected.get(client, label, review)
    response = client.post(review.removesuffix("/review") + "/submit",
                           data={"csrf_token": csrf_token(client, review)})
    assert response.status_code == 302, response.status_code
    return str(response.location)


def gather_assessment_pages(collected: Pages, live_server: LiveServer, language: str) -> None:
    """The assessments: a pupil (in class 3A) answering and reading results, the
    counsellor's class page with a finished pupil, the admin's psychometrics."""
    app = live_server.app
    registry = app.extensions["questionnaires"]
    pupil = create_pupil(app, date(clock.today().year - 16, 1, 1), class_name="3A")
    counsellor = app.test_client()
    log_in(counsellor, DEMO_LOGINS["counsellor"])
    choose_language(counsellor, language)
    match = CLASS_3A.search(counsellor.get("/classes/").get_data(as_text=True))
    assert match, "no class 3A"
    overview = "/assessments" + match[1]
    collected.post(counsellor, f"{language} counsellor", overview + "/assign",
                   {"questionnaire_id": "no-such-questionnaire"}, 400)
    response = counsellor.post(overview + "/assign", data={
        "questionnaire_id": "work_styles", "due_on": "",
        "csrf_token": csrf_token(counsellor, overview)})
    assert response.status_code == 302, response.status_code

    client = app.test_client()
    log_in(client, pupil)
    choose_language(client, language)
    label = f"{language} pupil"
    collected.get(client, label, "/assessments/")
    results = [take(collected, client, label, registry, qid)
               for qid in ("interests", "reasoning", "work_styles")]
    for path in results:
        collected.get(client, label, path)
    collected.get(client, label, "/assessments/")

    collected.get(counsellor, f"{language} counsellor", overview)
    collected.get(counsellor, f"{language} counsellor", results[-1])
    admin = app.test_client()
    log_in(admin, DEMO_LOGINS["admin"])
    choose_language(admin, language)
    collected.get(admin, f"{language} admin", "/assessments/psychometrics")


def test_main_pages_have_no_html_errors(pages: Pages) -> None:
    java = shutil.which("java")
    require(java is not None, "Java 17 (Debian package 'default-jre-headless')")
    require(VNU_JAR.is_file(), f"the Nu HTML checker ({VNU_JAR}; npm package 'vnu-jar')")
    assert len(pages.files) > 60
    result = subprocess.run(
        [str(java), "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
         *sorted(str(pages.directory / name) for name in pages.files)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    report = json.loads(result.stderr or result.stdout)
    errors = [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]
    lines = []
    for message in errors:
        name = Path(message.get("url", "")).name
        lines.append(
            f"{pages.files.get(name, name)} line {message.get('lastLine', '?')}: "
            f"{message.get('message')}\n    {message.get('extract', '').strip()}"
        )
    if errors:
        pytest.fail(f"{len(errors)} HTML error(s):\n" + "\n".join(lines), pytrace=False)
