"""A small world of objects and URL builders shared by the route-walking tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from orientamento.assessments.models import Assignment, Response
from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.access import ACCESS_ATTRIBUTE
from orientamento.courses.models import Occupation
from orientamento.courses.records import parse_row
from orientamento.courses.services import create_course, load_reference_data
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from tests.conftest import COURSE_CELLS

ROLES: tuple[str | None, ...] = (None, *(role.value for role in Role))


@dataclass
class World:
    """Users of every role, and two schools' classes: one "own", one "foreign"."""

    users: dict[str, User] = field(default_factory=dict)
    own_class: SchoolClass | None = None
    own_pupil: User | None = None
    foreign_class: SchoolClass | None = None
    foreign_pupil: User | None = None
    school_id: int = 0
    provider_id: int = 0
    responses: dict[str, int] = field(default_factory=dict)
    assignments: dict[str, int] = field(default_factory=dict)
    courses: dict[str, int] = field(default_factory=dict)
    occupation_id: int = 0
    events: dict[str, int] = field(default_factory=dict)
    registrations: dict[str, int] = field(default_factory=dict)
    visits: dict[str, int] = field(default_factory=dict)
    window_id: int = 0
    holiday_id: int = 0
    flags: dict[str, int] = field(default_factory=dict)
    version_id: int = 0
    support: dict[str, int] = field(default_factory=dict)
    referrals: dict[str, int] = field(default_factory=dict)

    def values(self, rule: Rule, *, role: str | None = None, foreign: bool = False
               ) -> dict[str, Any]:
        """URL values for a rule, pointing at the role's own objects or at another school's."""
        assert self.own_class and self.foreign_class and self.own_pupil and self.foreign_pupil
        school_class = self.foreign_class if foreign else self.own_class
        pupil = self.foreign_pupil if foreign else self.own_pupil
        response = "foreign" if foreign else ("student" if role == "student" else "own_pupil")
        known = {
            "response_id": self.responses[response],
            "assignment_id": self.assignments["foreign" if foreign else "own"],
            "number": 0,
            "questionnaire_id": "interests",
            "class_id": school_class.id,
            "student_id": pupil.id,
            "user_id": self.users["student"].id,
            "school_id": self.school_id,
            "provider_id": self.provider_id,
            "token": "not-a-real-token",
            "course_id": self.courses["foreign" if foreign else "own"],
            "occupation_id": self.occupation_id,
            "fmt": "csv",
            "table": "mismatch_by_area",
            "event_id": self.events["foreign" if foreign else "own"],
            "registration_id": self.registrations[
                "foreign" if foreign else ("counsellor" if role == "counsellor" else "student")],
            "visit_id": self.visits["foreign" if foreign else "own"],
            "window_id": self.window_id,
            "holiday_id": self.holiday_id,
            "flag_id": self.flags["foreign" if foreign else "own"],
            "action_path": "outcomes",
            "version_id": self.version_id,
            "referral_id": self.referrals["foreign" if foreign else "own"],
            **self.support,
        }
        missing = set(rule.arguments) - set(known)
        assert not missing, f"tests/core/routes.py knows no value for {missing} in {rule}"
        return {name: known[name] for name in rule.arguments}


#: URL arguments that name an object owned by a school or a student: others' get 404.
SCOPED_ARGUMENTS = frozenset({"class_id", "student_id", "response_id", "assignment_id",
                              "registration_id", "visit_id", "flag_id", "referral_id"})


def build_world(make_user: Callable[..., User], make_class: Callable[..., SchoolClass]) -> World:
    """Create one user per role and an own and a foreign class with a pupil each."""
    world = World()
    for role in Role:
        if role == Role.AMBASSADOR:  # an ambassador of the own provider
            world.users[role.value] = make_user(role, provider_id=world.users["provider"].provider_id)
        else:
            world.users[role.value] = make_user(role)
    world.own_pupil = make_user(Role.STUDENT, username="own.pupil", email=None)
    world.foreign_pupil = make_user(Role.STUDENT, username="foreign.pupil", email=None)
    world.own_class = make_class(world.users["counsellor"], pupils=(world.own_pupil,))
    world.foreign_class = make_class(pupils=(world.foreign_pupil,))
    for key, owner in (("student", world.users["student"]), ("own_pupil", world.own_pupil),
                       ("foreign", world.foreign_pupil)):
        world.responses[key] = submitted_response(owner).id
    for key, school_class in (("own", world.own_class), ("foreign", world.foreign_class)):
        assignment = Assignment(class_id=school_class.id, questionnaire_id="interests")
        db.session.add(assignment)
        db.session.commit()
        world.assignments[key] = assignment.id
    world.school_id = world.users["counsellor"].school_id or 0
    world.provider_id = world.users["provider"].provider_id or 0
    add_courses(world)
    add_events(world, make_user)
    add_risk(world)
    add_support(world)
    add_referrals(world)
    return world


def add_referrals(world: World) -> None:
    """The service operator works for the catalogue's organisation; the own flag is referred to
    its service ("own") and to another organisation's service ("foreign")."""
    import uuid

    from orientamento.outreach.referrals.models import Referral
    from orientamento.support.models import AccessMode, SupportOrganisation, SupportService

    operator = world.users["service_operator"]
    operator.support_organisation_id = world.support["organisation_id"]
    other = SupportOrganisation(uid=str(uuid.uuid4()), name="Altro servizio", kind="cpia")
    foreign_service = SupportService(uid=str(uuid.uuid4()), organisation=other,
                                     name="Corsi di italiano", access=AccessMode.BOOKING)
    db.session.add(foreign_service)
    db.session.flush()
    today = clock.today()
    for key, service_id in (("own", world.support["service_id"]),
                            ("foreign", foreign_service.id)):
        referral = Referral(flag_id=world.flags["own"], service_id=service_id,
                            consent_on=today, answer_due_on=today, note="Note")
        db.session.add(referral)
        db.session.flush()
        world.referrals[key] = referral.id
    db.session.commit()


def add_support(world: World) -> None:
    """A support organisation with a location and a service offered there (no owner: every
    admin may edit them, the public page shows them)."""
    from tests.support.factories import small_catalogue, stored_ids, write

    write(small_catalogue())
    world.support = stored_ids()


def add_risk(world: World) -> None:
    """A model version and two flags: one in the outreach user's municipio, one elsewhere."""
    from tests.risk.factories import make_flag, make_person, make_score, make_version

    outreach = world.users["outreach"]
    covered = {m.municipio for m in outreach.municipi}
    version = make_version()
    world.version_id = version.id
    for key, municipio in (("own", min(covered)), ("foreign", max(set(range(1, 10)) - covered))):
        person = make_person(municipio)
        world.flags[key] = make_flag(person, make_score(person, version)).id


def add_events(world: World, make_user: Callable[..., User]) -> None:
    """Events of the own and a foreign provider, registrations, a window, visits, a holiday."""
    from datetime import time, timedelta

    from orientamento.events import registrations, services
    from orientamento.visits.models import SchoolHoliday
    from orientamento.visits.services import availability, visit_requests
    from tests.events.factories import school_day

    assert world.own_class and world.foreign_class
    counsellor = world.users["counsellor"]
    own_staff = world.users["provider"]
    foreign_staff = make_user(Role.PROVIDER, provider_id=db.session.scalar(
        select(Provider.id).where(Provider.code == "FOREIGN-PRV")))
    start = clock.now() + timedelta(days=20)
    for key, actor in (("own", own_staff), ("foreign", foreign_staff)):
        event = services.create_event(actor, services.EventData(
            kind="open_day", title=f"Open day {key}", description="", starts_at=start,
            ends_at=start + timedelta(hours=2), capacity=10, address="Via Roma 1",
            place_code="015146"))
        world.events[key] = event.id
    own_event = db.session.get(services.Event, world.events["own"])
    assert own_event is not None
    world.registrations["student"] = registrations.register(world.users["student"], own_event).id
    world.registrations["counsellor"] = registrations.register(
        counsellor, own_event, school_class=world.own_class, seats=3).id
    world.registrations["foreign"] = registrations.register(world.foreign_pupil, own_event).id
    day = school_day(clock.today() + timedelta(days=29))
    windows = {}
    for key, staff in (("own", own_staff), ("foreign", foreign_staff)):
        assert staff.provider is not None
        published = availability.publish_windows(staff.provider, availability.WindowPlan(
            first_day=day, last_day=day, weekdays=(2,), start=time(9), end=time(12),
            mode="both", max_visits=2, ambassador_ids=[staff.id]), clock.today())
        windows[key] = published.windows[0]
    world.window_id = windows["own"].id
    foreign_counsellor = db.session.scalar(select(User).where(
        User.school_id == world.foreign_class.school_id, User.role == Role.COUNSELLOR))
    assert foreign_counsellor is not None
    for key, who, window, school_class in (
            ("own", counsellor, windows["own"], world.own_class),
            ("foreign", foreign_counsellor, windows["foreign"], world.foreign_class)):
        visit = visit_requests.request_visit(
            who, window, {school_class.id: 20}, "in_person", window.starts_at,
            window.starts_at + timedelta(hours=2), "Hello")
        world.visits[key] = visit.id
    holiday = SchoolHoliday(name="Carnevale", first_day=day + timedelta(days=60),
                            last_day=day + timedelta(days=61))
    db.session.add(holiday)
    db.session.commit()
    world.holiday_id = holiday.id


def add_courses(world: World) -> None:
    """An active course of the provider user's organisation and one of another provider.

    Both stay open for enrolment at any instant: the deadline is months from today in Milan.
    """
    from datetime import timedelta

    deadline = clock.today() + timedelta(days=182)
    dates = {"application_deadline": deadline.isoformat(),
             "start_date": (deadline + timedelta(days=14)).isoformat()}
    load_reference_data()
    own_provider = db.session.get(Provider, world.provider_id)
    foreign_provider = Provider(code="FOREIGN-PRV", name="Altro ente", kind="training_centre")
    db.session.add(foreign_provider)
    for key, provider in (("own", own_provider), ("foreign", foreign_provider)):
        assert provider is not None
        record, errors = parse_row(COURSE_CELLS | dates | {"provider_code": provider.code,
                                                           "course_code": f"{key.upper()}-1"})
        assert record is not None, errors
        world.courses[key] = create_course(provider, record).id
    world.occupation_id = db.session.scalars(select(Occupation.id)).first() or 0
    db.session.commit()


def submitted_response(student: User) -> Response:
    """A submitted interests response of ``student``."""
    response = Response(student_id=student.id, questionnaire_id="interests", version=1,
                        status="submitted", answers={}, scores={}, submitted_at=clock.now())
    db.session.add(response)
    db.session.commit()
    return response


def app_rules(app: Flask) -> Iterator[Rule]:
    """Every rule of the app except static files."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            yield rule


def access_rule(app: Flask, endpoint: str) -> tuple[str, frozenset[str]]:
    """The access rule recorded on a view by the core.access decorators."""
    return getattr(app.view_functions[endpoint], ACCESS_ATTRIBUTE)  # type: ignore[no-any-return]


def act_as(client: FlaskClient, user: User | None) -> None:
    """Put ``user`` in the client's session directly (no login request, no CSRF)."""
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.session_token
            session["_fresh"] = True


def build_url(app: Flask, endpoint: str, **values: Any) -> str:
    """Build a path for an endpoint outside a request."""
    return app.url_map.bind("localhost").build(endpoint, values)
