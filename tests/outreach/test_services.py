"""Outreach use cases: the queue, decisions, contacts, opt-out, outcomes, and the database's
guarantee that no contact exists without a decision to contact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import AuditAction, AuditEntry, Role, User
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.extensions import db
from orientamento.outreach import queries, services
from orientamento.outreach.models import (
    Contact,
    Decision,
    DecisionKind,
    Flag,
    FlagStatus,
    Outcome,
    Trigger,
)
from orientamento.outreach.services import ContactData
from orientamento.risk.models import Band, ModelVersion
from tests.outreach.conftest import MakeFlag
from tests.risk.factories import make_flag

pytestmark = pytest.mark.calendar


def _audit(action: AuditAction) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action.value)
                                   .order_by(AuditEntry.id)))


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _contact(day: date | None = None, **fields: object) -> ContactData:
    values: dict[str, object] = {"channel": "phone", "contacted_on": day or clock.today(),
                                 "outcome": "reached", "consent": None, "note": ""}
    return ContactData(**(values | fields))  # type: ignore[arg-type]


def _decide(worker: User, flag: Flag, kind: str = "contact", reason: str = "priority_confirmed",
            text: str = "", agrees: bool = True) -> Decision:
    decision = services.decide(worker, flag, kind, reason, text, agrees)
    db.session.commit()
    return decision


# --------------------------------------------------------------------------- the queue


def _queue(worker: User, **filters: object) -> list[queries.QueueRow]:
    """The first page of the worker's queue (pagination reads the request's page number)."""
    with current_app.test_request_context():
        return list(queries.queue(worker, queries.QueueFilter(**filters)).items)  # type: ignore[arg-type]


def _queue_ids(worker: User, **filters: object) -> list[int]:
    return [f.id for f in _queue(worker, **filters)]


def test_queue_lists_open_flags_of_the_workers_municipi_by_priority(
    worker: User, flagged: MakeFlag
) -> None:
    low = flagged(1, probability=0.2)
    high = flagged(2, probability=0.8)
    rule = flagged(1, trigger="contract_ended")  # priority 1.03: above every model flag
    flagged(3, probability=0.9)  # municipio 3: another team's
    closed = flagged(1, probability=0.7, status="closed", closed_at=clock.now())
    deferred = flagged(2, probability=0.6, status="deferred")

    assert _queue_ids(worker) == [rule.id, high.id, low.id]
    assert _queue_ids(worker, status="deferred") == [deferred.id]
    assert closed.id not in {f.id for f in _queue(worker)}


def test_the_order_index_keeps_the_queue_order_ties_oldest_first(
        worker: User, many_contract_flags: Callable[[], None]) -> None:
    many_contract_flags()
    shown = _queue(worker)
    expected = sorted(db.session.scalars(select(Flag).where(Flag.municipio.in_([1, 2]))),
                      key=lambda f: (-f.priority, f.raised_at, f.id))[:queries.PAGE_SIZE]
    assert [f.id for f in shown] == [f.id for f in expected]


def test_a_queue_line_shows_the_flags_person_band_latest_decision_and_assignee(
    worker: User, flagged: MakeFlag
) -> None:
    plain = flagged(1, probability=0.3, trigger="contract_ended")
    decided = flagged(1, probability=0.8)
    _decide(worker, decided, kind="defer")
    _decide(worker, decided, kind="contact")  # the latest decision is the one shown
    services.assign(worker, decided, worker.id)
    db.session.commit()
    lines = {line.id: line for line in _queue(worker)}
    first, second = lines[decided.id], lines[plain.id]
    assert decided.score is not None and plain.score is None
    assert (first.trigger, first.band, first.latest_decision, first.assignee) == (
        "model", decided.score.band, "contact", worker.display_name)
    assert first.pseudonym == decided.person.pseudonym and first.self_referral_id is None
    assert (second.trigger, second.band, second.latest_decision, second.assignee) == (
        "contract_ended", None, None, None)
    # Members, whose labels the pages show.
    assert (first.trigger.label, second.trigger.label) == (
        Trigger.MODEL.label, Trigger.CONTRACT_ENDED.label)
    assert first.status.label == FlagStatus.OPEN.label
    assert first.band is not None and first.band.label == Band(decided.score.band).label
    assert first.latest_decision is not None
    assert first.latest_decision.label == DecisionKind.CONTACT.label


def test_queue_filters_by_trigger_band_and_municipio(worker: User, flagged: MakeFlag) -> None:
    medium = flagged(1, probability=0.2)
    high = flagged(2, probability=0.8)
    rule = flagged(2, trigger="contract_ended")

    assert _queue_ids(worker, trigger="contract_ended") == [rule.id]
    assert _queue_ids(worker, trigger="model") == [high.id, medium.id]
    assert _queue_ids(worker, band="medium") == [medium.id]
    assert _queue_ids(worker, band="high") == [high.id]
    assert _queue_ids(worker, municipio=2) == [rule.id, high.id]
    # A municipio the worker does not cover gives nothing, not that municipio's flags.
    flagged(3)
    assert _queue_ids(worker, municipio=3) == []


def test_queue_never_shows_people_who_opted_out(worker: User, flagged: MakeFlag) -> None:
    kept = flagged(1)
    gone = flagged(1, probability=0.9)
    gone.person.opted_out_at = clock.now()
    db.session.commit()
    assert _queue_ids(worker) == [kept.id]
    # Even a flag raised later for them (by mistake) stays out of every view.
    make_flag(gone.person, trigger="contract_ended")
    assert _queue_ids(worker) == [kept.id]
    assert _queue_ids(worker, trigger="contract_ended") == []


def test_flag_or_404_refuses_other_municipi(worker: User, flagged: MakeFlag) -> None:
    own = flagged(2)
    foreign = flagged(5)
    assert queries.flag_or_404(worker, own.id).id == own.id
    with pytest.raises(NotFound):
        queries.flag_or_404(worker, foreign.id)
    with pytest.raises(NotFound):
        queries.flag_or_404(worker, 999_999)


def test_opening_a_flag_is_audited(worker: User, flagged: MakeFlag) -> None:
    flag = flagged()
    services.record_view(worker, flag)
    db.session.commit()
    [entry] = _audit(AuditAction.RISK_FLAG_VIEWED)
    assert entry.actor_id == worker.id
    assert entry.subject_id is None
    assert entry.details == {"flag_id": flag.id, "person_id": flag.person_id}


def test_opening_another_municipios_flag_is_refused_and_not_audited(
    worker: User, flagged: MakeFlag
) -> None:
    with pytest.raises(NotFound):
        services.record_view(worker, flagged(7))
    assert _audit(AuditAction.RISK_FLAG_VIEWED) == []


# --------------------------------------------------------------------------- decisions


@pytest.mark.parametrize(("kind", "status", "closed"), [
    ("contact", "open", False), ("no_contact", "closed", True), ("defer", "deferred", False)])
def test_a_decision_sets_the_flag_status(
    worker: User, flagged: MakeFlag, kind: str, status: str, closed: bool
) -> None:
    flag = flagged()
    decision = _decide(worker, flag, kind, "more_information" if kind == "defer" else
                       "priority_confirmed")
    db.session.expire_all()
    flag = db.session.get(Flag, flag.id)
    assert flag is not None
    assert flag.status == status
    assert (flag.closed_at is not None) is closed
    assert [d.id for d in flag.decisions] == [decision.id]
    assert decision.decided_by_id == worker.id
    assert decision.agrees_with_model is True
    [entry] = _audit(AuditAction.RISK_DECISION)
    assert entry.actor_id == worker.id
    assert entry.details["flag_id"] == flag.id
    assert entry.details["person_id"] == flag.person_id
    assert entry.details["kind"] == kind
    assert entry.details["decision_id"] == decision.id


def test_disagreement_is_stored_with_its_explanation(worker: User, flagged: MakeFlag) -> None:
    flag = flagged()
    decision = _decide(worker, flag, "no_contact", "disagree_model",
                       "  Already working full time.  ", agrees=False)
    assert decision.agrees_with_model is False
    assert decision.reason_text == "Already working full time."
    assert _audit(AuditAction.RISK_DECISION)[0].details["agrees_with_model"] is False


def test_a_deferred_flag_takes_a_later_decision(worker: User, flagged: MakeFlag) -> None:
    flag = flagged()
    _decide(worker, flag, "defer", "more_information")
    _decide(worker, flag, "contact")
    assert flag.status == "open"
    assert [d.kind for d in flag.decisions] == ["defer", "contact"]


def test_a_closed_flag_takes_no_new_decision(worker: User, flagged: MakeFlag) -> None:
    flag = flagged()
    _decide(worker, flag, "no_contact", "already_supported")
    with pytest.raises(Conflict):
        services.decide(worker, flag, "contact", "priority_confirmed", "", True)
    db.session.rollback()
    assert _count(Decision) == 1
    assert len(_audit(AuditAction.RISK_DECISION)) == 1


@pytest.mark.parametrize(("kind", "reason", "text", "agrees"), [
    ("contact", "other", "", True),  # "other" needs words
    ("contact", "other", "   ", True),
    ("no_contact", "recent_contact", "", False),  # disagreeing needs words
    ("no_contact", "disagree_model", "", False),
    ("no_contact", "disagree_model", "Works already.", True),  # contradiction
    ("call", "priority_confirmed", "", True),  # unknown kind
    ("contact", "no_such_reason", "", True),  # unknown reason
])
def test_bad_decisions_are_refused_and_write_nothing(
    worker: User, flagged: MakeFlag, kind: str, reason: str, text: str, agrees: bool
) -> None:
    flag = flagged()
    with pytest.raises(DomainError) as caught:
        services.decide(worker, flag, kind, reason, text, agrees)
    assert caught.value.status_code == 400
    db.session.rollback()
    assert _count(Decision) == 0
    assert _audit(AuditAction.RISK_DECISION) == []
    assert db.session.get(Flag, flag.id).status == "open"  # type: ignore[union-attr]


def test_no_decision_on_another_municipios_flag(worker: User, flagged: MakeFlag) -> None:
    with pytest.raises(NotFound):
        services.decide(worker, flagged(9), "contact", "priority_confirmed", "", True)
    db.session.rollback()
    assert _count(Decision) == 0


# --------------------------------------------------------------------------- contacts


def test_a_contact_needs_a_contact_decision(worker: User, flagged: MakeFlag) -> None:
    flag = flagged()
    with pytest.raises(Conflict, match="decision to contact"):
        services.log_contact(worker, flag, _contact(), clock.today())
    db.session.rollback()
    _decide(worker, flag, "defer", "more_information")
    with pytest.raises(Conflict, match="decision to contact"):
        services.log_contact(worker, flag, _contact(), clock.today())
    db.session.rollback()
    assert _count(Contact) == 0


def test_a_later_defer_stops_contacts(worker: User, flagged: MakeFlag) -> None:
    flag = flagged()
    _decide(worker, flag, "contact")
    _decide(worker, flag, "defer", "more_information")
    with pytest.raises(Conflict):
        services.log_contact(worker, flag, _contact(), clock.today())


def test_a_contact_is_linked_to_the_latest_contact_decision(
    worker: User, flagged: MakeFlag
) -> None:
    flag = flagged()
    _decide(worker, flag, "defer", "more_information")
    decision = _decide(worker, flag, "contact")
    contact = services.log_contact(worker, flag, _contact(outcome="not_reached", channel="email",
                                                          note=" Mailbox full "),
                                   clock.today())
    db.session.commit()
    assert contact.decision_id == decision.id
    assert contact.decision_kind == "contact"
    assert (contact.channel, contact.outcome, contact.consent, contact.note) == (
        "email", "not_reached", None, "Mailbox full")
    assert contact.recorded_by_id == worker.id
    assert flag.status == "open"  # still awaiting more contacts
    [entry] = _audit(AuditAction.RISK_CONTACT)
    assert entry.actor_id == worker.id
    assert entry.details["flag_id"] == flag.id
    assert entry.details["person_id"] == flag.person_id
    assert entry.details["contact_id"] == contact.id


@pytest.mark.parametrize(("fields", "message"), [
    ({"contacted_on": "tomorrow"}, "future"),
    ({"outcome": "not_reached", "consent": "given"}, "consent only"),
    ({"outcome": "wrong_details", "consent": "refused"}, "consent only"),
    ({"channel": "pigeon"}, "how you tried"),
    ({"outcome": "maybe"}, "was reached"),
    ({"consent": "perhaps"}, "accepted or refused"),
    ({"contacted_on": "before the decision"}, "earlier than the decision"),
])
def test_bad_contacts_are_refused_and_write_nothing(
    worker: User, flagged: MakeFlag, fields: dict[str, object], message: str
) -> None:
    flag = flagged()
    _decide(worker, flag, "contact")
    today = clock.today()
    if fields.get("contacted_on") == "tomorrow":
        fields = fields | {"contacted_on": today + timedelta(days=1)}
    elif fields.get("contacted_on") == "before the decision":
        fields = fields | {"contacted_on": today - timedelta(days=3)}
    with pytest.raises(DomainError, match=message):
        services.log_contact(worker, flag, _contact(**fields), today)
    db.session.rollback()
    assert _count(Contact) == 0
    assert _audit(AuditAction.RISK_CONTACT) == []
    assert flag.person.opted_out_at is None


def test_refusing_help_opts_the_person_out_for_good(
    worker: User, flagged: MakeFlag
) -> None:
    flag = flagged(2)
    other = make_flag(flag.person, trigger="contract_ended", status="deferred")
    old_closed_at = datetime(2025, 1, 5, tzinfo=UTC)
    old = make_flag(flag.person, trigger="contract_ended", status="closed",
                    closed_at=old_closed_at)
    unrelated = flagged(2)
    _decide(worker, flag, "contact")

    services.log_contact(worker, flag, _contact(consent="refused"), clock.today())
    db.session.commit()
    db.session.expire_all()

    person = flag.person
    assert person.opted_out_at is not None
    statuses = {f.id: f.status for f in db.session.scalars(select(Flag))}
    assert statuses == {flag.id: "closed", other.id: "closed", old.id: "closed",
                        unrelated.id: "open"}
    assert db.session.get(Flag, old.id).closed_at == old_closed_at  # type: ignore[union-attr]
    assert _queue_ids(worker) == [unrelated.id]
    assert _audit(AuditAction.RISK_CONTACT)[0].details["consent"] == "refused"
    # No further decision or contact on the closed flag.
    with pytest.raises(Conflict):
        services.log_contact(worker, flag, _contact(), clock.today())
    db.session.rollback()
    with pytest.raises(Conflict):
        services.decide(worker, flag, "contact", "priority_confirmed", "", True)


def test_consent_given_keeps_the_person_in_outreach(worker: User, flagged: MakeFlag) -> None:
    flag = flagged()
    _decide(worker, flag, "contact")
    services.log_contact(worker, flag, _contact(consent="given"), clock.today())
    db.session.commit()
    assert flag.person.opted_out_at is None
    assert flag.status == "open"


def test_a_contact_on_another_municipios_flag_is_refused(
    worker: User, make_user: Callable[..., User], flagged: MakeFlag
) -> None:
    colleague = make_user(Role.OUTREACH, municipi=[6])
    flag = flagged(6)
    _decide(colleague, flag, "contact")
    with pytest.raises(NotFound):
        services.log_contact(worker, flag, _contact(), clock.today())


# --------------------------------------------------------------------------- the database


def _insert_contact(decision: Decision, kind: str) -> None:
    db.session.execute(insert(Contact).values(
        decision_id=decision.id, decision_kind=kind, channel="phone",
        contacted_on=date(2026, 1, 10), outcome="reached", note=""))
    db.session.flush()


@pytest.mark.parametrize("kind", ["no_contact", "contact"])
def test_the_database_refuses_a_contact_without_a_contact_decision(
    worker: User, flagged: MakeFlag, kind: str
) -> None:
    """Claiming the decision's real kind trips the CHECK; claiming "contact" trips the FK."""
    decision = _decide(worker, flagged(), "no_contact", "already_supported")
    with pytest.raises(IntegrityError):
        _insert_contact(decision, kind)
    db.session.rollback()
    assert _count(Contact) == 0


def test_the_database_accepts_a_contact_of_a_contact_decision(
    worker: User, flagged: MakeFlag
) -> None:
    decision = _decide(worker, flagged(), "contact")
    _insert_contact(decision, "contact")
    db.session.commit()
    assert _count(Contact) == 1


# --------------------------------------------------------------------------- outcomes


def _raised(days_ago: int) -> datetime:
    return clock.now() - timedelta(days=days_ago)


def test_an_outcome_once_per_follow_up(worker: User, flagged: MakeFlag) -> None:
    flag = flagged(raised_at=_raised(200))
    outcome = services.record_outcome(worker, flag, 3, "training", " IeFP course ",
                                      clock.today())
    db.session.commit()
    assert (outcome.months, outcome.situation, outcome.note, outcome.recorded_by_id) == (
        3, "training", "IeFP course", worker.id)
    services.record_outcome(worker, flag, 6, "employment", "", clock.today())
    db.session.commit()
    with pytest.raises(Conflict, match="3-month outcome is already recorded"):
        services.record_outcome(worker, flag, 3, "neet", "", clock.today())
    db.session.rollback()
    rows = db.session.execute(select(Outcome.months, Outcome.situation)
                              .order_by(Outcome.months)).all()
    assert [tuple(r) for r in rows] == [(3, "training"), (6, "employment")]
    # Each recorded outcome is in the audit log; the refused third one is not.
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "risk_outcome")
                                 .order_by(AuditEntry.id)).all()
    assert [(e.actor_id, e.details["flag_id"], e.details["months"]) for e in entries] == [
        (worker.id, flag.id, 3), (worker.id, flag.id, 6)]


def test_a_duplicate_outcome_keeps_the_rest_of_the_transaction(
    worker: User, flagged: MakeFlag
) -> None:
    """The refused duplicate rolls back to its savepoint only: earlier work survives."""
    flag = flagged(raised_at=_raised(200))
    services.record_outcome(worker, flag, 3, "neet", "", clock.today())
    with pytest.raises(Conflict):
        services.record_outcome(worker, flag, 3, "education", "", clock.today())
    db.session.commit()
    assert db.session.scalars(select(Outcome.situation)).all() == ["neet"]


def test_an_outcome_before_its_follow_up_is_due_is_refused(
    worker: User, flagged: MakeFlag
) -> None:
    flag = flagged(raised_at=_raised(100))
    services.record_outcome(worker, flag, 3, "neet", "", clock.today())
    with pytest.raises(DomainError, match="6-month follow-up is due"):
        services.record_outcome(worker, flag, 6, "neet", "", clock.today())


@pytest.mark.parametrize(("months", "situation"), [(4, "neet"), (3, "retired")])
def test_bad_outcomes_are_refused(
    worker: User, flagged: MakeFlag, months: int, situation: str
) -> None:
    flag = flagged(raised_at=_raised(400))
    with pytest.raises(DomainError):
        services.record_outcome(worker, flag, months, situation, "", clock.today())
    db.session.rollback()
    assert _count(Outcome) == 0


def test_no_outcome_on_another_municipios_flag(worker: User, flagged: MakeFlag) -> None:
    with pytest.raises(NotFound):
        services.record_outcome(worker, flagged(4, raised_at=_raised(400)), 3, "neet", "",
                                clock.today())


@pytest.mark.parametrize(("raised", "months", "due"), [
    (datetime(2025, 11, 30, 12, tzinfo=UTC), 3, date(2026, 2, 28)),
    (datetime(2025, 8, 31, 12, tzinfo=UTC), 6, date(2026, 2, 28)),
    (datetime(2023, 8, 31, 12, tzinfo=UTC), 6, date(2024, 2, 29)),
    (datetime(2025, 3, 15, 12, tzinfo=UTC), 12, date(2026, 3, 15)),
    # 23:30 UTC on 31 January is already 1 February in Milan.
    (datetime(2026, 1, 31, 23, 30, tzinfo=UTC), 3, date(2026, 5, 1)),
])
def test_follow_ups_fall_due_months_after_the_flag_in_milan(
    version: ModelVersion, raised: datetime, months: int, due: date
) -> None:
    assert services.follow_up_due(Flag(raised_at=raised), months) == due


def test_contacts_due_are_the_decided_flags_of_the_municipi(
        worker: User, many_contract_flags: Callable[[], None]) -> None:
    # Among thousands of flags, only the two the team decided to contact (the list reads the
    # municipi through ``municipio + 0``, which no index serves, and the decisions by id).
    many_contract_flags()
    decided = db.session.scalars(select(Flag).where(Flag.municipio == 1).limit(2)).all()
    for flag in decided:
        services.decide(worker, flag, "contact", "priority_confirmed", "", True)
    db.session.commit()
    summary = queries.worker_summary(worker, clock.today())
    assert {flag.id for flag in summary.contacts_due} == {flag.id for flag in decided}
