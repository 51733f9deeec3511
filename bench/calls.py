"""The call campaign's two reads at scale, in process: a worker's call list for the day and
the campaign's measures, against a ``SELECT 1`` floor in the same run.

    .venv/bin/python -m bench.calls --flags 100000 [--database-url URL] [--out FILE]

Seeds ``--flags`` contract-ended flags over the nine municipi (a fifth of them with one or two
call attempts, a tenth reached) in a fresh SQLite file (or the PostgreSQL database given, whose
name must contain ``bench``; its tables are dropped at the end), runs each read ``--repeat``
times and prints the median, with its ratio to the floor and the number of SQL statements.
Not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select, text


def _seed(count: int) -> int:
    from orientamento.auth.models import Role, User, UserMunicipio
    from orientamento.core import clock
    from orientamento.extensions import db
    from orientamento.outreach.models import Contact, Decision, Flag
    from orientamento.risk.models import ContactDetails, RiskPerson

    worker = User(role=Role.OUTREACH.value, display_name="Bench Worker",
                  email="bench.calls@example.org")
    db.session.add(worker)
    db.session.flush()
    db.session.add_all([UserMunicipio(user_id=worker.id, municipio=m) for m in (1, 2)])
    today = clock.today()
    chunk = 10_000
    for start in range(0, count, chunk):
        numbers = range(start, min(count, start + chunk))
        db.session.execute(insert(RiskPerson), [
            {"pseudonym": f"{n:064x}", "municipio": n % 9 + 1, "birth_year": 2002}
            for n in numbers])
    ids = list(db.session.scalars(select(RiskPerson.id).order_by(RiskPerson.id)))
    for start in range(0, count, chunk):
        part = ids[start:start + chunk]
        db.session.execute(insert(ContactDetails), [
            {"person_id": pid, "name": f"Persona {pid}", "phone": f"+39 02 {pid:08d}",
             "language": ("it", "ar", "en", "zh")[pid % 4]} for pid in part])
        db.session.execute(insert(Flag), [
            {"person_id": pid, "municipio": (pid - ids[0]) % 9 + 1, "trigger": "contract_ended",
             "status": "open", "priority": 1.01, "months_since_contract": pid % 12 + 1,
             "as_of": today - timedelta(days=pid % 60)} for pid in part])
    flags = list(db.session.execute(select(Flag.id, Flag.as_of).order_by(Flag.id)))
    called = [f for i, f in enumerate(flags) if i % 5 == 0]
    db.session.execute(insert(Decision), [
        {"flag_id": f.id, "kind": "contact", "reason_code": "priority_confirmed",
         "reason_text": "", "agrees_with_model": True} for f in called])
    decisions = dict(db.session.execute(select(Decision.flag_id, Decision.id)).all())
    db.session.execute(insert(Contact), [
        {"decision_id": decisions[f.id], "decision_kind": "contact", "channel": "phone",
         "contacted_on": f.as_of + timedelta(days=3), "note": "",
         "outcome": "reached" if i % 2 else "not_reached"} for i, f in enumerate(called)])
    db.session.commit()
    return int(worker.id)


def _time(action: Callable[[], Any], repeat: int, engine: Any) -> tuple[float, int]:
    statements = []

    def count(*_args: Any) -> None:
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    times = []
    try:
        for _ in range(repeat):
            statements.clear()
            started = time.perf_counter()
            action()
            times.append(time.perf_counter() - started)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statistics.median(times), len(statements)


def main() -> None:
    """Seed, time the reads, print a table and write JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flags", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    from orientamento import create_app
    from orientamento.auth.models import User
    from orientamento.core import clock
    from orientamento.extensions import db
    from orientamento.outreach.calls.measures import campaign_measures
    from orientamento.outreach.calls.queries import call_list

    folder = tempfile.mkdtemp(prefix="bench-calls-")
    url = args.database_url or f"sqlite:///{Path(folder) / 'calls.sqlite'}"
    if args.database_url and "bench" not in url.rsplit("/", 1)[-1]:
        raise SystemExit("the database name must contain 'bench'")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ENV_NAME": "testing", "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.monotonic()
        worker_id = _seed(args.flags)
        seeded = time.monotonic() - started
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        worker = db.session.get(User, worker_id)
        assert worker is not None
        engine = db.engine
        today = clock.today()
        rows = []
        with app.test_request_context("/outreach/calls"):
            floor, _ = _time(lambda: db.session.execute(text("SELECT 1")).all(),
                             args.repeat, engine)
            for name, action in (
                    ("call list, page 1", lambda: call_list(worker, today)),
                    ("campaign measures, all", lambda: campaign_measures(today)),
                    ("campaign measures, municipi 1-2", lambda: campaign_measures(today, [1, 2]))):
                seconds, statements = _time(action, args.repeat, engine)
                rows.append({"read": name, "median_ms": round(seconds * 1000, 2),
                             "ratio_to_floor": round(seconds / floor), "statements": statements})
        db.session.rollback()  # the reads' transaction would block DROP TABLE on PostgreSQL
        if args.database_url:
            db.drop_all()
    print(f"{args.flags:,} contract-ended flags on {url.split(':')[0]}, seeded in {seeded:.0f} s;"
          f" floor (SELECT 1) {floor * 1000:.3f} ms")
    print(f"{'read':34} {'median ms':>10} {'x floor':>9} {'statements':>11}")
    for row in rows:
        print(f"{row['read']:34} {row['median_ms']:>10} {row['ratio_to_floor']:>9} "
              f"{row['statements']:>11}")
    out = Path(args.out or f"bench/results/calls-{url.split(':')[0].split('+')[0]}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"flags": args.flags, "database": url.split(":")[0],
                                          "floor_ms": round(floor * 1000, 4), "reads": rows},
                                         indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
