"""The result page's closest jobs: profiles kept per catalogue version, only the best read."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from orientamento.assessments.models import Response
from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.courses.models import Occupation
from orientamento.extensions import db
from tests.conftest import log_in

ENGLISH = {"Accept-Language": "en"}
#: Artistic and social interests only.
PERCENT = {"R": 5.0, "I": 10.0, "A": 95.0, "S": 90.0, "E": 15.0, "C": 5.0}
#: The profile an occupation is given to become the closest (the same shape as PERCENT).
CLOSEST = {"r": 1.0, "i": 1.5, "a": 7.0, "s": 6.5, "e": 2.0, "c": 1.0}


def _interests(student: User) -> int:
    scores = {k: {"value": v / 25 + 1, "percent": v, "answered": 8, "items": 8, "band": "high"}
              for k, v in PERCENT.items()}
    response = Response(student_id=student.id, questionnaire_id="interests", version=1,
                        status="submitted", answers={}, scores=scores, submitted_at=clock.now())
    db.session.add(response)
    db.session.commit()
    return response.id


def _jobs(client: FlaskClient, response_id: int, queries: list[str]) -> list[int]:
    db.session.remove()  # production starts each request with an empty identity map
    queries.clear()
    page = client.get(f"/assessments/responses/{response_id}", headers=ENGLISH)
    assert page.status_code == 200
    return [int(n) for n in re.findall(r'href="/courses/occupations/(\d+)"',
                                       page.get_data(as_text=True))]


def test_the_result_page_reads_only_the_closest_occupations_and_sees_changes(
        app: Flask, client: FlaskClient, reference_data: None,
        make_user: Callable[..., User], queries: list[str]) -> None:
    student = make_user(Role.STUDENT)
    response_id = _interests(student)
    log_in(client, student)
    first = _jobs(client, response_id, queries)
    assert len(first) == 3
    assert _jobs(client, response_id, queries) == first
    occupation_reads = [q for q in queries if "FROM occupations" in q]
    # One read of the three closest, by id: not the whole table (it is kept per version).
    assert len(occupation_reads) == 1 and " IN " in occupation_reads[0].upper()
    # An occupation that changes its profile (a catalogue write) is ranked with the new one.
    farthest = db.session.scalars(select(Occupation).where(Occupation.id.not_in(first))
                                  .order_by(Occupation.id.desc())).first()
    assert farthest is not None
    farthest.riasec = CLOSEST
    farthest_id = farthest.id
    db.session.commit()
    after = _jobs(client, response_id, queries)
    assert after[0] == farthest_id
    assert after[1:] == first[:2]
