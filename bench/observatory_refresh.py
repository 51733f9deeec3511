"""Benchmark the Observatory: ``flask observatory refresh`` (full, then incremental) and the
public page, at a chosen number of students with interests results and of demand series.

Not a test: it asserts nothing, prints a table and writes JSON. Times depend on the machine
(shared and noisy): compare the page with the floor route (/healthz) of the same run.

    .venv/bin/python -m bench.observatory_refresh --students 100000 --groups 40
"""

from __future__ import annotations

import argparse
import json
import math
import random
import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select


def _timed(action: Callable[[], Any], repeat: int = 1) -> float:
    best = math.inf
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def _seed(students: int, groups: int) -> None:
    """Students with one submitted interests result each, and ``groups`` demand series of 60
    months (the reference occupations' 3-digit groups, cycled)."""
    from orientamento.assessments.models import Response
    from orientamento.auth.models import User
    from orientamento.courses.models import Occupation
    from orientamento.courses.services import load_reference_data
    from orientamento.extensions import db
    from orientamento.observatory.models import LabourDemand
    from orientamento.observatory.periods import add_months

    load_reference_data()
    db.session.commit()
    rng = random.Random(7)
    now = datetime.now(UTC)
    for start in range(0, students, 5000):
        count = min(5000, students - start)
        db.session.execute(insert(User), [{
            "username": f"bench.obs.{start + i}", "display_name": "Bench", "role": "student",
            "session_token": secrets.token_urlsafe(24), "active": True, "failed_logins": 0,
            "is_demo": False, "created_at": now} for i in range(count)])
    ids = list(db.session.scalars(select(User.id).where(User.role == "student")))
    for start in range(0, len(ids), 5000):
        db.session.execute(insert(Response), [{
            "student_id": sid, "questionnaire_id": "interests", "version": 1,
            "status": "submitted", "answers": {}, "section": 0, "locale": "it",
            "scores": {k: {"percent": rng.uniform(0, 100)} for k in "RIASEC"},
            "started_at": now, "updated_at": now,
            "submitted_at": now - timedelta(days=rng.randint(0, 700))}
            for sid in ids[start:start + 5000]])
    codes = sorted({".".join(c.split(".")[:3]) for c in db.session.scalars(
        select(Occupation.cp2021))})
    first = date(now.year - 5, now.month, 1)
    rows = []
    for g in range(groups):
        code = codes[g % len(codes)] if g < len(codes) else f"{codes[g % len(codes)]}.{g}"
        level = rng.uniform(50, 900)
        for m in range(60):
            season = 1 + 0.3 * math.cos(2 * math.pi * (m % 12) / 12 + g)
            rows.append({"occupation_code": code, "territory": "015",
                         "period": add_months(first, m), "education": "any",
                         "hires": round(level * season * (1.02 ** (m / 12))
                                        * rng.gauss(1, 0.05)),
                         "hard_to_fill_pct": 40.0, "source": "bench", "synthetic": True,
                         "imported_at": now})
    db.session.execute(insert(LabourDemand), rows)
    db.session.commit()


def main() -> None:
    """Seed, time, print and write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--output", type=Path, default=Path("bench/observatory_refresh.json"))
    args = parser.parse_args()

    from orientamento import create_app
    from orientamento.extensions import db

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "ENV_NAME": "testing",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                          "WTF_CSRF_ENABLED": False})
        results: dict[str, Any] = {"students": args.students, "groups": args.groups}
        with app.app_context():
            db.create_all()
            results["seed_s"] = _timed(lambda: _seed(args.students, args.groups))
            from orientamento.observatory.crosswalk import load_crosswalk
            from orientamento.observatory.indicators import refresh_interest_counts
            from orientamento.observatory.projections import refresh_projections

            def interest() -> None:
                refresh_interest_counts(load_crosswalk())
                db.session.commit()

            results["refresh_interest_s"] = _timed(interest)

            def refresh() -> None:
                refresh_projections()
                db.session.commit()

            results["refresh_full_s"] = _timed(refresh)
            results["refresh_incremental_s"] = _timed(refresh)
        client = app.test_client()
        results["floor_s"] = _timed(lambda: client.get("/healthz"), repeat=5)
        for name, url in (("overview_s", "/observatory/"),
                          ("mismatch_csv_s", "/observatory/data/mismatch_by_area.csv"),
                          ("projections_s", "/observatory/projections")):
            results[name] = _timed(lambda url=url: client.get(url), repeat=3)
        results["overview_vs_floor"] = results["overview_s"] / max(results["floor_s"], 1e-9)
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value:.3f}" if isinstance(value, float) else
              f"{key:<{width}}  {value}")
    args.output.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
