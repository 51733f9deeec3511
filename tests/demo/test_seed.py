"""``flask demo seed`` creates one account per role and is idempotent."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from orientamento.assessments.models import PsychometricRun, Response
from orientamento.auth.models import Role, User
from orientamento.auth.passwords import verify_password
from orientamento.classes.models import ClassMembership, SchoolClass
from orientamento.core import clock
from orientamento.courses.models import Course, CourseSite
from orientamento.demo.catalogue import DEMO_CATALOGUE_PROVIDERS
from orientamento.events.models import Event
from orientamento.extensions import db
from orientamento.orgs.models import Provider, School
from orientamento.visits.days import closed_days
from orientamento.visits.models import SchoolHoliday, VisitWindow

EMAILS = {
    "admin@demo.example.org": Role.ADMIN,
    "counsellor@demo.example.org": Role.COUNSELLOR,
    "provider@demo.example.org": Role.PROVIDER,
    "outreach@demo.example.org": Role.OUTREACH,
    "student@demo.example.org": Role.STUDENT,
    "ambassador@demo.example.org": Role.AMBASSADOR,
    "operator@demo.example.org": Role.SERVICE_OPERATOR,
}


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (User, School, Provider, SchoolClass, ClassMembership)
    )


def test_seed_creates_every_role_and_is_idempotent(app: Flask, runner: FlaskCliRunner) -> None:
    app.config["DEMO_PASSWORD"] = "Una-password-demo-99"
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    for email in EMAILS:
        assert email in result.output
    first = _counts()
    # 240 simulated students who cannot log in; the demo provider plus the catalogue's.
    assert first == (10 + 240, 1, 1 + len(DEMO_CATALOGUE_PROVIDERS), 1, 3)
    courses = db.session.scalar(select(func.count()).select_from(Course))
    assert courses is not None and courses >= 150
    assert db.session.scalar(select(func.count()).select_from(Course)
                             .where(Course.is_demo.is_(False))) == 0
    in_municipalities = db.session.scalar(select(func.count(CourseSite.place_code.distinct())))
    assert in_municipalities is not None and in_municipalities >= 20
    responses = db.session.scalar(select(func.count()).select_from(Response))
    events = db.session.scalar(select(func.count()).select_from(Event))
    assert events is not None and events >= 6
    assert responses == 240 * 4
    assert db.session.scalar(select(func.count()).select_from(PsychometricRun)) == 1
    simulated = db.session.scalar(select(User).where(User.username == "demo.sim001"))
    assert simulated is not None and simulated.password_hash is None and simulated.is_demo
    for email, role in EMAILS.items():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None and user.role == role and user.is_demo
        assert verify_password(user.password_hash, "Una-password-demo-99")
    counsellor = db.session.scalar(select(User).where(User.role == "counsellor"))
    assert counsellor is not None and counsellor.school is not None and counsellor.school.is_demo
    outreach = db.session.scalar(select(User).where(User.role == "outreach"))
    assert outreach is not None and outreach.municipi
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0 and "0 rows created" in again.output
    assert _counts() == first
    assert db.session.scalar(select(func.count()).select_from(Course)) == courses
    assert db.session.scalar(select(func.count()).select_from(Response)) == responses
    assert db.session.scalar(select(func.count()).select_from(Event)) == events


# The one seed test run again at every instant of make test-calendar: its windows, holidays and
# visits are placed from today. Each seed takes seconds, so the others run once.
@pytest.mark.calendar
def test_seed_plans_demo_events_and_visit_availability(app: Flask, runner: FlaskCliRunner
                                                       ) -> None:
    """Open events to join, windows for schools to book, a past visit with hours and a visit
    to come that the demo ambassador runs."""
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    kinds = dict(db.session.execute(select(Event.kind, func.count()).group_by(Event.kind)).all())
    assert kinds.get("school_visit") == 2 and sum(kinds.values()) >= 6
    assert all(event.is_demo for event in db.session.scalars(select(Event)))
    windows = db.session.scalars(select(VisitWindow)).all()
    assert windows and all(w.starts_at > clock.now() and w.ambassadors for w in windows)
    # The demo's school calendar is loaded first: no window falls in it.
    days = [clock.rome_local(w.starts_at).date() for w in windows]
    assert not set(days) & set(closed_days(min(days), max(days)))
    assert db.session.scalar(select(func.count()).select_from(SchoolHoliday))
    visits = db.session.scalars(select(Event).where(Event.kind == "school_visit")
                                .order_by(Event.starts_at)).all()
    past, coming = visits
    assert past.ends_at < clock.now() < coming.starts_at
    assert [row.attended for row in past.classes] == [21]
    assert [row.attended for row in coming.classes] == [None]
    assert [staff.user.email for staff in coming.staff] == ["ambassador@demo.example.org"]


def test_demo_data_is_marked_where_it_shows(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["demo", "seed"])
    client = app.test_client()
    client.post("/account/login", data={"login": "counsellor@demo.example.org",
                                        "password": app.config["DEMO_PASSWORD"]})
    page = client.get("/classes/").get_data(as_text=True)
    assert "demo-badge" in page
    assert 'role="note"' in page  # the demo-account banner
