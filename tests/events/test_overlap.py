"""Overlap guards: no ambassador and no class in two overlapping scheduled events.

Here the database guards alone; through visit confirmations in tests/visits/test_overlap.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import User
from orientamento.events.models import Event, EventStaff
from orientamento.events.overlap import is_overlap
from orientamento.extensions import db


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
