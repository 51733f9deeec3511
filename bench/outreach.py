"""Administrative records at scale for the outreach and risk admin routes.

``flask demo seed`` has already trained and activated a NEET version on synthetic data. This
adds one more synthetic snapshot of ``count`` records the way an operator would: ``flask risk
synth --current-rows N`` writes it, ``flask risk score --data`` imports it (all rows checked,
pseudonymised, contract-ended flags raised), scores it with the active version in chunks and
flags the top k per municipio. Nothing is inserted behind the application's back, so the
routes see exactly what production would.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import Engine, func, select

from bench.routes import DEMO_OUTREACH
from bench.seed import SeededIds, SeedError, run_flask

#: The synthetic generator's seed for the bench snapshot (not the demo's).
SEED = 2027


def seed_outreach(engine: Engine, count: int, env: Mapping[str, str]
                  ) -> tuple[SeededIds, dict[str, int]]:
    """Import and score ``count`` records; return the routes' placeholders and counts."""
    from orientamento import import_models
    from orientamento.auth.models import User, UserMunicipio
    from orientamento.outreach.models import Flag
    from orientamento.risk.models import ModelVersion, RiskScore

    import_models()  # every model, so the mappers' relationships resolve (Flag.referrals)

    timings: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        started = time.monotonic()
        run_flask(["risk", "synth", "--rows", "400", "--seed", str(SEED),
                   "--current-rows", str(count), "--out", folder], env)
        timings["synth_s"] = round(time.monotonic() - started)
        started = time.monotonic()
        run_flask(["risk", "score", "--data", str(Path(folder) / "current.csv")], env)
        timings["import_and_score_s"] = round(time.monotonic() - started)
    with engine.connect() as connection:
        version = connection.scalar(select(ModelVersion.id)
                                    .where(ModelVersion.status == "active"))
        municipi = connection.scalars(
            select(UserMunicipio.municipio).join(User, User.id == UserMunicipio.user_id)
            .where(User.email == DEMO_OUTREACH)).all()
        visible = (select(Flag.id).where(Flag.municipio.in_(municipi), Flag.status == "open")
                   .order_by(Flag.priority.desc(), Flag.raised_at, Flag.id))
        flag = connection.scalar(visible.limit(1))
        if version is None or flag is None:
            raise SeedError("the bench snapshot raised no open flag for the demo worker")
        stats = {
            "records": count,
            "scores": connection.scalar(select(func.count()).select_from(RiskScore)) or 0,
            "flags": connection.scalar(select(func.count()).select_from(Flag)) or 0,
            "flags_for_demo_worker": connection.scalar(
                select(func.count()).select_from(visible.subquery())) or 0,
            **timings,
        }
    return {"flag": int(flag), "version": int(version)}, stats
