"""Outreach pages over HTTP: the queue, the flag page and its audit, decisions, contacts,
opt-out, outcomes, bad input, access and query counts.

Pages are asked for in English, so assertions read the messages the code wrote.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from werkzeug.test import TestResponse

from orientamento.auth.models import AuditAction, AuditEntry, Role, User
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.outreach import queries
from orientamento.outreach.models import Contact, Decision, Flag, Outcome
from orientamento.risk.models import ModelVersion, RiskRecord, RiskScore, RiskSnapshot
from tests.conftest import log_in
from tests.core.routes import act_as
from tests.outreach.conftest import MakeFlag
from tests.risk.factories import make_flag, make_version

MakeUser = Callable[..., User]
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _client(app: Flask, user: User | None = None) -> FlaskClient:
    """A client asking for English pages, logged in as ``user`` if given."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if user is not None:
        log_in(client, user)
    return client


def _words(response: TestResponse) -> str:
    """The page's text without tags, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split())


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _audit(action: AuditAction) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action.value)
                                   .order_by(AuditEntry.id)))


def _row_links(response: TestResponse) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/outreach/flags/(\d+)"',
                      response.get_data(as_text=True))


DECISION = {"decision-kind": "contact", "decision-reason_code": "priority_confirmed",
            "decision-agrees": "yes", "decision-text": ""}


def _contact_fields(**overrides: str) -> dict[str, str]:
    return {"contact-channel": "phone", "contact-contacted_on": clock.today().isoformat(),
            "contact-outcome": "reached", "contact-consent": "", "contact-note": ""} | overrides


def _opens(page: str, flag: Flag, path: str) -> bool:
    """Whether the flag page offers the action at ``path`` (its button, which opens the form)."""
    return f'class="btn btn-outline-primary" href="/outreach/flags/{flag.id}/{path}"' in page


def _decide(client: FlaskClient, flag: Flag, **overrides: str) -> TestResponse:
    return client.post(f"/outreach/flags/{flag.id}/decide", data=DECISION | overrides)


# --------------------------------------------------------------------------- the queue


def test_queue_shows_the_workers_open_flags_by_priority(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    low = flagged(1, probability=0.1)
    high = flagged(2, probability=0.5)
    rule = flagged(2, trigger="contract_ended", probability=None)
    foreign = flagged(4, probability=0.9)
    gone = flagged(1, probability=0.8)
    gone.person.opted_out_at = clock.now()
    db.session.commit()

    response = _client(app, worker).get("/outreach/")
    assert response.status_code == 200
    assert _row_links(response) == [str(rule.id), str(high.id), str(low.id)]
    words = _words(response)
    assert f"Person {high.person.pseudonym[-8:]}" in words
    assert f"Person {foreign.person.pseudonym[-8:]}" not in words
    assert "High" in words and "Low" in words and "No score" in words
    assert "Job contract ended 30+ days ago, no new enrolment or contract" in words
    assert "Risk model (top of the municipio)" in words
    assert "Municipio 2" in words
    assert low.raised_at.strftime("%Y") in words
    assert "None yet" in words
    # Each line says why it was flagged (the filter's options name the triggers too).
    html = response.get_data(as_text=True)
    lines = {flag.id: re.search(rf'<tr>\s*<th scope="row"><a href="/outreach/flags/{flag.id}".*?</tr>',
                                html, re.S).group(0) for flag in (rule, high)}  # type: ignore[union-attr]
    assert "<td>Job contract ended 30+ days ago" in lines[rule.id]
    assert "<td>Risk model (top of the municipio)</td>" in lines[high.id]
    # The page says why a contract flag sits above a model flag of any band.
    assert "first the people who asked to be contacted" in words
    assert "then the people whose job contract ended" in words


def test_queue_filters_and_the_deferred_view(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    medium = flagged(1, probability=0.2)
    high = flagged(2, probability=0.6)
    deferred = flagged(2, probability=0.7, status="deferred")
    client = _client(app, worker)

    assert _row_links(client.get("/outreach/?band=medium")) == [str(medium.id)]
    assert _row_links(client.get("/outreach/?municipio=2")) == [str(high.id)]
    assert _row_links(client.get("/outreach/?trigger=contract_ended")) == []
    assert "No flag matches these filters." in _words(
        client.get("/outreach/?trigger=contract_ended"))
    response = client.get("/outreach/deferred")
    assert response.status_code == 200
    assert _row_links(response) == [str(deferred.id)]
    assert 'href="/outreach/deferred" aria-current="page"' in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["municipio=4", "municipio=x", "band=extreme", "trigger=x"])
def test_queue_refuses_filters_outside_the_choices(
    app: Flask, worker: User, flagged: MakeFlag, query: str
) -> None:
    """A municipio the worker does not cover is not a filter they can use."""
    flagged(4)
    response = _client(app, worker).get(f"/outreach/?{query}")
    assert response.status_code == 400
    assert _row_links(response) == []
    assert "Check the filters and try again." in _words(response)


def test_queue_empty_states(app: Flask, worker: User, make_user: MakeUser) -> None:
    client = _client(app, worker)
    assert "No open flags in your municipi." in _words(client.get("/outreach/"))
    assert "No deferred flags." in _words(client.get("/outreach/deferred"))
    nowhere = _client(app, make_user(Role.OUTREACH, municipi=[]))
    assert "You do not cover any municipio yet" in _words(nowhere.get("/outreach/"))


def test_queue_is_paginated(app: Flask, worker: User, flagged: MakeFlag) -> None:
    flags = [flagged(1, probability=round(0.01 * (n + 1), 2)) for n in range(27)]
    client = _client(app, worker)
    first, second = client.get("/outreach/"), client.get("/outreach/?page=2")
    by_priority = [str(f.id) for f in reversed(flags)]
    assert _row_links(first) == by_priority[:25]
    assert _row_links(second) == by_priority[25:]
    assert "Page 1 of 2, 27 results" in _words(first)


def test_the_queue_counts_only_up_to_its_cap(
        app: Flask, worker: User, flagged: MakeFlag, monkeypatch: pytest.MonkeyPatch) -> None:
    """At a million records the queue does not count every flag: it says "more than"."""
    monkeypatch.setattr(queries, "QUEUE_COUNT_CAP", 5)
    flags = [flagged(1, probability=round(0.01 * (n + 1), 2)) for n in range(28)]
    client = _client(app, worker)
    first, second = client.get("/outreach/"), client.get("/outreach/?page=2")
    by_priority = [str(f.id) for f in reversed(flags)]
    assert _row_links(first) == by_priority[:25]
    assert _row_links(second) == by_priority[25:]
    assert "Page 1 of more than 1, more than 5 results" in _words(first)
    assert "Page 2 of 2, 28 results" in _words(second)  # counts to 25 + 5: all of them
    monkeypatch.setattr(queries, "QUEUE_COUNT_CAP", 100)
    assert "Page 1 of 2, 28 results" in _words(client.get("/outreach/"))


def test_the_outreach_navigation_leads_to_the_queue(app: Flask, worker: User) -> None:
    page = _client(app, worker).get("/").get_data(as_text=True)
    links = re.findall(r'class="nav-link[^"]*" href="([^"]+)"', page)
    assert links[:6] == ["/start/", "/outreach/", "/outreach/mine", "/outreach/calls",
                         "/courses/", "/events/"]


def _count_queries(client: FlaskClient, path: str, seen: list[str]) -> int:
    """The statements one GET sends, starting (like a real request) with nothing loaded."""
    db.session.expire_all()
    seen.clear()
    assert client.get(path).status_code == 200
    return len(seen)


def _give_history(client: FlaskClient, flag: Flag, times: int) -> None:
    """``times`` older scores, decisions, contacts and earlier flags for the flag's person."""
    for _ in range(times):
        _add_history(flag, make_version("retired"), missing="attendance_rate")
        make_flag(flag.person, trigger="contract_ended", status="closed", closed_at=clock.now())
        _decide(client, flag, **{"decision-kind": "defer"})
        _decide(client, flag)
        assert client.post(f"/outreach/flags/{flag.id}/contacts", data=_contact_fields(
            **{"contact-outcome": "not_reached"})).status_code == 302
    db.session.execute(update(Flag).where(Flag.person_id == flag.person_id,
                                          Flag.id != flag.id)
                       .values(status="closed", closed_at=clock.now()))
    db.session.commit()


def test_queue_and_flag_pages_use_a_bounded_number_of_queries(
    app: Flask, worker: User, flagged: MakeFlag, version: ModelVersion, queries: list[str]
) -> None:
    client = _client(app, worker)

    def add_flags(count: int) -> None:
        for n in range(count):
            for kind in ("contact", "defer"):
                flag = flagged(1 + n % 2, probability=0.3 + n / 100,
                               trigger="model" if n % 3 else "contract_ended")
                _decide(client, flag, **{"decision-kind": kind})

    add_flags(3)
    few = {path: _count_queries(client, path, queries)
           for path in ("/outreach/", "/outreach/deferred", "/outreach/?band=medium")}
    add_flags(27)
    assert {path: _count_queries(client, path, queries) for path in few} == few

    small, big = flagged(1), flagged(2)
    _give_history(client, small, 1)
    _give_history(client, big, 6)
    assert _count(Contact) == 7
    assert _count_queries(client, f"/outreach/flags/{big.id}", queries) == \
        _count_queries(client, f"/outreach/flags/{small.id}", queries)


def test_queue_and_flag_pages_never_read_a_model_file(
    app: Flask, worker: User, flagged: MakeFlag, queries: list[str]
) -> None:
    # A gradient-boosted model is megabytes: pages that show a score's version need its
    # spec, never its file or its card.
    client = _client(app, worker)
    flag = flagged(1, probability=0.4)
    for path in ("/outreach/", "/outreach/?band=high", f"/outreach/flags/{flag.id}"):
        _count_queries(client, path, queries)
        assert not [s for s in queries if "model_file" in s or "card_markdown" in s], path
    # The flag page does read the version (for the reasons' words), joined to the scores.
    assert any("JOIN risk_model_versions" in statement for statement in queries)


def _add_history(flag: Flag, version: ModelVersion, missing: str | None = None) -> RiskScore:
    """Another score of the flag's person, from an older snapshot of the records."""
    import uuid
    from datetime import date

    snapshot = RiskSnapshot(as_of=date(2025, 3, 31), filename="old.csv",
                            sha256=uuid.uuid4().hex * 2, rows=1)
    record = RiskRecord(snapshot=snapshot, person_id=flag.person_id, values={})
    db.session.add(record)
    db.session.flush()
    if missing:
        score = RiskScore(person_id=flag.person_id, record_id=record.id, version_id=version.id,
                          probability=None, band=None, missing=missing, reasons=[])
    else:
        score = RiskScore(person_id=flag.person_id, record_id=record.id, version_id=version.id,
                          probability=0.07, band="low", reasons=[])
    db.session.add(score)
    db.session.commit()
    return score


# --------------------------------------------------------------------------- the flag page


def test_flag_page_explains_the_score_and_shows_contact_details_only_there(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    flag = flagged(2, probability=0.42, gender="ZZ-GENDER", citizenship_group="ZZ-CITIZENSHIP")
    old_version = make_version("retired")
    _add_history(flag, old_version, missing="attendance_rate, repetitions")
    client = _client(app, worker)

    response = client.get(f"/outreach/flags/{flag.id}")
    assert response.status_code == 200
    words = _words(response)
    assert "42%" in words
    assert "High" in words  # 0.42 is in the high band
    assert f"Version {flag.version_id}" in words
    # The top reasons in words, with the suggestion of a mutable feature.
    assert "Present the courses on offer and the orientation days" in words
    assert "raises the risk" in words and "lowers the risk" in words
    # History: the other version's attempt and why there was no score.
    assert f"Version {old_version.id}" in words
    assert "Not scored: the records lacked attendance_rate, repetitions." in words
    # Contact details here, never protected attributes.
    assert "+39 02 5555 0101" in words and "giulia@example.org" in words
    assert "Via Padova 12, Milano" in words
    assert "ZZ-GENDER" not in words and "ZZ-CITIZENSHIP" not in words
    page = response.get_data(as_text=True)
    assert "ZZ-GENDER" not in page and "ZZ-CITIZENSHIP" not in page
    # ...and not on the queue.
    queue = client.get("/outreach/").get_data(as_text=True)
    assert "giulia@example.org" not in queue and "+39 02 5555 0101" not in queue


def test_flag_page_in_italian_and_arabic_uses_the_specs_words(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    flag = flagged()
    client = _client(app, worker)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "it"
    assert "Presentare l'offerta di corsi e le giornate di orientamento" in _words(
        client.get(f"/outreach/flags/{flag.id}"))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ar"
    assert "تقديم الدورات المتاحة وأيام التوجيه" in _words(
        client.get(f"/outreach/flags/{flag.id}"))


def test_a_rule_flag_says_why_and_shows_the_latest_score(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    flag = flagged(trigger="contract_ended", probability=0.12)
    words = _words(_client(app, worker).get(f"/outreach/flags/{flag.id}"))
    assert "The last job contract ended 3 months before the records' date" in words
    assert "12%" in words and "Low" in words


def test_an_unscored_person_has_no_score_section(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    flag = flagged(trigger="contract_ended", probability=None, contact=False)
    words = _words(_client(app, worker).get(f"/outreach/flags/{flag.id}"))
    assert "This person has no score." in words
    assert "No contact details on record." in words


def test_opening_a_flag_is_in_the_audit_log(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    flag = flagged()
    client = _client(app, worker)
    assert client.get(f"/outreach/flags/{flag.id}").status_code == 200
    assert client.get(f"/outreach/flags/{flag.id}").status_code == 200
    entries = _audit(AuditAction.RISK_FLAG_VIEWED)
    assert [(e.actor_id, e.subject_id, e.details) for e in entries] == [
        (worker.id, None, {"flag_id": flag.id, "person_id": flag.person_id})] * 2
    assert entries[0].at is not None


def test_another_municipios_flag_is_404_everywhere_and_not_audited(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    foreign = flagged(3, raised_at=clock.now() - timedelta(days=400))
    client = _client(app, worker)
    assert client.get(f"/outreach/flags/{foreign.id}").status_code == 404
    assert client.get("/outreach/flags/999999").status_code == 404
    for path, data in ((f"/outreach/flags/{foreign.id}/decide", DECISION),
                       (f"/outreach/flags/{foreign.id}/contacts", _contact_fields()),
                       (f"/outreach/flags/{foreign.id}/outcomes",
                        {"outcome-months": "3", "outcome-situation": "neet"})):
        assert client.post(path, data=data).status_code == 404, path
    assert _audit(AuditAction.RISK_FLAG_VIEWED) == []
    assert (_count(Decision), _count(Contact), _count(Outcome)) == (0, 0, 0)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COUNSELLOR, Role.PROVIDER, Role.STUDENT])
def test_other_roles_are_forbidden(
    app: Flask, make_user: MakeUser, flagged: MakeFlag, role: Role
) -> None:
    flag = flagged()
    client = _client(app, make_user(role))
    for path in ("/outreach/", "/outreach/deferred", f"/outreach/flags/{flag.id}"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/outreach/flags/{flag.id}/decide", data=DECISION).status_code == 403
    assert _count(Decision) == 0
    assert _audit(AuditAction.RISK_FLAG_VIEWED) == []


def test_anonymous_visitors_are_sent_to_log_in(app: Flask, flagged: MakeFlag) -> None:
    response = _client(app).get(f"/outreach/flags/{flagged().id}")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


# --------------------------------------------------------------------------- decisions


def test_deciding_to_contact_then_logging_contacts(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    flag = flagged()
    client = _client(app, worker)
    page = client.get(f"/outreach/flags/{flag.id}").get_data(as_text=True)
    assert "To log a contact, first record a decision to contact this person." in page
    assert not _opens(page, flag, "contacts") and _opens(page, flag, "decide")

    response = _decide(client, flag)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/outreach/flags/{flag.id}#decisions")
    page = client.get(f"/outreach/flags/{flag.id}").get_data(as_text=True)
    assert "Decision recorded." in page
    assert _opens(page, flag, "contacts")
    [decision] = db.session.scalars(select(Decision)).all()
    assert (decision.kind, decision.reason_code, decision.agrees_with_model,
            decision.decided_by_id) == ("contact", "priority_confirmed", True, worker.id)
    assert db.session.get(Flag, flag.id).status == "open"  # type: ignore[union-attr]

    response = client.post(f"/outreach/flags/{flag.id}/contacts", data=_contact_fields(
        **{"contact-outcome": "not_reached", "contact-channel": "letter",
           "contact-note": "No answer"}))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#contacts")
    [contact] = db.session.scalars(select(Contact)).all()
    assert (contact.decision_id, contact.channel, contact.outcome, contact.note) == (
        decision.id, "letter", "not_reached", "No answer")
    words = _words(client.get(f"/outreach/flags/{flag.id}"))
    assert "Letter Not reached" in words and "No answer" in words and "Wanda Worker" in words
    assert [e.details["contact_id"] for e in _audit(AuditAction.RISK_CONTACT)] == [contact.id]


def test_a_disagreement_needs_an_explanation_and_is_recorded(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    flag = flagged()
    client = _client(app, worker)
    response = _decide(client, flag, **{"decision-kind": "no_contact",
                                        "decision-reason_code": "already_supported",
                                        "decision-agrees": "no"})
    assert response.status_code == 400
    assert "Explain your decision in a few words." in _words(response)
    assert 'id="form-errors"' in response.get_data(as_text=True)
    assert f'action="/outreach/flags/{flag.id}/decide"' in response.get_data(as_text=True)
    assert _count(Decision) == 0

    response = _decide(client, flag, **{"decision-kind": "no_contact",
                                        "decision-reason_code": "already_supported",
                                        "decision-agrees": "no",
                                        "decision-text": "Followed by the social services."})
    assert response.status_code == 302
    decision = db.session.scalars(select(Decision)).one()
    assert decision.agrees_with_model is False
    assert decision.reason_text == "Followed by the social services."
    db.session.expire_all()
    closed = db.session.get(Flag, flag.id)
    assert closed is not None and closed.status == "closed" and closed.closed_at is not None
    page = client.get(f"/outreach/flags/{flag.id}").get_data(as_text=True)
    assert "This flag is closed: it takes no new decision." in page
    assert not _opens(page, flag, "decide") and _opens(page, flag, "outcomes")


@pytest.mark.parametrize(("overrides", "message"), [
    ({"decision-kind": ""}, "Decision"),
    ({"decision-kind": "call"}, "Decision"),
    ({"decision-agrees": ""}, "Do you agree with the priority"),
    ({"decision-reason_code": ""}, "Reason"),
    ({"decision-reason_code": "whatever"}, "Reason"),
    ({"decision-reason_code": "other"}, "Explain your decision in a few words."),
    ({"decision-reason_code": "disagree_model", "decision-text": "No"},
     "answer \"No\" here"),
    ({"decision-text": "x" * 2001}, "Explanation"),
])
def test_bad_decisions_are_a_400_and_write_nothing(
    app: Flask, worker: User, flagged: MakeFlag, overrides: dict[str, str], message: str
) -> None:
    flag = flagged()
    client = _client(app, worker)
    client.get(f"/outreach/flags/{flag.id}")
    viewed = len(_audit(AuditAction.RISK_FLAG_VIEWED))
    response = _decide(client, flag, **overrides)
    assert response.status_code == 400
    assert message in _words(response)
    assert _count(Decision) == 0
    assert _audit(AuditAction.RISK_DECISION) == []
    assert len(_audit(AuditAction.RISK_FLAG_VIEWED)) == viewed
    assert db.session.get(Flag, flag.id).status == "open"  # type: ignore[union-attr]


def test_bad_decision_errors_are_in_italian_for_italian_workers(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    client = _client(app, worker)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "it"
    response = _decide(client, flagged(), **{"decision-agrees": ""})
    assert response.status_code == 400
    words = _words(response)
    assert "Correggi" in words or "correggi" in words
    assert "Please correct the following:" not in words


def test_a_decision_on_a_closed_flag_is_a_conflict(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    flag = flagged(status="closed", closed_at=clock.now())
    response = _decide(_client(app, worker), flag)
    assert response.status_code == 409
    assert "This flag is closed" in _words(response)
    assert _count(Decision) == 0


def test_forms_carry_csrf_tokens_and_posts_without_them_fail(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    flag = flagged()
    client = _client(app)
    page = client.get("/account/login").get_data(as_text=True)
    token = CSRF.search(page)
    assert token
    client.post("/account/login", data={"login": worker.login_name,
                                        "password": "Quiet-river-stones-42",
                                        "csrf_token": token[1]})
    assert _decide(client, flag).status_code == 400
    assert _count(Decision) == 0
    page = client.get(f"/outreach/flags/{flag.id}/decide").get_data(as_text=True)
    decision_form = page.split(f'action="/outreach/flags/{flag.id}/decide"')[1]
    token = re.search(r'name="decision-csrf_token" type="hidden" value="([^"]+)"',
                      decision_form.split("</form>")[0])
    assert token, "the decision form carries its CSRF token"
    response = _decide(client, flag, **{"decision-csrf_token": token[1]})
    assert response.status_code == 302
    assert _count(Decision) == 1


# --------------------------------------------------------------------------- forms on demand


def test_the_flag_page_opens_each_form_on_demand(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    flag = flagged()
    client = _client(app, worker)
    page = client.get(f"/outreach/flags/{flag.id}").get_data(as_text=True)
    assert _opens(page, flag, "decide") and _opens(page, flag, "outcomes")
    assert 'name="decision-kind"' not in page and 'name="outcome-months"' not in page
    viewed = len(_audit(AuditAction.RISK_FLAG_VIEWED))

    # Without JavaScript the button leads to the form's own page...
    response = client.get(f"/outreach/flags/{flag.id}/decide")
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    page = response.get_data(as_text=True)
    assert "<html" in page and 'name="decision-kind"' in page
    assert f'action="/outreach/flags/{flag.id}/decide"' in page
    assert f'href="/outreach/flags/{flag.id}#decisions"' in page
    words = _words(response)
    assert f"Record a decision Person {flag.person.pseudonym[-8:]}" in words
    assert "giulia@example.org" not in page  # whom the flag is about, as the queue says

    # ...and htmx takes the form alone, in place of the button, its heading focused.
    response = client.get(f"/outreach/flags/{flag.id}/outcomes", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith('<div class="card')
    assert re.search(r'<h3 class="h5" id="outcome-heading" tabindex="-1" data-focus-here>'
                     r'Record a follow-up</h3>', fragment)
    assert f'action="/outreach/flags/{flag.id}/outcomes" aria-labelledby="outcome-heading"' \
        in fragment
    assert 'name="outcome-months"' in fragment
    assert len(_audit(AuditAction.RISK_FLAG_VIEWED)) == viewed  # the forms are not the flag

    # A decision refused comes back on the flag page, its form open with the errors.
    response = _decide(client, flag, **{"decision-reason_code": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="decision-heading"' in page and 'id="form-errors"' in page
    assert not _opens(page, flag, "decide") and _opens(page, flag, "outcomes")


def test_a_form_the_flag_does_not_take_is_a_conflict(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    flag = flagged()
    client = _client(app, worker)
    for path in ("contacts", "referrals"):
        response = client.get(f"/outreach/flags/{flag.id}/{path}")
        assert response.status_code == 409
        assert "This flag does not take this action now" in _words(response)
        assert f'action="/outreach/flags/{flag.id}/{path}"' not in response.get_data(
            as_text=True)
        # htmx reloads the flag page, which says why.
        response = client.get(f"/outreach/flags/{flag.id}/{path}",
                              headers={"HX-Request": "true"})
        assert (response.status_code, response.headers.get("HX-Refresh"), response.data) == (
            409, "true", b"")
    _decide(client, flag)
    for path in ("contacts", "referrals", "decide", "outcomes"):
        assert client.get(f"/outreach/flags/{flag.id}/{path}").status_code == 200
    _decide(client, flag, **{"decision-kind": "no_contact",
                             "decision-reason_code": "already_supported"})
    assert [client.get(f"/outreach/flags/{flag.id}/{path}").status_code
            for path in ("decide", "contacts", "referrals", "outcomes")] == [409, 409, 409, 200]


def test_forms_of_other_municipi_and_unknown_forms_are_not_found(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    client = _client(app, worker)
    foreign = flagged(5)
    assert client.get(f"/outreach/flags/{foreign.id}/decide").status_code == 404
    assert client.get(f"/outreach/flags/{flagged().id}/forget").status_code == 404
    assert _client(app).get(f"/outreach/flags/{foreign.id}/decide").status_code == 302


# --------------------------------------------------------------------------- contacts


def test_a_contact_without_a_contact_decision_is_a_conflict(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    flag = flagged()
    client = _client(app, worker)
    response = client.post(f"/outreach/flags/{flag.id}/contacts", data=_contact_fields())
    assert response.status_code == 409
    assert "Record a decision to contact this person before logging a contact." in _words(
        response)
    _decide(client, flag, **{"decision-kind": "defer", "decision-reason_code": "recent_contact"})
    response = client.post(f"/outreach/flags/{flag.id}/contacts", data=_contact_fields())
    assert response.status_code == 409
    assert _count(Contact) == 0
    assert _audit(AuditAction.RISK_CONTACT) == []


@pytest.mark.parametrize(("overrides", "message"), [
    ({"contact-contacted_on": "tomorrow"}, "The date cannot be in the future."),
    ({"contact-contacted_on": "2026-02-30"}, "Date of the contact"),
    ({"contact-contacted_on": ""}, "Date of the contact"),
    ({"contact-outcome": "not_reached", "contact-consent": "given"},
     "Record consent only when the person was reached."),
    ({"contact-channel": "pigeon"}, "Channel"),
    ({"contact-outcome": ""}, "Outcome"),
    ({"contact-consent": "maybe"}, "Consent"),
])
def test_bad_contacts_are_a_400_and_write_nothing(
    app: Flask, worker: User, flagged: MakeFlag, overrides: dict[str, str], message: str
) -> None:
    flag = flagged()
    client = _client(app, worker)
    _decide(client, flag)
    if overrides.get("contact-contacted_on") == "tomorrow":
        overrides = overrides | {
            "contact-contacted_on": (clock.today() + timedelta(days=1)).isoformat()}
    response = client.post(f"/outreach/flags/{flag.id}/contacts",
                           data=_contact_fields(**overrides))
    assert response.status_code == 400
    assert message in _words(response)
    assert _count(Contact) == 0
    assert flag.person.opted_out_at is None


def test_refusing_help_opts_out_and_hides_the_person(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    flag = flagged(2)
    second = make_flag(flag.person, trigger="contract_ended")
    other = flagged(1)
    client = _client(app, worker)
    _decide(client, flag)
    response = client.post(f"/outreach/flags/{flag.id}/contacts", data=_contact_fields(
        **{"contact-consent": "refused"}))
    assert response.status_code == 302
    db.session.expire_all()
    assert flag.person.opted_out_at is not None
    assert {f.id: f.status for f in db.session.scalars(select(Flag))} == {
        flag.id: "closed", second.id: "closed", other.id: "open"}
    response = client.get(f"/outreach/flags/{flag.id}")
    words, page = _words(response), response.get_data(as_text=True)
    assert _row_links(client.get("/outreach/")) == [str(other.id)]
    assert "The person refused help: their flags are closed" in words
    assert "Do not contact them again." in words
    assert "giulia@example.org" not in page and "+39 02 5555 0101" not in page
    assert "Refused help" in words
    assert not _opens(page, flag, "contacts") and not _opens(page, flag, "decide")


# --------------------------------------------------------------------------- outcomes


def test_outcomes_once_per_follow_up(app: Flask, worker: User, flagged: MakeFlag) -> None:
    flag = flagged(raised_at=clock.now() - timedelta(days=200))
    client = _client(app, worker)
    path = f"/outreach/flags/{flag.id}/outcomes"
    response = client.post(path, data={"outcome-months": "3", "outcome-situation": "training",
                                       "outcome-note": "IeFP"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#outcomes")
    response = client.post(path, data={"outcome-months": "3", "outcome-situation": "neet"})
    assert response.status_code == 409
    assert "The 3-month outcome is already recorded." in _words(response)
    response = client.post(path, data={"outcome-months": "12", "outcome-situation": "neet"})
    assert response.status_code == 400
    assert "The 12-month follow-up is due on" in _words(response)
    rows = db.session.execute(select(Outcome.months, Outcome.situation, Outcome.note)).all()
    assert [tuple(r) for r in rows] == [(3, "training", "IeFP")]
    words = _words(client.get(f"/outreach/flags/{flag.id}"))
    assert "After 3 months In training IeFP Wanda Worker" in words


@pytest.mark.parametrize("data", [
    {"outcome-months": "4", "outcome-situation": "neet"},
    {"outcome-months": "x", "outcome-situation": "neet"},
    {"outcome-months": "3", "outcome-situation": ""},
    {"outcome-months": "3", "outcome-situation": "retired"},
])
def test_bad_outcomes_are_a_400_and_write_nothing(
    app: Flask, worker: User, flagged: MakeFlag, data: dict[str, Any]
) -> None:
    flag = flagged(raised_at=clock.now() - timedelta(days=400))
    response = _client(app, worker).post(f"/outreach/flags/{flag.id}/outcomes", data=data)
    assert response.status_code == 400
    assert 'id="form-errors"' in response.get_data(as_text=True)
    assert _count(Outcome) == 0


def test_score_history_lists_the_newest_first(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    """The history lists the newest score first (the page reads it top down)."""
    flag = flagged()
    older = _add_history(flag, make_version("retired"))
    older.scored_at = clock.now() - timedelta(days=90)
    db.session.commit()
    page = _client(app, worker).get(f"/outreach/flags/{flag.id}").get_data(as_text=True)
    history = page.split('id="history-heading"')[1]
    assert (history.index(f"Version {flag.version_id}")
            < history.index(f"Version {older.version_id}"))


# --------------------------------------------------------------------------- garbage

GARBAGE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "2026-02-30", "1900-01-01",
                     "9999-12-31", "<script>alert(1)</script>", "' OR 1=1 --", "\u202e",
                     "ا" * 500, "x" * 5000, "contact", "refused", "reached", "3", "yes", "no"]),
)
FORMS = {
    "decide": ["decision-kind", "decision-reason_code", "decision-agrees", "decision-text"],
    "contacts": ["contact-channel", "contact-contacted_on", "contact-outcome",
                 "contact-consent", "contact-note"],
    "outcomes": ["outcome-months", "outcome-situation", "outcome-note"],
}


@settings(max_examples=25, deadline=None,
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_garbage_in_outreach_forms_never_causes_a_server_error(
    app: Flask, worker: User, flagged: MakeFlag, data: st.DataObject
) -> None:
    client = app.test_client()
    act_as(client, worker)
    flag = flagged(raised_at=clock.now() - timedelta(days=400))
    for action, fields in FORMS.items():
        form = {name: data.draw(GARBAGE) for name in fields}
        response = client.post(f"/outreach/flags/{flag.id}/{action}", data=form)
        assert response.status_code < 500, (action, form)
    for query in ("trigger", "band", "municipio", "page"):
        response = client.get("/outreach/", query_string={query: data.draw(GARBAGE)})
        assert response.status_code < 500, query


# --------------------------------------------------------------------------- known problems


def test_the_contact_decision_is_not_labelled_contact_information_in_arabic(
    app: Flask, worker: User, flagged: MakeFlag
) -> None:
    client = _client(app, worker)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ar"
    page = client.get(f"/outreach/flags/{flagged().id}/decide").get_data(as_text=True)
    assert re.search(r'id="decision-kind-0" name="decision-kind" [^>]*value="contact"', page)
    label = re.search(r'<label class="form-check-label" for="decision-kind-0">([^<]+)</label>',
                      page)
    assert label, "the contact decision has a label"
    assert label[1] != "معلومات التواصل"
