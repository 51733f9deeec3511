"""The Observatory's pages send as many queries with many students and demand rows as with
few."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.orgs.models import School
from tests.observatory.factories import (
    ICT_PROFILE,
    interest_result,
    refresh_interest,
    store_demand,
)
from tests.risk.factories import make_flag, make_person


def _add(make_user: Callable[..., User], school: School, students: int, months: int) -> None:
    for _ in range(students):
        interest_result(make_user(Role.STUDENT, school_id=school.id), ICT_PROFILE, clock.now())
    store_demand([("3.1.2", "015", f"2025-{m:02d}", 10 * m, "40", "any")
                  for m in range(1, months + 1)])
    for _ in range(students):
        make_flag(make_person(school.municipio or 1), None, trigger="contract_ended",
                  raised_at=clock.now() - timedelta(days=40))
    db.session.commit()
    refresh_interest()


def test_page_queries_do_not_grow_with_the_data(
        client: FlaskClient, reference_data: None, queries: list[str],
        make_user: Callable[..., User], make_school: Callable[..., School],
        as_role: Callable[..., User]) -> None:
    as_role(Role.ADMIN)
    school = make_school(municipio=5)
    _add(make_user, school, 2, 2)
    counts = {}
    for url in ("/observatory/", "/observatory/staff", "/observatory/projections",
                "/observatory/data/mismatch_by_area.json", "/observatory/neet",
                "/observatory/staff/neet", "/observatory/data/neet_path_by_municipio.json"):
        queries.clear()
        assert client.get(url).status_code == 200
        counts[url] = len(queries)
    _add(make_user, school, 12, 12)
    for url, before in counts.items():
        queries.clear()
        assert client.get(url).status_code == 200
        assert len(queries) == before, url
