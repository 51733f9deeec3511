"""Data export contains every linked row; erasure leaves none.

Both tests walk the model metadata. A new table with a foreign key to
``users`` fails ``test_every_user_link_has_a_row_maker`` until a row maker
is added below, so the export and erasure tests then cover it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import String, Text, func, select

from orientamento.assessments.models import Assignment, Response
from orientamento.auth import audit
from orientamento.auth.models import (
    AuditAction,
    AuditEntry,
    Role,
    TokenPurpose,
    User,
    UserMunicipio,
)
from orientamento.auth.privacy import user_foreign_keys
from orientamento.auth.tokens import issue_token
from orientamento.classes.models import ClassMembership, SchoolClass
from orientamento.core import clock
from orientamento.courses.models import SavedCourse
from orientamento.courses.records import parse_row
from orientamento.courses.services import create_course, load_reference_data
from orientamento.events.models import CalendarFeed, Event, EventStaff, Registration
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from orientamento.outbox.services import queue_email
from orientamento.outreach.models import Contact, Decision, Outcome
from orientamento.visits.models import VisitRequest, VisitWindow
from tests.conftest import COURSE_CELLS, PASSWORD, log_in

RowMaker = Callable[[User, dict[str, Any]], None]


def _municipio(user: User, _: dict[str, Any]) -> None:
    db.session.add(UserMunicipio(user_id=user.id, municipio=4))


def _token(user: User, _: dict[str, Any]) -> None:
    issue_token(user, TokenPurpose.PASSWORD_RESET, timedelta(hours=1))


def _audit_actor(user: User, _: dict[str, Any]) -> None:
    audit.record(AuditAction.LOGIN, actor=user)


def _audit_subject(user: User, world: dict[str, Any]) -> None:
    audit.record(AuditAction.ROLE_CHANGED, actor=world["admin"], subject=user)


def _membership(user: User, world: dict[str, Any]) -> None:
    db.session.add(ClassMembership(class_id=world["class"].id, student_id=user.id))


def _outbox(user: User, _: dict[str, Any]) -> None:
    queue_email(user, "reset_password", link="https://orientamento.test/x", hours=2)


def _consent_recorder(user: User, world: dict[str, Any]) -> None:
    world["other_pupil"].parental_consent_by_id = user.id
    world["other_pupil"].parental_consent_at = clock.now()


def _class_creator(user: User, world: dict[str, Any]) -> None:
    world["class"].created_by_id = user.id


def _response(user: User, _: dict[str, Any]) -> None:
    db.session.add(Response(student_id=user.id, questionnaire_id="interests", version=1,
                            answers={"R01": 4}))


def _interest_placement(user: User, _: dict[str, Any]) -> None:
    from orientamento.observatory.models import InterestPlacement

    result = Response(student_id=user.id, questionnaire_id="interests", version=1,
                      status="submitted", answers={}, submitted_at=clock.now(),
                      scores={k: {"percent": 50.0} for k in "RIASEC"})
    db.session.add(result)
    db.session.flush()
    db.session.add(InterestPlacement(student_id=user.id, response_id=result.id,
                                     submitted_at=result.submitted_at, area="ict_data",
                                     quarter="2026Q4", crosswalk="0" * 16))


def _assigner(user: User, world: dict[str, Any]) -> None:
    db.session.add(Assignment(class_id=world["class"].id, questionnaire_id="interests",
                              assigned_by_id=user.id))


def _saved_course(user: User, world: dict[str, Any]) -> None:
    provider = Provider(code="PRIV-PRV", name="Ente", kind="training_centre")
    db.session.add(provider)
    record, errors = parse_row(COURSE_CELLS | {"provider_code": "PRIV-PRV", "course_code": "P-1"})
    assert record is not None, errors
    load_reference_data()
    db.session.add(SavedCourse(user_id=user.id, course_id=create_course(provider, record).id))


def _event(world: dict[str, Any]) -> Event:
    """One open day and one peer visit shared by the event row makers."""
    if "event" not in world:
        provider = Provider(code="PRIV-EV", name="Ente eventi", kind="its_foundation")
        db.session.add(provider)
        db.session.flush()
        start = clock.now() + timedelta(days=5)
        world["event"] = Event(kind="open_day", title="Open day", provider_id=provider.id,
                               starts_at=start, ends_at=start + timedelta(hours=2), capacity=5)
        world["window"] = VisitWindow(provider_id=provider.id, starts_at=start,
                                      ends_at=start + timedelta(hours=3), mode="both")
        world["visit"] = VisitRequest(provider_id=provider.id, school_id=world["class"].school_id,
                                      starts_at=start, ends_at=start + timedelta(hours=1),
                                      mode="online", pupils=10)
        db.session.add_all([world["event"], world["window"], world["visit"]])
        db.session.flush()
    event: Event = world["event"]
    return event


def _registration(user: User, world: dict[str, Any]) -> None:
    db.session.add(Registration(event_id=_event(world).id, user_id=user.id, status="confirmed"))


def _event_creator(user: User, world: dict[str, Any]) -> None:
    _event(world).created_by_id = user.id


def _event_staff(user: User, world: dict[str, Any]) -> None:
    _event(world).staff.append(EventStaff(user_id=user.id))


def _window_ambassador(user: User, world: dict[str, Any]) -> None:
    _event(world)
    world["window"].ambassadors.append(user)


def _visit_requester(user: User, world: dict[str, Any]) -> None:
    _event(world)
    world["visit"].requested_by_id = user.id


def _proposed_ambassador(user: User, world: dict[str, Any]) -> None:
    _event(world)
    world["visit"].proposed_ambassadors.append(user)


def _calendar_feed(user: User, _: dict[str, Any]) -> None:
    db.session.add(CalendarFeed(user_id=user.id))


def _flag(world: dict[str, Any]) -> Any:
    """One scored person with a flag and a contact decision, shared by the outreach makers."""
    from tests.risk.factories import make_flag, make_person, make_score, make_version

    if "flag" not in world:
        world["version"] = make_version()
        person = make_person()
        world["flag"] = make_flag(person, make_score(person, world["version"]))
        world["decision"] = Decision(flag_id=world["flag"].id, kind="contact",
                                     reason_code="priority_confirmed", agrees_with_model=True)
        db.session.add(world["decision"])
        db.session.flush()
    return world["flag"]


def _decider(user: User, world: dict[str, Any]) -> None:
    _flag(world)
    world["decision"].decided_by_id = user.id


def _contact_recorder(user: User, world: dict[str, Any]) -> None:
    _flag(world)
    db.session.add(Contact(decision_id=world["decision"].id, channel="phone",
                           contacted_on=date(2026, 11, 20), outcome="not_reached",
                           recorded_by_id=user.id))


def _call_recorder(user: User, world: dict[str, Any]) -> None:
    from orientamento.outreach.calls.models import CallAttempt

    _flag(world)
    contact = Contact(decision_id=world["decision"].id, channel="phone",
                      contacted_on=date(2026, 11, 21), outcome="not_reached")
    db.session.add(contact)
    db.session.flush()
    db.session.add(CallAttempt(flag_id=world["flag"].id, contact_id=contact.id, number=1,
                               outcome="no_answer", next_attempt_at=clock.now(),
                               recorded_by_id=user.id))


def _outcome_recorder(user: User, world: dict[str, Any]) -> None:
    db.session.add(Outcome(flag_id=_flag(world).id, months=3, situation="unknown",
                           recorded_by_id=user.id))


def _referral(world: dict[str, Any]) -> Any:
    """One referral of the outreach world's flag to a support service."""
    import uuid

    from orientamento.outreach.referrals.models import Referral
    from orientamento.support.models import SupportOrganisation, SupportService

    if "referral" not in world:
        service = SupportService(uid=str(uuid.uuid4()), name="Servizio", access="booking",
                                 organisation=SupportOrganisation(uid=str(uuid.uuid4()),
                                                                  name="Ente", kind="cpia"))
        world["referral"] = Referral(flag_id=_flag(world).id, service=service,
                                     consent_on=date(2026, 11, 20),
                                     answer_due_on=date(2026, 11, 27))
        db.session.add(world["referral"])
        db.session.flush()
    return world["referral"]


def _referrer(user: User, world: dict[str, Any]) -> None:
    _referral(world).referred_by_id = user.id


def _referral_answerer(user: User, world: dict[str, Any]) -> None:
    referral = _referral(world)
    referral.status, referral.answered_at, referral.answered_by_id = "accepted", clock.now(), user.id


def _flag_assignee(user: User, world: dict[str, Any]) -> None:
    _flag(world).assigned_to_id = user.id


def _version_creator(user: User, world: dict[str, Any]) -> None:
    _flag(world)
    world["version"].created_by_id = user.id


def _version_activator(user: User, world: dict[str, Any]) -> None:
    _flag(world)
    world["version"].activated_by_id = user.id


def _snapshot_importer(user: User, world: dict[str, Any]) -> None:
    _flag(world)
    world["flag"].person.records[0].snapshot.imported_by_id = user.id


ROW_MAKERS: dict[str, RowMaker] = {
    "outreach_decisions.decided_by_id": _decider,
    "outreach_contacts.recorded_by_id": _contact_recorder,
    "outreach_call_attempts.recorded_by_id": _call_recorder,
    "outreach_outcomes.recorded_by_id": _outcome_recorder,
    "outreach_referrals.referred_by_id": _referrer,
    "outreach_referrals.answered_by_id": _referral_answerer,
    "outreach_flags.assigned_to_id": _flag_assignee,
    "risk_model_versions.created_by_id": _version_creator,
    "risk_model_versions.activated_by_id": _version_activator,
    "risk_snapshots.imported_by_id": _snapshot_importer,
    "registrations.user_id": _registration,
    "events.created_by_id": _event_creator,
    "event_staff.user_id": _event_staff,
    "visit_window_ambassadors.user_id": _window_ambassador,
    "visit_requests.requested_by_id": _visit_requester,
    "visit_request_ambassadors.user_id": _proposed_ambassador,
    "calendar_feeds.user_id": _calendar_feed,
    "saved_courses.user_id": _saved_course,
    "assessment_responses.student_id": _response,
    "observatory_interest_placements.student_id": _interest_placement,
    "assessment_assignments.assigned_by_id": _assigner,
    "user_municipi.user_id": _municipio,
    "user_tokens.user_id": _token,
    "audit_log.actor_id": _audit_actor,
    "audit_log.subject_id": _audit_subject,
    "class_memberships.student_id": _membership,
    "outbox_messages.user_id": _outbox,
    "users.parental_consent_by_id": _consent_recorder,
    "school_classes.created_by_id": _class_creator,
}


def test_every_user_link_has_a_row_maker(app: Flask) -> None:
    links = {f"{table.name}.{column.name}" for table, column in user_foreign_keys()}
    assert links == set(ROW_MAKERS), "add a row maker for each new link to users"


@pytest.fixture
def subject(
    app: Flask, make_user: Callable[..., User], make_class: Callable[..., SchoolClass]
) -> tuple[User, dict[str, Any]]:
    """A user with a row in every table that links to users."""
    world: dict[str, Any] = {
        "admin": make_user(Role.ADMIN),
        "class": make_class(),
        "other_pupil": make_user(Role.STUDENT),
    }
    user = make_user(Role.STUDENT, email="erase.me@example.org", display_name="Zelda Unica",
                     locale="it")
    for maker in ROW_MAKERS.values():
        maker(user, world)
    db.session.commit()
    return user, world


def test_the_export_contains_every_linked_row(
    client: FlaskClient, subject: tuple[User, dict[str, Any]]
) -> None:
    user, _ = subject
    log_in(client, user)
    response = client.post("/account/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    tables = data["tables"]
    assert [row["email"] for row in tables["users"]] == ["erase.me@example.org"]
    for table, column in user_foreign_keys():
        rows = [row for row in tables.get(table.name, []) if row[column.name] == user.id]
        if column.info.get("export", True):
            assert rows, f"{table.name}.{column.name} missing from the export"
        else:
            assert not rows, f"{table.name}.{column.name} is someone else's record"
    text = response.get_data(as_text=True)
    assert "$argon2" not in text
    assert user.session_token not in text
    assert "token_hash" not in text
    exported = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "data_exported")
    )
    assert exported is not None and exported.subject_id == user.id


def _rows_mentioning(value: str) -> list[str]:
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            # As the database sees it: a variant (the PostgreSQL tsvector) is not text there.
            if isinstance(column.type.dialect_impl(db.engine.dialect), String | Text):
                count = db.session.scalar(
                    select(func.count()).select_from(table).where(column.contains(value))
                )
                if count:
                    found.append(f"{table.name}.{column.name}")
    return found


def test_erasure_leaves_no_linked_or_identifying_row(
    client: FlaskClient, subject: tuple[User, dict[str, Any]]
) -> None:
    user, world = subject
    user_id, ref = user.id, audit.pseudonym(user.id)
    log_in(client, user)
    page = client.get("/account/delete")
    assert page.status_code == 200
    # Without the confirmation box nothing happens.
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 400
    assert db.session.get(User, user_id) is not None
    response = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user_id) is None
    for table, column in user_foreign_keys():
        count = db.session.scalar(
            select(func.count()).select_from(table).where(column == user_id)
        )
        assert count == 0, f"{table.name}.{column.name} still points at the erased user"
    assert _rows_mentioning("erase.me@example.org") == []
    assert _rows_mentioning("Zelda Unica") == []
    # The audit log keeps a pseudonymous trace, and other people's rows survive.
    deleted = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account_deleted"))
    assert deleted is not None and deleted.subject_id is None and deleted.subject_ref == ref
    assert db.session.get(User, world["other_pupil"].id) is not None
    assert db.session.get(SchoolClass, world["class"].id) is not None
    # The session is gone.
    assert client.get("/account/").status_code == 302


def test_erasure_needs_the_password(
    client: FlaskClient, subject: tuple[User, dict[str, Any]]
) -> None:
    user, _ = subject
    log_in(client, user)
    response = client.post("/account/delete", data={"password": "wrong", "confirm": "y"})
    assert response.status_code == 400
    assert db.session.get(User, user.id) is not None


def test_the_last_administrator_cannot_delete_their_account(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    admin = make_user(Role.ADMIN)
    log_in(client, admin)
    response = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 409
    assert db.session.get(User, admin.id) is not None
