"""The NEET path: each flag's furthest stage, the counts the refresh stores, the public tables
it publishes (suppressed) and the staff page's finer cuts."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.observatory import disclosure
from orientamento.observatory.models import NeetCount, PublishedCell
from orientamento.observatory.neet import stage_of
from orientamento.observatory.periods import Quarter
from orientamento.outreach.models import Contact, Decision, Flag
from orientamento.outreach.referrals.models import Referral
from orientamento.support.models import (
    AccessMode,
    OrganisationKind,
    SupportOrganisation,
    SupportService,
)
from tests.observatory.factories import refresh_interest
from tests.risk.factories import make_flag, make_person

DAY = date(2026, 6, 1)


@pytest.mark.parametrize(("first_contact", "referrals", "today", "stage"), [
    (None, [], DAY + timedelta(days=29), "waiting"),
    (None, [], DAY + timedelta(days=30), "not_contacted"),
    (DAY + timedelta(days=31), [], DAY + timedelta(days=29), "not_contacted"),
    (DAY + timedelta(days=31), [], DAY + timedelta(days=40), "not_contacted"),
    (DAY + timedelta(days=30), [], DAY + timedelta(days=40), "contacted"),
    (None, [("sent", None)], DAY, "referred"),
    (None, [("accepted", None)], DAY, "referred"),
    (None, [("declined", None), ("accepted", None)], DAY, "referred"),
    (None, [("declined", None), ("closed", False)], DAY, "not_taken_up"),
    (None, [("accepted", False)], DAY, "not_taken_up"),
    (None, [("declined", None), ("closed", True)], DAY, "took_up"),
])
def test_each_flag_has_its_furthest_stage(first_contact: date | None,
                                          referrals: list[tuple[str, bool | None]],
                                          today: date, stage: str) -> None:
    assert stage_of(DAY, first_contact, referrals, today) == stage


def _service() -> SupportService:
    organisation = SupportOrganisation(uid="org-neet", name="Informagiovani NEET",
                                       kind=OrganisationKind.INFORMAGIOVANI)
    service = SupportService(uid="svc-neet", organisation=organisation, name="Lavoro",
                             access=AccessMode.BOOKING)
    db.session.add(service)
    db.session.commit()
    return service


def _flag(municipio: int, days_ago: int, trigger: str = "contract_ended") -> Flag:
    return make_flag(make_person(municipio), None, trigger=trigger,
                     raised_at=clock.now() - timedelta(days=days_ago))


def _contact(flag: Flag, days_after: int) -> None:
    decision = Decision(flag_id=flag.id, kind="contact", reason_code="call",
                        agrees_with_model=True)
    db.session.add(decision)
    db.session.flush()
    raised = clock.milan_date(flag.raised_at)
    db.session.add(Contact(decision_id=decision.id, channel="phone",
                           contacted_on=raised + timedelta(days=days_after),
                           outcome="reached"))
    db.session.commit()


def _refer(flag: Flag, service: SupportService, **values: Any) -> None:
    db.session.add(Referral(flag_id=flag.id, service_id=service.id, consent_on=clock.today(),
                            answer_due_on=clock.today(), **values))
    db.session.commit()


def _paths(municipio: int = 3) -> dict[str, int]:
    """One flag at every stage in ``municipio``; returns the flags by stage."""
    service = _service()
    now = clock.now()
    contacted, late = _flag(municipio, 60), _flag(municipio, 60)
    _contact(contacted, 10)
    _contact(late, 40)
    _flag(municipio, 5)  # waiting
    _flag(municipio, 45)  # not contacted
    referred, declined, took_up = (_flag(municipio, 50) for _ in range(3))
    _refer(referred, service)
    _refer(declined, service, status="declined", answered_at=now, decline_reason="no_capacity")
    _refer(took_up, service, status="closed", answered_at=now, took_up=True,
           outcome="employment", closed_at=now)
    return {"waiting": 1, "not_contacted": 2, "contacted": 1, "referred": 1,
            "not_taken_up": 1, "took_up": 1}


def test_the_refresh_stores_every_flag_at_its_stage(reference_data: None) -> None:
    expected = _paths()
    refresh_interest()
    rows = db.session.scalars(select(NeetCount)).all()
    stages: dict[str, int] = {}
    for row in rows:
        assert row.municipio == 3 and row.trigger == "contract_ended"
        stages[row.stage] = stages.get(row.stage, 0) + row.flags
    assert stages == expected
    assert sum(r.contacted_30d for r in rows) == 1
    assert sum(r.referred for r in rows) == 3
    assert {r.outcome for r in rows if r.stage == "took_up"} == {"employment"}


def test_small_counts_stay_off_the_public_pages_but_not_the_staff_page(
        client: FlaskClient, reference_data: None, as_role: Callable[..., User]) -> None:
    _paths()
    refresh_interest()
    document = json.loads(client.get("/observatory/data/neet_path_by_municipio.json").data)
    values = [r["flags"] for r in document["rows"]]
    assert all(v is None or v == 0 or v >= disclosure.THRESHOLD for v in values)
    assert None in values
    page = client.get("/observatory/neet")
    assert page.status_code == 200
    assert b'role="img"' in page.data and b"<table" in page.data
    as_role(Role.ADMIN)
    staff = client.get("/observatory/staff/neet?trigger=contract_ended").get_data(as_text=True)
    # Municipio 3: 7 flags, 1 contacted within 30 days, 3 referred, 1 took up (33.3%).
    assert '<td class="text-end">7</td><td class="text-end">1</td>' in staff
    assert "33.3" in staff
    quarter = str(Quarter.of(clock.today()))
    other = client.get(f"/observatory/staff/neet?trigger=model&quarter={quarter}")
    assert other.status_code == 200
    # The path's table only (the call campaign's, below it, is not filtered by trigger).
    path_only = other.get_data(as_text=True).split('id="staff-campaign-title"')[0]
    assert '<td class="text-end">7</td>' not in path_only
    assert 'id="staff-campaign-title"' in staff
    assert client.get("/observatory/staff/neet?trigger=nobody").status_code == 400


def test_large_counts_are_published_from_the_stored_cells(
        client: FlaskClient, reference_data: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(12):
        _flag(5, 45)
    refresh_interest()

    def no_suppression_per_request(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("suppression ran during a request")

    monkeypatch.setattr(disclosure, "protect", no_suppression_per_request)
    monkeypatch.setattr(disclosure, "ranges", no_suppression_per_request)
    document = json.loads(client.get("/observatory/data/neet_path_by_municipio.json").data)
    cells = {(r["municipio"], r["stage"]): r["flags"] for r in document["rows"]}
    assert cells[("5", "not_contacted")] == 12
    assert cells[("TOTAL", "TOTAL")] == 12
    by_trigger = json.loads(
        client.get("/observatory/data/neet_flags_by_trigger_quarter.json").data)
    assert {"trigger": "TOTAL", "quarter": "TOTAL", "flags": 12} in by_trigger["rows"]
    assert client.get("/observatory/neet").status_code == 200
    assert client.get("/observatory/").status_code == 200


def test_the_database_refuses_a_published_count_under_ten(app: Any) -> None:
    db.session.add(PublishedCell(table="t", row="a", column="b", row_order=0, column_order=0,
                                 value=4))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
