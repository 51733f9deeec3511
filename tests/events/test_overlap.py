"""Overlap guards: no ambassador and no class in two overlapping scheduled events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import Role, User
from orientamento.core.errors import Conflict
from orientamento.events import visits
from orientamento.events.models import Event, EventClass, EventStaff
from orientamento.events.overlap import is_overlap
from orientamento.events.visit_models import VisitRequest, VisitWindow
from orientamento.extensions import db

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


def test_the_guard_refuses_direct_inserts_of_overlapping_staff(
        make_event: Callable[..., Event], staff: User) -> None:
    """Bypassing the services, the database itself refuses a double booking."""
    first = make_event(staff, hours=2)
    clash = make_event(staff, starts_in=timedelta(days=10, hours=1), hours=2)
    apart = make_event(staff, starts_in=timedelta(days=11), hours=2)
    for event in (first, apart):
        db.session.add(EventStaff(event_id=event.id, user_id=staff.id, starts_at=event.starts_at,
                                  ends_at=event.ends_at, status=event.status))
    db.session.commit()
    db.session.add(EventStaff(event_id=clash.id, user_id=staff.id, starts_at=clash.starts_at,
                              ends_at=clash.ends_at, status=clash.status))
    with pytest.raises(IntegrityError) as caught:
        db.session.flush()
    assert is_overlap(caught.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(EventStaff)) == 2


def test_the_guard_refuses_moving_a_staffed_event_onto_another(
        make_event: Callable[..., Event], staff: User) -> None:
    """Changing an event's time cascades to its staff rows, where the guard checks it too."""
    first = make_event(staff, hours=2)
    later = make_event(staff, starts_in=timedelta(days=10, hours=3), hours=2)
    for event in (first, later):
        event.staff.append(EventStaff(user_id=staff.id))
    db.session.commit()
    later.starts_at = first.starts_at + timedelta(hours=1)
    later.ends_at = first.ends_at + timedelta(hours=1)
    with pytest.raises(IntegrityError) as caught:
        db.session.flush()
    assert is_overlap(caught.value)
    db.session.rollback()


def test_cancelled_rows_do_not_count(make_event: Callable[..., Event], staff: User) -> None:
    """A staff row of a cancelled event leaves the person free at that time."""
    first = make_event(staff, hours=2)
    clash = make_event(staff, starts_in=timedelta(days=10, hours=1), hours=2)
    first.staff.append(EventStaff(user_id=staff.id))
    db.session.commit()
    first.status = "cancelled"
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(select(EventStaff.status)) == "cancelled"
    clash.staff.append(EventStaff(user_id=staff.id))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(EventStaff)) == 2
