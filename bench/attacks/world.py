"""The attacked database: ``bench.seed``'s demo world, students, a 20-seat event, the routes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import create_engine, insert, select

from bench.events import BIRTH_DATE, contention_event
from bench.seed import STUDENT_PASSWORD, build_database, student_rows

#: Students the hammer and the login crowd use (each logs in or registers once per role).
STUDENTS = 420
HAMMER_SEATS = 20
#: Query parameters of the JSON API's lists (the search form's fields, the pager's).
API_PARAMETERS = {
    "/api/v1/courses": ["q", "kind", "eqf", "area", "language", "place", "km",
                        "start_after", "free", "enrolment", "sort", "page", "per_page"],
    "/api/v1/occupations": ["q", "page"],
    "/api/v1/providers": ["q", "page"],
}
#: Parameters a page reads without offering them in a form or link (request.args in views).
EXTRA_PARAMETERS = {
    "/events/": ["course"],
    "/account/login": ["next"],
    "/classes/join": ["code"],
    "/support/admin": ["q"],
    "/events/hours": ["year"],
}


@dataclass(frozen=True)
class World:
    """What the attacks need from the seeded database."""

    url: str
    tokens: list[str]  # the students' session tokens (forged logins)
    usernames: list[str]
    event_id: int
    seats: int
    provider_id: int
    other_provider_id: int
    password: str = STUDENT_PASSWORD


def build(url: str, env: dict[str, str]) -> World:
    """``bench.seed.build_database`` (migrations, ``flask demo seed``), then the attack's rows."""
    from orientamento import import_models
    from orientamento.auth.models import User
    from orientamento.auth.passwords import hash_password
    from orientamento.events.models import Event
    from orientamento.orgs.models import Provider

    import_models()
    build_database(url, 0, 0, env)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            rows = list(student_rows(STUDENTS, hash_password(STUDENT_PASSWORD),
                                     datetime.now(UTC)))
            for row in rows:
                row["username"] = "attack." + row["username"]
                row["date_of_birth"] = BIRTH_DATE
            connection.execute(insert(User), rows)
            providers = list(connection.scalars(select(Provider.id).order_by(Provider.id)))
            event = connection.scalar(insert(Event).values(contention_event(
                providers[0], "015146", HAMMER_SEATS, "Open day: 20 seats under attack",
                datetime.now(UTC))).returning(Event.id))
    finally:
        engine.dispose()
    return World(url, [r["session_token"] for r in rows], [r["username"] for r in rows],
                 int(event or 0), HAMMER_SEATS, providers[0], providers[-1])


def app_for(env: dict[str, str]) -> Any:
    """The application object the servers run, built in this process (for its url map)."""
    os.environ.update(env)
    from orientamento import create_app

    return create_app()


#: Values that pass the filters' validation, so that a page answers 200 before a parameter
#: is attacked (sqlmap compares each payload's answer with that baseline).
PLAUSIBLE = {"q": "tecnico", "from_day": "2027-01-01", "start_after": "2027-01-01", "km": "10",
             "page": "1", "per_page": "20", "next": "/", "code": "ABCD1234", "year": "2026"}


class _Parameters(HTMLParser):
    """GET form fields (with a value that passes: the given one, the first option, the
    checkbox's) and the query parameters of a page's links to itself."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path, self._in_get_form, self._select = path, False, ""
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        name = values.get("name", "")
        if tag == "form":
            self._in_get_form = (values.get("method") or "get").lower() == "get"
        elif tag in ("input", "textarea") and self._in_get_form and name:
            if values.get("type") in ("checkbox", "radio"):
                self.values.setdefault(name, values.get("value") or "y")
            else:
                self.values[name] = values.get("value") or self.values.get(name, "")
        elif tag == "select" and self._in_get_form and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and values.get("value"):
            if not self.values.get(self._select):
                self.values[self._select] = values["value"]
        elif tag == "a" and values.get("href"):
            link = urlsplit(values["href"])
            if link.path in ("", self.path):
                for key, value in parse_qsl(link.query, keep_blank_values=True):
                    self.values.setdefault(key, value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_get_form = False
        elif tag == "select":
            self._select = ""


def public_get_paths(app: Any) -> list[str]:
    """Public GET routes without URL arguments, from the app's url map."""
    from orientamento.core.access import ACCESS_ATTRIBUTE

    paths = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        rule_kind = getattr(view, ACCESS_ATTRIBUTE, ("?", None))[0]
        if (rule.endpoint == "static" or rule.arguments or "GET" not in (rule.methods or ())
                or rule_kind != "public"):
            continue
        paths.append(rule.rule)
    return sorted(set(paths))


def parameters_of(path: str, page: str) -> list[str]:
    """The query parameters a page offers (its GET forms and self-links)."""
    return sorted(plausible_query(path, page))


def plausible_query(path: str, page: str, course_page: str = "") -> dict[str, str]:
    """The page's query parameters, each with a value its validation accepts.

    The JSON API's lists take the parameters of API_PARAMETERS, valued from the course
    search page (``course_page``).
    """
    finder = _Parameters("/courses/" if path in API_PARAMETERS else path)
    finder.feed(course_page if path in API_PARAMETERS else page)
    names = (API_PARAMETERS[path] if path in API_PARAMETERS
             else {*finder.values, *EXTRA_PARAMETERS.get(path, ())} - {"csrf_token"})
    return {name: finder.values.get(name) or PLAUSIBLE.get(name, "1") for name in names}
