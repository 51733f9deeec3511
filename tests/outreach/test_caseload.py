"""Caseload: a flag is given to a named worker of its municipio's team, who finds it under
"My cases"; the team sees which flags nobody has taken yet."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import select

from orientamento.auth.models import AuditEntry, Role, User
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.extensions import db
from orientamento.outreach import queries, services
from orientamento.outreach.queries import QueueFilter
from tests.conftest import log_in
from tests.outreach.conftest import MakeFlag


def my_cases(worker: User) -> list[int]:
    """The ids of the worker's cases, first page."""
    with current_app.test_request_context():
        return [flag.id for flag in queries.my_cases(worker).items]


def queue(worker: User, filters: QueueFilter) -> list[int]:
    """The ids of the queue's first page."""
    with current_app.test_request_context():
        return [flag.id for flag in queries.queue(worker, filters).items]


def test_a_flag_is_assigned_reassigned_and_given_back(
        worker: User, flagged: MakeFlag, make_user: Callable[..., User]) -> None:
    colleague = make_user(Role.OUTREACH, municipi=[1], display_name="Carla Colleague")
    flag = flagged(1)
    services.assign(worker, flag, worker.id)
    db.session.commit()
    assert my_cases(worker) == [flag.id]
    services.assign(worker, flag, colleague.id)
    db.session.commit()
    assert my_cases(worker) == [] and my_cases(colleague) == [flag.id]
    services.assign(colleague, flag, None)
    db.session.commit()
    assert flag.assigned_to_id is None
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "flag_assigned")).all()
    assert [e.details["assigned_to_id"] for e in entries] == [worker.id, colleague.id, None]


def test_only_a_worker_of_the_municipio_can_take_the_case(
        worker: User, flagged: MakeFlag, make_user: Callable[..., User]) -> None:
    flag = flagged(1)
    elsewhere = make_user(Role.OUTREACH, municipi=[6])
    counsellor = make_user(Role.COUNSELLOR)
    for assignee in (elsewhere, counsellor):
        with pytest.raises(DomainError):
            services.assign(worker, flag, assignee.id)
    with pytest.raises(NotFound):
        services.assign(elsewhere, flag, elsewhere.id)
    with pytest.raises(DomainError):
        services.assign(worker, flag, 987654)


def test_a_closed_flag_takes_no_assignment(worker: User, flagged: MakeFlag) -> None:
    flag = flagged(1)
    services.decide(worker, flag, "no_contact", "already_supported", "", True)
    db.session.commit()
    with pytest.raises(Conflict):
        services.assign(worker, flag, worker.id)


def test_the_queue_shows_mine_and_the_teams_unassigned(
        client: FlaskClient, worker: User, flagged: MakeFlag) -> None:
    mine, free = flagged(1), flagged(2)
    services.assign(worker, mine, worker.id)
    db.session.commit()
    assert queue(worker, QueueFilter(assigned="mine")) == [mine.id]
    assert queue(worker, QueueFilter(assigned="none")) == [free.id]
    log_in(client, worker)
    page = client.get("/outreach/?assigned=none&lang=en").get_data(as_text=True)
    assert f"/outreach/flags/{free.id}" in page and f"/outreach/flags/{mine.id}" not in page
    assert client.get("/outreach/?assigned=everyone").status_code == 400
    cases = client.get("/outreach/mine?lang=en").get_data(as_text=True)
    assert f"/outreach/flags/{mine.id}" in cases and f"/outreach/flags/{free.id}" not in cases


def test_the_flag_page_assigns(client: FlaskClient, worker: User, flagged: MakeFlag,
                               make_user: Callable[..., User]) -> None:
    colleague = make_user(Role.OUTREACH, municipi=[1, 3], display_name="Carla Colleague")
    flag = flagged(1)
    log_in(client, worker)
    page = client.get(f"/outreach/flags/{flag.id}?lang=en").get_data(as_text=True)
    assert "Carla Colleague" in page and "Wanda Worker" in page
    response = client.post(f"/outreach/flags/{flag.id}/assign",
                           data={"assign-assignee": str(colleague.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert flag.assigned_to_id == colleague.id
    outsider = make_user(Role.OUTREACH, municipi=[9])
    refused = client.post(f"/outreach/flags/{flag.id}/assign",
                          data={"assign-assignee": str(outsider.id)})
    assert refused.status_code == 400
