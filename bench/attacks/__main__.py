"""``python -m bench.attacks``: issue 12's attacks, rerun against two gunicorn instances.

A run builds a fresh database like the benchmarks (``bench.seed.build_database``: migrations
and ``flask demo seed``; a temporary SQLite file by default, or ``--database-url``, whose
name must contain "bench"), adds 420 students and a 20-seat event, starts two
``gunicorn -w 2`` in production mode on it (random secret key shared by both, plain HTTP,
rate limits lifted: every request comes from 127.0.0.1) and runs:

1. the registration hammer (``hammer``), 2. sqlmap (``sqlmap``), 3. kill -9 during CLI
imports (``imports``), 4. the earlier findings replayed (``inputs``, ``sessions``).

It prints a table (attack, requests, status counts, 5xx, invariant, verdict), the
tracebacks gunicorn logged, and writes ``bench/results/attacks-<database>.json``. Exit
status 1 when any attack failed.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.attacks import hammer, imports, inputs, sessions, sqlmap
from bench.attacks.common import (
    BARE_503,
    UNLIMITED,
    Result,
    format_results,
    say,
    two_instances,
)
from bench.attacks.world import app_for, build
from bench.database import database_kind, fresh_database
from bench.report import RESULTS_DIR, machine_info, write_json
from bench.seed import run_flask
from bench.server import app_environment

ATTACKS = ("hammer", "sqlmap", "imports", "inputs", "sessions")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.attacks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL database to create and drop (its name must "
                             "contain 'bench'); default: a temporary SQLite file")
    parser.add_argument("--kills", type=int, default=23,
                        help="kill -9 of CLI imports in this run (default 23)")
    parser.add_argument("--sqlmap-timeout", type=int, default=sqlmap.URL_TIMEOUT_S,
                        help="seconds sqlmap may spend on one URL (default "
                             f"{sqlmap.URL_TIMEOUT_S})")
    parser.add_argument("--only", action="append", choices=ATTACKS,
                        help="run only these attacks (repeatable)")
    parser.add_argument("--out", type=Path, default=None)
    return parser.parse_args(argv)


def tracebacks(log: str) -> list[str]:
    """The exceptions gunicorn's workers logged: the line before each traceback and its
    exception line."""
    lines = log.splitlines()
    found = []
    for n, line in enumerate(lines):
        if line.startswith("Traceback"):
            last = next((later for later in lines[n + 1:] if later and not later[0].isspace()),
                        "")
            found.append(f"{lines[n - 1][:200] if n else ''} | {last[:200]}")
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    chosen = args.only or list(ATTACKS)
    started = time.monotonic()
    load_before = os.getloadavg()
    results: list[Result] = []
    with fresh_database(args.database_url) as url, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        kind = database_kind(url)
        env = app_environment(url)
        env.update(ORIENTAMENTO_LOGIN_RATE_LIMIT_IP=UNLIMITED,
                   ORIENTAMENTO_LOGIN_RATE_LIMIT_ACCOUNT=UNLIMITED,
                   ORIENTAMENTO_API_RATE_LIMIT=UNLIMITED)
        say(f"seeding {kind}")
        world = build(url, env)
        app = app_for(env)
        say(f"seeded in {time.monotonic() - started:.0f} s; starting two gunicorn instances")
        with two_instances(env, folder) as servers:
            secret = env["ORIENTAMENTO_SECRET_KEY"]
            cookies = inputs.Cookies(servers.url(0), world_password())
            if "hammer" in chosen:
                results.append(hammer.run(servers, world, secret))
            if "sqlmap" in chosen:
                results.append(sqlmap.run(servers, app, kind, folder / "sqlmap",
                                          args.sqlmap_timeout))
            if "imports" in chosen:
                results.append(imports.run(servers, url, env, folder, args.kills))
            if "inputs" in chosen:
                results.append(inputs.get_parameters(servers, app, cookies))
                results.append(inputs.form_fields(servers, cookies))
            if "sessions" in chosen:
                base = folder / "base.csv"
                if not base.exists():
                    run_flask(["courses", "export", "--format", "csv", "--output", str(base)],
                              env)
                with base.open(newline="", encoding="utf-8-sig") as handle:
                    rows = list(csv.DictReader(handle))
                results.append(sessions.double_imports(servers, cookies, url, folder, rows))
                results.append(sessions.login_crowd(servers, world))
                results.append(sessions.replay_and_csrf(servers, app, world, world_password()))
                results.append(sessions.id_swaps(servers, world, cookies, secret))
            logs = "\n".join(s.log_path.read_text(errors="replace") for s in servers.servers)
    seconds = time.monotonic() - started
    logged = tracebacks(logs)
    if BARE_503:
        results.append(Result("503 without Retry-After", "every 503 says when to retry",
                              problems=sorted(set(BARE_503))[:20]))
    print(f"{kind}: two gunicorn instances x 2 workers, {seconds:.0f} s, load average "
          f"before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}")
    print(format_results(results))
    print(f"tracebacks in gunicorn's logs: {len(logged)}")
    for line in logged[:20]:
        print(f"  {line}")
    out = write_json(args.out or RESULTS_DIR / f"attacks-{kind}.json", {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info("") | {"load_average_before": load_before,
                                       "load_average_after": os.getloadavg()},
        "database": kind, "seconds": round(seconds, 1), "kills": args.kills,
        "attacks": [r.as_dict() for r in results], "tracebacks": logged,
        "bare_503": BARE_503,
    })
    print(f"wrote {out}")
    return 1 if logged or any(r.verdict != "held" for r in results) else 0


def world_password() -> str:
    from orientamento.config import DEFAULT_DEMO_PASSWORD

    return os.environ.get("ORIENTAMENTO_DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)


if __name__ == "__main__":
    sys.exit(main())
