"""``python -m bench.events``: the events pages, and registrations for one event under contention.

A run builds a fresh database (``flask db upgrade``, ``flask courses reference``, then ~2,000
upcoming events, a few hundred past or cancelled ones, and ``--students`` students in bulk),
serves it with gunicorn like ``bench.run`` and measures:

1. with wrk: the floor ``/healthz``, the public listing ``/events/`` (first page, a kind
   filter, page 50) and an event page, anonymous and as a logged-in student;
2. with a threaded Python client (``--clients`` threads; each request needs its own session
   cookie, which wrk cannot vary): the floor again, then registrations
   (``POST /events/<id>/register``), each from a distinct student, for ONE event with a seat
   for everybody, then for ONE event with ``--full-capacity`` seats where nearly everyone
   joins the waiting list.

Students are logged in by forging the session cookie the login would set (signed with the
server's secret key) with a CSRF token in it; the form body carries the matching token.
Afterwards the two events are read back and checked: one row per student, seats and waiting
counters equal to the rows, queue numbers 1..n without gaps.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from bench.database import DatabaseError, database_kind, fresh_database
from bench.load import LoadError, find_wrk, wrk_version
from bench.report import RESULTS_DIR, format_table, machine_info, rows, write_json
from bench.routes import FLOOR, RouteSpec
from bench.run import measure, say, wait_idle
from bench.seed import BATCH_SIZE, SeedError, chunks, run_flask, student_rows
from bench.server import WORKERS, Server, ServerError, app_environment, running_server
from bench.session import COOKIE_NAME, USER_AGENT, LoginError

#: The PostgreSQL database of ``--db postgres`` (``BENCH_DATABASE_URL`` overrides it). It is
#: dropped and created again at the start and dropped at the end, so its name must contain
#: "bench" (``bench.database``) and may never be the shared ``test`` database.
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/evbench"
FORBIDDEN_DATABASES = frozenset({"test", "postgres", "template0", "template1"})
SEED = 2028
PROVIDERS = 40
KINDS = ("open_day", "webinar", "workshop")
#: Every student registers for both contention events with the same date of birth: old
#: enough to register alone (14+), young enough for any age range.
BIRTH_DATE = date(2008, 1, 1)
#: Longest wait for one request of the Python client.
REQUEST_TIMEOUT_S = 60.0
#: Error responses kept in the JSON record, per phase.
ERROR_SAMPLES = 5


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.events", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite",
                        help="a temporary SQLite file (default) or the PostgreSQL database "
                             f"of BENCH_DATABASE_URL (default {DEFAULT_POSTGRES_URL})")
    parser.add_argument("--clients", type=int, default=16,
                        help="wrk connections and registering threads (default 16)")
    parser.add_argument("--seconds", type=int, default=10,
                        help="seconds of load per route and per registration phase "
                             "(default 10)")
    parser.add_argument("--events", type=int, default=2000,
                        help="upcoming events in the listing (default 2000)")
    parser.add_argument("--students", type=int, default=20_000,
                        help="students, each registering at most once per event: a phase "
                             "ends early when they run out (default 20000)")
    parser.add_argument("--full-capacity", type=int, default=50,
                        help="seats of the event most registrants wait for (default 50)")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON output (default bench/results/events-<db>.json)")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds < 1 or args.students < 2 or args.full_capacity < 1:
        parser.error("--clients, --seconds and --full-capacity must be positive, "
                     "--students at least 2")
    return args


def database_url(args: argparse.Namespace) -> str | None:
    """The URL to create (None: a temporary SQLite file)."""
    if args.db == "sqlite":
        return None
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES_URL)
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseError(f"BENCH_DATABASE_URL is not PostgreSQL: {url}")
    if (parsed.database or "") in FORBIDDEN_DATABASES:
        raise DatabaseError(f"refusing to use the database {parsed.database!r}")
    return url


# --- seeding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    """What the routes and phases use."""

    event_page: int  # an upcoming event in the middle of the listing
    seats_event: int  # a seat for every student
    full_event: int  # --full-capacity seats
    tokens: list[str]  # the students' session tokens, in creation order
    counts: dict[str, int]


def event_rows(count: int, providers: list[int], places: list[str], now: datetime,
               rng: random.Random) -> Iterator[dict[str, Any]]:
    """``count`` upcoming events over the next 180 days, plus 10% past and 5% cancelled."""
    past, cancelled = count // 10, count // 20
    for n in range(count + past + cancelled):
        kind = KINDS[n % len(KINDS)]
        if n < count + past:
            days = rng.uniform(1, 180) if n < count else -rng.uniform(1, 365)
        else:
            days = rng.uniform(1, 180)
        starts = (now + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
        starts = starts.replace(hour=7 + rng.randrange(10))  # 9:00-18:00 in Rome
        capacity = rng.choice((20, 25, 30, 50, 80, 120, 200))
        online = kind == "webinar"
        provider = providers[n % len(providers)]
        yield {
            "uid": str(uuid.uuid4()), "provider_id": provider, "kind": kind,
            "title": f"{kind.replace('_', ' ').title()} {n:05d} - Ente {provider}",
            "description": "Presentazione dei corsi, laboratori aperti e incontro con i docenti.",
            "starts_at": starts, "ends_at": starts + timedelta(hours=rng.choice((1, 2, 3))),
            "address": None if online else f"Via Roma {1 + n % 200}",
            "place_code": None if online else rng.choice(places),
            "online_url": f"https://meet.example.org/ev{n}" if online else None,
            "capacity": capacity, "seats_taken": rng.randrange(capacity + 1), "waiting": 0,
            "waitlist_seq": 0, "status": "cancelled" if n >= count + past else "scheduled",
            "cancel_reason": "Maltempo" if n >= count + past else None, "sequence": 0,
            "is_demo": False, "created_at": now, "updated_at": now,
        }


def contention_event(provider: int, place: str, capacity: int, title: str,
                     now: datetime) -> dict[str, Any]:
    """An open day in 30 days with ``capacity`` seats and nobody registered."""
    starts = (now + timedelta(days=30)).replace(hour=8, minute=0, second=0, microsecond=0)
    return {
        "uid": str(uuid.uuid4()), "provider_id": provider, "kind": "open_day", "title": title,
        "description": "", "starts_at": starts, "ends_at": starts + timedelta(hours=3),
        "address": "Piazza del Duomo 1", "place_code": place, "capacity": capacity,
        "seats_taken": 0, "waiting": 0, "waitlist_seq": 0, "status": "scheduled",
        "sequence": 0, "is_demo": False, "created_at": now, "updated_at": now,
    }


def seed(url: str, env: dict[str, str], args: argparse.Namespace) -> Seeded:
    """Schema by migrations, reference places, providers, events and students."""
    from bench.seed import STUDENT_PASSWORD
    from orientamento import import_models
    from orientamento.auth.models import User
    from orientamento.auth.passwords import hash_password
    from orientamento.courses.models import Place
    from orientamento.events.models import Event
    from orientamento.orgs.models import Provider

    import_models()  # every mapper, so that the relationships resolve
    run_flask(["db", "upgrade"], env)
    run_flask(["courses", "reference"], env)
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            places = list(connection.scalars(
                select(Place.code).where(Place.kind == "comune").order_by(Place.code)))
            if not places:
                raise SeedError("`flask courses reference` loaded no places")
            connection.execute(insert(Provider), [
                {"code": f"BENCH-EV-{n:03d}", "name": f"Ente di formazione {n:03d}",
                 "kind": "its_foundation" if n % 3 == 0 else "training_centre"}
                for n in range(1, PROVIDERS + 1)])
            providers = list(connection.scalars(
                select(Provider.id).where(Provider.code.like("BENCH-EV-%")).order_by(Provider.id)))
            for batch in chunks(event_rows(args.events, providers, places, now, rng),
                                BATCH_SIZE):
                connection.execute(insert(Event), batch)
            seats_event = connection.scalar(insert(Event).values(contention_event(
                providers[0], "015146", args.students, "Open day: a seat for everybody", now
            )).returning(Event.id))
            full_event = connection.scalar(insert(Event).values(contention_event(
                providers[0], "015146", args.full_capacity, "Open day: almost full", now
            )).returning(Event.id))
            password_hash = hash_password(STUDENT_PASSWORD)  # argon2: once for everybody
            tokens: list[str] = []
            for batch in chunks(student_rows(args.students, password_hash, now), BATCH_SIZE):
                for row in batch:
                    row["date_of_birth"] = BIRTH_DATE
                    tokens.append(row["session_token"])
                connection.execute(insert(User), batch)
            upcoming = select(Event.id).where(
                Event.status == "scheduled", Event.ends_at > now,
                Event.kind.in_(KINDS)).order_by(Event.starts_at, Event.id)
            listed = connection.scalar(select(func.count()).select_from(upcoming.subquery()))
            event_page = connection.scalar(upcoming.offset(args.events // 2).limit(1))
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    if event_page is None or seats_event is None or full_event is None:
        raise SeedError("the events were not seeded")
    return Seeded(event_page, int(seats_event), int(full_event), tokens,
                  {"events_listed": int(listed or 0), "events_total":
                   args.events + args.events // 10 + args.events // 20 + 2,
                   "students": args.students, "providers": PROVIDERS})


# --- logged-in students without the login form ---------------------------------------------


def student_cookies(secret_key: str, tokens: list[str]) -> tuple[list[str], str]:
    """``Cookie`` headers logging each student in, and the form's CSRF token for all of them.

    The session holds what the login and a form page would store: the user's session token
    (Flask-Login's id) and the raw CSRF token; the signed token goes in the form body. Both
    are made by Flask and Flask-WTF themselves, with the server's secret key.
    """
    from flask import Flask, session
    from flask_wtf.csrf import generate_csrf

    signer = Flask("bench-events")
    signer.secret_key = secret_key
    with signer.test_request_context():
        csrf_token = generate_csrf()
        raw = session["csrf_token"]
    serializer = signer.session_interface.get_signing_serializer(signer)  # type: ignore[attr-defined]
    cookies = [f"{COOKIE_NAME}="
               + serializer.dumps({"_user_id": t, "_fresh": True, "csrf_token": raw})
               for t in tokens]
    return cookies, csrf_token


# --- the threaded client -------------------------------------------------------------------


@dataclass
class Phase:
    """What the Python client measured on one route."""

    name: str
    method: str
    path: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    exhausted: bool = False
    statuses: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    error_samples: list[str] = field(default_factory=list)

    @property
    def requests_per_s(self) -> float:
        """Completed requests per second of the phase's wall time."""
        return self.requests / self.seconds if self.seconds else 0.0


def send(base_url: str, method: str, path: str, headers: dict[str, str],
         body: str | None) -> tuple[int, str, str]:
    """One request on a new connection (gunicorn's sync workers close it after each answer).

    Returns the status (0 on a connection error), the Location header and the start of the
    body of a response that was not expected.
    """
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port,
                                            timeout=REQUEST_TIMEOUT_S)
    try:
        connection.request(method, path, body=body,
                           headers={"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        page = response.read()
        return (response.status, response.getheader("Location") or "",
                page[:300].decode(errors="replace"))
    except (OSError, http.client.HTTPException) as error:
        return 0, "", repr(error)
    finally:
        connection.close()


Request = tuple[dict[str, str], str | None]


def run_phase(phase: Phase, base_url: str, clients: int, seconds: float,
              next_request: Callable[[], Request | None],
              ok: Callable[[int, str], bool]) -> Phase:
    """Send ``phase``'s request from ``clients`` threads until ``seconds`` pass.

    ``next_request`` gives each request's headers and body (None: nothing left to send, e.g.
    every student registered); ``ok`` judges a status and Location.
    """
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def worker() -> None:
        barrier.wait()
        while time.monotonic() < deadline[0]:
            with lock:
                item = next_request()
            if item is None:
                phase.exhausted = True
                return
            headers, body = item
            started = time.monotonic()
            status, location, page = send(base_url, phase.method, phase.path, headers, body)
            elapsed = (time.monotonic() - started) * 1000
            with lock:
                phase.requests += 1
                phase.latencies_ms.append(elapsed)
                phase.statuses[str(status)] += 1
                if not ok(status, location):
                    phase.errors += 1
                    if len(phase.error_samples) < ERROR_SAMPLES:
                        phase.error_samples.append(f"{status} {location} {page}".strip())

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    deadline[0] = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    phase.seconds = time.monotonic() - started
    return phase


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def phase_row(phase: Phase, floor: Phase, wrk_floor_rps: float) -> dict[str, Any]:
    """A JSON row like ``bench.report.rows``' for a phase of the Python client."""
    latencies = phase.latencies_ms
    return {
        "route": phase.name, "method": phase.method, "path": phase.path,
        "client": "python threads",
        "requests": phase.requests, "seconds": round(phase.seconds, 2),
        "requests_per_s": round(phase.requests_per_s, 1),
        "latency_ms": {"min": round(min(latencies, default=0.0), 2),
                       "mean": round(sum(latencies) / len(latencies), 2) if latencies else 0.0,
                       "max": round(max(latencies, default=0.0), 2)}
        | {f"p{p}": round(percentile(latencies, p / 100), 2) for p in (50, 90, 95, 99)},
        "errors": phase.errors, "statuses": dict(phase.statuses),
        "error_samples": phase.error_samples, "students_exhausted": phase.exhausted,
        "ratio_to_floor": round(phase.requests_per_s / floor.requests_per_s, 3)
        if floor.requests_per_s else None,
        "ratio_to_wrk_floor": round(phase.requests_per_s / wrk_floor_rps, 3)
        if wrk_floor_rps else None,
    }


def format_phases(table: list[dict[str, Any]]) -> str:
    """The Python client's rows as an aligned table (ratios to both floors)."""
    columns = ("req/s", "p50 ms", "p95 ms", "errors", "ratio", "ratio wrk")
    lines = [(row["route"] + (" (students ran out)" if row["students_exhausted"] else ""),
              f"{row['requests_per_s']:.1f}", f"{row['latency_ms']['p50']:.1f}",
              f"{row['latency_ms']['p95']:.1f}", str(row["errors"]),
              f"{row['ratio_to_floor']:.2f}" if row["ratio_to_floor"] is not None else "-",
              f"{row['ratio_to_wrk_floor']:.2f}" if row["ratio_to_wrk_floor"] is not None
              else "-") for row in table]
    width = max(len("route [python client]"), *(len(line[0]) for line in lines))
    header = f"{'route [python client]':<{width}}" + "".join(f"{c:>10}" for c in columns)
    body = [f"{line[0]:<{width}}" + "".join(f"{cell:>10}" for cell in line[1:])
            for line in lines]
    return "\n".join([header, "-" * len(header), *body])


# --- measuring ----------------------------------------------------------------------------


WRK_ROUTES_TEMPLATE = (
    ("events list /events/", "/events/"),
    ("events list kind=workshop", "/events/?kind=workshop"),
    ("events list page 50", "/events/?page=50"),
    ("event page", "/events/{event_page}"),
)


def wrk_routes(seeded: Seeded, cookie: str) -> tuple[RouteSpec, ...]:
    """The floor, the listing and the event page (anonymous and as a student)."""
    routes = [FLOOR] + [RouteSpec(name, path.format(event_page=seeded.event_page))
                        for name, path in WRK_ROUTES_TEMPLATE]
    routes.append(RouteSpec("event page (student)", f"/events/{seeded.event_page}",
                            headers=(("Cookie", cookie),)))
    return tuple(routes)


def registration_phase(server: Server, args: argparse.Namespace, name: str, event_id: int,
                       cookies: list[str], csrf_token: str) -> Phase:
    """Registrations for ``event_id``, each from the next student (the first is a preflight)."""
    path = f"/events/{event_id}/register"
    body = urllib.parse.urlencode({"csrf_token": csrf_token})

    def ok(status: int, location: str) -> bool:
        return status == 302 and "/events/registrations/" in location

    status, location, page = send(server.base_url, "POST", path, {
        "Cookie": cookies[0], "Content-Type": "application/x-www-form-urlencoded"}, body)
    if not ok(status, location):
        raise LoginError(f"preflight registration answered {status} {location}:\n{page}\n"
                         f"--- gunicorn log ---\n{server.log_tail()}")
    students = iter(cookies[1:])

    def next_request() -> Request | None:
        cookie = next(students, None)
        if cookie is None:
            return None
        return {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, body

    wait_idle(server)
    say(f"{name}: {args.seconds} s of registrations from {args.clients} threads on {path}")
    return run_phase(Phase(name, "POST", path), server.base_url, args.clients, args.seconds,
                     next_request, ok)


def floor_phase(server: Server, args: argparse.Namespace) -> Phase:
    """/healthz from the same threaded client: the registrations' own floor."""
    wait_idle(server)
    say(f"floor: {args.seconds} s of GET /healthz from {args.clients} threads")
    return run_phase(Phase("floor /healthz", "GET", "/healthz"), server.base_url,
                     args.clients, args.seconds, lambda: ({}, None),
                     lambda status, _location: status == 200)


def check_event(engine: Engine, event_id: int, capacity: int, registered: int
                ) -> dict[str, Any]:
    """Compare an event's counters with its rows after the load; list what is wrong."""
    from orientamento.events.models import Event, Registration

    with engine.connect() as connection:
        event = connection.execute(select(Event.seats_taken, Event.waiting, Event.waitlist_seq)
                                   .where(Event.id == event_id)).one()
        found = connection.execute(select(Registration.user_id, Registration.status,
                                          Registration.position)
                                   .where(Registration.event_id == event_id)).all()
    statuses = Counter(row.status for row in found)
    positions = sorted(row.position for row in found if row.status == "waitlisted")
    confirmed = statuses.get("confirmed", 0)
    expected_confirmed = min(capacity, registered)
    problems = []
    if len(found) != registered:
        problems.append(f"{len(found)} rows for {registered} successful registrations")
    if len({row.user_id for row in found}) != len(found):
        problems.append("a student has two rows")
    if confirmed != expected_confirmed or event.seats_taken != confirmed:
        problems.append(f"{confirmed} confirmed, seats_taken {event.seats_taken}, "
                        f"expected {expected_confirmed}")
    if positions != list(range(1, len(positions) + 1)):
        problems.append(f"queue numbers are not 1..{len(positions)}")
    if event.waiting != len(positions) or event.waitlist_seq != len(positions):
        problems.append(f"waiting {event.waiting} / waitlist_seq {event.waitlist_seq} for "
                        f"{len(positions)} waiting rows")
    return {"event_id": event_id, "capacity": capacity, "rows": len(found),
            "statuses": dict(statuses), "seats_taken": event.seats_taken,
            "waiting": event.waiting, "problems": problems}


@dataclass
class Outcome:
    """Everything a run produced."""

    kind: str
    seeded: Seeded
    wrk_table: list[dict[str, Any]]
    phase_table: list[dict[str, Any]]
    checks: dict[str, dict[str, Any]]
    preflights_ok: bool
    server_log: str


def benchmark(args: argparse.Namespace, wrk: str) -> Outcome:
    """Build the database, serve it, measure, check the registrations."""
    with fresh_database(database_url(args)) as url, tempfile.TemporaryDirectory() as tmp:
        kind = database_kind(url)
        env = app_environment(url)
        say(f"seeding {kind}: {args.events} upcoming events, {args.students} students")
        started = time.monotonic()
        seeded = seed(url, env, args)
        say(f"seeded in {time.monotonic() - started:.0f} s: {seeded.counts}")
        cookies, csrf_token = student_cookies(env["ORIENTAMENTO_SECRET_KEY"], seeded.tokens)
        say(f"starting gunicorn with {WORKERS} workers")
        with running_server(env, Path(tmp) / "gunicorn.log") as server:
            measure_args = argparse.Namespace(duration=args.seconds, connections=args.clients,
                                              slow_limit=3.0)
            # The last student only reads the event page: the phases register the others.
            measurements = measure(server, wrk, wrk_routes(seeded, cookies[-1]), measure_args)
            wrk_table = rows(measurements, FLOOR)
            floor = floor_phase(server, args)
            seats = registration_phase(server, args, "register: a seat for everybody",
                                       seeded.seats_event, cookies[:-1], csrf_token)
            full = registration_phase(
                server, args, f"register: {args.full_capacity} seats, then waiting list",
                seeded.full_event, cookies[:-1], csrf_token)
            server_log = server.log_tail()
        wrk_floor = wrk_table[0]["requests_per_s"]
        phase_table = [phase_row(p, floor, wrk_floor) for p in (floor, seats, full)]
        engine = create_engine(url)
        try:
            checks = {
                "seats": check_event(engine, seeded.seats_event, args.students,
                                     seats.requests - seats.errors + 1),
                "full": check_event(engine, seeded.full_event, args.full_capacity,
                                    full.requests - full.errors + 1),
            }
        finally:
            engine.dispose()
        return Outcome(kind, seeded, wrk_table, phase_table, checks,
                       all(m.ok for m in measurements), server_log)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 on any error response or inconsistent counters, 2 without wrk."""
    args = parse_args(argv)
    try:
        wrk = find_wrk()
    except LoadError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    try:
        outcome = benchmark(args, wrk)
    except (DatabaseError, SeedError, ServerError, LoginError, LoadError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    print(f"{outcome.kind}, {outcome.seeded.counts['events_listed']} upcoming events listed, "
          f"{args.students} students, {args.seconds} s per route, {args.clients} clients, "
          f"{WORKERS} gunicorn workers, nproc {machine_info('')['nproc']}")
    print(format_table(outcome.wrk_table))
    print()
    print(format_phases(outcome.phase_table))
    for name, check in outcome.checks.items():
        verdict = "; ".join(check["problems"]) or "consistent"
        print(f"check {name} event: {check['rows']} rows {check['statuses']}, seats_taken "
              f"{check['seats_taken']}, waiting {check['waiting']}: {verdict}")
    out = write_json(args.out or RESULTS_DIR / f"events-{args.db}.json", {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(wrk_version(wrk)),
        "database": outcome.kind,
        "seeded": outcome.seeded.counts,
        "seeded_ids": {"event_page": outcome.seeded.event_page,
                       "seats_event": outcome.seeded.seats_event,
                       "full_event": outcome.seeded.full_event},
        "seconds": args.seconds, "clients": args.clients, "full_capacity": args.full_capacity,
        "gunicorn_workers": WORKERS, "floor": FLOOR.path,
        "routes": outcome.wrk_table, "registration": outcome.phase_table,
        "checks": outcome.checks,
    })
    print(f"wrote {out}")
    failed = (not outcome.preflights_ok
              or any(row["errors"] for row in outcome.phase_table)
              or any(check["problems"] for check in outcome.checks.values()))
    if failed:
        print(f"bench: errors or inconsistent counters; gunicorn's log:\n{outcome.server_log}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
