"""``python -m bench.run``: seed a large database, serve it with gunicorn, load each route."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.database import DatabaseError, database_kind, fresh_database
from bench.load import LoadError, LoadResult, find_wrk, run_wrk, wrk_version
from bench.report import (
    RESULTS_DIR,
    Measurement,
    format_table,
    machine_info,
    rows,
    write_json,
)
from bench.routes import COURSE_ROUTES, FLOOR, OUTREACH_ROUTES, ROUTES, RouteSpec
from bench.seed import SeededIds, SeedError, build_database, run_flask
from bench.server import WORKERS, Server, ServerError, app_environment, running_server
from bench.session import (
    COOKIE_NAME,
    USER_AGENT,
    LoginError,
    csrf_session,
    log_in,
    preflight,
    session_cookie,
)
from bench.session import request as session_request

#: Appended to the name of a route measured with one request instead of wrk.
SINGLE_MARK = "[1 req]"
#: Longest wait for one request, and for the server to finish the previous route's backlog.
PROBE_TIMEOUT_S = 180.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--users", type=int, default=10_000,
                        help="extra students inserted besides the demo data (default 10000)")
    parser.add_argument("--responses", type=int, default=100_000,
                        help="submitted assessment responses inserted over the extra students "
                             "(default 100000)")
    parser.add_argument("--courses", type=int, default=20_000,
                        help="courses inserted in bulk over 200 providers besides the demo "
                             "catalogue (default 20000; 0 skips the course routes)")
    parser.add_argument("--risk-records", type=int, default=100_000,
                        help="administrative records imported, scored and flagged through "
                             "`flask risk score` besides the demo's (default 100000; 0 skips "
                             "the outreach and risk routes)")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="measure only the routes whose name contains TEXT (repeatable; "
                             "the floor route is always measured)")
    parser.add_argument("--duration", type=int, default=10,
                        help="seconds of load per route (default 10)")
    parser.add_argument("--connections", type=int, default=16,
                        help="concurrent wrk connections (default 16)")
    parser.add_argument("--slow-limit", type=float, default=3.0, metavar="SECONDS",
                        help="a route whose single request takes longer is measured with "
                             f"that one request, not loaded with wrk; marked {SINGLE_MARK!r} "
                             "(default 3)")
    parser.add_argument("--database-url", default=None,
                        help="SQLAlchemy URL of a database to create and drop "
                             "(default: a temporary SQLite file)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --database-url naming a SQLite file an earlier run seeded "
                             "(its ids are beside it, FILE.ids.json): upgrade its schema and "
                             "measure it again without seeding (a million records take half "
                             "an hour to seed)")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON output (default bench/results/<date>-<database>.json)")
    args = parser.parse_args(argv)
    if args.reuse and not (args.database_url or "").startswith("sqlite:///"):
        parser.error("--reuse needs --database-url sqlite:///FILE")
    if args.responses > 0 and args.users <= 0:
        parser.error("--responses are spread over the extra students: give --users > 0 "
                     "or --responses 0")
    return args


def say(message: str) -> None:
    """Print progress on stderr, keeping stdout for the table."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def measure(server: Server, wrk: str, routes: tuple[RouteSpec, ...],
            args: argparse.Namespace) -> list[Measurement]:
    """Log in once per account, then preflight and load every route in turn."""
    from orientamento.config import DEFAULT_DEMO_PASSWORD

    password = os.environ.get("ORIENTAMENTO_DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
    cookies: dict[str, str] = {}
    measurements = []
    for route in routes:
        headers: dict[str, str] = dict(route.headers)
        body = None
        if route.login is not None:
            if route.login not in cookies:  # the login POST is rate limited: once per account
                cookies[route.login] = log_in(server.base_url, route.login, password)
            if route.csrf_from is not None:
                # The token must travel with the session cookie that stores it: keep the
                # cookie the form page sets, for this route and the account's later ones.
                token, cookies[route.login] = csrf_session(
                    server.base_url, route.csrf_from, cookies[route.login])
                body = urllib.parse.urlencode([("csrf_token", token), *route.form])
            headers["Cookie"] = cookies[route.login]
        if route.revalidate:
            headers.update(revalidation_headers(server.base_url, route.path, headers))
        if body is None and route.form:
            body = urllib.parse.urlencode(route.form)
        if body is not None:
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        wait_idle(server)
        status, seconds = timed_request(server, route, headers, body)
        if seconds > args.slow_limit:
            say(f"{route.name}: one {route.method} {route.path} took {seconds:.1f} s "
                f"(status {status}): not loaded with wrk")
            measurements.append(Measurement(
                replace(route, name=f"{route.name} {SINGLE_MARK}"), status,
                single_request_load(status, seconds)))
            continue
        status = preflight(server.base_url, route, headers, body)
        say(f"{route.name}: {args.duration} s of load on {route.method} {route.path} "
            f"(preflight {status})")
        load = run_wrk(wrk, server.base_url + route.path, headers, args.duration,
                       args.connections, route.method, body)
        measurements.append(Measurement(route, status, load))
    return measurements


def revalidation_headers(base_url: str, path: str, headers: dict[str, str]) -> dict[str, str]:
    """What a browser sends when it revalidates a page it kept: its session cookie (the one
    the first visit set, unless logged in) and the page's ``ETag`` as ``If-None-Match``."""
    _status, answer, _page = session_request(base_url, "GET", path, headers)
    cookie = headers.get("Cookie") or f"{COOKIE_NAME}={session_cookie(answer)}"
    return {"Cookie": cookie, "If-None-Match": answer.get("ETag", "")}


def timed_request(server: Server, route: RouteSpec, headers: dict[str, str],
                  body: str | None) -> tuple[int, float]:
    """Send the route's request once on an idle server; return its status and seconds.

    Status 0 when the server dropped the connection (e.g. gunicorn killed a worker that
    exceeded its 30 s timeout) or did not answer within PROBE_TIMEOUT_S.
    """
    parts = urllib.parse.urlsplit(server.base_url)
    started = time.monotonic()
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port,
                                            timeout=PROBE_TIMEOUT_S)
    try:
        connection.request(route.method, route.path, body=body,
                           headers={"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status = 0
    finally:
        connection.close()
    return status, time.monotonic() - started


def single_request_load(status: int, seconds: float) -> LoadResult:
    """A LoadResult for a route too slow to load: one request, its latency everywhere."""
    ms = seconds * 1000
    return LoadResult(
        requests=1, requests_per_s=1 / seconds,
        latency_ms={key: ms for key in ("min", "mean", "max", "p50", "p90", "p95", "p99")}
        | {"stdev": 0.0},
        non_2xx=0 if 200 <= status < 300 else 1,
        socket_errors={"connect": 0, "read": 0 if status else 1, "write": 0, "timeout": 0},
        wrk_output=f"not loaded: one request took {seconds:.2f} s (status {status}), "
                   "more than --slow-limit",
    )


def wait_idle(server: Server) -> None:
    """Wait until /healthz answers: the previous route's queued requests are served first."""
    status, seconds = timed_request(server, RouteSpec("idle", "/healthz"), {}, None)
    if status != 200:
        raise LoadError(f"/healthz answered {status} after {seconds:.0f} s:\n"
                        f"{server.log_tail()}")
    if seconds > 1:
        say(f"the server took {seconds:.1f} s to serve the previous route's queued requests")


#: The open API's rate limit on the benchmark server: wrk must never meet it.
API_RATE_LIMIT = "1000000 per minute"


def selected_routes(args: argparse.Namespace) -> tuple[RouteSpec, ...]:
    """The routes to measure: without courses or records, none of their routes; ``--only``
    filters."""
    routes = tuple(r for r in ROUTES
                   if (args.courses > 0 or r not in COURSE_ROUTES)
                   and (args.risk_records > 0 or r not in OUTREACH_ROUTES))
    if args.only:
        routes = tuple(r for r in routes
                       if r == FLOOR or any(text in r.name for text in args.only))
    return routes


@contextmanager
def _database(args: argparse.Namespace
              ) -> Iterator[tuple[str, SeededIds, dict[str, dict[str, int]]]]:
    """The database to measure, its seeded ids and the seeding's counts: a fresh one, seeded
    (an explicit SQLite file is kept, its ids written beside it), or with ``--reuse`` that
    file again, its schema upgraded."""
    if args.reuse:
        url = args.database_url
        saved = json.loads(_ids_file(url).read_text())
        env = app_environment(url)
        say(f"reusing {url}: upgrading its schema")
        run_flask(["db", "upgrade"], env)
        yield url, saved["ids"], saved["stats"]
        return
    with fresh_database(args.database_url) as url:
        env = app_environment(url)
        env["ORIENTAMENTO_API_RATE_LIMIT"] = API_RATE_LIMIT
        say(f"creating the schema and seeding {database_kind(url)} with {args.users} extra "
            f"students, {args.responses} responses, {args.courses} courses and "
            f"{args.risk_records} administrative records")
        started = time.monotonic()
        ids, inserted, course_stats, risk_stats = build_database(
            url, args.users, args.responses, env, args.courses, args.risk_records)
        say(f"seeded in {time.monotonic() - started:.0f} s ({inserted} bulk responses); "
            f"routes use {ids}")
        if course_stats:
            say(f"course searches match {course_stats}")
        if risk_stats:
            say(f"risk records: {risk_stats}")
        stats = {"course_matches": course_stats, "risk": risk_stats}
        if args.database_url and args.database_url.startswith("sqlite:///"):
            _ids_file(url).write_text(json.dumps({"ids": ids, "stats": stats}))
        yield url, ids, stats


def _ids_file(url: str) -> Path:
    """Where a kept SQLite file's seeded ids and counts are written."""
    return Path(url.removeprefix("sqlite:///") + ".ids.json")


def benchmark(args: argparse.Namespace, wrk: str
              ) -> tuple[list[Measurement], str, str, SeededIds, dict[str, dict[str, int]]]:
    """Build the database, run the server and measure.

    Returns the results, the database kind, the tail of gunicorn's log, the seeded ids and
    the seeding's counts (``course_matches`` and ``risk``).
    """
    with _database(args) as (url, ids, stats), tempfile.TemporaryDirectory() as tmp:
        kind = database_kind(url)
        env = app_environment(url)
        env["ORIENTAMENTO_API_RATE_LIMIT"] = API_RATE_LIMIT
        routes = tuple(route.resolve(ids) for route in selected_routes(args))
        say(f"starting gunicorn with {WORKERS} workers")
        with running_server(env, Path(tmp) / "gunicorn.log") as server:
            try:
                measurements = measure(server, wrk, routes, args)
            except LoginError as error:
                raise LoginError(f"{error}\n--- gunicorn log ---\n{server.log_tail()}") from None
            return measurements, kind, server.log_tail(), ids, stats


def document(args: argparse.Namespace, wrk: str, kind: str, table: list[dict[str, Any]],
             ids: SeededIds, stats: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Assemble the JSON record of the run."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(wrk_version(wrk)),
        "database": kind,
        "reused": args.database_url if args.reuse else None,
        # a reused file's sizes are those it was seeded with (its counts below), not these
        "users": None if args.reuse else args.users,
        "responses": None if args.reuse else args.responses,
        "courses": None if args.reuse else args.courses,
        "course_matches": stats["course_matches"],
        "risk_records": None if args.reuse else args.risk_records,
        "risk": stats["risk"],
        "seeded_ids": ids,
        "duration_s": args.duration,
        "connections": args.connections,
        "slow_limit_s": args.slow_limit,
        "gunicorn_workers": WORKERS,
        "floor": FLOOR.path,
        "routes": table,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 when a route answered anything but 2xx, 2 without wrk."""
    args = parse_args(argv)
    try:
        wrk = find_wrk()
    except LoadError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    try:
        measurements, kind, server_log, ids, stats = benchmark(args, wrk)
    except (DatabaseError, SeedError, ServerError, LoginError, LoadError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    table = rows(measurements, FLOOR)
    sizes = (f"{args.users} extra users, {args.responses} responses, "
             f"{args.courses} courses, {args.risk_records} administrative records"
             if not args.reuse else  # the file's sizes, not the options' defaults
             f"reused {args.database_url} (seeded earlier: "
             f"{(stats['risk'] or {}).get('records', 0)} administrative records)")
    print(f"{kind}, {sizes}, {args.duration} s per route, "
          f"{args.connections} connections, {WORKERS} gunicorn workers, "
          f"nproc {machine_info('')['nproc']}")
    print(format_table(table))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = write_json(args.out or RESULTS_DIR / f"{stamp}-{kind}.json",
                     document(args, wrk, kind, table, ids, stats))
    print(f"wrote {out}")
    if all(m.ok for m in measurements):
        return 0
    print(f"bench: some responses were not 2xx; gunicorn's log:\n{server_log}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
