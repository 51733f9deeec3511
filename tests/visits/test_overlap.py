"""Overlap guards through the visit services: no ambassador and no class in two overlapping
visits; the guards themselves are tested in tests/events/test_overlap.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from orientamento.auth.models import Role, User
from orientamento.core.errors import Conflict
from orientamento.events.models import Event, EventClass
from orientamento.extensions import db
from orientamento.visits.models import VisitRequest, VisitWindow
from orientamento.visits.services import visit_requests as visits

People = dict[str, Any]
WindowFactory = Callable[..., VisitWindow]
RequestFactory = Callable[..., VisitRequest]


def events() -> int:
    """How many events exist."""
    return db.session.scalar(select(func.count()).select_from(Event)) or 0


def confirm(actor: User, visit: VisitRequest, *ambassadors: User) -> Event:
    """Confirm and commit."""
    event = visits.confirm_visit(actor, visit, [u.id for u in ambassadors])
    db.session.commit()
    return event


def test_the_same_ambassador_cannot_do_two_overlapping_visits(
        visit_people: People, make_user: Callable[..., User], make_class: Callable[..., Any],
        make_window: WindowFactory, make_request: RequestFactory) -> None:
    """The second confirmation is a Conflict, leaves no event and books nothing."""
    p = visit_people
    window = make_window(p["provider"], [p["staff"]], max_visits=2)
    first = make_request(p["counsellor"], window, p["classes"][:1])
    other = make_user(Role.COUNSELLOR)
    second = make_request(other, window, [make_class(other)], offset=timedelta(hours=1))
    confirm(p["staff"], first, p["staff"])
    with pytest.raises(Conflict):
        visits.confirm_visit(p["staff"], second, [p["staff"].id])
    db.session.commit()
    db.session.refresh(second)
    db.session.refresh(window)
    assert (second.status, second.event_id) == ("requested", None)
    assert events() == 1
    assert window.booked == 1
    # Another ambassador can take it.
    assert confirm(p["staff"], second, p["buddy"]).status == "scheduled"


def test_the_same_class_cannot_have_two_overlapping_visits(
        visit_people: People, make_user: Callable[..., User],
        make_window: WindowFactory, make_request: RequestFactory) -> None:
    """Two providers visiting the same class at overlapping times: the second is refused."""
    p = visit_people
    other_staff = p["other_staff"]
    first = make_request(p["counsellor"], make_window(p["provider"], [p["staff"]]),
                         p["classes"][:1])
    second = make_request(p["counsellor"], make_window(other_staff.provider, [other_staff]),
                          p["classes"][:1], offset=timedelta(hours=1))
    confirm(p["staff"], first, p["staff"])
    with pytest.raises(Conflict):
        visits.confirm_visit(other_staff, second, [other_staff.id])
    db.session.commit()
    db.session.refresh(second)
    assert second.status == "requested"
    assert events() == 1
    assert db.session.scalar(select(func.count()).select_from(EventClass)) == 1


def test_back_to_back_visits_are_allowed(
        visit_people: People, make_user: Callable[..., User], make_class: Callable[..., Any],
        make_window: WindowFactory, make_request: RequestFactory) -> None:
    """One visit ending when the next starts is no overlap (same ambassador, same class)."""
    p = visit_people
    window = make_window(p["provider"], [p["staff"]], max_visits=2)
    first = make_request(p["counsellor"], window, p["classes"][:1])
    second = make_request(p["counsellor"], window, p["classes"][:1], offset=timedelta(hours=2))
    assert first.ends_at == second.starts_at
    confirm(p["staff"], first, p["staff"])
    confirm(p["staff"], second, p["staff"])
    assert events() == 2


def test_after_cancelling_the_first_visit_the_second_can_be_confirmed(
        visit_people: People, make_user: Callable[..., User], make_class: Callable[..., Any],
        make_window: WindowFactory, make_request: RequestFactory) -> None:
    """A cancelled event no longer holds its ambassador."""
    p = visit_people
    window = make_window(p["provider"], [p["staff"]], max_visits=2)
    first = make_request(p["counsellor"], window, p["classes"][:1])
    other = make_user(Role.COUNSELLOR)
    second = make_request(other, window, [make_class(other)], offset=timedelta(minutes=30))
    confirm(p["staff"], first, p["staff"])
    with pytest.raises(Conflict):
        visits.confirm_visit(p["staff"], second, [p["staff"].id])
    db.session.rollback()
    visits.cancel_visit(p["counsellor"], first, "Assemblea")
    db.session.commit()
    event = confirm(p["staff"], second, p["staff"])
    assert event.status == "scheduled"
    assert second.status == "confirmed"
