"""Risk admin pages over HTTP: access, model card, activation, rollback, report (the version
overview's own tests are in tests/outreach/test_overview.py)."""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orientamento.auth.models import AuditAction, Role, User
from orientamento.extensions import db
from orientamento.risk import governance
from orientamento.risk.models import ModelVersion
from orientamento.risk.pseudonyms import pseudonymize
from tests.core.routes import act_as, build_url
from tests.risk.factories import (
    SAMPLE_METRICS,
    make_flag,
    make_person,
    make_score,
    make_version,
)
from tests.risk.test_admin_services import (
    add_contact,
    add_decision,
    add_outcome,
    audit_entries,
    model_flag,
    statuses,
)

SOURCE_ID = "SYN202400000012"


@pytest.fixture
def admin(client: FlaskClient, make_user: Callable[..., User]) -> User:
    """An admin reading English, logged in."""
    user = make_user(Role.ADMIN, locale="en")
    act_as(client, user)
    return user


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def squeeze(html: str) -> str:
    """The page with runs of white space made single spaces (templates wrap lines)."""
    return re.sub(r"\s+", " ", html)


def risk_urls(app: Flask, version_id: int) -> list[tuple[str, str]]:
    """(method, path) of every route under /risk/ (the risk blueprint's, and the version
    overview that outreach serves there)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/risk/"):
            path = build_url(app, rule.endpoint, **{a: version_id for a in rule.arguments})
            found += [(method, path) for method in sorted((rule.methods or set())
                                                          & {"GET", "POST"})]
    return found


# --- access ----------------------------------------------------------------------------------


def test_the_risk_routes_are_the_expected_ones(app: Flask) -> None:
    # If a route is added, add it to the access tests' expectations below, too.
    assert sorted(risk_urls(app, 7)) == [
        ("GET", "/risk/records"), ("GET", "/risk/subject-report"), ("GET", "/risk/versions"), ("GET", "/risk/versions/7"),
        ("GET", "/risk/versions/7/card.md"), ("GET", "/risk/versions/7/overview"),
        ("POST", "/risk/records"), ("POST", "/risk/subject-report"),
        ("POST", "/risk/versions/7/activate"),
        ("POST", "/risk/versions/7/rollback")]


@pytest.mark.parametrize("role", [Role.STUDENT, Role.COUNSELLOR, Role.PROVIDER, Role.OUTREACH])
def test_only_admins_reach_the_risk_pages(
    app: Flask, client: FlaskClient, make_user: Callable[..., User], role: Role
) -> None:
    version = make_version()
    act_as(client, make_user(role))
    for method, path in risk_urls(app, version.id):
        response = client.open(path, method=method, data={"confirm": "y",
                                                          "source_id": SOURCE_ID})
        assert response.status_code == 403, (method, path)
    assert statuses() == {version.id: "draft"}
    assert audit_entries() == []


def test_anonymous_visitors_are_sent_to_log_in(app: Flask, client: FlaskClient) -> None:
    version = make_version()
    for method, path in risk_urls(app, version.id):
        response = client.open(path, method=method)
        assert response.status_code == 302 and "/account/login" in response.location


@pytest.mark.parametrize("method, path", [
    ("GET", "/risk/versions/{id}"), ("GET", "/risk/versions/{id}/card.md"),
    ("GET", "/risk/versions/{id}/overview"), ("POST", "/risk/versions/{id}/activate"),
    ("POST", "/risk/versions/{id}/rollback"),
])
def test_an_unknown_version_is_not_found(
    client: FlaskClient, admin: User, method: str, path: str
) -> None:
    version = make_version(status="active")
    response = client.open(path.format(id=version.id + 1), method=method, data={"confirm": "y"})
    assert response.status_code == 404
    assert "No such model version." in text(response)
    assert audit_entries() == []


def test_admin_navigation_links_to_the_risk_models(client: FlaskClient, admin: User) -> None:
    assert 'href="/risk/versions"' in text(client.get("/"))


# --- versions list ------------------------------------------------------------------------------


def test_without_versions_the_list_explains_how_to_train_one(
    client: FlaskClient, admin: User
) -> None:
    page = text(client.get("/risk/versions"))
    assert "No model trained yet" in page
    assert "flask risk train" in page and "<table" not in page


def test_the_list_shows_every_version_with_headline_metrics(
    client: FlaskClient, admin: User
) -> None:
    retired = make_version(status="retired")
    active = make_version(status="active", metrics=dict(
        SAMPLE_METRICS, roc_auc={"value": 0.7712, "low": 0.7401, "high": 0.8049}, ece=0.0234))
    draft = make_version()
    page = squeeze(text(client.get("/risk/versions")))
    rows = re.findall(r"<tr[^>]*>.*?</tr>", page.split("<tbody>")[1])
    assert len(rows) == 3
    # Newest first; the active one highlighted.
    assert [re.search(r"/risk/versions/(\d+)", row)[1] for row in rows] == [  # type: ignore[index]
        str(draft.id), str(active.id), str(retired.id)]
    assert 'class="table-success"' in rows[1] and "table-success" not in rows[0] + rows[2]
    assert '<span class="badge bg-success">Active</span>' in rows[1]
    assert "0.77 <span" in rows[1] and "[0.74, 0.80]" in rows[1] and "0.023" in rows[1]
    assert "Retired" in rows[2] and "Draft" in rows[0]
    assert "Logistic regression" in rows[0]


def test_list_numbers_follow_the_language(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    make_version()
    act_as(client, make_user(Role.ADMIN, locale="it"))
    page = text(client.get("/risk/versions"))
    assert "[0,78, 0,84]" in page and "0,45" in page


# --- model card -------------------------------------------------------------------------------


def test_the_card_shows_use_data_and_metrics(client: FlaskClient, admin: User) -> None:
    version = make_version()
    version.data_sha256 = "d" * 64
    db.session.commit()
    page = squeeze(text(client.get(f"/risk/versions/{version.id}")))
    assert "Model card: Risk of being NEET within 12 months" in page
    assert "a worker decides every contact and may disagree with the model" in page
    assert "Any decision about rights, benefits, sanctions" in page
    assert "3,000" in page and "1,000" in page  # training and hold-out rows
    assert "rows whose as_of is 2024-09-30 or after" in page
    assert "training 13%, hold-out 14%" in page
    for digest in (version.spec_sha256, "d" * 64, version.model_sha256):
        assert f'<code dir="ltr" class="text-break">{digest}</code>' in page
    assert "<th scope=\"row\">ROC-AUC</th><td>0.81 <span class=\"text-nowrap\" dir=\"ltr\">[0.78, 0.84]</span>" \
        in page
    assert "<td>0.45 <span class=\"text-nowrap\" dir=\"ltr\">[0.40, 0.50]</span>" in page
    assert "<td>0.090</td>" in page and "base rate for everyone scores 0.120" in page
    assert "<td>0.015</td>" in page  # ECE
    assert "<td>35%</td>" in page and "<td>49%</td>" in page  # recall and precision at k
    assert "among the 100 highest scores (10% of the hold-out" in page
    # Candidates: the chosen one marked; the simple rule beside the model.
    assert re.search(r"Logistic regression</th><td>0.81</td> <td><strong>Yes</strong>", page)
    assert re.search(r"Gradient boosting</th><td>0.80</td> <td>No</td>", page)
    assert "<td>0.81</td><td>0.70</td>" in page and "<td>35%</td><td>22%</td>" in page


def recalibrated_metrics() -> dict[str, Any]:
    """The sample metrics as ``calibration: latest`` writes them (made-up figures)."""
    metrics = copy.deepcopy(SAMPLE_METRICS)
    metrics["ece"] = 0.021
    metrics["ece_interval"] = {"value": 0.021, "low": 0.014, "high": 0.033}
    metrics["recalibration"] = {
        "period": "2024-03-31", "rows": 812, "method": "intercept", "rate": 0.171,
        "intercept": {"before": 1.2, "after": 0.9}, "ece_before": 0.068,
        "ece_before_interval": {"value": 0.068, "low": 0.059, "high": 0.077},
        "brier_before": 0.094, "mean_before": 0.102, "roc_auc_before": 0.81}
    return metrics


def test_the_card_shows_the_calibration_error_before_and_after_recalibration(
        client: FlaskClient, admin: User) -> None:
    from orientamento.risk.card import card_markdown
    from orientamento.risk.reasons import version_spec

    version = make_version(metrics=recalibrated_metrics())
    page = squeeze(text(client.get(f"/risk/versions/{version.id}")))
    after = re.search(r'<tr id="ece-after">(.*?)</tr>', page)
    before = re.search(r'<tr id="ece-before">(.*?)</tr>', page)
    assert after and before
    assert '<td>0.021 <span class="text-nowrap" dir="ltr">[0.014, 0.033]</span></td>' in after[1]
    assert '<td>0.068 <span class="text-nowrap" dir="ltr">[0.059, 0.077]</span></td>' in before[1]
    assert "latest labelled period (2024-03-31)" in before[1]
    assert re.search(r'<tr id="auc-before"><th scope="row">ROC-AUC before recalibration</th>'
                     r"<td>0.81</td>", page)
    assert ("refitted on the latest labelled period before the hold-out, 2024-03-31 (812 "
            "people, observed rate 17.1%). Calibration error on the hold-out: 0.068 before, "
            "0.021 after.") in page
    card = card_markdown(version_spec(version), version)
    assert "| Expected calibration error | 0.021 (95% CI 0.014-0.033) | |" in card
    assert ("| Expected calibration error before recalibration | 0.068 (95% CI 0.059-0.077) "
            "| |") in card
    assert "| ROC-AUC before recalibration | 0.810 | |" in card
    assert "| Brier score before recalibration | 0.094 | |\n\n## Fairness" in card
    assert "its intercept refitted (slope kept)" in card and "(2024-03-31, 812 rows" in card


def test_a_card_without_recalibration_shows_one_calibration_error(
        client: FlaskClient, admin: User) -> None:
    version = make_version()
    page = squeeze(text(client.get(f"/risk/versions/{version.id}")))
    assert 'id="ece-after"' in page and "<td>0.015</td>" in page
    assert 'id="ece-before"' not in page and 'id="recalibration"' not in page


def test_the_card_draws_the_reliability_diagram_with_translated_labels(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    version = make_version()
    act_as(client, make_user(Role.ADMIN, locale="en"))
    page = text(client.get(f"/risk/versions/{version.id}"))
    svg = page[page.index('<svg xmlns="http://www.w3.org/2000/svg"'):]
    svg = svg[:svg.index("</svg>")]
    assert 'aria-label="Reliability diagram: observed rate' in svg
    assert svg.count("<circle") == 10
    assert ">Predicted probability</text>" in svg and ">Observed rate</text>" in svg


def test_the_card_shows_fairness_with_suppressed_groups_and_low_ratios(
    client: FlaskClient, admin: User
) -> None:
    metrics = copy.deepcopy(SAMPLE_METRICS)
    metrics["fairness"]["gender"]["ratios"]["recall"] = 0.62
    metrics["proxies"].append({"feature": "contracts_24m", "attribute": "citizenship_group",
                               "roc_auc": 0.74, "flagged": True})
    version = make_version(metrics=metrics)
    page = squeeze(text(client.get(f"/risk/versions/{version.id}")))
    fairness = page[page.index('id="fairness"'):page.index('id="proxies"')]
    assert '<h3 class="h5" id="fairness-1">Gender</h3>' in fairness
    assert re.search(r'<th scope="row">F</th><td>120</td> <td>10%</td><td>40%</td> '
                     r'<td>5%</td><td>50%</td> <td>0.020</td><td>13%</td><td>14%</td>', fairness)
    suppressed = re.search(r'<tr class="suppressed">.*?</tr>', fairness)
    assert suppressed is not None
    assert "<th scope=\"row\">X</th>" in suppressed[0]
    assert "Fewer than 30 people: not shown" in suppressed[0]
    assert "12" not in suppressed[0]  # its real size is not shown either
    low = re.findall(r'<td class="table-warning ratio-low">(.*?)</td>', fairness)
    assert low == ['<strong>0.62</strong> <span class="badge bg-warning">below 0.8'
                   "</span>"]
    assert "<td>0.80</td>" in fairness and "<td>0.90</td>" in fairness  # at the line: plain
    proxies = page[page.index('id="proxies"'):page.index('id="inputs"')]
    flagged = re.findall(r'<tr class="table-warning proxy-flagged">(.*?)</tr>', proxies)
    assert len(flagged) == 1 and "contracts_24m" in flagged[0] and "0.74" in flagged[0]
    assert "education" in proxies and "education" not in flagged[0]


def test_the_card_lists_the_inputs_and_the_caveats(client: FlaskClient, admin: User) -> None:
    version = make_version()
    page = squeeze(text(client.get(f"/risk/versions/{version.id}")))
    inputs = page[page.index('id="inputs"'):page.index('id="caveats"')]
    assert len(re.findall(r"<tr><th scope=\"row\">", inputs)) == 10
    assert re.search(r'<code dir="ltr">age</code> <small>\(from birth_year\)</small></th> '
                     r"<td>Number</td> <td>Yes</td> <td>No</td>", inputs)
    assert re.search(r'<code dir="ltr">enrolled</code></th> <td>Yes or no</td> <td>Yes</td> '
                     r"<td>Yes: a service can help change it</td> "
                     r"<td>Not enrolled in school or a course</td>", inputs)
    assert "(gender, citizenship_group, disability) are never inputs" in inputs
    assert "Reasons are associations found in the records, not causes." in page


def test_the_card_speaks_the_readers_language(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    version = make_version()
    act_as(client, make_user(Role.ADMIN, locale="ar"))
    page = text(client.get(f"/risk/versions/{version.id}"))
    assert "خطر أن يصبح الشاب خارج التعليم والعمل والتدريب خلال 12 شهرًا" in page
    assert "ترتيب من يُعرض عليه العون الطوعي أولًا" in page
    assert 'dir="rtl"' in page


def test_the_card_downloads_as_markdown(client: FlaskClient, admin: User) -> None:
    version = make_version()
    version.card_markdown = "# Model card: NEET\n\nAccented: città\n"
    db.session.commit()
    response = client.get(f"/risk/versions/{version.id}/card.md")
    assert response.status_code == 200
    assert response.content_type == "text/markdown; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="model-card-neet-{version.id}.md"'
    assert text(response) == "# Model card: NEET\n\nAccented: città\n"


# --- activation and rollback --------------------------------------------------------------------


def test_activation_needs_the_confirmation_and_writes_nothing_without_it(
    client: FlaskClient, admin: User
) -> None:
    active, draft = make_version(status="active"), make_version()
    response = client.post(f"/risk/versions/{draft.id}/activate", data={})
    assert response.status_code == 400
    page = text(response)
    assert "Confirm that you have read the model card before activating this version." in page
    assert 'id="confirm-error"' in page and 'aria-invalid="true"' in page
    assert statuses() == {active.id: "active", draft.id: "draft"}
    assert audit_entries() == []


def test_activation_with_the_confirmation_switches_versions_and_is_audited(
    client: FlaskClient, admin: User
) -> None:
    active, draft = make_version(status="active"), make_version()
    page = text(client.get(f"/risk/versions/{draft.id}"))
    assert f"Activating this version retires version {active.id}, active now." in page
    assert 'name="confirm"' in page
    response = client.post(f"/risk/versions/{draft.id}/activate", data={"confirm": "y"})
    assert response.status_code == 302
    assert response.location == f"/risk/versions/{draft.id}"
    assert statuses() == {active.id: "retired", draft.id: "active"}
    [entry] = audit_entries()
    assert entry.action == AuditAction.RISK_MODEL_ACTIVATED.value
    assert entry.actor_id == admin.id and entry.subject_id is None
    assert entry.details["version_id"] == draft.id
    page = text(client.get(response.location))
    assert f"Version {draft.id} is now active; version {active.id} is retired." in page
    assert 'name="confirm"' not in page
    assert f"Roll back to version {active.id}" in page


def test_the_list_links_to_the_activation_history_in_the_audit_log(
    client: FlaskClient, admin: User
) -> None:
    draft = make_version()
    client.post(f"/risk/versions/{draft.id}/activate", data={"confirm": "y"})
    page = text(client.get("/risk/versions"))
    link = re.search(r'href="(/admin/audit\?action=risk_model_activated)"', page)
    assert link is not None
    assert 'href="/admin/audit?action=risk_model_rolled_back"' in page
    history = text(client.get(link[1].replace("&amp;", "&")))
    rows = re.findall(r"<tr>.*?</tr>", squeeze(history.split("<tbody>")[1]))
    assert len(rows) == 1 and "Risk model activated" in rows[0]


def test_activating_the_active_version_again_is_a_conflict(
    client: FlaskClient, admin: User
) -> None:
    active = make_version(status="active")
    response = client.post(f"/risk/versions/{active.id}/activate", data={"confirm": "y"})
    assert response.status_code == 409
    assert "This version is already active." in text(response)
    assert audit_entries() == []


def test_rollback_over_http(client: FlaskClient, admin: User) -> None:
    first, second = make_version(), make_version()
    governance.activate_version(admin, first)
    governance.activate_version(admin, second)
    db.session.commit()
    response = client.post(f"/risk/versions/{second.id}/rollback")
    assert response.status_code == 302 and response.location == f"/risk/versions/{first.id}"
    assert statuses() == {first.id: "active", second.id: "retired"}
    assert audit_entries(AuditAction.RISK_MODEL_ROLLED_BACK)[0].details["version_id"] == first.id
    assert f"Rolled back: version {first.id} is active again; version {second.id} is retired." \
        in text(client.get(response.location))


def test_rollback_without_an_earlier_version_is_refused_clearly(
    client: FlaskClient, admin: User
) -> None:
    only = make_version(status="active")
    page = text(client.get(f"/risk/versions/{only.id}"))
    assert f'action="/risk/versions/{only.id}/rollback"' not in page
    assert "There is no earlier active version of this model to roll back to." in page
    response = client.post(f"/risk/versions/{only.id}/rollback")
    assert response.status_code == 409
    assert "There is no earlier active version of this model to go back to." in text(response)
    assert statuses() == {only.id: "active"}
    assert audit_entries() == []


def test_every_post_needs_a_csrf_token(
    app: Flask, client: FlaskClient, admin: User, subject: Any
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    active = make_version(status="retired")
    governance.activate_version(admin, active)
    db.session.commit()
    before = statuses()
    for path in (f"/risk/versions/{active.id - 1}/activate",
                 f"/risk/versions/{active.id}/rollback", "/risk/subject-report"):
        response = client.post(path, data={"confirm": "y", "source_id": SOURCE_ID})
        assert response.status_code == 400, path
    assert statuses() == before
    assert len(audit_entries()) == 1  # the activation above, nothing from the posts


def _count(client: FlaskClient, path: str, seen: list[str]) -> int:
    seen.clear()
    assert client.get(path).status_code == 200
    # Whether the test's session already had a transaction open is no business of the page.
    return len([q for q in seen if not q.startswith("BEGIN")])


def _grow(version: ModelVersion, municipio: int, n: int) -> None:
    for i in range(n):
        flag = model_flag(version, 0.1 + (i % 5) / 10, municipio=municipio,
                          gender="FM"[i % 2], citizenship_group=f"g{i % 3}")
        decision = add_decision(flag, "contact", agrees=bool(i % 2))
        add_contact(decision)
        add_outcome(flag, 3, "neet")
        add_outcome(flag, 12, "employment")


def test_pages_use_a_bounded_number_of_queries(
    client: FlaskClient, admin: User, queries: list[str]
) -> None:
    version = make_version(status="active")
    _grow(version, 1, 2)
    paths = (f"/risk/versions/{version.id}/overview", f"/risk/versions/{version.id}",
             "/risk/versions")
    few = {path: _count(client, path, queries) for path in paths}
    _grow(version, 2, 12)
    _grow(version, 7, 6)
    for _ in range(4):
        make_version()
    many = {path: _count(client, path, queries) for path in paths}
    assert many == few
    assert few[paths[0]] <= 10


def test_list_and_card_never_load_model_files(
    client: FlaskClient, admin: User, queries: list[str]
) -> None:
    version = make_version(model_file=b"\x00" * 10)
    for path in ("/risk/versions", f"/risk/versions/{version.id}",
                 f"/risk/versions/{version.id}/overview"):
        queries.clear()
        client.get(path)
        selected = [q.split("FROM", 1)[0] for q in queries]
        assert not [q for q in selected if "model_file" in q], path
        assert any("risk_model_versions.metrics" in q for q in selected)


# --- data-subject report ------------------------------------------------------------------------


@pytest.fixture
def subject(admin: User) -> Any:
    """Someone in the records with a score, a flag, a decision, a contact and an outcome."""
    version = make_version(status="active")
    person = make_person(4, gender="M", citizenship_group="non_eu")
    person.pseudonym = pseudonymize(SOURCE_ID)
    db.session.commit()
    flag = make_flag(person, make_score(person, version, 0.42))
    decision = add_decision(flag, "contact", agrees=False, reason="disagree_model",
                            text="Seen at the youth centre")
    add_contact(decision, consent="given")
    add_outcome(flag, 6, "training")
    return person


def test_the_report_form_does_not_log_anything(client: FlaskClient, admin: User) -> None:
    page = text(client.get("/risk/subject-report"))
    assert 'name="source_id"' in page and 'value="json"' in page
    assert audit_entries() == []


def test_an_unknown_id_gets_a_clear_message_and_no_report(
    client: FlaskClient, admin: User, subject: Any
) -> None:
    response = client.post("/risk/subject-report", data={"source_id": "SYN999"})
    assert response.status_code == 404
    page = text(response)
    assert "There are no records for this id." in page
    assert 'id="source_id-error"' in page and 'id="report"' not in page
    assert audit_entries() == []


@pytest.mark.parametrize("value, message", [
    ("", "Enter the person's id."),
    ("SYN 12", "An id has only letters, digits and the signs . _ / -"),
    ("X" * 65, "An id has at most 64 characters."),
])
def test_a_malformed_id_is_refused(
    client: FlaskClient, admin: User, value: str, message: str
) -> None:
    response = client.post("/risk/subject-report", data={"source_id": value})
    assert response.status_code == 400
    # As a reader sees it: a message is escaped like any text ("person&#39;s").
    assert message in html.unescape(text(response))
    assert audit_entries() == []


def test_the_report_shows_everything_held_and_is_audited(
    client: FlaskClient, admin: User, subject: Any
) -> None:
    response = client.post("/risk/subject-report",
                           data={"source_id": SOURCE_ID.lower(), "format": "html"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = squeeze(text(response))
    report = page[page.index('id="report"'):]
    assert subject.pseudonym in report
    assert '<code dir="ltr">months_since_enrolment</code></th><td>14</td>' in report
    assert '<code dir="ltr">early_leaver</code></th><td>Yes</td>' in report
    assert '<code dir="ltr">attendance_rate</code></th><td>—</td>' in report
    assert "<td>42%</td><td>High</td>" in report
    assert "Left school before a qualification" in report
    assert "Present the courses on offer and the orientation days" in report
    assert "(Active)" in report  # the version's status
    assert "I disagree with the model&#39;s assessment: Seen at the youth centre" in report
    assert re.search(r"Seen at the youth centre</td> <td>No</td>", report)
    assert "Phone, Reached, accepted help" in report
    assert "After 6 months: In training" in report
    assert "from the records of Sep 30, 2025, municipio 4" in report
    assert "Kept for the fairness audit only, never used as model inputs." in report
    assert re.search(r"Gender</dt><dd class=\"col-sm-8\">M</dd>", report)
    assert "non_eu" in report
    [entry] = audit_entries()
    assert entry.action == AuditAction.RISK_SUBJECT_REPORT.value
    assert (entry.actor_id, entry.subject_id, entry.details) == \
        (admin.id, None, {"person_id": subject.id})


def test_the_report_downloads_as_json(client: FlaskClient, admin: User, subject: Any) -> None:
    response = client.post("/risk/subject-report",
                           data={"source_id": SOURCE_ID, "format": "json"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert re.fullmatch(r'attachment; filename="risk-data-report-\d{4}-\d{2}-\d{2}\.json"',
                        response.headers["Content-Disposition"])
    assert response.headers["Cache-Control"] == "no-store"
    report = json.loads(response.get_data())
    assert set(report) == {"generated_at", "person", "records", "scores", "flags",
                           "contact_details", "protected_attributes"}
    assert report["person"]["pseudonym"] == subject.pseudonym
    assert report["records"][0]["values"]["repetitions"] == 1
    assert report["scores"][0]["band"] == "high"
    assert report["scores"][0]["reasons"][0]["text"] == "Left school before a qualification"
    assert report["flags"][0]["decisions"][0]["agrees_with_model"] is False
    assert report["flags"][0]["decisions"][0]["contacts"][0]["consent"] == "given"
    assert report["flags"][0]["outcomes"][0] | {"recorded_at": None} == {
        "months": 6, "situation": "training", "situation_label": "In training", "note": "",
        "recorded_at": None}
    assert report["protected_attributes"]["citizenship_group"] == "non_eu"
    assert [e.details for e in audit_entries(AuditAction.RISK_SUBJECT_REPORT)] == \
        [{"person_id": subject.id}]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(st.text(max_size=200), st.sampled_from(
    ["' OR 1=1 --", "\u202e", "ا" * 70, "../../etc/passwd", "SYN%00", "x" * 5000])))
def test_the_report_form_survives_garbage(client: FlaskClient, admin: User, value: str) -> None:
    for fmt in ("html", "json", "nonsense"):
        response = client.post("/risk/subject-report", data={"source_id": value, "format": fmt})
        assert response.status_code in (400, 404), (value, fmt)
