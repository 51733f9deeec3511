"""Attack 4a-b: out-of-range values on every GET parameter, NUL and U+202E in form fields."""

from __future__ import annotations

import time
import urllib.parse
from html.parser import HTMLParser
from typing import Any

from bench.attacks.common import FORM, Instances, Result, anonymous_form, http, say
from bench.attacks.world import parameters_of
from bench.session import log_in

#: The values that broke pages before, and their neighbours.
OUT_OF_RANGE = ("0001-01-01", "9999-12-31", "99999999999999999999", "-99999999999999999999",
                "2026-02-30", "1e309")
FIELD_VALUES = ("a\x00b", "\u202eevil\u202c", "0001-01-01", "9999-12-31",
                "99999999999999999999")
DEMO_LOGIN = {"admin": "admin@demo.example.org", "counsellor": "counsellor@demo.example.org",
              "provider": "provider@demo.example.org", "outreach": "outreach@demo.example.org",
              "student": "student@demo.example.org",
              "ambassador": "ambassador@demo.example.org"}
#: Form pages whose every field gets FIELD_VALUES, and the account that opens them.
FORM_PAGES = (("/account/register", None), ("/account/login", None),
              ("/classes/join", None), ("/events/new", "provider"),
              ("/courses/manage/new", "provider"), ("/classes/new", "counsellor"),
              ("/admin/organisations/schools/new", "admin"),
              ("/admin/organisations/providers/new", "admin"),
              ("/admin/users/invite", "admin"), ("/events/availability", "provider"))
#: Plausible values, so that a fuzzed field reaches the services with the rest valid
#: ("{n}" makes codes and addresses unique per request).
VALID = {"display_name": "Mario Rossi", "email": "attack{n}@example.org",
         "date_of_birth": "2008-01-01", "password": "Attack-passw0rd-2026!",
         "confirm": "Attack-passw0rd-2026!", "accept_privacy": "y",
         "username": "attack.user{n}", "title": "Open day di prova", "description": "Prova",
         "day": "2027-03-10", "start": "09:00", "end": "12:00", "address": "Via Roma 1",
         "capacity": "30", "registration_opens": "2027-01-10",
         "registration_closes": "2027-03-01", "min_age": "14", "max_age": "19",
         "course_code": "ATKF{n}", "eqf_level": "5", "start_date": "2027-10-01",
         "application_deadline": "2027-09-01", "hours": "1000", "semesters": "2",
         "cost_eur": "0", "seats": "25", "site_address_1": "Via Roma 1",
         "site_address_2": "Via Roma 2", "site_address_3": "Via Roma 3", "role": "admin",
         "contact_email": "info@example.org", "web_url": "https://example.org",
         "name": "Prova {n}", "year": "3", "code": "MIAT{n:06d}", "municipio": "1",
         "website": "https://example.org", "first_day": "2027-02-01",
         "last_day": "2027-02-28", "max_visits": "2"}
LOGIN_VALID = {"login": "student@demo.example.org", "password": "demo-Orientamento-2026"}


def role_for(app: Any, endpoint: str) -> str | None:
    """Who may open a route: None (anonymous), or a demo account's role; "" when none fits."""
    from orientamento.core.access import ACCESS_ATTRIBUTE

    kind, allowed = getattr(app.view_functions[endpoint], ACCESS_ATTRIBUTE, ("?", ()))
    if kind == "public":
        return None
    if kind == "login":
        return "student"
    usable = sorted(str(role) for role in allowed if str(role) in DEMO_LOGIN)
    return usable[0] if usable else ""


class Cookies:
    """One real login per demo account, shared by both instances (same secret key)."""

    def __init__(self, base_url: str, password: str) -> None:
        self.base_url, self.password, self.found = base_url, password, dict[str, str]()

    def __call__(self, role: str | None) -> str:
        if role is None:
            return ""
        if role not in self.found:
            self.found[role] = log_in(self.base_url, DEMO_LOGIN[role], self.password)
        return self.found[role]


def get_parameters(instances: Instances, app: Any, cookies: Cookies) -> Result:
    """Every GET route without URL arguments, as a role that may open it, every parameter its
    page offers, each value of OUT_OF_RANGE; then huge ids in URL arguments."""
    result = Result("4a out-of-range dates/ids on every GET parameter",
                    "no 5xx (4xx or 200 with the value refused)")
    started = time.monotonic()
    pages = skipped = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if (rule.endpoint == "static" or rule.arguments or "GET" not in (rule.methods or ())
                or rule.rule.endswith((".ics", ".csv", ".json", ".xlsx"))):
            continue
        role = role_for(app, rule.endpoint)
        if role == "":
            skipped += 1
            continue
        headers = {"Cookie": cookies(role)} if role else {}
        base = instances.url(pages)
        page = _get_page(base, rule.rule, headers)
        if page is None:
            continue
        pages += 1
        for name in parameters_of(rule.rule, page):
            for value in OUT_OF_RANGE:
                path = f"{rule.rule}?{urllib.parse.urlencode({name: value})}"
                status, _location, body = http(instances.url(result.requests), "GET", path,
                                               headers)
                result.count(status, f"GET {path} as {role}: {body[:200]}")
    for path in ("/events/99999999999999999999", "/courses/99999999999999999999",
                 "/api/v1/courses/99999999999999999999", "/events/9223372036854775808",
                 "/courses/-1", "/events/0"):
        status, _location, body = http(instances.url(result.requests), "GET", path)
        result.count(status, f"GET {path}: {body[:200]}")
    result.notes.append(f"{pages} pages; {skipped} routes skipped (no demo account may open "
                        "them)")
    result.seconds = time.monotonic() - started
    say(f"GET parameters: {dict(result.statuses)}")
    return result


def _get_page(base_url: str, path: str, headers: dict[str, str]) -> str | None:
    import http.client

    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        is_html = "text/html" in (response.getheader("Content-Type") or "")
        return body if response.status == 200 and is_html else None
    finally:
        connection.close()


class _PostForm(HTMLParser):
    """The fields of a page's POST forms with a value each: the given one, the first option
    of a select, the first value of a checkbox group (ticked); empty selects left out."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_post, self._select = False, ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        name = values.get("name", "")
        if tag == "form":
            self._in_post = values.get("method", "get").lower() == "post"
        elif not self._in_post:
            return
        elif tag == "input" and name and values.get("type") not in ("submit", "button"):
            if values.get("type") in ("checkbox", "radio"):
                self.fields.setdefault(name, values.get("value", "y"))
            else:
                self.fields[name] = values.get("value", "")
        elif tag == "textarea" and name:
            self.fields.setdefault(name, "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and values.get("value"):
            self.fields.setdefault(self._select, values["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_post = False
        elif tag == "select":
            self._select = ""


def form_fields(instances: Instances, cookies: Cookies) -> Result:
    """Each field of FORM_PAGES' forms set to each FIELD_VALUES, the rest left as given."""
    result = Result("4b NUL / U+202E / year 1 in form fields",
                    "no 5xx; NUL refused with 400")
    started = time.monotonic()
    for path, role in FORM_PAGES:
        status, cookie, token = anonymous_form(instances.url(0), path, cookies(role))
        if status != 200 or not token:
            result.notes.append(f"{path}: the form page answered {status}")
            continue
        parser = _PostForm()
        parser.feed(_get_page(instances.url(0), path, {"Cookie": cookie}) or "")
        given = parser.fields | {"csrf_token": token}
        names = sorted(set(given) - {"csrf_token", "next"} - {n for n in given if "-" in n})
        for name in ["", *names]:  # first the valid form, as a baseline
            for value in FIELD_VALUES if name else ("",):
                valid = {k: v.format(n=result.requests) for k, v in VALID.items() if k in given}
                form = given | valid | (LOGIN_VALID if path == "/account/login" else {})
                body = urllib.parse.urlencode(form | ({name: value} if name else {}))
                answer, _location, page = http(instances.url(result.requests), "POST", path,
                                               {"Cookie": cookie, "Content-Type": FORM}, body)
                result.count(answer, f"POST {path} {name}={value!r}: {page[:200]}")
                if not name:
                    result.notes.append(f"{path} valid form: {answer}")
                if "\x00" in value and answer != 400:
                    result.problems.append(f"POST {path} with NUL in {name}: {answer}")
    result.seconds = time.monotonic() - started
    say(f"form fields: {dict(result.statuses)}")
    return result
