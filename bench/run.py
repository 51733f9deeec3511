"""``python -m bench.run``: seed a large database, serve it with gunicorn, load each route."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.database import DatabaseError, database_kind, fresh_database
from bench.load import LoadError, find_wrk, run_wrk, wrk_version
from bench.report import (
    RESULTS_DIR,
    Measurement,
    format_table,
    machine_info,
    rows,
    write_json,
)
from bench.routes import FLOOR, ROUTES, RouteSpec
from bench.seed import SeededIds, SeedError, build_database
from bench.server import WORKERS, Server, ServerError, app_environment, running_server
from bench.session import LoginError, csrf_session, log_in, preflight


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--users", type=int, default=10_000,
                        help="extra students inserted besides the demo data (default 10000)")
    parser.add_argument("--responses", type=int, default=100_000,
                        help="submitted assessment responses inserted over the extra students "
                             "(default 100000)")
    parser.add_argument("--duration", type=int, default=10,
                        help="seconds of load per route (default 10)")
    parser.add_argument("--connections", type=int, default=16,
                        help="concurrent wrk connections (default 16)")
    parser.add_argument("--database-url", default=None,
                        help="SQLAlchemy URL of a database to create and drop "
                             "(default: a temporary SQLite file)")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON output (default bench/results/<date>-<database>.json)")
    args = parser.parse_args(argv)
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
        if body is None and route.form:
            body = urllib.parse.urlencode(route.form)
        if body is not None:
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        status = preflight(server.base_url, route, headers, body)
        say(f"{route.name}: {args.duration} s of load on {route.method} {route.path} "
            f"(preflight {status})")
        load = run_wrk(wrk, server.base_url + route.path, headers, args.duration,
                       args.connections, route.method, body)
        measurements.append(Measurement(route, status, load))
    return measurements


def benchmark(args: argparse.Namespace, wrk: str
              ) -> tuple[list[Measurement], str, str, SeededIds]:
    """Build the database, run the server and measure.

    Returns the results, the database kind, the tail of gunicorn's log and the seeded ids.
    """
    with fresh_database(args.database_url) as url, tempfile.TemporaryDirectory() as tmp:
        kind = database_kind(url)
        env = app_environment(url)
        say(f"creating the schema and seeding {kind} with {args.users} extra students "
            f"and {args.responses} responses")
        started = time.monotonic()
        ids, inserted = build_database(url, args.users, args.responses, env)
        say(f"seeded in {time.monotonic() - started:.0f} s ({inserted} bulk responses); "
            f"routes use {ids}")
        routes = tuple(route.resolve(ids) for route in ROUTES)
        say(f"starting gunicorn with {WORKERS} workers")
        with running_server(env, Path(tmp) / "gunicorn.log") as server:
            try:
                measurements = measure(server, wrk, routes, args)
            except LoginError as error:
                raise LoginError(f"{error}\n--- gunicorn log ---\n{server.log_tail()}") from None
            return measurements, kind, server.log_tail(), ids


def document(args: argparse.Namespace, wrk: str, kind: str, table: list[dict[str, Any]],
             ids: SeededIds) -> dict[str, Any]:
    """Assemble the JSON record of the run."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(wrk_version(wrk)),
        "database": kind,
        "users": args.users,
        "responses": args.responses,
        "seeded_ids": ids,
        "duration_s": args.duration,
        "connections": args.connections,
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
        measurements, kind, server_log, ids = benchmark(args, wrk)
    except (DatabaseError, SeedError, ServerError, LoginError, LoadError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    table = rows(measurements, FLOOR)
    print(f"{kind}, {args.users} extra users, {args.responses} responses, "
          f"{args.duration} s per route, "
          f"{args.connections} connections, {WORKERS} gunicorn workers, "
          f"nproc {machine_info('')['nproc']}")
    print(format_table(table))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = write_json(args.out or RESULTS_DIR / f"{stamp}-{kind}.json",
                     document(args, wrk, kind, table, ids))
    print(f"wrote {out}")
    if all(m.ok for m in measurements):
        return 0
    print(f"bench: some responses were not 2xx; gunicorn's log:\n{server_log}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
