"""Peer visits through the services: availability, the request state machine, overlaps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.events.models import Event, EventClass, EventStaff
from orientamento.events.services import record_attendance
from orientamento.extensions import db
from orientamento.outbox.models import OutboxMessage
from orientamento.visits.days import closed_days
from orientamento.visits.models import (
    VISIT_TRANSITIONS,
    VisitRequest,
    VisitStatus,
    VisitWindow,
)
from orientamento.visits.services import availability
from orientamento.visits.services import visit_requests as visits
from tests.events.factories import school_day
from tests.visits.factories import requested, window

pytestmark = pytest.mark.calendar

UserFactory = Callable[..., User]


@pytest.fixture
def people(reference_data: None, make_user: UserFactory,
           make_class: Callable[..., SchoolClass]) -> dict[str, object]:
    """A provider with two ambassadors, a counsellor with two classes, another school."""
    staff = make_user(Role.PROVIDER)
    buddy = make_user(Role.PROVIDER, provider_id=staff.provider_id)
    counsellor = make_user(Role.COUNSELLOR)
    return {"staff": staff, "buddy": buddy, "counsellor": counsellor,
            "classes": [make_class(counsellor), make_class(counsellor)],
            "stranger": make_user(Role.COUNSELLOR), "other_staff": make_user(Role.PROVIDER)}


def _mails(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.user_id == user.id)) or 0


def test_windows_skip_holidays_school_holidays_and_blocked_days(people: dict) -> None:
    staff = people["staff"]
    monday = clock.today() + timedelta(days=30)
    while monday.weekday() != 0 or closed_days(monday, monday + timedelta(days=4)):
        monday += timedelta(days=7 - monday.weekday() if monday.weekday() else 7)
    availability.add_school_holiday("Carnevale ambrosiano", monday, monday + timedelta(days=1))
    availability.block_day(staff.provider, monday + timedelta(days=2), "Esami", clock.today())
    published = availability.publish_windows(staff.provider, availability.WindowPlan(
        first_day=monday, last_day=monday + timedelta(days=4), weekdays=(0, 1, 2, 3),
        start=time(9), end=time(12), mode="both", max_visits=1, ambassador_ids=[staff.id]),
        clock.today())
    thursday = monday + timedelta(days=3)  # Friday is not among the chosen weekdays
    assert [w.starts_at for w in published.windows] == [clock.rome_datetime(thursday, time(9))]
    assert published.skipped == {monday: "Carnevale ambrosiano",
                                 monday + timedelta(days=1): "Carnevale ambrosiano",
                                 monday + timedelta(days=2): "Esami"}
    year = clock.today().year + 1
    december = availability.publish_windows(staff.provider, availability.WindowPlan(
        first_day=date(year, 12, 7), last_day=date(year, 12, 8), weekdays=range(7),
        start=time(9), end=time(12), mode="both", max_visits=1, ambassador_ids=[staff.id]),
        clock.today())
    assert december.windows == [] and set(december.skipped) == {date(year, 12, 7),
                                                                 date(year, 12, 8)}


def test_publishing_refuses_bad_plans(people: dict) -> None:
    staff, stranger = people["staff"], people["other_staff"]
    day = school_day(clock.today() + timedelta(days=5))
    plan = availability.WindowPlan(first_day=day, last_day=day, weekdays=(day.weekday(),),
                             start=time(9), end=time(12), mode="both", max_visits=1,
                             ambassador_ids=[staff.id])
    for change, error in (({"first_day": clock.today() - timedelta(days=1)}, DomainError),
                          ({"start": time(12), "end": time(9)}, DomainError),
                          ({"weekdays": ()}, DomainError),
                          ({"ambassador_ids": [stranger.id]}, NotFound)):
        with pytest.raises(error):
            availability.publish_windows(staff.provider, availability.WindowPlan(**{**plan.__dict__,
                                                                        **change}), clock.today())
    assert db.session.scalar(select(func.count()).select_from(VisitWindow)) == 0


def test_requests_are_checked(people: dict, make_user: UserFactory,
                              make_school: Callable[..., object]) -> None:
    staff, counsellor = people["staff"], people["counsellor"]
    day = school_day(clock.today() + timedelta(days=5))
    slot = window([staff], day, mode="online", place_codes=["015146"])
    ask = slot.starts_at
    mine = {people["classes"][0].id: 20}
    cases = (
        (counsellor, {}, "online", ask, DomainError),  # no pupils
        (counsellor, mine, "in_person", ask, DomainError),  # mode not offered
        (counsellor, mine, "online", ask - timedelta(hours=1), DomainError),  # outside window
    )
    for who, pupils, mode, starts, error in cases:
        with pytest.raises(error):
            visits.request_visit(who, slot, pupils, mode, starts, starts + timedelta(hours=1), "")
    foreign_class = db.session.scalar(select(SchoolClass).where(
        SchoolClass.school_id != counsellor.school_id))
    with pytest.raises(NotFound):
        visits.request_visit(counsellor, slot, {foreign_class.id: 10} if foreign_class else
                             {10**6: 10}, "online", ask, ask + timedelta(hours=1), "")
    outside = make_user(Role.COUNSELLOR, school=make_school(municipality="Legnano"))
    with pytest.raises(DomainError):  # the window covers Milan only
        visits.request_visit(outside, slot, {}, "online", ask, ask + timedelta(hours=1), "")
    assert db.session.scalar(select(func.count()).select_from(VisitRequest)) == 0
    visit = visits.request_visit(counsellor, slot, mine, "online", ask,
                                 ask + timedelta(hours=1), "Grazie")
    db.session.commit()
    assert visit.status == "requested" and visit.pupils == 20
    assert _mails(staff) == 1 and _mails(people["buddy"]) == 1


def test_confirmation_makes_an_event_with_staff_and_classes(people: dict) -> None:
    staff, buddy, counsellor = people["staff"], people["buddy"], people["counsellor"]
    slot = window([staff, buddy], school_day(clock.today() + timedelta(days=5)))
    visit = requested(counsellor, slot, people["classes"])
    event = visits.confirm_visit(staff, visit, [staff.id, buddy.id], "A presto")
    db.session.commit()
    assert visit.status == "confirmed" and visit.event_id == event.id
    assert event.kind == "school_visit" and event.school_id == counsellor.school_id
    assert {m.user_id for m in event.staff} == {staff.id, buddy.id}
    assert sorted(c.class_id for c in event.classes) == sorted(c.id for c in people["classes"])
    assert all(row.starts_at == event.starts_at and row.status == "scheduled"
               for row in [*event.staff, *event.classes])
    db.session.refresh(slot)
    assert slot.booked == 1
    assert _mails(counsellor) == 1


def test_counter_proposal_then_acceptance(people: dict) -> None:
    staff, buddy, counsellor = people["staff"], people["buddy"], people["counsellor"]
    slot = window([staff, buddy], school_day(clock.today() + timedelta(days=5)))
    visit = requested(counsellor, slot, people["classes"][:1])
    later = slot.starts_at + timedelta(days=1)
    visits.propose_time(staff, visit, later, later + timedelta(hours=2), "Meglio giovedì",
                        [buddy.id])
    db.session.commit()
    assert visit.status == VisitStatus.COUNTER_PROPOSED and visit.starts_at == later
    with pytest.raises(Conflict):  # the provider cannot accept its own proposal
        visits.confirm_visit(staff, visit, [staff.id])
    event = visits.confirm_visit(counsellor, visit, [])
    db.session.commit()
    assert [m.user_id for m in event.staff] == [buddy.id] and event.starts_at == later


def test_the_school_can_answer_with_another_time(people: dict) -> None:
    staff, counsellor = people["staff"], people["counsellor"]
    slot = window([staff], school_day(clock.today() + timedelta(days=5)))
    visit = requested(counsellor, slot, people["classes"][:1])
    later = slot.starts_at + timedelta(days=1)
    visits.propose_time(staff, visit, later, later + timedelta(hours=1), "", [staff.id])
    again = later + timedelta(hours=2)
    visits.propose_time(counsellor, visit, again, again + timedelta(hours=1), "Pomeriggio?")
    db.session.commit()
    assert visit.status == "requested" and visit.starts_at == again


def test_invalid_moves_are_refused_and_change_nothing(people: dict) -> None:
    staff, counsellor = people["staff"], people["counsellor"]
    assert VISIT_TRANSITIONS[VisitStatus.DECLINED] == frozenset()
    slot = window([staff], school_day(clock.today() + timedelta(days=5)), max_visits=3)
    visit = requested(counsellor, slot, people["classes"][:1])
    with pytest.raises(Conflict):
        visits.confirm_visit(counsellor, visit, [])  # the school cannot confirm its request
    with pytest.raises(DomainError):
        visits.decline_visit(staff, visit, " ")
    visits.decline_visit(staff, visit, "Nessun ambasciatore libero")
    db.session.commit()
    for move in (lambda: visits.confirm_visit(staff, visit, [staff.id]),
                 lambda: visits.cancel_visit(counsellor, visit, "x"),
                 lambda: visits.decline_visit(staff, visit, "x")):
        with pytest.raises(Conflict):
            move()
        db.session.rollback()
    db.session.refresh(visit)
    assert visit.status == "declined" and visit.event_id is None
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
    confirmed = requested(counsellor, slot, people["classes"][1:], offset=timedelta(hours=2))
    visits.confirm_visit(staff, confirmed, [staff.id])
    db.session.commit()
    with pytest.raises(Conflict):
        visits.decline_visit(staff, confirmed, "troppo tardi")


def test_others_cannot_touch_a_request(people: dict) -> None:
    staff, counsellor = people["staff"], people["counsellor"]
    slot = window([staff], school_day(clock.today() + timedelta(days=5)))
    visit = requested(counsellor, slot, people["classes"][:1])
    with pytest.raises(NotFound):
        visits.confirm_visit(people["other_staff"], visit, [people["other_staff"].id])
    with pytest.raises(NotFound):
        visits.cancel_visit(people["stranger"], visit, "no")


def test_cancelling_a_confirmed_visit_cancels_its_event(people: dict) -> None:
    staff, counsellor = people["staff"], people["counsellor"]
    slot = window([staff], school_day(clock.today() + timedelta(days=5)))
    visit = requested(counsellor, slot, people["classes"][:1])
    event = visits.confirm_visit(staff, visit, [staff.id])
    db.session.commit()
    visits.cancel_visit(counsellor, visit, "Sciopero")
    db.session.commit()
    db.session.expire_all()
    assert event.status == "cancelled" and event.sequence == 1
    # The composite key carried the status into the child rows.
    assert {r.status for r in db.session.scalars(select(EventStaff))} == {"cancelled"}
    assert {r.status for r in db.session.scalars(select(EventClass))} == {"cancelled"}
    assert db.session.get(VisitWindow, slot.id).booked == 0  # type: ignore[union-attr]
    assert _mails(staff) >= 2  # the request and the cancellation


def test_a_window_is_never_booked_beyond_its_visits(people: dict,
                                                    make_class: Callable[..., SchoolClass]
                                                    ) -> None:
    staff, buddy, counsellor = people["staff"], people["buddy"], people["counsellor"]
    slot = window([staff, buddy], school_day(clock.today() + timedelta(days=5)))
    first = requested(counsellor, slot, people["classes"][:1])
    second = requested(counsellor, slot, people["classes"][1:], offset=timedelta(hours=2))
    visits.confirm_visit(staff, first, [staff.id])
    db.session.commit()
    with pytest.raises(Conflict):
        visits.confirm_visit(staff, second, [buddy.id])
    db.session.rollback()
    db.session.refresh(second)
    assert second.status == "requested"


def test_nobody_is_booked_into_two_overlapping_visits(people: dict) -> None:
    staff, buddy, counsellor = people["staff"], people["buddy"], people["counsellor"]
    slot = window([staff, buddy], school_day(clock.today() + timedelta(days=5)), max_visits=4)
    one, two = people["classes"]
    first = requested(counsellor, slot, [one])
    same_person = requested(counsellor, slot, [two], offset=timedelta(hours=1))
    same_class = requested(counsellor, slot, [one], offset=timedelta(hours=1))
    back_to_back = requested(counsellor, slot, [one], offset=timedelta(hours=2))
    visits.confirm_visit(staff, first, [staff.id])
    db.session.commit()
    with pytest.raises(Conflict):
        visits.confirm_visit(staff, same_person, [staff.id])
    db.session.rollback()
    with pytest.raises(Conflict):
        visits.confirm_visit(staff, same_class, [buddy.id])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    visits.confirm_visit(staff, back_to_back, [buddy.id])  # class one: ends == starts
    db.session.commit()
    visits.cancel_visit(staff, first, "Cambio programma")
    db.session.commit()
    visits.confirm_visit(staff, same_person, [staff.id])  # free again
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Event)
                             .where(Event.status == "scheduled")) == 2


def test_the_guard_holds_for_writes_that_bypass_the_services(people: dict) -> None:
    """The exclusion constraint (PostgreSQL) or trigger (SQLite) itself refuses the row."""
    staff = people["staff"]
    start = clock.now() + timedelta(days=3)
    events = [Event(kind="open_day", title=f"E{n}", provider_id=staff.provider_id,
                    starts_at=start + timedelta(minutes=30 * n),
                    ends_at=start + timedelta(minutes=30 * n + 60), capacity=5)
              for n in range(2)]
    db.session.add_all(events)
    db.session.flush()
    events[0].staff.append(EventStaff(user_id=staff.id))
    db.session.commit()
    events[1].staff.append(EventStaff(user_id=staff.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Moving an event onto another is refused too (the update trigger / constraint).
    db.session.execute(update(Event).where(Event.id == events[1].id).values(
        starts_at=start + timedelta(hours=5), ends_at=start + timedelta(hours=6)))
    db.session.commit()
    db.session.expire_all()
    events[1].staff.append(EventStaff(user_id=staff.id))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(update(Event).where(Event.id == events[1].id).values(
            starts_at=start, ends_at=start + timedelta(hours=1)))
        db.session.flush()


def test_attendance_is_recorded_per_class_after_the_start(people: dict) -> None:
    staff, counsellor = people["staff"], people["counsellor"]
    slot = window([staff], school_day(clock.today() + timedelta(days=5)))
    visit = requested(counsellor, slot, people["classes"])
    event = visits.confirm_visit(staff, visit, [staff.id])
    db.session.commit()
    one, two = people["classes"]
    with pytest.raises(Conflict):
        record_attendance(staff, event, {one.id: 10})
    after = event.starts_at + timedelta(hours=1)
    with pytest.raises(DomainError):
        record_attendance(staff, event, {one.id: 21}, now=after)
    with pytest.raises(NotFound):
        record_attendance(people["other_staff"], event, {one.id: 5}, now=after)
    record_attendance(staff, event, {one.id: 18, two.id: 0}, now=after)
    db.session.commit()
    assert {r.class_id: r.attended for r in event.classes} == {one.id: 18, two.id: 0}
