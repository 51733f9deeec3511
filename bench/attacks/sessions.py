"""Attack 4c-g: simultaneous admin imports, a login crowd, session replay, CSRF, id swaps."""

from __future__ import annotations

import functools
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select

from bench.attacks import imports
from bench.attacks.common import (
    FORM,
    Instances,
    Result,
    anonymous_form,
    http,
    multipart,
    say,
)
from bench.attacks.inputs import Cookies
from bench.attacks.world import World
from bench.events import percentile
from bench.logins import burst, login_form
from bench.session import log_in

ROUNDS = 4
LOGINS = 100


def _together(calls: list[Callable[[], tuple[int, str, str]]]) -> list[tuple[int, str, str]]:
    """Run the calls from threads released at the same moment."""
    answers: list[tuple[int, str, str]] = [(0, "", "")] * len(calls)
    barrier = threading.Barrier(len(calls))

    def one(n: int) -> None:
        barrier.wait()
        answers[n] = calls[n]()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def double_imports(instances: Instances, cookies: Cookies, url: str, folder: Path,
                   base: list[dict[str, str]]) -> Result:
    """The same new file posted to both instances at once, ROUNDS times per import page."""
    result = Result("4c same file imported twice at once (admin pages, 2 instances)",
                    "one 2xx, the other 2xx/409/422 with a message; one snapshot; all rows")
    started = time.monotonic()
    admin = cookies("admin")
    for n in range(ROUNDS * 2):
        risk = n % 2 == 1
        number = 90 + n
        attempt = (imports.risk_file(folder, number) if risk
                   else imports.course_file(base, folder, number))
        path = "/risk/records" if risk else "/courses/import"
        calls: list[Callable[[], tuple[int, str, str]]] = []
        for side in range(2):
            _status, cookie, token = anonymous_form(instances.url(side), path, admin)
            content_type, body = multipart({"csrf_token": token},
                                           {"file": (attempt.path.name,
                                                     attempt.path.read_bytes())})
            calls.append(functools.partial(http, instances.url(side), "POST", path,
                                           {"Cookie": cookie, "Content-Type": content_type},
                                           body))
        answers = _together(calls)
        statuses = sorted(a[0] for a in answers)
        for status, _location, page in answers:
            result.count(status, f"POST {path}: {page[:300]}")
        found, snapshots = imports.in_database(url, attempt)
        result.notes.append(f"{path} round {n // 2 + 1}: {statuses}, {found}/"
                            f"{attempt.expected} rows" + (f", {snapshots} snapshot(s)"
                                                          if risk else ""))
        if not any(200 <= s < 300 for s in statuses):
            result.problems.append(f"{path}: neither import succeeded: {statuses}")
        if found != attempt.expected or (risk and snapshots != 1):
            result.problems.append(f"{path}: {found}/{attempt.expected} rows, "
                                   f"{snapshots} snapshots")
    result.seconds = time.monotonic() - started
    return result


def login_crowd(instances: Instances, world: World) -> Result:
    """LOGINS students log in at the same moment, half on each instance."""
    result = Result(f"4d {LOGINS} concurrent logins", "every login 302; p95 reported")
    started = time.monotonic()
    answers = []
    for side in range(2):
        cookie, token = login_form(instances.url(side))
        headers = {"Cookie": cookie, "Content-Type": FORM}
        answers.append((side, [("POST", "/account/login", headers, urllib.parse.urlencode({
            "csrf_token": token, "login": world.usernames[-1 - n], "password": world.password}))
            for n in range(side, LOGINS, 2)]))
    outcome: dict[int, Any] = {}
    threads = [threading.Thread(target=lambda s=s, r=r: outcome.__setitem__(
        s, burst("login", instances.url(s), len(r), r, 302))) for s, r in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies = [ms for crowd in outcome.values() for ms in crowd.latencies_ms]
    for crowd in outcome.values():
        for status, count in crowd.statuses.items():
            for _ in range(count):
                result.count(int(status), f"login: {crowd.error_samples}")
        if crowd.errors:
            result.problems.append(f"logins not 302: {crowd.error_samples}")
    p95 = percentile(latencies, 0.95)
    result.notes.append(f"p50 {percentile(latencies, 0.5):.0f} ms, p95 {p95:.0f} ms, max "
                        f"{max(latencies, default=0):.0f} ms")
    result.invariant += f" (p95 {p95 / 1000:.2f} s)"
    result.seconds = time.monotonic() - started
    say(f"logins: {result.notes[-1]}")
    return result


def replay_and_csrf(instances: Instances, app: Any, world: World, password: str) -> Result:
    """A cookie replayed after logout; every POST route without its CSRF token."""
    result = Result("4e-f session replay after logout; CSRF-less POSTs",
                    "old cookie is anonymous on both instances; every tokenless POST 400")
    started = time.monotonic()
    cookie = log_in(instances.url(0), world.usernames[0], world.password)
    status, _location, _page = http(instances.url(1), "GET", "/events/mine", {"Cookie": cookie})
    result.count(status, "GET /events/mine before logout")
    if status != 200:
        result.problems.append(f"the session did not work before logout: {status}")
    _status, renewed, token = anonymous_form(instances.url(0), "/events/mine", cookie)
    status, _location, _page = http(instances.url(0), "POST", "/account/logout", {
        "Cookie": renewed, "Content-Type": FORM}, urllib.parse.urlencode({"csrf_token": token}))
    result.count(status, "POST /account/logout")
    for side in range(2):
        for old in {cookie, renewed}:
            status, location, _page = http(instances.url(side), "GET", "/events/mine",
                                           {"Cookie": old})
            result.count(status, "replayed GET /events/mine")
            if status == 200 or (status == 302 and "/account/login" not in location):
                result.problems.append(f"replayed cookie served: {status} {location}")
    admin = log_in(instances.url(0), "admin@demo.example.org", password)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" not in (rule.methods or ()):
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "x")
        for who in ("", admin):
            status, _location, page = http(instances.url(result.requests), "POST", path,
                                           {"Cookie": who, "Content-Type": FORM} if who
                                           else {"Content-Type": FORM}, "x=1")
            result.count(status, f"POST {path} without a token: {page[:200]}")
            if status != 400 and not path.startswith("/api/"):
                result.problems.append(f"POST {path} without a CSRF token "
                                       f"({'admin' if who else 'anonymous'}): {status}")
    result.seconds = time.monotonic() - started
    return result


def id_swaps(instances: Instances, world: World, cookies: Cookies, secret_key: str) -> Result:
    """The demo provider on another provider's courses and events; a student on others'
    tickets; the counsellor on another school's class."""
    from orientamento.auth.models import User
    from orientamento.courses.models import Course
    from orientamento.events.models import Event, Registration

    result = Result("4g cross-organisation id swaps", "never 200 on another's object")
    started = time.monotonic()
    engine = create_engine(world.url)
    try:
        with engine.connect() as connection:
            provider_id = connection.scalar(select(User.provider_id).where(
                User.email == "provider@demo.example.org"))
            courses = connection.scalars(select(Course.id).where(
                Course.provider_id != provider_id).order_by(Course.id).limit(12)).all()
            events = connection.scalars(select(Event.id).where(
                Event.provider_id != provider_id).order_by(Event.id).limit(6)).all()
            tickets = connection.scalars(select(Registration.id).where(
                Registration.event_id == world.event_id).order_by(Registration.id)
                .limit(10)).all()
    finally:
        engine.dispose()
    provider = cookies("provider")
    paths = [(f"/courses/manage/{c}/edit", provider) for c in courses]
    paths += [(f"/events/{e}/{page}", provider) for e in events
              for page in ("edit", "registrations", "check-in")]
    stranger = log_in(instances.url(0), world.usernames[-1], world.password)  # no ticket
    paths += [(f"/events/registrations/{t}", stranger) for t in tickets]
    for n, (path, cookie) in enumerate(paths):
        status, _location, _page = http(instances.url(n), "GET", path, {"Cookie": cookie})
        result.count(status, f"GET {path}")
        if status == 200:
            result.problems.append(f"GET {path} answered 200 to an outsider")
    result.notes.append(f"{len(paths)} swaps: {len(courses)} courses, {len(events)} events x3, "
                        f"{len(tickets)} tickets")
    result.seconds = time.monotonic() - started
    return result
