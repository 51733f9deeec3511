"""Peer-visit requests: counsellors request a visit in a window, providers answer.

The request state machine is ``models.VISIT_TRANSITIONS``; every service here checks it
before changing anything, so an invalid move is refused with a message and changes nothing.
Confirming hands the visit to events (``events.services.schedule_school_visit``), which makes
it an event; cancelling a confirmed visit cancels that event the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.courses.models import PlaceKind
from orientamento.events.models import Event
from orientamento.events.notices import notify, provider_staff
from orientamento.events.overlap import is_overlap
from orientamento.events.services import (
    SchoolVisitData,
    cancel_school_visit,
    schedule_school_visit,
)
from orientamento.extensions import db
from orientamento.orgs.models import Provider, School
from orientamento.visits.days import closed_days
from orientamento.visits.models import (
    VisitMode,
    VisitRequest,
    VisitRequestClass,
    VisitStatus,
    VisitWindow,
)
from orientamento.visits.queries import school_place
from orientamento.visits.services.availability import provider_staff_members


def _covers(window: VisitWindow, school: School) -> bool:
    if not window.places:
        return True
    place = school_place(school)
    if place is None:
        return False
    codes = {p.code for p in window.places}
    # Covering the city of Milan covers all its municipi.
    return place.code in codes or (place.kind == PlaceKind.MUNICIPIO and "015146" in codes)


def _check_time(starts_at: datetime, ends_at: datetime, provider_id: int, now: datetime) -> None:
    if starts_at >= ends_at:
        raise DomainError(_l("The visit must end after it starts."))
    if starts_at <= now:
        raise DomainError(_l("Choose a time in the future."))
    if ends_at - starts_at > timedelta(hours=8):
        raise DomainError(_l("A visit lasts at most 8 hours."))
    day = clock.rome_local(starts_at).date()
    if clock.rome_local(ends_at).date() != day:
        raise DomainError(_l("A visit starts and ends on the same day."))
    closed = closed_days(day, day, provider_id)
    if day in closed:
        raise DomainError(_l("No visits on %(day)s: %(reason)s.", day=day.isoformat(),
                             reason=closed[day]))


def request_visit(counsellor: User, window: VisitWindow, pupils_by_class: dict[int, int],
                  mode: str, starts_at: datetime, ends_at: datetime, message: str,
                  now: datetime | None = None) -> VisitRequest:
    """Ask for a visit in a window, for some of the counsellor's classes."""
    now = now or clock.now()
    school = counsellor.school
    if school is None:
        raise NotFound(_l("Your account is not linked to a school."))
    if window.is_full:
        raise Conflict(_l("Every visit of this window is already booked."))
    if not _covers(window, school):
        raise DomainError(_l("This provider does not visit schools in your area on that day."))
    if mode not in (VisitMode.IN_PERSON, VisitMode.ONLINE) or not window.offers(mode):
        raise DomainError(_l("This window does not offer that kind of visit."))
    if not (window.starts_at <= starts_at and ends_at <= window.ends_at):
        raise DomainError(_l("Choose a time inside the window."))
    _check_time(starts_at, ends_at, window.provider_id, now)
    chosen = {class_id: n for class_id, n in pupils_by_class.items() if n}
    if not chosen or any(n < 1 or n > 60 for n in chosen.values()):
        raise DomainError(_l("Give the number of pupils (1 to 60) for at least one class."))
    classes = list(db.session.scalars(select(SchoolClass).where(
        SchoolClass.id.in_(chosen), SchoolClass.school_id == school.id)))
    if len(classes) != len(chosen):
        raise NotFound(_l("Choose classes of your own school."))
    visit = VisitRequest(
        window_id=window.id, provider_id=window.provider_id, school_id=school.id,
        requested_by_id=counsellor.id, starts_at=starts_at, ends_at=ends_at, mode=mode,
        pupils=sum(chosen.values()), message=message.strip(),
        classes=[VisitRequestClass(class_id=c.id, pupils=chosen[c.id]) for c in classes])
    db.session.add(visit)
    db.session.flush()
    notify(provider_staff(window.provider_id), "visit_requested", visit=visit)
    return visit


def _move(visit: VisitRequest, status: VisitStatus) -> None:
    if not visit.can_become(status):
        raise Conflict(_l("This request is \"%(status)s\" and cannot change that way.",
                          status=visit.status.label))
    visit.status = status
    visit.updated_at = clock.now()


def _check_side(actor: User, visit: VisitRequest) -> str:
    if actor.role == Role.PROVIDER and actor.provider_id == visit.provider_id:
        return "provider"
    if actor.role == Role.COUNSELLOR and actor.school_id == visit.school_id:
        return "school"
    raise NotFound(_l("No such visit request."))


def _people(visit: VisitRequest) -> list[User | None]:
    people: list[User | None] = [visit.requested_by, *provider_staff(visit.provider_id)]
    if visit.event is not None:
        people.extend(member.user for member in visit.event.staff)
    return people


def confirm_visit(actor: User, visit: VisitRequest, ambassador_ids: Sequence[int],
                  reply: str = "", now: datetime | None = None) -> Event:
    """Confirm a request (provider) or accept a proposed time (school): it becomes an event."""
    now = now or clock.now()
    side = _check_side(actor, visit)
    if (side, visit.status) not in (("provider", VisitStatus.REQUESTED),
                                    ("school", VisitStatus.COUNTER_PROPOSED)):
        raise Conflict(_l("This request is \"%(status)s\" and cannot change that way.",
                          status=visit.status.label))
    if visit.starts_at <= now:
        raise Conflict(_l("The time of this request has passed."))
    provider = visit.provider
    ambassadors = (provider_staff_members(provider, ambassador_ids) if side == "provider"
                   else list(visit.proposed_ambassadors))
    if not ambassadors:
        raise DomainError(_l("Choose at least one ambassador."))
    try:
        with db.session.begin_nested():
            if visit.window_id is not None:
                booked = db.session.execute(
                    update(VisitWindow)
                    .where(VisitWindow.id == visit.window_id,
                           VisitWindow.booked < VisitWindow.max_visits)
                    .values(booked=VisitWindow.booked + 1)
                    .execution_options(synchronize_session=False))
                if booked.rowcount == 0:  # type: ignore[attr-defined]
                    raise Conflict(_l("Every visit of this window is already booked."))
            event = _visit_event(visit, provider, ambassadors)
            visit.event_id = event.id
            _move(visit, VisitStatus.CONFIRMED)  # a confirmed request has its event (CHECK)
            if reply:
                visit.reply = reply.strip()
            db.session.flush()
    except IntegrityError as error:
        if not is_overlap(error):
            raise
        raise Conflict(_l("An ambassador or a class already has another visit at this time."
                          )) from error
    notify(_people(visit), "visit_confirmed", visit=visit)
    return event


def _visit_event(visit: VisitRequest, provider: Provider, ambassadors: list[User]) -> Event:
    window = visit.window
    return schedule_school_visit(SchoolVisitData(
        provider_id=provider.id, school_id=visit.school_id,
        title=f"{provider.name} · {visit.school.name}",
        description=visit.message, starts_at=visit.starts_at, ends_at=visit.ends_at,
        address=(f"{visit.school.name}, {visit.school.full_address}"[:300]
                 if visit.mode == VisitMode.IN_PERSON else None),
        courses=list(window.courses) if window else [],
        created_by_id=visit.requested_by_id, staff_ids=[user.id for user in ambassadors],
        pupils_by_class={chosen.class_id: chosen.pupils for chosen in visit.classes}))

def propose_time(actor: User, visit: VisitRequest, starts_at: datetime, ends_at: datetime,
                 reply: str, ambassador_ids: Sequence[int] = (),
                 now: datetime | None = None) -> None:
    """Propose another time: the provider answers a request, the school answers a proposal."""
    now = now or clock.now()
    side = _check_side(actor, visit)
    target = VisitStatus.COUNTER_PROPOSED if side == "provider" else VisitStatus.REQUESTED
    expected = VisitStatus.REQUESTED if side == "provider" else VisitStatus.COUNTER_PROPOSED
    if visit.status != expected:
        raise Conflict(_l("This request is \"%(status)s\" and cannot change that way.",
                          status=visit.status.label))
    _check_time(starts_at, ends_at, visit.provider_id, now)
    if side == "provider":
        ambassadors = provider_staff_members(visit.provider, ambassador_ids)
        if not ambassadors:
            raise DomainError(_l("Choose at least one ambassador."))
        visit.proposed_ambassadors = ambassadors
    _move(visit, target)
    visit.starts_at, visit.ends_at = starts_at, ends_at
    visit.reply = reply.strip() or None
    db.session.flush()
    notify(_people(visit), "visit_time_proposed", visit=visit)


def decline_visit(actor: User, visit: VisitRequest, reason: str) -> None:
    """Decline a request, with a reason the school reads."""
    if _check_side(actor, visit) != "provider":
        raise NotFound(_l("No such visit request."))
    if not reason.strip():
        raise DomainError(_l("Give a reason."))
    _move(visit, VisitStatus.DECLINED)
    visit.reply = reason.strip()
    db.session.flush()
    notify(_people(visit), "visit_declined", visit=visit)


def cancel_visit(actor: User, visit: VisitRequest, reason: str,
                 now: datetime | None = None) -> None:
    """Cancel a request or a confirmed visit (either side); everyone involved is told."""
    now = now or clock.now()
    _check_side(actor, visit)
    if not reason.strip():
        raise DomainError(_l("Give a reason."))
    was_confirmed = visit.status == VisitStatus.CONFIRMED
    if was_confirmed and visit.starts_at <= now:
        raise Conflict(_l("The visit has already started."))
    _move(visit, VisitStatus.CANCELLED)
    visit.reply = reason.strip()
    if was_confirmed and visit.event is not None:
        cancel_school_visit(visit.event, reason.strip(), now)
        if visit.window_id is not None:
            db.session.execute(
                update(VisitWindow).where(VisitWindow.id == visit.window_id,
                                          VisitWindow.booked > 0)
                .values(booked=VisitWindow.booked - 1)
                .execution_options(synchronize_session=False))
    db.session.flush()
    notify(_people(visit), "visit_cancelled", visit=visit, actor=actor)

