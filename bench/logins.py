"""``python -m bench.logins``: a crowd of students logging in at the same moment.

A run builds a fresh database (the embedded SQLite default, or ``--database-url``), inserts
``--logins`` students with real argon2id hashes, serves it with gunicorn like ``bench.run``
and sends, from ``--clients`` threads released together by a barrier, one login form per
student (``POST /account/login``, each on their own account, with a CSRF token): all at once,
or spread evenly over ``--over`` seconds (a class arriving over a minute rather than in the
same instant). The floor is ``/healthz`` sent the same way, in the same run. Before the
logins it times one argon2 verification in this process: the CPU a login cannot avoid, so
``logins x verify / nproc`` is the least the last of a crowd arriving at once can wait.

It prints a table (requests, req/s, p50, p95, max, errors, ratio of p95 to the floor's) and
writes ``bench/results/logins-<database>.json``. A login is an error unless it answers 302;
the exit status is 1 on any error.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert

from bench.database import DatabaseError, database_kind, fresh_database
from bench.events import percentile, send
from bench.report import RESULTS_DIR, machine_info, write_json
from bench.seed import BULK_USERNAME, STUDENT_PASSWORD, SeedError, run_flask, student_rows
from bench.server import WORKERS, ServerError, app_environment, running_server
from bench.session import COOKIE_NAME, CSRF_INPUT, LoginError, request, session_cookie

#: Rate limits far above the crowd: the benchmark measures the login, not the limiter.
UNLIMITED = "1000000 per minute"
ERROR_SAMPLES = 5


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.logins", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logins", type=int, default=100,
                        help="students, each logging in once (default 100)")
    parser.add_argument("--clients", type=int, default=None,
                        help="threads sending them, released together (default: one per "
                             "login, all at once)")
    parser.add_argument("--over", type=float, default=0.0, metavar="SECONDS",
                        help="spread the logins' start times evenly over SECONDS (default 0: "
                             "all at the same moment)")
    parser.add_argument("--database-url", default=None,
                        help="SQLAlchemy URL of a database to create and drop (default: a "
                             "temporary SQLite file, the embedded default)")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON output (default bench/results/logins-<database>.json)")
    args = parser.parse_args(argv)
    args.clients = args.clients or args.logins
    if args.logins < 1 or args.clients < 1 or args.over < 0:
        parser.error("--logins and --clients must be positive, --over not negative")
    return args


def say(message: str) -> None:
    """Print progress on stderr, keeping stdout for the table."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def seed(url: str, env: dict[str, str], count: int) -> None:
    """Schema by migrations, then ``count`` students sharing one real argon2id hash."""
    from orientamento import import_models
    from orientamento.auth.models import User
    from orientamento.auth.passwords import hash_password

    import_models()
    run_flask(["db", "upgrade"], env)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            rows = list(student_rows(count, hash_password(STUDENT_PASSWORD), datetime.now(UTC)))
            connection.execute(insert(User), rows)
    finally:
        engine.dispose()


def verify_seconds(samples: int = 5) -> float:
    """CPU seconds of one argon2id verification of the students' hash, in this process."""
    from orientamento.auth.passwords import hash_password, verify_password

    stored = hash_password(STUDENT_PASSWORD)
    started = time.process_time()
    for _ in range(samples):
        verify_password(stored, STUDENT_PASSWORD)
    return (time.process_time() - started) / samples


@dataclass
class Burst:
    """One request per item from threads released together: latencies and statuses."""

    name: str
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    seconds: float = 0.0
    error_samples: list[str] = field(default_factory=list)

    def row(self, floor: Burst | None) -> dict[str, Any]:
        """A JSON-ready row."""
        values = self.latencies_ms
        p95 = percentile(values, 0.95)
        return {
            "route": self.name, "requests": len(values), "seconds": round(self.seconds, 2),
            "requests_per_s": round(len(values) / self.seconds, 1) if self.seconds else 0.0,
            "latency_ms": {f"p{p}": round(percentile(values, p / 100), 1)
                           for p in (50, 90, 95, 99)} | {"max": round(max(values, default=0), 1)},
            "errors": self.errors, "statuses": dict(self.statuses),
            "error_samples": self.error_samples,
            "p95_ratio_to_floor": round(p95 / percentile(floor.latencies_ms, 0.95), 1)
            if floor and floor.latencies_ms else None,
        }


def burst(name: str, base_url: str, clients: int,
          requests: Sequence[tuple[str, str, dict[str, str], str | None]], expected: int,
          over: float = 0.0) -> Burst:
    """Send ``requests`` (method, path, headers, body) from ``clients`` threads released
    together, the n-th not before ``n * over / len(requests)`` seconds."""
    result = Burst(name)
    lock = threading.Lock()
    pending = iter(enumerate(requests))
    barrier = threading.Barrier(clients + 1)
    origin = [0.0]

    def worker() -> None:
        barrier.wait()
        while True:
            with lock:
                item = next(pending, None)
            if item is None:
                return
            number, (method, path, headers, body) = item
            time.sleep(max(0.0, origin[0] + number * over / len(requests) - time.monotonic()))
            started = time.monotonic()
            status, location, page = send(base_url, method, path, headers, body)
            elapsed = (time.monotonic() - started) * 1000
            with lock:
                result.latencies_ms.append(elapsed)
                result.statuses[str(status)] += 1
                if status != expected:
                    result.errors += 1
                    if len(result.error_samples) < ERROR_SAMPLES:
                        result.error_samples.append(f"{status} {location} {page}".strip())

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    started = origin[0] = time.monotonic()
    barrier.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def login_form(base_url: str) -> tuple[str, str]:
    """GET the login page once: its session cookie and the CSRF token that goes with it.

    The token lives in the anonymous session, so every student may send the same pair; the
    login clears the session and starts a new one for each.
    """
    status, headers, page = request(base_url, "GET", "/account/login", {})
    cookie = session_cookie(headers)
    match = CSRF_INPUT.search(page)
    if status != 200 or cookie is None or match is None:
        raise LoginError(f"GET /account/login answered {status} without a form and cookie")
    return f"{COOKIE_NAME}={cookie}", html.unescape(match.group(1))


def measure(url: str, env: dict[str, str], args: argparse.Namespace, log: Path
            ) -> tuple[Burst, Burst, str]:
    """Serve the database and send the floor burst, then the login burst."""
    with running_server(env, log) as server:
        cookie, token = login_form(server.base_url)
        floor = burst("floor /healthz", server.base_url, args.clients,
                      [("GET", "/healthz", {}, None)] * args.logins, 200, args.over)
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        logins = [("POST", "/account/login", headers, urllib.parse.urlencode({
            "csrf_token": token, "login": BULK_USERNAME.format(n),
            "password": STUDENT_PASSWORD})) for n in range(1, args.logins + 1)]
        say(f"{args.logins} logins from {args.clients} threads, {when(args)}")
        crowd = burst("POST /account/login", server.base_url, args.clients, logins, 302,
                      args.over)
        return floor, crowd, server.log_tail()


def when(args: argparse.Namespace) -> str:
    """How the logins start, in words."""
    return f"spread over {args.over:g} s" if args.over else "all at once"


def format_rows(table: list[dict[str, Any]]) -> str:
    """The rows as an aligned text table."""
    columns = ("requests", "req/s", "p50 ms", "p95 ms", "max ms", "errors", "p95/floor")
    width = max(len(row["route"]) for row in table)
    lines = [f"{'route':<{width}}" + "".join(f"{c:>11}" for c in columns)]
    lines.append("-" * len(lines[0]))
    for row in table:
        latency = row["latency_ms"]
        ratio = row["p95_ratio_to_floor"]
        cells = (row["requests"], f"{row['requests_per_s']:.1f}", f"{latency['p50']:.0f}",
                 f"{latency['p95']:.0f}", f"{latency['max']:.0f}", row["errors"],
                 f"{ratio:.1f}" if ratio is not None else "-")
        lines.append(f"{row['route']:<{width}}" + "".join(f"{cell:>11}" for cell in cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 when a login did not answer 302."""
    args = parse_args(argv)
    try:
        with fresh_database(args.database_url) as url, tempfile.TemporaryDirectory() as tmp:
            kind = database_kind(url)
            env = app_environment(url)
            env.update(ORIENTAMENTO_LOGIN_RATE_LIMIT_IP=UNLIMITED,
                       ORIENTAMENTO_LOGIN_RATE_LIMIT_ACCOUNT=UNLIMITED)
            say(f"seeding {kind} with {args.logins} students")
            seed(url, env, args.logins)
            cpu = verify_seconds()
            say(f"one argon2id verification: {cpu * 1000:.0f} ms of CPU; "
                f"starting gunicorn with {WORKERS} workers")
            floor, crowd, server_log = measure(url, env, args, Path(tmp) / "gunicorn.log")
    except (DatabaseError, SeedError, ServerError, LoginError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    nproc = machine_info("")["nproc"]
    table = [floor.row(None), crowd.row(floor)]
    print(f"{kind}, {args.logins} logins from {args.clients} threads {when(args)}, "
          f"{WORKERS} gunicorn workers, nproc {nproc}, load average "
          f"{os.getloadavg()[0]:.1f}; one argon2id verification {cpu * 1000:.0f} ms of CPU, "
          f"so {args.logins} take at least {args.logins * cpu / nproc:.1f} s of the "
          "machine's CPU")
    print(format_rows(table))
    out = write_json(args.out or RESULTS_DIR / f"logins-{kind}.json", {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info("") | {"load_average": os.getloadavg()},
        "database": kind, "logins": args.logins, "clients": args.clients,
        "spread_over_s": args.over,
        "gunicorn_workers": WORKERS, "argon2_verify_cpu_ms": round(cpu * 1000, 1),
        "routes": table,
    })
    print(f"wrote {out}")
    if crowd.errors or floor.errors:
        print(f"bench: some requests failed; gunicorn's log:\n{server_log}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
