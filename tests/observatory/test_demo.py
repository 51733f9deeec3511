"""The demo's synthetic labour demand."""

from __future__ import annotations

from sqlalchemy import func, select

from orientamento.core import clock
from orientamento.demo.observatory import GROUPS, YEARS, seed_demo_demand
from orientamento.extensions import db
from orientamento.observatory.models import LabourDemand
from orientamento.observatory.periods import add_months


def test_the_demo_loads_a_synthetic_history_up_to_last_month_once(app: object) -> None:
    first = seed_demo_demand(clock.today())
    assert first.ok and first.created == len(GROUPS) * 12 * YEARS
    db.session.commit()
    today = clock.today()
    last_month = add_months(today.replace(day=1), -1)
    earliest, latest = db.session.execute(select(func.min(LabourDemand.period),
                                                 func.max(LabourDemand.period))).one()
    assert latest == last_month
    assert earliest == add_months(last_month, -(12 * YEARS - 1))
    assert all(db.session.scalars(select(LabourDemand.synthetic)))
    again = seed_demo_demand(clock.today())
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
