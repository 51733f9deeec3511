"""Risk governance services: activation, rollback, the one-active rule, subject report."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import AuditAction, AuditEntry, Role, User
from orientamento.core import clock
from orientamento.core.errors import Conflict, NotFound
from orientamento.database import begin_immediate
from orientamento.extensions import db
from orientamento.outreach.models import Contact, Decision, Flag, Outcome
from orientamento.risk import governance, queries
from orientamento.risk import queries as queries_module
from orientamento.risk.models import ContactDetails, ModelVersion, RiskPerson
from orientamento.risk.pseudonyms import pseudonymize
from tests.risk.factories import make_flag, make_person, make_score, make_version

# --- builders shared with test_admin_views --------------------------------------------------


def add_decision(flag: Flag, kind: str = "contact", agrees: bool = True,
                 reason: str = "priority_confirmed", text: str = "") -> Decision:
    """A decision on a flag, committed."""
    decision = Decision(flag_id=flag.id, kind=kind, reason_code=reason, reason_text=text,
                        agrees_with_model=agrees)
    db.session.add(decision)
    db.session.commit()
    return decision


def add_contact(decision: Decision, outcome: str = "reached", consent: str | None = "given",
                note: str = "") -> Contact:
    """A contact allowed by a "contact" decision, committed."""
    contact = Contact(decision_id=decision.id, channel="phone", contacted_on=date(2025, 10, 6),
                      outcome=outcome, consent=consent, note=note)
    db.session.add(contact)
    db.session.commit()
    return contact


def add_outcome(flag: Flag, months: int, situation: str, note: str = "") -> Outcome:
    """An outcome of a flag, committed."""
    outcome = Outcome(flag_id=flag.id, months=months, situation=situation, note=note)
    db.session.add(outcome)
    db.session.commit()
    return outcome


def rule_flag(person: RiskPerson, version: ModelVersion | None) -> Flag:
    """A contract-ended flag raised while ``version`` was active, committed."""
    flag = make_flag(person, trigger="contract_ended")
    flag.version_id = version.id if version else None
    db.session.commit()
    return flag


def model_flag(version: ModelVersion, probability: float, municipio: int = 1,
               gender: str = "F", citizenship_group: str = "italian") -> Flag:
    """A new person scored by ``version`` and flagged by the model, committed."""
    person = make_person(municipio, gender=gender, citizenship_group=citizenship_group)
    return make_flag(person, make_score(person, version, probability))


def audit_entries(action: AuditAction | None = None) -> list[AuditEntry]:
    """Audit entries, oldest first, optionally of one action."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action.value)
    return list(db.session.scalars(query))


def statuses() -> dict[int, str]:
    """Every version's status by id, read from the database."""
    db.session.expire_all()
    rows = db.session.execute(select(ModelVersion.id, ModelVersion.status))
    return {version_id: status for version_id, status in rows}


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMIN)


# --- activation and rollback ---------------------------------------------------------------


def test_activation_retires_the_active_version_of_the_same_spec_only(admin: User) -> None:
    old = make_version(status="active")
    other = make_version()
    other.spec_name, other.status, other.activated_at = "dropout", "active", clock.now()
    db.session.commit()
    new = make_version()
    previous = governance.activate_version(admin, new)
    db.session.commit()
    assert previous is not None and previous.id == old.id
    assert statuses() == {old.id: "retired", other.id: "active", new.id: "active"}
    assert new.activated_by_id == admin.id
    assert new.activated_at is not None and (clock.now() - new.activated_at).total_seconds() < 60
    [entry] = audit_entries()
    assert entry.action == AuditAction.RISK_MODEL_ACTIVATED.value
    assert (entry.actor_id, entry.subject_id) == (admin.id, None)
    assert entry.details == {"version_id": new.id, "spec_name": "neet",
                             "previous_version_id": old.id}


def test_a_first_activation_retires_nothing(admin: User) -> None:
    version = make_version()
    assert governance.activate_version(admin, version) is None
    db.session.commit()
    assert statuses() == {version.id: "active"}
    assert audit_entries()[0].details["previous_version_id"] is None


def test_a_retired_version_with_a_lower_id_can_be_activated_again(admin: User) -> None:
    first, second = make_version(), make_version()
    governance.activate_version(admin, first)
    governance.activate_version(admin, second)
    governance.activate_version(admin, first)
    db.session.commit()
    assert statuses() == {first.id: "active", second.id: "retired"}


def test_activation_never_loads_model_files(admin: User, queries: list[str]) -> None:
    ids = (admin.id, make_version(status="active").id, make_version().id)
    db.session.expunge_all()  # as in a request: nothing loaded yet
    actor = db.session.get(User, ids[0])
    version = queries_module.version_or_404(ids[2])
    queries.clear()
    governance.activate_version(actor, version)  # type: ignore[arg-type]
    db.session.commit()
    selected = [q.split("FROM", 1)[0] for q in queries]
    assert any("risk_model_versions.status" in q for q in selected)
    assert not [q for q in selected if "model_file" in q]
    assert statuses() == {ids[1]: "retired", ids[2]: "active"}


def test_activating_the_active_version_is_refused_and_writes_nothing(admin: User) -> None:
    version = make_version(status="active")
    activated_at = version.activated_at
    with pytest.raises(Conflict):
        governance.activate_version(admin, version)
    db.session.rollback()
    assert statuses() == {version.id: "active"}
    assert db.session.get(ModelVersion, version.id).activated_at == activated_at  # type: ignore[union-attr]
    assert audit_entries() == []


def test_the_database_allows_one_active_version_per_spec(app: Flask) -> None:
    make_version(status="active")
    with pytest.raises(IntegrityError):
        make_version(status="active")
    db.session.rollback()
    other = make_version()
    other.spec_name, other.status, other.activated_at = "dropout", "active", clock.now()
    db.session.commit()
    assert sorted(statuses().values()) == ["active", "active"]


def test_rollback_brings_back_the_version_active_before(admin: User) -> None:
    first, second, draft = make_version(), make_version(), make_version()
    governance.activate_version(admin, first)
    governance.activate_version(admin, second)
    db.session.commit()
    assert queries.rollback_target(second) == first
    assert governance.roll_back(admin, second) == first
    db.session.commit()
    assert statuses() == {first.id: "active", second.id: "retired", draft.id: "draft"}
    assert first.activated_by_id == admin.id
    entry = audit_entries(AuditAction.RISK_MODEL_ROLLED_BACK)[0]
    assert (entry.actor_id, entry.subject_id) == (admin.id, None)
    assert entry.details == {"version_id": first.id, "spec_name": "neet",
                             "previous_version_id": second.id}
    # The version rolled back from is now the "previous" one: a second rollback undoes it.
    assert governance.roll_back(admin, first) == second
    db.session.commit()
    assert statuses() == {first.id: "retired", second.id: "active", draft.id: "draft"}


def test_rollback_skips_versions_that_were_never_active(admin: User) -> None:
    first = make_version()
    governance.activate_version(admin, first)
    make_version()  # a newer draft, never active
    second = make_version()
    governance.activate_version(admin, second)
    db.session.commit()
    assert governance.roll_back(admin, second) == first


def test_rollback_with_nothing_to_go_back_to_is_refused_and_writes_nothing(admin: User) -> None:
    only = make_version()
    governance.activate_version(admin, only)
    draft = make_version()
    db.session.commit()
    before = len(audit_entries())
    with pytest.raises(Conflict, match="no earlier active version"):
        governance.roll_back(admin, only)
    with pytest.raises(Conflict, match="Only the active version"):
        governance.roll_back(admin, draft)
    db.session.rollback()
    assert statuses() == {only.id: "active", draft.id: "draft"}
    assert len(audit_entries()) == before


def test_simultaneous_activations_leave_exactly_one_active_version(
    threaded_app: Flask,
) -> None:
    with threaded_app.app_context():
        admin = User(role=Role.ADMIN.value, display_name="A", email="a@example.org")
        db.session.add(admin)
        db.session.commit()
        admin_id = admin.id
        ids = [make_version().id for _ in range(8)]
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def activate(version_id: int) -> None:
        with threaded_app.app_context():
            try:
                barrier.wait()
                begin_immediate(db.session())  # what every POST request does first
                governance.activate_version(db.session.get(User, admin_id),  # type: ignore[arg-type]
                                            db.session.get(ModelVersion, version_id))  # type: ignore[arg-type]
                db.session.commit()
            except BaseException as error:  # reported by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=activate, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with threaded_app.app_context():
        assert errors == []
        assert sorted(statuses().values()) == ["active"] + ["retired"] * (len(ids) - 1)
        details = [e.details for e in audit_entries(AuditAction.RISK_MODEL_ACTIVATED)]
        # Served one after the other: each activation retired the one before it.
        assert [d["previous_version_id"] for d in details[1:]] == \
            [d["version_id"] for d in details[:-1]]
        assert details[0]["previous_version_id"] is None
        assert statuses()[details[-1]["version_id"]] == "active"


# --- data-subject report ---------------------------------------------------------------------


@pytest.fixture
def subject(admin: User) -> dict[str, Any]:
    """A person known by source id SYN202400000012, with everything the tables can hold."""
    version = make_version(status="active")
    person = make_person(4, gender="M", citizenship_group="non_eu")
    person.pseudonym = pseudonymize("SYN202400000012")
    person.opted_out_at = datetime(2025, 11, 3, 9, 30, tzinfo=clock.now().tzinfo)
    person.contact = ContactDetails(phone="+39 02 0000 0000", email="persona@example.org",
                                    address="Via Demo 12, Milano")
    db.session.commit()
    score = make_score(person, version, 0.42)
    flag = make_flag(person, score)
    decision = add_decision(flag, "contact", agrees=False, reason="disagree_model",
                            text="Already met at the youth centre")
    add_contact(decision, consent="refused", note="Prefers not to be called again")
    add_outcome(flag, 3, "training", note="Enrolled in an IeFP course")
    make_person(4)  # someone else, never in the report
    return {"version": version, "person": person, "flag": flag}


def test_subject_report_holds_everything_about_the_person(
    admin: User, subject: dict[str, Any]
) -> None:
    report = governance.report_on_subject(admin, "  syn202400000012 ", "en")
    db.session.commit()
    person = subject["person"]
    assert report["person"]["pseudonym"] == person.pseudonym
    assert report["person"]["municipio"] == 4
    assert report["person"]["opted_out_at"].date() == date(2025, 11, 3)
    [record] = report["records"]
    assert record["values"]["early_leaver"] is True
    assert record["values"]["months_since_enrolment"] == 14
    assert record["as_of"] == date(2025, 9, 30)
    [score] = report["scores"]
    assert (score["probability"], score["band"]) == (0.42, "high")
    assert [r["text"] for r in score["reasons"]] == [
        "Left school before a qualification", "Not enrolled in school or a course",
        "No repeated school years"]
    assert score["reasons"][1]["suggestion"] == "Present the courses on offer and the orientation days"
    assert score["model_version"] == {"id": subject["version"].id, "spec_name": "neet",
                                      "algorithm": "logistic_regression", "status": "active",
                                      "status_label": "Active"}
    [flag] = report["flags"]
    assert (flag["trigger"], flag["status"], flag["municipio"]) == ("model", "open", 4)
    assert flag["records_of"] == date(2025, 9, 30)
    [decision] = flag["decisions"]
    assert (decision["kind"], decision["reason"], decision["agrees_with_model"]) == \
        ("contact", "disagree_model", False)
    assert decision["reason_text"] == "Already met at the youth centre"
    [contact] = decision["contacts"]
    assert (contact["channel"], contact["outcome"], contact["consent"]) == \
        ("phone", "reached", "refused")
    assert contact["note"] == "Prefers not to be called again"
    assert flag["outcomes"][0]["situation"] == "training"
    assert flag["outcomes"][0]["note"] == "Enrolled in an IeFP course"
    assert report["contact_details"]["email"] == "persona@example.org"
    assert report["protected_attributes"] == {"gender": "M", "citizenship_group": "non_eu",
                                              "disability": False}
    [entry] = audit_entries()
    assert entry.action == AuditAction.RISK_SUBJECT_REPORT.value
    assert (entry.actor_id, entry.subject_id, entry.details) == \
        (admin.id, None, {"person_id": person.id})


def test_subject_report_reasons_follow_the_language(admin: User, subject: dict[str, Any]) -> None:
    report = governance.report_on_subject(admin, "SYN202400000012", "it")
    assert report["scores"][0]["reasons"][0]["text"] == "Ha lasciato la scuola prima del titolo"


def test_subject_report_for_an_unknown_id_is_not_found_and_not_logged(
    admin: User, subject: dict[str, Any]
) -> None:
    with pytest.raises(NotFound):
        governance.report_on_subject(admin, "SYN202400000013", "en")
    assert audit_entries() == []


def test_subject_report_covers_every_table_about_a_person(app: Flask) -> None:
    # A new table pointing at risk_people must be added to the report (and to this list).
    covered = {"risk_records", "risk_scores", "risk_protected_attributes",
               "risk_contact_details", "outreach_flags"}
    referencing = {table.name for table in db.metadata.sorted_tables
                   for key in table.foreign_keys if key.column.table.name == "risk_people"}
    assert referencing == covered
    below_flags = {table.name for table in db.metadata.sorted_tables
                   for key in table.foreign_keys
                   if key.column.table.name in ("outreach_flags", "outreach_decisions")}
    # Referrals are in each flag's entry ("referrals"; tests/outreach/test_referrals.py).
    assert below_flags == {"outreach_decisions", "outreach_contacts", "outreach_outcomes",
                           "outreach_referrals", "outreach_call_attempts"}
