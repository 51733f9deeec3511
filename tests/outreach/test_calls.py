"""The call campaign: the retry rule, call attempts and their invariants, the day's call list
(order, exclusions, scoping), the measures, the pages (it, ar), the data-subject report and
erasure."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.extensions import db
from orientamento.outreach.calls import queries as call_queries
from orientamento.outreach.calls.measures import campaign_measures
from orientamento.outreach.calls.models import CallAttempt, CallOutcome
from orientamento.outreach.calls.rules import CALLS_START, MAX_UNANSWERED, next_attempt
from orientamento.outreach.calls.script import call_script
from orientamento.outreach.calls.services import AttemptData, record_attempt
from orientamento.outreach.models import (
    Contact,
    ContactOutcome,
    Decision,
    DecisionKind,
    Flag,
    FlagStatus,
)
from orientamento.outreach.referrals.days import add_working_days, is_working_day
from orientamento.outreach.referrals.models import Referral, ReferralStatus
from orientamento.outreach.subject_report import subject_report_flags
from orientamento.risk.models import ContactDetails, RiskPerson
from orientamento.risk.queries import subject_report
from orientamento.support.models import SupportService
from tests.conftest import log_in
from tests.risk.factories import make_flag, make_person, make_score, make_version

MakeCallee = Callable[..., Flag]


@pytest.fixture
def callee(app: Flask) -> MakeCallee:
    """Factory: a person with a name, a language and a phone, and an open contract-ended flag
    whose contract ended ``ended_days_ago`` days before today (records dated ``as_of_days_ago``
    days ago, whole months between)."""

    def factory(municipio: int = 1, *, ended_days_ago: int = 40, name: str = "Giulia Rossi",
                language: str | None = "it", phone: str | None = "+39 02 5555 0101",
                **fields: Any) -> Flag:
        months = max(1, ended_days_ago // 30)
        as_of = clock.today() - timedelta(days=ended_days_ago - 30 * months)
        person = make_person(municipio)
        person.contact = ContactDetails(name=name, phone=phone, language=language,
                                        email="persona@example.org")
        flag = Flag(person_id=person.id, municipio=municipio, trigger="contract_ended",
                    priority=1.01, months_since_contract=months, as_of=as_of, **fields)
        db.session.add(flag)
        db.session.commit()
        return flag

    return factory


@pytest.fixture
def worker(make_user: Callable[..., User]) -> User:
    """An outreach worker covering municipi 1 and 2."""
    return make_user(Role.OUTREACH, municipi=[1, 2], display_name="Wanda Worker")


def _client(app: Flask, user: User, language: str = "en") -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    log_in(client, user)
    return client


def _words(body: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _listed(app: Flask, worker: User, today: date | None = None) -> list[int]:
    with app.test_request_context("/outreach/calls"):
        _page, entries = call_queries.call_list(worker, today or clock.today())
    return [entry.flag.id for entry in entries]


# --- the retry rule ------------------------------------------------------------------------

# Hypothesis takes naive bounds and attaches the time zone itself.
moments = st.datetimes(min_value=datetime(2026, 1, 1),  # noqa: DTZ001
                       max_value=datetime(2029, 12, 31),  # noqa: DTZ001
                       timezones=st.just(UTC))


@settings(max_examples=300, deadline=None)
@given(called_at=moments, unanswered=st.integers(min_value=1, max_value=MAX_UNANSWERED - 1))
def test_no_answer_retries_at_nine_on_the_next_working_day(called_at: datetime,
                                                           unanswered: int) -> None:
    due = next_attempt(CallOutcome.NO_ANSWER, called_at, unanswered)
    assert due is not None
    local = clock.rome_local(due)
    called_day = clock.milan_date(called_at)
    assert local.time() == CALLS_START
    assert local.date() > called_day and is_working_day(local.date())
    # The first working day after the call: none in between.
    between = (called_day + timedelta(days=n) for n in range(1, (local.date() - called_day).days))
    assert not any(is_working_day(day) for day in between)


@settings(max_examples=100, deadline=None)
@given(called_at=moments, unanswered=st.integers(min_value=MAX_UNANSWERED, max_value=50))
def test_no_more_calls_after_the_last_unanswered_one(called_at: datetime, unanswered: int) -> None:
    assert next_attempt(CallOutcome.NO_ANSWER, called_at, unanswered) is None


@settings(max_examples=100, deadline=None)
@given(called_at=moments, later=st.timedeltas(min_value=timedelta(minutes=1),
                                              max_value=timedelta(days=30)),
       unanswered=st.integers(min_value=0, max_value=50))
def test_a_call_back_is_at_the_time_given_and_the_end_outcomes_stop(
    called_at: datetime, later: timedelta, unanswered: int
) -> None:
    assert next_attempt(CallOutcome.CALL_BACK, called_at, unanswered,
                        called_at + later) == called_at + later
    assert next_attempt(CallOutcome.REACHED, called_at, unanswered) is None
    assert next_attempt(CallOutcome.WRONG_NUMBER, called_at, unanswered) is None


def test_a_friday_call_retries_on_monday_and_sant_ambrogio_is_skipped() -> None:
    friday = clock.rome_datetime(date(2027, 3, 12), time(16))
    assert next_attempt(CallOutcome.NO_ANSWER, friday, 1) == \
        clock.rome_datetime(date(2027, 3, 15), CALLS_START)
    # 6 December 2027 is a Monday; the 7th (Sant'Ambrogio) and 8th (Immacolata) are holidays.
    monday = clock.rome_datetime(date(2027, 12, 6), time(11))
    assert next_attempt(CallOutcome.NO_ANSWER, monday, 1) == \
        clock.rome_datetime(date(2027, 12, 9), CALLS_START)


# --- call attempts -------------------------------------------------------------------------


def test_no_answer_logs_a_contact_after_a_decision_and_sets_the_next_call(
    app: Flask, worker: User, callee: MakeCallee
) -> None:
    flag = callee()
    now = clock.now()
    attempt = record_attempt(worker, flag, AttemptData("no_answer", note="Voicemail"), now)
    db.session.commit()
    [decision] = db.session.scalars(select(Decision).where(Decision.flag_id == flag.id)).all()
    assert (decision.kind, decision.decided_by_id) == (DecisionKind.CONTACT, worker.id)
    contact = db.session.get(Contact, attempt.contact_id)
    assert contact is not None
    assert (contact.channel, contact.outcome, contact.note) == \
        ("phone", ContactOutcome.NOT_REACHED, "Voicemail")
    assert attempt.number == 1
    assert attempt.next_attempt_at == clock.rome_datetime(
        add_working_days(clock.milan_date(now), 1), CALLS_START)


def test_outcomes_map_to_the_contact_log_and_wrong_number_stops(
    app: Flask, worker: User, callee: MakeCallee
) -> None:
    wrong, reached = callee(), callee()
    first = record_attempt(worker, wrong, AttemptData("wrong_number"), clock.now())
    second = record_attempt(worker, reached, AttemptData("reached"), clock.now())
    db.session.commit()
    assert db.session.get(Contact, first.contact_id).outcome == ContactOutcome.WRONG_DETAILS
    assert db.session.get(Contact, second.contact_id).outcome == ContactOutcome.REACHED
    assert first.next_attempt_at is None and second.next_attempt_at is None
    with pytest.raises(Conflict):
        record_attempt(worker, reached, AttemptData("no_answer"), clock.now())


def test_a_call_back_needs_a_time_later_than_now(app: Flask, worker: User,
                                                 callee: MakeCallee) -> None:
    flag = callee()
    now = clock.now()
    for data in (AttemptData("call_back"), AttemptData("call_back", now - timedelta(hours=1)),
                 AttemptData("call_back", now + timedelta(days=31)),
                 AttemptData("no_answer", now + timedelta(hours=2)), AttemptData("hung_up")):
        with pytest.raises(DomainError):
            record_attempt(worker, flag, data, now)
    attempt = record_attempt(worker, flag, AttemptData("call_back", now + timedelta(hours=3)),
                             now)
    assert attempt.next_attempt_at == attempt.call_back_at == now + timedelta(hours=3)


def test_the_fifth_unanswered_call_is_the_last(app: Flask, worker: User,
                                               callee: MakeCallee) -> None:
    flag = callee()
    attempts = [record_attempt(worker, flag, AttemptData("no_answer"), clock.now())
                for _ in range(MAX_UNANSWERED)]
    db.session.commit()
    assert [a.number for a in attempts] == list(range(1, MAX_UNANSWERED + 1))
    assert attempts[-2].next_attempt_at is not None and attempts[-1].next_attempt_at is None
    assert flag.id not in _listed(app, worker, clock.today() + timedelta(days=10))


def test_only_covered_contract_ended_flags_take_calls(
    app: Flask, worker: User, callee: MakeCallee, make_user: Callable[..., User]
) -> None:
    other = make_user(Role.OUTREACH, municipi=[3])
    flag = callee(1)
    with pytest.raises(NotFound):
        record_attempt(other, flag, AttemptData("no_answer"), clock.now())
    with pytest.raises(NotFound):
        record_attempt(worker, _model_flag(), AttemptData("no_answer"), clock.now())
    assert db.session.scalar(select(func.count()).select_from(CallAttempt)) == 0


def _model_flag() -> Flag:
    person = make_person(1)
    person.contact = ContactDetails(name="Luca Ferrari", phone="+39 02 5555 0111")
    db.session.commit()
    return make_flag(person, make_score(person, make_version("active")))


def _attempt(flag: Flag, contact: Contact, **fields: Any) -> None:
    values = {"number": 1, "outcome": "no_answer", "call_back_at": None,
              "next_attempt_at": None} | fields
    with db.session.begin_nested():
        if values["outcome"] not in set(CallOutcome):  # past the enum type, to the CHECK
            db.session.execute(text(
                "INSERT INTO outreach_call_attempts (flag_id, contact_id, number, outcome,"
                " called_at, note) VALUES (:flag, :contact, :number, :outcome,"
                " '2027-01-01 10:00:00+00:00', '')"),
                {"flag": flag.id, "contact": contact.id, "number": values["number"],
                 "outcome": values["outcome"]})
        else:
            db.session.add(CallAttempt(flag_id=flag.id, contact_id=contact.id, **values))


@pytest.mark.parametrize("fields", [
    {"outcome": "hung_up"},
    {"outcome": "call_back"},  # no time
    {"outcome": "no_answer", "call_back_at": datetime(2030, 1, 1, tzinfo=UTC)},
    {"outcome": "reached", "next_attempt_at": datetime(2030, 1, 1, tzinfo=UTC)},
    {"outcome": "wrong_number", "next_attempt_at": datetime(2030, 1, 1, tzinfo=UTC)},
    {"number": 0},
], ids=["unknown outcome", "call back without time", "time without call back",
        "retry after reached", "retry after wrong number", "number zero"])
def test_the_database_refuses_an_inconsistent_attempt(
    app: Flask, worker: User, callee: MakeCallee, fields: dict[str, Any]
) -> None:
    flag = callee()
    attempt = record_attempt(worker, flag, AttemptData("no_answer"), clock.now())
    contact = attempt.contact
    db.session.commit()
    extra = Contact(decision_id=contact.decision_id, decision_kind=DecisionKind.CONTACT,
                    channel="phone", contacted_on=clock.today(),
                    outcome=ContactOutcome.NOT_REACHED)
    db.session.add(extra)
    db.session.commit()
    with pytest.raises(IntegrityError):
        _attempt(flag, extra, **({"number": 2} | fields))


def test_the_database_refuses_two_attempts_with_the_same_number(
    app: Flask, worker: User, callee: MakeCallee
) -> None:
    flag = callee()
    attempt = record_attempt(worker, flag, AttemptData("no_answer"), clock.now())
    db.session.commit()
    extra = Contact(decision_id=attempt.contact.decision_id, decision_kind=DecisionKind.CONTACT,
                    channel="phone", contacted_on=clock.today(),
                    outcome=ContactOutcome.NOT_REACHED)
    db.session.add(extra)
    db.session.commit()
    with pytest.raises(IntegrityError):
        _attempt(flag, extra, number=1)


# --- the call list -------------------------------------------------------------------------


def test_the_list_puts_the_longest_ended_first(app: Flask, worker: User,
                                              callee: MakeCallee) -> None:
    recent = callee(ended_days_ago=31)
    oldest = callee(2, ended_days_ago=95)
    middle = callee(ended_days_ago=62)
    with app.test_request_context("/outreach/calls"):
        _page, entries = call_queries.call_list(worker, clock.today())
    assert [e.flag.id for e in entries] == [oldest.id, middle.id, recent.id]
    assert [e.days_since_end for e in entries] == [95, 62, 31]
    assert [e.days_left for e in entries] == [-35, -2, 29]


def test_the_list_leaves_out_who_needs_no_call_today(
    app: Flask, worker: User, callee: MakeCallee, make_user: Callable[..., User]
) -> None:
    due = callee()
    reached = callee()
    record_attempt(worker, reached, AttemptData("reached"), clock.now())
    waiting = callee()
    record_attempt(worker, waiting, AttemptData("no_answer"), clock.now())
    later = callee()
    record_attempt(worker, later, AttemptData("call_back", clock.now() + timedelta(days=3)),
                   clock.now())
    closed = callee(status=FlagStatus.CLOSED)
    deferred = callee(status=FlagStatus.DEFERRED)
    opted = callee()
    opted.person.opted_out_at = clock.now()
    no_phone = callee(phone=None)
    colleague = make_user(Role.OUTREACH, municipi=[1])
    theirs = callee(assigned_to_id=colleague.id)
    mine = callee(assigned_to_id=worker.id)
    model = _model_flag()
    db.session.commit()
    listed = _listed(app, worker)
    assert set(listed) == {due.id, mine.id}
    assert not {reached.id, waiting.id, later.id, closed.id, deferred.id, opted.id,
                no_phone.id, theirs.id, model.id} & set(listed)
    # The unanswered call comes back on the next working day; the call back on its day.
    next_day = add_working_days(clock.today(), 1)
    assert waiting.id in _listed(app, worker, next_day)
    assert later.id in _listed(app, worker, clock.today() + timedelta(days=3))
    assert later.id not in _listed(app, worker, clock.today() + timedelta(days=2))


def test_a_worker_of_another_municipio_never_sees_the_entry(
    app: Flask, worker: User, callee: MakeCallee, make_user: Callable[..., User]
) -> None:
    flag = callee(1, name="Ahmed Benali")
    other = make_user(Role.OUTREACH, municipi=[3])
    assert _listed(app, other) == []
    client = _client(app, other)
    assert "Ahmed Benali" not in client.get("/outreach/calls").get_data(as_text=True)
    assert client.get(f"/outreach/calls/{flag.id}").status_code == 404
    assert client.post(f"/outreach/calls/{flag.id}",
                       data={"call-outcome": "reached"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(CallAttempt)) == 0


def test_the_call_list_reads_a_bounded_number_of_queries(
    app: Flask, worker: User, callee: MakeCallee, queries: list[str]
) -> None:
    def count() -> int:
        queries.clear()
        _listed(app, worker)
        return len(queries)

    for _ in range(2):
        record_attempt(worker, callee(), AttemptData("call_back",
                                                     clock.now() + timedelta(minutes=30)),
                       clock.now())
    db.session.commit()
    few = count()
    for _ in range(6):
        callee()
    assert count() == few


# --- the script ---------------------------------------------------------------------------


def test_the_script_speaks_the_persons_language_or_italian(app: Flask) -> None:
    assert call_script("ar")[0].startswith("صباح الخير")
    assert call_script("en")[0].startswith("Good morning")
    assert call_script("it")[0].startswith("Buongiorno")
    assert call_script("zh") == call_script(None) == call_script("it")


# --- measures -----------------------------------------------------------------------------


def _contact(flag: Flag, day: date, outcome: ContactOutcome) -> None:
    decision = db.session.scalar(select(Decision).where(Decision.flag_id == flag.id))
    if decision is None:
        decision = Decision(flag_id=flag.id, kind=DecisionKind.CONTACT,
                            reason_code="priority_confirmed", agrees_with_model=True)
        db.session.add(decision)
        db.session.flush()
    db.session.add(Contact(decision_id=decision.id, decision_kind=DecisionKind.CONTACT,
                           channel="phone", contacted_on=day, outcome=outcome))
    db.session.commit()


def test_measures_count_contacts_in_time_attempts_referrals_and_take_up(
    app: Flask, callee: MakeCallee, make_service: Callable[..., SupportService]
) -> None:
    today = clock.today()
    quick = callee(1, ended_days_ago=70)
    _contact(quick, today - timedelta(days=40), ContactOutcome.NOT_REACHED)
    _contact(quick, today - timedelta(days=35), ContactOutcome.REACHED)  # 35 days after
    never = callee(1, ended_days_ago=70)
    _contact(never, today - timedelta(days=20), ContactOutcome.NOT_REACHED)
    _contact(never, today - timedelta(days=19), ContactOutcome.NOT_REACHED)
    recent = callee(2, ended_days_ago=40)
    _contact(recent, today - timedelta(days=9), ContactOutcome.REACHED)  # 31 days after
    service = make_service()
    for took_up in (True, None):
        db.session.add(Referral(
            flag_id=quick.id, service_id=service.id, consent_on=today - timedelta(days=35),
            answer_due_on=today, status=ReferralStatus.ACCEPTED, answered_at=clock.now(),
            took_up=took_up, first_appointment_on=today if took_up else None))
        service = make_service()
    db.session.commit()
    first, second, total = campaign_measures(today)
    assert (first.municipio, first.people, first.contacted, first.attempts) == (1, 2, 1, 4)
    assert first.due == {30: 2, 45: 2, 60: 2}
    assert first.in_time == {30: 0, 45: 1, 60: 1}
    assert (first.referrals, first.taken_up) == (2, 1)
    assert first.share_in_time(45) == 0.5 and first.share_in_time(30) == 0.0
    assert (first.attempts_per_contact, first.referrals_per_contact,
            first.take_up_per_referral) == (4.0, 2.0, 0.5)
    assert (second.municipio, second.due, second.in_time) == \
        (2, {30: 1, 45: 0, 60: 0}, {30: 0, 45: 0, 60: 0})
    assert second.share_in_time(60) is None
    assert (total.municipio, total.people, total.contacted, total.attempts) == (None, 3, 2, 5)
    assert total.in_time == {30: 0, 45: 1, 60: 1}
    [only] = campaign_measures(today, municipi=[2])[:1]
    assert only.municipio == 2


# --- pages --------------------------------------------------------------------------------


# The new texts' translations arrive with the catalogues (translations/); these pages are
# checked on what is translated already: column names, the language's name (CLDR), direction.
@pytest.mark.parametrize(("language", "arabic", "heading"), [
    ("it", "arabo", "<th scope=\"col\">Telefono</th>"),
    ("ar", "العربية", "<th scope=\"col\">الهاتف</th>")])
def test_the_call_list_page_names_people_and_languages(
    app: Flask, worker: User, callee: MakeCallee, language: str, arabic: str, heading: str
) -> None:
    flag = callee(name="Ahmed Benali", language="ar", phone="+39 02 5555 0199")
    client = _client(app, worker, language)
    page = client.get("/outreach/calls")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert heading in body and f'<html lang="{language}"' in body
    assert "Ahmed Benali" in body and arabic in _words(body)
    assert 'href="tel:+390255550199"' in body
    assert f'href="/outreach/calls/{flag.id}"' in body


def test_the_call_page_shows_the_script_in_arabic_and_reached_leads_to_the_referral(
    app: Flask, worker: User, callee: MakeCallee
) -> None:
    flag = callee(name="Ahmed Benali", language="ar")
    client = _client(app, worker, "it")
    page = client.get(f"/outreach/calls/{flag.id}").get_data(as_text=True)
    assert "صباح الخير" in page and 'lang="ar" dir="rtl"' in page
    assert "<h1>" in page and "Ahmed Benali" in page.split("<h1>")[1].split("</h1>")[0]
    answer = client.post(f"/outreach/calls/{flag.id}", data={"call-outcome": "reached"})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(
        f"/outreach/flags/{flag.id}?open=referrals#referrals")
    flag_page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'id="referrals"' in flag_page and "Ahmed Benali" in flag_page
    assert 'id="referral-heading"' in flag_page  # the referral's form open, not its button
    assert "arabo" in _words(flag_page)


def test_a_call_back_without_a_time_is_refused_on_the_page(
    app: Flask, worker: User, callee: MakeCallee
) -> None:
    flag = callee()
    client = _client(app, worker, "en")
    answer = client.post(f"/outreach/calls/{flag.id}", data={"call-outcome": "call_back"})
    assert answer.status_code == 400
    assert "Give the day and the time" in _words(answer.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(CallAttempt)) == 0
    later = clock.rome_local(clock.now() + timedelta(days=2))
    answer = client.post(f"/outreach/calls/{flag.id}", data={
        "call-outcome": "call_back", "call-call_back_on": later.date().isoformat(),
        "call-call_back_time": "15:30"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/outreach/calls")
    attempt = db.session.scalar(select(CallAttempt))
    assert attempt is not None
    assert clock.rome_local(attempt.call_back_at).time() == time(15, 30)


def test_the_overview_shows_the_campaign(app: Flask, make_user: Callable[..., User],
                                         callee: MakeCallee) -> None:
    version = make_version("active")
    callee(ended_days_ago=70)
    admin = make_user(Role.ADMIN)
    page = _client(app, admin, "en").get(f"/risk/versions/{version.id}/overview")
    words = _words(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "Call campaign by municipio" in words and "Contacted within 45 days" in words


# --- privacy -------------------------------------------------------------------------------


def test_the_subject_report_holds_name_language_and_calls(
    app: Flask, worker: User, callee: MakeCallee
) -> None:
    flag = callee(name="Mei Chen", language="zh")
    record_attempt(worker, flag, AttemptData("no_answer", note="Rang out"), clock.now())
    db.session.commit()
    person = db.session.get(RiskPerson, flag.person_id)
    with app.test_request_context():
        report = subject_report(person, "en")
    assert (report["contact_details"]["name"], report["contact_details"]["language"]) == \
        ("Mei Chen", "zh")
    [entry] = report["flags"]
    [call] = entry["call_attempts"]
    assert (call["number"], call["outcome"], call["note"]) == (1, "no_answer", "Rang out")
    assert subject_report_flags(person, "en")["flags"][0]["call_attempts"] == [call]


def test_erasing_the_person_erases_name_language_and_calls(
    app: Flask, worker: User, callee: MakeCallee
) -> None:
    flag = callee(name="Mei Chen", language="zh")
    record_attempt(worker, flag, AttemptData("no_answer"), clock.now())
    db.session.commit()
    db.session.delete(db.session.get(RiskPerson, flag.person_id))
    db.session.commit()
    for model in (CallAttempt, ContactDetails, Contact, Flag):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0
    assert db.session.scalar(select(ContactDetails.name)) is None


@pytest.fixture
def worker_client(app: Flask, worker: User) -> FlaskClient:
    """The worker, logged in (once for every example of a property test)."""
    return _client(app, worker)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(outcome=st.sampled_from(["", "reached", "no_answer", "call_back", "x\x00"])
       | st.text(max_size=20), note=st.text(max_size=30), day=st.text(max_size=12),
       at=st.text(max_size=8))
def test_garbage_in_the_call_form_is_never_a_server_error(
    worker_client: FlaskClient, callee: MakeCallee, outcome: str, note: str, day: str, at: str
) -> None:
    flag = db.session.scalar(select(Flag).limit(1)) or callee()
    client = worker_client
    answer = client.post(f"/outreach/calls/{flag.id}", data={
        "call-outcome": outcome, "call-note": note, "call-call_back_on": day,
        "call-call_back_time": at})
    assert answer.status_code in (302, 400, 409)


def test_a_flag_outside_the_campaign_has_no_call_page(app: Flask, worker: User) -> None:
    flag = _model_flag()
    client = _client(app, worker)
    shown = client.get(f"/outreach/calls/{flag.id}")
    assert shown.status_code == 302
    assert shown.headers["Location"].endswith(f"/outreach/flags/{flag.id}")
    assert client.post(f"/outreach/calls/{flag.id}",
                       data={"call-outcome": "no_answer"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(CallAttempt)) == 0


def test_the_queue_leads_to_the_calls_and_the_flag_page_to_the_call(
    app: Flask, worker: User, callee: MakeCallee
) -> None:
    flag = callee(name="Olena Kovalenko", language="uk")
    client = _client(app, worker)
    assert 'href="/outreach/calls"' in client.get("/outreach/").get_data(as_text=True)
    page = client.get(f"/outreach/flags/{flag.id}").get_data(as_text=True)
    assert f'href="/outreach/calls/{flag.id}"' in page
    heading = page.split("<h1>")[1].split("</h1>")[0]
    assert "Olena Kovalenko" in heading and "Person " in heading
    assert "Ukrainian" in _words(page)


def test_the_demo_people_get_names_and_several_languages(app: Flask) -> None:
    from orientamento.demo.risk import name_demo_people

    people = [make_person(1) for _ in range(12)]
    for person in people:
        person.contact = ContactDetails(phone="+39 02 0000 0001")
    stranger = make_person(1)  # another snapshot: left alone
    stranger.contact = ContactDetails(phone="+39 02 0000 0002")
    db.session.commit()
    snapshot_id = people[0].records[0].snapshot_id
    for person in people[1:]:
        person.records[0].snapshot_id = snapshot_id
    db.session.commit()
    assert name_demo_people(snapshot_id) == 12
    db.session.commit()
    named = db.session.execute(select(ContactDetails.name, ContactDetails.language)
                               .where(ContactDetails.person_id != stranger.id)).all()
    assert all(name for name, _ in named)
    assert {"it", "ar", "en"} <= {language for _, language in named}
    assert db.session.get(ContactDetails, stranger.id).name is None
