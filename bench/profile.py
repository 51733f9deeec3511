"""``python -m bench.profile``: where one route's time goes, in process, on the bench's data.

Seeds a SQLite file the way ``bench.run`` does (once: ``--db FILE`` is kept and reused, with
the seeded ids beside it in ``FILE.ids.json``), then, for every route whose name contains one
of the ``--only`` texts, sends its request through the app's test client (logged in through
the real form as the route's account) a few times and prints the SQL statements per request,
the mean time per request (wall and this process's CPU: the CPU figure holds up better on
a busy machine) and the slowest statements; ``--profile`` adds cProfile's top
functions by cumulative time over ``--times`` requests (``--match REGEX`` keeps the functions
whose file or name matches, e.g. ``'orientamento|templates'``).

```
.venv/bin/python -m bench.profile --db /tmp/profile.db --only "start page admin" --profile
```
"""

from __future__ import annotations

import argparse
import cProfile
import html
import json
import os
import pstats
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.routes import ROUTES, RouteSpec
from bench.session import CSRF_INPUT


def seed(path: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Build the database file once; return the seeded ids."""
    from bench.seed import build_database
    from bench.server import app_environment

    ids_file = path.with_suffix(path.suffix + ".ids.json")
    if (path.exists() or args.database_url) and ids_file.exists():
        kept = json.loads(ids_file.read_text())
        return dict(kept.get("ids", kept))  # bench.run --database-url keeps {"ids", "stats"}
    url = args.database_url or f"sqlite:///{path}"
    ids, _inserted, courses, risk = build_database(
        url, args.users, args.responses, app_environment(url), args.courses, args.risk_records)
    # As bench.run keeps it, so that ``bench.run --reuse`` measures this file too.
    ids_file.write_text(json.dumps({"ids": ids, "stats": {"course_matches": courses,
                                                          "risk": risk}}))
    return dict(ids)


def log_in(client: Any, login: str, password: str) -> None:
    """Log the test client in through the form."""
    page = client.get("/account/login").get_data(as_text=True)
    token = html.unescape(CSRF_INPUT.search(page).group(1))  # type: ignore[union-attr]
    answer = client.post("/account/login", data={"csrf_token": token, "login": login,
                                                 "password": password})
    if answer.status_code != 302:
        sys.exit(f"login as {login} answered {answer.status_code}")


def body(client: Any, route: RouteSpec) -> dict[str, str] | None:
    """The route's form, with a CSRF token from ``csrf_from`` first."""
    if route.method == "GET":
        return None
    form = dict(route.form)
    if route.csrf_from:
        page = client.get(route.csrf_from).get_data(as_text=True)
        form = {"csrf_token": html.unescape(CSRF_INPUT.search(page).group(1)),  # type: ignore[union-attr]
                **form}
    return form


def postgres_cpu_seconds() -> float:
    """CPU time used so far by this machine's PostgreSQL processes (user and system, from
    /proc): the server's share of a request, which the app's own CPU time leaves out."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            if not fields[0].endswith("(postgres"):
                continue
            values = fields[1].split()
            total += int(values[11]) + int(values[12])  # utime, stime (fields 14 and 15)
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile
    return total / ticks


def main(argv: list[str] | None = None) -> None:
    """Seed if needed, then measure the routes chosen."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--only", action="append", default=[], metavar="TEXT", required=True)
    parser.add_argument("--times", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile's order (tottime...)")
    parser.add_argument("--dump", metavar="FILE",
                        help="also write cProfile's statistics to FILE (for pstats' callers)")
    parser.add_argument("--match", default="", metavar="REGEX",
                        help="print only the profiled functions whose place matches (e.g. "
                             "'orientamento|templates' for the project's own code)")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--courses", type=int, default=20_000)
    parser.add_argument("--risk-records", type=int, default=0)
    parser.add_argument("--database-url", default=None,
                        help="measure this (empty or seeded) database, e.g. PostgreSQL, instead "
                             "of the SQLite file --db; its seeded ids are kept beside --db")
    args = parser.parse_args(argv)
    ids = seed(args.db, args)

    from sqlalchemy import event

    from bench.server import app_environment
    from orientamento.config import DEFAULT_DEMO_PASSWORD

    url = args.database_url or f"sqlite:///{args.db}"
    on_postgres = url.startswith("postgresql")
    os.environ.update(app_environment(url))
    from orientamento import create_app
    from orientamento.extensions import db

    app = create_app()
    app.config["RATELIMIT_ENABLED"] = False
    password = os.environ.get("ORIENTAMENTO_DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
    statements: list[tuple[str, float]] = []
    started: dict[int, float] = {}

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        started[id(cursor)] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append((statement, time.perf_counter() - started.pop(id(cursor), 0.0)))

    routes = [r.resolve(ids) for r in ROUTES if any(t in r.name for t in args.only)]
    clients: dict[str | None, Any] = {}
    for route in routes:
        if route.login not in clients:
            clients[route.login] = app.test_client()
            if route.login:
                log_in(clients[route.login], route.login, password)
        client = clients[route.login]
        headers = dict(route.headers)
        client.open(route.path, method=route.method, data=body(client, route), headers=headers)
        statements.clear()
        server = postgres_cpu_seconds() if on_postgres else 0.0
        seconds, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.times):
            status = client.open(route.path, method=route.method, data=body(client, route),
                                 headers=headers).status_code
        seconds = (time.perf_counter() - seconds) / args.times
        cpu = (time.process_time() - cpu) / args.times
        server = (postgres_cpu_seconds() - server) / args.times if on_postgres else 0.0
        per_request = len(statements) / args.times
        sql_seconds = sum(s for _, s in statements) / args.times
        print(f"\n{route.name}: {route.method} {route.path} -> {status}, {seconds * 1000:.1f} ms "
              f"per request ({cpu * 1000:.1f} ms of CPU"
              + (f", PostgreSQL {server * 1000:.1f} ms" if on_postgres else "")
              + f"), {per_request:.1f} statements ({sql_seconds * 1000:.1f} ms in SQL)")
        slowest: Counter[str] = Counter()
        for statement, spent in statements:
            slowest[" ".join(statement.split())[:160]] += spent / args.times
        for statement, spent in slowest.most_common(6):
            print(f"  {spent * 1000:7.1f} ms  {statement}")
        if args.profile:
            profiler = cProfile.Profile()
            for _ in range(args.times):
                form = body(client, route)
                profiler.enable()
                client.open(route.path, method=route.method, data=form, headers=headers)
                profiler.disable()
            print(f"(cProfile over {args.times} requests)")
            restrictions: list[str | int] = [args.match] if args.match else []
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(*restrictions, 30)
            if args.dump:
                profiler.dump_stats(args.dump)


if __name__ == "__main__":
    main()
