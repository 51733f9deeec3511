"""Peer visits through the services: availability, requests, the state machine, attendance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.events.models import Event, EventClass, EventStaff
from orientamento.events.services import record_attendance
from orientamento.extensions import db
from orientamento.outbox.models import OutboxMessage
from orientamento.visits.days import public_holidays
from orientamento.visits.models import VisitRequest, VisitWindow
from orientamento.visits.services import availability
from orientamento.visits.services import visit_requests as visits
from tests.events.conftest import mail_subjects
from tests.visits.conftest import next_school_day

pytestmark = pytest.mark.calendar

People = dict[str, Any]
WindowFactory = Callable[..., VisitWindow]
RequestFactory = Callable[..., VisitRequest]


def plan(people: People, first: date, last: date, weekdays: tuple[int, ...] = (0, 1, 2, 3, 4),
         **fields: Any) -> availability.WindowPlan:
    """A 9-13 window plan for the provider's main ambassador."""
    values: dict[str, Any] = {
        "first_day": first, "last_day": last, "weekdays": weekdays, "start": time(9),
        "end": time(13), "mode": "both", "max_visits": 1,
        "ambassador_ids": [people["staff"].id]} | fields
    return availability.WindowPlan(**values)


def count(model: type) -> int:
    """Rows of a table."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def confirmed(people: People, visit: VisitRequest, *ambassadors: User) -> Event:
    """The provider confirms with these ambassadors (the main one by default); committed."""
    chosen = ambassadors or (people["staff"],)
    event = visits.confirm_visit(people["staff"], visit, [u.id for u in chosen])
    db.session.commit()
    return event


# --- availability ---------------------------------------------------------------------------


def test_publishing_skips_public_holidays_with_their_names(visit_people: People) -> None:
    """7 Dec (Sant'Ambrogio), 8 Dec and 25 Dec 2026 get no window and are reported skipped."""
    published = availability.publish_windows(
        visit_people["provider"], plan(visit_people, date(2026, 12, 7), date(2026, 12, 25)),
        today=date(2026, 11, 2))
    days = {clock.rome_datetime(d, time(9)) for d in (date(2026, 12, 7), date(2026, 12, 8),
                                                 date(2026, 12, 25))}
    assert {date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 25)} <= set(published.skipped)
    holidays = public_holidays(2026)
    for day in (date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 25)):
        assert published.skipped[day] == holidays[day]
    starts = {w.starts_at for w in published.windows}
    assert not starts & days
    assert clock.rome_datetime(date(2026, 12, 9), time(9)) in starts
    # Weekends are not among the chosen weekdays: neither created nor "skipped".
    assert date(2026, 12, 12) not in published.skipped
    assert all(clock.rome_local(w.starts_at).weekday() < 5 for w in published.windows)


def test_publishing_skips_school_holidays_and_blocked_days(visit_people: People) -> None:
    """Admin school holidays and the provider's blocked days are skipped with their reason."""
    monday = next_school_day(clock.today() + timedelta(days=21), weekday=0)
    while any(next_school_day(monday + timedelta(days=n - 1)) != monday + timedelta(days=n)
              for n in range(5)):
        monday = next_school_day(monday + timedelta(days=6), weekday=0)
    availability.add_school_holiday("Carnevale ambrosiano", monday, monday + timedelta(days=1))
    availability.block_day(visit_people["provider"], monday + timedelta(days=3), "Esami",
                           clock.today())
    published = availability.publish_windows(
        visit_people["provider"], plan(visit_people, monday, monday + timedelta(days=6),
                                       weekdays=(0, 1, 2, 3, 5)), clock.today())
    db.session.commit()
    assert published.skipped == {monday: "Carnevale ambrosiano",
                                 monday + timedelta(days=1): "Carnevale ambrosiano",
                                 monday + timedelta(days=3): "Esami"}
    assert [w.starts_at for w in published.windows] == [
        clock.rome_datetime(monday + timedelta(days=2), time(9)),
        clock.rome_datetime(monday + timedelta(days=5), time(9))]  # Saturday was chosen


def test_publishing_only_on_the_chosen_weekdays(visit_people: People, school_day: date) -> None:
    """Windows appear only on the weekdays picked."""
    published = availability.publish_windows(
        visit_people["provider"],
        plan(visit_people, school_day, school_day + timedelta(days=27),
             weekdays=(school_day.weekday(),)), clock.today())
    assert published.windows
    assert {clock.rome_local(w.starts_at).weekday() for w in published.windows} == {
        school_day.weekday()}
    assert len(published.windows) + len(published.skipped) == 4


@pytest.mark.parametrize("change", ["past", "end_before_start", "end_equals_start"])
def test_publishing_refuses_bad_plans(visit_people: People, school_day: date,
                                      change: str) -> None:
    """A first day in the past or an empty time range is refused."""
    fields: dict[str, Any] = {
        "past": {"first_day": clock.today() - timedelta(days=1)},
        "end_before_start": {"start": time(13), "end": time(9)},
        "end_equals_start": {"start": time(9), "end": time(9)},
    }[change]
    with pytest.raises(DomainError):
        availability.publish_windows(
            visit_people["provider"], plan(visit_people, school_day, school_day, **fields),
            clock.today())
    assert count(VisitWindow) == 0


def test_publishing_refuses_another_providers_ambassadors_and_courses(
        visit_people: People, school_day: date, make_course: Callable[..., Any]) -> None:
    """Ambassadors and courses must belong to the publishing provider."""
    provider = visit_people["provider"]
    with pytest.raises(NotFound):
        availability.publish_windows(provider, plan(
            visit_people, school_day, school_day,
            ambassador_ids=[visit_people["staff"].id, visit_people["other_staff"].id]),
            clock.today())
    foreign_course = make_course(visit_people["other_staff"].provider)
    with pytest.raises(NotFound):
        availability.publish_windows(provider, plan(
            visit_people, school_day, school_day, course_ids=[foreign_course.id]), clock.today())
    own_course = make_course(provider)
    published = availability.publish_windows(provider, plan(
        visit_people, school_day, school_day, course_ids=[own_course.id]), clock.today())
    assert [c.id for c in published.windows[0].courses] == [own_course.id]


# --- requests -------------------------------------------------------------------------------


def test_a_request_notifies_the_provider_staff(
        visit_people: People, make_window: WindowFactory, make_request: RequestFactory) -> None:
    """Every active staff member of the provider gets an outbox message; nobody else."""
    p = visit_people
    window = make_window(p["provider"], [p["staff"]])
    visit = make_request(p["counsellor"], window, p["classes"])
    assert visit.status == "requested"
    assert visit.pupils == 40
    assert {c.class_id for c in visit.classes} == {c.id for c in p["classes"]}
    assert len(mail_subjects(p["staff"])) == 1
    assert len(mail_subjects(p["buddy"])) == 1
    assert mail_subjects(p["counsellor"]) == []
    assert mail_subjects(p["other_staff"]) == []


def test_a_request_for_another_schools_class_is_refused(
        visit_people: People, make_window: WindowFactory,
        make_class: Callable[..., SchoolClass]) -> None:
    """A class of another school is "not found"."""
    p = visit_people
    window = make_window(p["provider"], [p["staff"]])
    foreign = make_class(p["other_counsellor"])
    with pytest.raises(NotFound):
        visits.request_visit(p["counsellor"], window, {foreign.id: 20}, "in_person",
                             window.starts_at, window.starts_at + timedelta(hours=1), "")
    assert count(VisitRequest) == 0


@pytest.mark.parametrize(("offset", "length"), [
    (timedelta(hours=-1), timedelta(hours=2)),  # starts before the window
    (timedelta(hours=3), timedelta(hours=2)),  # ends after the window
])
def test_a_request_outside_the_window_is_refused(
        visit_people: People, make_window: WindowFactory,
        offset: timedelta, length: timedelta) -> None:
    """The visit must fit inside the window."""
    p = visit_people
    window = make_window(p["provider"], [p["staff"]])
    starts = window.starts_at + offset
    with pytest.raises(DomainError):
        visits.request_visit(p["counsellor"], window, {p["classes"][0].id: 20}, "in_person",
                             starts, starts + length, "")
    assert count(VisitRequest) == 0


def test_a_request_in_a_mode_not_offered_is_refused(
        visit_people: People, make_window: WindowFactory) -> None:
    """An online-only window refuses an in-person request."""
    p = visit_people
    window = make_window(p["provider"], [p["staff"]], mode="online")
    with pytest.raises(DomainError):
        visits.request_visit(p["counsellor"], window, {p["classes"][0].id: 20}, "in_person",
                             window.starts_at, window.starts_at + timedelta(hours=1), "")
    visit = visits.request_visit(p["counsellor"], window, {p["classes"][0].id: 20}, "online",
                                 window.starts_at, window.starts_at + timedelta(hours=1), "")
    assert visit.mode == "online"


def test_a_request_for_a_full_window_is_refused(
        visit_people: People, make_window: WindowFactory, make_request: RequestFactory) -> None:
    """Once every visit of a window is booked, new requests are a Conflict."""
    p = visit_people
    window = make_window(p["provider"], [p["staff"]], max_visits=1)
    confirmed(p, make_request(p["counsellor"], window, p["classes"][:1]))
    db.session.refresh(window)
    with pytest.raises(Conflict):
        make_request(p["counsellor"], window, p["classes"][1:], offset=timedelta(hours=2))


def test_a_request_from_a_school_outside_the_area_is_refused(
        visit_people: People, make_window: WindowFactory, make_user: Callable[..., User],
        make_school: Callable[..., Any], make_class: Callable[..., SchoolClass]) -> None:
    """A window limited to Milan refuses a school in Sesto San Giovanni, accepts a Milan one."""
    p = visit_people
    window = make_window(p["provider"], [p["staff"]], place_codes=("015146",))
    outside = make_user(Role.COUNSELLOR,
                        school=make_school(municipality="Sesto San Giovanni"))
    with pytest.raises(DomainError):
        visits.request_visit(outside, window, {make_class(outside).id: 20}, "in_person",
                             window.starts_at, window.starts_at + timedelta(hours=1), "")
    inside = make_user(Role.COUNSELLOR, school=make_school(municipio=4))
    visit = visits.request_visit(inside, window, {make_class(inside).id: 20}, "in_person",
                                 window.starts_at, window.starts_at + timedelta(hours=1), "")
    assert visit.status == "requested"


# --- the state machine ----------------------------------------------------------------------


def test_confirming_makes_a_school_visit_event(
        visit_people: People, make_window: WindowFactory, make_request: RequestFactory) -> None:
    """The event carries staff and classes, the window is booked, the request confirmed."""
    p = visit_people
    window = make_window(p["provider"], [p["staff"], p["buddy"]], max_visits=2)
    visit = make_request(p["counsellor"], window, p["classes"])
    event = confirmed(p, visit, p["staff"], p["buddy"])
    db.session.refresh(visit)
    db.session.refresh(window)
    assert visit.status == "confirmed" and visit.event_id == event.id
    assert (event.kind, event.school_id, event.provider_id) == (
        "school_visit", p["counsellor"].school_id, p["provider"].id)
    assert (event.starts_at, event.ends_at) == (visit.starts_at, visit.ends_at)
    assert window.booked == 1
    staff_rows = db.session.scalars(select(EventStaff).where(EventStaff.event_id == event.id))
    assert {(r.user_id, r.status, r.starts_at) for r in staff_rows} == {
        (p["staff"].id, "scheduled", event.starts_at), (p["buddy"].id, "scheduled", event.starts_at)}
    class_rows = db.session.scalars(select(EventClass).where(EventClass.event_id == event.id))
    assert {(r.class_id, r.pupils) for r in class_rows} == {(c.id, 20) for c in p["classes"]}
    assert any("Visit" in s or "Visita" in s for s in mail_subjects(p["counsellor"]))


def test_declining_needs_a_reason(
        visit_people: People, make_window: WindowFactory, make_request: RequestFactory) -> None:
    """A blank reason is refused; with one the request is declined and the reply kept."""
    p = visit_people
    visit = make_request(p["counsellor"], make_window(p["provider"], [p["staff"]]),
                         p["classes"][:1])
    with pytest.raises(DomainError):
        visits.decline_visit(p["staff"], visit, "   ")
    assert visit.status == "requested"
    visits.decline_visit(p["staff"], visit, " Niente ambasciatori liberi ")
    db.session.commit()
    assert (visit.status, visit.reply) == ("declined", "Niente ambasciatori liberi")
    with pytest.raises(NotFound):
        visits.decline_visit(p["counsellor"], visit, "Non è il tuo ruolo")


def test_a_counter_proposal_accepted_by_the_school_uses_the_proposed_ambassadors(
        visit_people: People, make_window: WindowFactory, make_request: RequestFactory) -> None:
    """Provider proposes a time with an ambassador; the counsellor's acceptance confirms it."""
    p = visit_people
    window = make_window(p["provider"], [p["staff"], p["buddy"]])
    visit = make_request(p["counsellor"], window, p["classes"][:1])
    new_start = visit.starts_at + timedelta(hours=1)
    visits.propose_time(p["staff"], visit, new_start, new_start + timedelta(hours=2),
                        "Meglio un'ora dopo", [p["buddy"].id])
    db.session.commit()
    assert visit.status == "counter_proposed"
    assert [u.id for u in visit.proposed_ambassadors] == [p["buddy"].id]
    event = visits.confirm_visit(p["counsellor"], visit, [])
    db.session.commit()
    assert visit.status == "confirmed"
    assert event.starts_at == new_start
    assert [s.user_id for s in event.staff] == [p["buddy"].id]


def test_the_school_can_answer_a_proposal_with_another_time(
        visit_people: People, make_window: WindowFactory, make_request: RequestFactory) -> None:
    """A counsellor's own proposal sends the request back to the provider."""
    p = visit_people
    visit = make_request(p["counsellor"], make_window(p["provider"], [p["staff"]]),
                         p["classes"][:1])
    visits.propose_time(p["staff"], visit, visit.starts_at + timedelta(hours=1),
                        visit.ends_at + timedelta(hours=1), "", [p["staff"].id])
    db.session.commit()
    back = visit.starts_at + timedelta(hours=1)
    visits.propose_time(p["counsellor"], visit, back, back + timedelta(hours=1), "Ok ma più tardi")
    db.session.commit()
    assert (visit.status, visit.starts_at, visit.reply) == ("requested", back, "Ok ma più tardi")
    with pytest.raises(Conflict):  # now it is the provider's turn again
        visits.propose_time(p["counsellor"], visit, back, back + timedelta(hours=1), "")


def _snapshot(visit: VisitRequest) -> tuple[Any, ...]:
    return (visit.status, visit.starts_at, visit.event_id, count(Event), count(EventStaff))


def test_invalid_moves_are_conflicts_that_change_nothing(
        visit_people: People, make_window: WindowFactory, make_request: RequestFactory) -> None:
    """Confirming a declined request, declining a confirmed one, a school confirming its own."""
    p = visit_people
    window = make_window(p["provider"], [p["staff"]], max_visits=3)
    pending = make_request(p["counsellor"], window, p["classes"][:1])
    before = _snapshot(pending)
    with pytest.raises(Conflict):  # the school cannot confirm its own request
        visits.confirm_visit(p["counsellor"], pending, [p["staff"].id])
    assert _snapshot(pending) == before

    declined = make_request(p["counsellor"], window, p["classes"][1:], offset=timedelta(hours=2))
    visits.decline_visit(p["staff"], declined, "No")
    db.session.commit()
    before = _snapshot(declined)
    with pytest.raises(Conflict):
        visits.confirm_visit(p["staff"], declined, [p["staff"].id])
    with pytest.raises(Conflict):
        visits.propose_time(p["staff"], declined, declined.starts_at, declined.ends_at, "")
    with pytest.raises(Conflict):
        visits.cancel_visit(p["counsellor"], declined, "ripensamento")
    assert _snapshot(declined) == before

    confirmed(p, pending)
    before = _snapshot(pending)
    with pytest.raises(Conflict):
        visits.decline_visit(p["staff"], pending, "Troppo tardi")
    with pytest.raises(Conflict):
        visits.confirm_visit(p["staff"], pending, [p["staff"].id])
    with pytest.raises(Conflict):
        visits.propose_time(p["staff"], pending, pending.starts_at, pending.ends_at, "",
                            [p["staff"].id])
    assert _snapshot(pending) == before
    db.session.commit()
    db.session.refresh(window)
    assert window.booked == 1


def test_cancelling_a_confirmed_visit_cancels_its_event_and_frees_the_slot(
        visit_people: People, make_window: WindowFactory, make_request: RequestFactory) -> None:
    """Event cancelled with a new sequence; staff/class rows follow via the composite key."""
    p = visit_people
    window = make_window(p["provider"], [p["staff"]])
    visit = make_request(p["counsellor"], window, p["classes"])
    event = confirmed(p, visit)
    visits.cancel_visit(p["counsellor"], visit, "Gita scolastica")
    db.session.commit()
    db.session.expire_all()
    assert visit.status == "cancelled" and visit.reply == "Gita scolastica"
    assert (event.status, event.sequence, event.cancel_reason) == (
        "cancelled", 1, "Gita scolastica")
    assert set(db.session.scalars(select(EventStaff.status))) == {"cancelled"}
    assert set(db.session.scalars(select(EventClass.status))) == {"cancelled"}
    assert window.booked == 0
    # The freed slot can be requested again.
    again = make_request(p["counsellor"], window, p["classes"][:1])
    assert again.status == "requested"


def test_a_confirmed_visit_cannot_be_cancelled_after_it_started(
        visit_people: People, make_window: WindowFactory, make_request: RequestFactory) -> None:
    """Cancelling once the visit began is a Conflict."""
    p = visit_people
    visit = make_request(p["counsellor"], make_window(p["provider"], [p["staff"]]),
                         p["classes"][:1])
    confirmed(p, visit)
    with pytest.raises(Conflict):
        visits.cancel_visit(p["staff"], visit, "Ritardo", now=visit.starts_at)
    assert visit.status == "confirmed"


def test_other_organisations_cannot_touch_a_request(
        visit_people: People, make_window: WindowFactory, make_request: RequestFactory) -> None:
    """Another provider's staff and another school's counsellor get "not found"."""
    p = visit_people
    visit = make_request(p["counsellor"], make_window(p["provider"], [p["staff"]]),
                         p["classes"][:1])
    for outsider in (p["other_staff"], p["other_counsellor"]):
        with pytest.raises(NotFound):
            visits.confirm_visit(outsider, visit, [outsider.id])
        with pytest.raises(NotFound):
            visits.cancel_visit(outsider, visit, "no")
        with pytest.raises(NotFound):
            visits.propose_time(outsider, visit, visit.starts_at, visit.ends_at, "",
                                [outsider.id])
        with pytest.raises(NotFound):
            visits.decline_visit(outsider, visit, "no")
    assert visit.status == "requested" and count(Event) == 0


# --- attendance -----------------------------------------------------------------------------


def test_attendance_is_recorded_per_class_only_after_the_start(
        visit_people: People, make_window: WindowFactory, make_request: RequestFactory,
        now: datetime) -> None:
    """Before the start Conflict; 0..pupils per class; other providers "not found"."""
    p = visit_people
    visit = make_request(p["counsellor"], make_window(p["provider"], [p["staff"]]),
                         p["classes"])
    event = confirmed(p, visit)
    first, second = p["classes"]
    with pytest.raises(Conflict):
        record_attendance(p["staff"], event, {first.id: 10}, now=now)
    after = event.starts_at + timedelta(minutes=30)
    with pytest.raises(DomainError):
        record_attendance(p["staff"], event, {first.id: 21}, now=after)
    with pytest.raises(DomainError):
        record_attendance(p["staff"], event, {first.id: -1}, now=after)
    with pytest.raises(NotFound):
        record_attendance(p["other_staff"], event, {first.id: 5}, now=after)
    db.session.rollback()
    record_attendance(p["staff"], event, {first.id: 18, second.id: 0}, now=after)
    db.session.commit()
    rows = {r.class_id: (r.attended, r.attendance_recorded_at)
            for r in db.session.scalars(select(EventClass))}
    assert rows == {first.id: (18, after), second.id: (0, after)}


def test_outbox_rows_are_e_mails_to_real_addresses(
        visit_people: People, make_window: WindowFactory, make_request: RequestFactory) -> None:
    """Every notice queued for a visit goes to the recipient's own address."""
    p = visit_people
    make_request(p["counsellor"], make_window(p["provider"], [p["staff"]]), p["classes"][:1])
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert rows
    for row in rows:
        assert row.to_address == db.session.get(User, row.user_id).email
