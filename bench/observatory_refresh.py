"""Benchmark the Observatory: ``flask observatory refresh`` (full, then incremental) and the
public page, at a chosen number of students with interests results, of demand series and of
administrative records (risk records of ``--people`` people over ten snapshots, with flags
on the NEET path for a fifth of them, half contacted, some referred).

Not a test: it asserts nothing, prints a table and writes JSON. Times depend on the machine
(shared and noisy): compare the page with the floor route (/healthz) of the same run.

    .venv/bin/python -m bench.observatory_refresh --students 100000 --groups 40 \
        --people 100000
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


def _seed_records(people: int, snapshots: int = 10) -> None:
    """``people`` people with one administrative record in each of ``snapshots`` snapshots,
    a contract-ended flag for every fifth person, a contact for half the flags (within 30
    days for most) and a referral for every tenth flag."""
    from orientamento.extensions import db
    from orientamento.outreach.models import Contact, Decision, Flag
    from orientamento.outreach.referrals.models import Referral
    from orientamento.risk.models import RiskPerson, RiskRecord, RiskSnapshot
    from orientamento.support.models import (
        AccessMode,
        OrganisationKind,
        SupportOrganisation,
        SupportService,
    )

    if not people:
        return
    rng = random.Random(11)
    now = datetime.now(UTC)
    for start in range(0, people, 20000):
        db.session.execute(insert(RiskPerson), [{
            "pseudonym": f"p{start + i:08d}", "municipio": 1 + (start + i) % 9,
            "birth_year": 2000 + (start + i) % 8, "created_at": now}
            for i in range(min(20000, people - start))])
    person_ids = list(db.session.scalars(select(RiskPerson.id).order_by(RiskPerson.id)))
    for n in range(snapshots):
        snapshot = db.session.execute(insert(RiskSnapshot).returning(RiskSnapshot.id), [{
            "as_of": date(2025, 1 + n, 28), "filename": f"s{n}.csv", "sha256": f"{n:064d}",
            "rows": people, "imported_at": now}]).scalar_one()
        for start in range(0, people, 20000):
            db.session.execute(insert(RiskRecord), [{
                "snapshot_id": snapshot, "person_id": pid,
                "values": {"enrolled": False, "months_since_contract": rng.randint(0, 24)}}
                for pid in person_ids[start:start + 20000]])
    organisation = SupportOrganisation(uid="bench-org", name="Bench",
                                       kind=OrganisationKind.INFORMAGIOVANI)
    service = SupportService(uid="bench-svc", organisation=organisation, name="Bench",
                             access=AccessMode.BOOKING)
    db.session.add(service)
    db.session.flush()
    flagged = person_ids[::5]
    db.session.execute(insert(Flag), [{
        "person_id": pid, "municipio": 1 + pid % 9, "trigger": "contract_ended",
        "status": "open", "priority": 1.0, "months_since_contract": 3,
        "as_of": date(2025, 10, 28),
        "raised_at": now - timedelta(days=rng.randint(0, 700))} for pid in flagged])
    flags = list(db.session.execute(select(Flag.id, Flag.raised_at)))
    decisions = [{"flag_id": fid, "kind": "contact", "reason_code": "call",
                  "reason_text": "", "agrees_with_model": True, "decided_at": now}
                 for fid, _at in flags[::2]]
    db.session.execute(insert(Decision), decisions)
    raised = dict(flags)
    db.session.execute(insert(Contact), [{
        "decision_id": did, "decision_kind": "contact", "channel": "phone",
        "contacted_on": (raised[fid] + timedelta(days=rng.randint(1, 45))).date(),
        "outcome": "reached", "note": "", "recorded_at": now}
        for did, fid in db.session.execute(select(Decision.id, Decision.flag_id))])
    db.session.execute(insert(Referral), [{
        "flag_id": fid, "service_id": service.id, "status": "sent", "consent_on": now.date(),
        "note": "", "referred_at": now, "answer_due_on": now.date(), "decline_note": "",
        "outcome_note": ""} for fid, _at in flags[::10]])
    db.session.commit()


def _add_results(count: int) -> None:
    """``count`` students submit a new interests result (what an incremental refresh sees)."""
    from orientamento.assessments.models import Response
    from orientamento.auth.models import User
    from orientamento.extensions import db

    now = datetime.now(UTC)
    ids = list(db.session.scalars(select(User.id).where(User.role == "student").limit(count)))
    db.session.execute(insert(Response), [{
        "student_id": sid, "questionnaire_id": "interests", "version": 1,
        "status": "submitted", "answers": {}, "section": 0, "locale": "it",
        "scores": {k: {"percent": float(10 * (i + n) % 100)} for n, k in enumerate("RIASEC")},
        "started_at": now, "updated_at": now, "submitted_at": now}
        for i, sid in enumerate(ids)])
    db.session.commit()


def main() -> None:
    """Seed, time, print and write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--no-projections", action="store_true",
                        help="skip the projections (their first run takes minutes)")
    parser.add_argument("--people", type=int, default=10_000,
                        help="people in the administrative records (ten records each)")
    parser.add_argument("--output", type=Path,
                        default=Path("bench/results/observatory_refresh.json"))
    args = parser.parse_args()

    from orientamento import create_app
    from orientamento.extensions import db

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "ENV_NAME": "testing",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                          "WTF_CSRF_ENABLED": False})
        results: dict[str, Any] = {"students": args.students, "groups": args.groups,
                                   "records": args.people * 10}
        with app.app_context():
            db.create_all()
            results["seed_s"] = _timed(lambda: _seed(args.students, args.groups))
            results["seed_records_s"] = _timed(lambda: _seed_records(args.people))
            from orientamento.observatory.crosswalk import load_crosswalk
            from orientamento.observatory.pages import recent_quarters
            from orientamento.observatory.projections import refresh_projections
            from orientamento.observatory.published import refresh_aggregates

            def aggregates() -> None:
                done = refresh_aggregates(load_crosswalk(), recent_quarters())
                db.session.commit()
                results["flags"] = done.flags
                results["suppressed_cells"] = done.suppressed

            # Interest, NEET path and the published (suppressed) tables, as the command runs
            # them: first on the seeded data, then after 1% of the students submitted a new
            # result.
            results["refresh_aggregates_s"] = _timed(aggregates)
            results["new_results"] = max(1, args.students // 100)
            _add_results(results["new_results"])
            results["refresh_aggregates_again_s"] = _timed(aggregates)
            # Its parts, with nothing new: interest (stale check, counts), NEET path, publish.
            from orientamento.observatory.neet import refresh_neet_counts
            from orientamento.observatory.placements import refresh_interest_counts
            from orientamento.observatory.published import publish

            crosswalk = load_crosswalk()
            results["part_interest_s"] = _timed(lambda: refresh_interest_counts(crosswalk))
            results["part_neet_s"] = _timed(refresh_neet_counts)
            def publish_only() -> None:
                publish(crosswalk, recent_quarters())

            results["part_publish_s"] = _timed(publish_only)
            db.session.commit()

            def refresh() -> None:
                refresh_projections()
                db.session.commit()

            if not args.no_projections:
                results["refresh_full_s"] = _timed(refresh)
                results["refresh_incremental_s"] = _timed(refresh)
        client = app.test_client()
        results["floor_s"] = _timed(lambda: client.get("/healthz"), repeat=5)
        for name, url in (("overview_s", "/observatory/"),
                          ("neet_s", "/observatory/neet"),
                          ("mismatch_csv_s", "/observatory/data/mismatch_by_area.csv"),
                          ("projections_s", "/observatory/projections")):
            results[name] = _timed(lambda url=url: client.get(url), repeat=3)
        results["overview_vs_floor"] = results["overview_s"] / max(results["floor_s"], 1e-9)
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value:.3f}" if isinstance(value, float) else
              f"{key:<{width}}  {value}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
