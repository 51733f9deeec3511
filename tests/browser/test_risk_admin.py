"""Risk models in the browser, as the demo admin: versions, a model card, activation with its
confirmation (by keyboard), rollback without JavaScript, the outreach overview, a data report;
the fairness gate refusing an unjustified activation, in Italian and Arabic.

The live server's database is shared by the browser tests: this module's versions carry a
spec name of their own and its person a source id of its own, so the demo's data (and any
active NEET version in it) is never touched.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import (
    DEMO_LOGINS,
    LANGUAGES,
    LiveServer,
    check_a11y,
    log_in,
    query_all,
    read_json,
    restore_demo_account,
    screenshot,
    submit,
    switch_language,
    visit,
)

pytestmark = pytest.mark.browser

ACTIVATE = 'form[action$="/activate"] button[type=submit]'
#: What the admin writes to activate a version the fairness gate stops, per language.
JUSTIFICATIONS = {
    "it": "Il divario di recall nasce da 40 donne in un solo corso;\n"
          "verificato con l'ufficio pari opportunità.",
    "ar": "الفرق في الاستدعاء سببه 40 امرأة في دورة واحدة؛\nتمت مراجعته مع مكتب تكافؤ الفرص.",
}
ROLLBACK = 'form[action$="/rollback"] button[type=submit]'
SHOW_REPORT = 'main form button[name="format"][value="html"]'
JSON_REPORT = 'main form button[name="format"][value="json"]'


@dataclass(frozen=True)
class RiskData:
    """What this module added to the live server's database."""

    spec_name: str
    old_id: int
    new_id: int
    person_id: int
    source_id: str


def _statuses(live_server: LiveServer, spec_name: str) -> dict[int, str]:
    rows = query_all(live_server.app, "SELECT id, status FROM risk_model_versions "
                                      "WHERE spec_name = :name", name=spec_name)
    return {int(row[0]): str(row[1]) for row in rows}


@pytest.fixture
def risk_data(live_server: LiveServer) -> Iterator[RiskData]:
    """An active version and a newer draft of a spec of this test's own, and a flagged person."""
    from orientamento.extensions import db
    from orientamento.risk.pseudonyms import pseudonymize
    from tests.risk.factories import make_flag, make_person, make_score, make_version
    from tests.risk.test_admin_services import add_contact, add_decision, add_outcome

    tag = uuid.uuid4().hex[:8]
    spec_name, source_id = f"neet_browser_{tag}", f"SYNBR{tag.upper()}"
    with live_server.app.app_context():
        try:
            old, new = make_version(), make_version()
            for version in (old, new):
                version.spec_name = spec_name
            db.session.commit()
            old.status, old.activated_at = "active", old.created_at
            db.session.commit()
            person = make_person(3, gender="F")
            person.pseudonym = pseudonymize(source_id)
            db.session.commit()
            flag = make_flag(person, make_score(person, old, 0.47))
            decision = add_decision(flag, "contact", agrees=False, reason="disagree_model",
                                    text="Known to the youth centre")
            add_contact(decision, consent="given")
            add_outcome(flag, 3, "training")
            data = RiskData(spec_name, old.id, new.id, person.id, source_id)
        finally:
            db.session.remove()
    yield data
    restore_demo_account(live_server.app, DEMO_LOGINS["admin"])


def path_of(page: Any) -> str:
    """The path of the page's current URL."""
    return urlsplit(page.url).path


def test_admin_reads_a_card_activates_by_keyboard_and_rolls_back(
    page: Any, new_page: Any, live_server: LiveServer, risk_data: RiskData
) -> None:
    old, new = risk_data.old_id, risk_data.new_id
    log_in(page, DEMO_LOGINS["admin"])
    if page.locator("html").get_attribute("lang") != "it":  # an earlier test's choice stuck
        switch_language(page, "it")
    with page.expect_navigation():
        page.locator('nav.navbar a.nav-link[href="/risk/versions"]').click()
    page.wait_for_load_state()
    assert path_of(page) == "/risk/versions"
    check_a11y(page)
    active_row = page.locator(f'main tr:has(a[href="/risk/versions/{old}"])')
    assert "table-success" in (active_row.get_attribute("class") or "")
    with page.expect_navigation():
        page.locator(f'main a[href="/risk/versions/{new}"]').click()
    page.wait_for_load_state()
    check_a11y(page)
    assert page.locator("h1").inner_text().startswith("Scheda del modello") or \
        page.locator("h1").inner_text().startswith("Model card")
    assert page.locator("svg.reliability circle").count() == 10
    assert page.locator("#fairness tr.suppressed").count() == 1

    # Without the confirmation: refused, explained next to the box, nothing changed.
    response = submit(page, ACTIVATE)
    assert response.status == 400
    assert page.locator("#confirm").get_attribute("aria-invalid") == "true"
    assert page.locator("#confirm-error").is_visible()
    check_a11y(page)
    assert _statuses(live_server, risk_data.spec_name) == {old: "active", new: "draft"}

    # By keyboard: focus the box, tick it with Space, Tab to the button, Enter.
    page.focus("#confirm")
    page.keyboard.press("Space")
    assert page.is_checked("#confirm")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == \
        page.locator(ACTIVATE).inner_text().strip()
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.ok and path_of(page) == f"/risk/versions/{new}"
    assert page.locator(".alert-success").is_visible()
    check_a11y(page)
    assert _statuses(live_server, risk_data.spec_name) == {old: "retired", new: "active"}
    screenshot(page, "risk-card-it")

    with page.expect_download() as download:
        page.locator(f'a[href="/risk/versions/{new}/card.md"]').click()
    assert download.value.suggested_filename == f"model-card-{risk_data.spec_name}-{new}.md"

    visit(page, f"/risk/versions/{old}/overview")
    assert page.locator("main table").count() >= 4
    for language in ("ar", "it"):
        switch_language(page, language)
        for path in ("/risk/versions", f"/risk/versions/{new}", f"/risk/versions/{old}/overview"):
            visit(page, path)
        if language == "ar":
            screenshot(page, "risk-overview-ar")
            visit(page, f"/risk/versions/{new}")
            screenshot(page, "risk-card-ar")

    # Without JavaScript the rollback form posts straight away (no confirm dialog).
    plain = new_page(java_script_enabled=False)
    log_in(plain, DEMO_LOGINS["admin"])
    plain.goto(f"/risk/versions/{new}")
    response = submit(plain, ROLLBACK)
    assert response.ok and path_of(plain) == f"/risk/versions/{old}"
    assert _statuses(live_server, risk_data.spec_name) == {old: "active", new: "retired"}
    actions = query_all(live_server.app, "SELECT action, details FROM audit_log WHERE action "
                                         "LIKE 'risk_model_%' ORDER BY id")
    mine = [row[0] for row in actions if risk_data.spec_name in str(row[1])]
    assert mine == ["risk_model_activated", "risk_model_rolled_back"]


def test_admin_produces_a_data_report_on_screen_and_as_json(
    page: Any, live_server: LiveServer, risk_data: RiskData
) -> None:
    log_in(page, DEMO_LOGINS["admin"], language="en")
    visit(page, "/risk/subject-report")

    page.fill("#source_id", "SYNBR-NOBODY")
    response = submit(page, SHOW_REPORT)
    assert response.status == 404
    assert "There are no records for this id." in page.locator("#source_id-error").inner_text()
    check_a11y(page)

    page.fill("#source_id", f"  {risk_data.source_id.lower()} ")
    response = submit(page, SHOW_REPORT)
    assert response.ok
    report = page.locator("#report")
    assert "Left school before a qualification" in report.inner_text()
    assert "Known to the youth centre" in report.inner_text()
    assert "Kept for the fairness audit only, never used as model inputs." in report.inner_text()
    check_a11y(page)
    screenshot(page, "risk-report-en")

    with page.expect_download() as download:
        page.locator(JSON_REPORT).click()
    assert download.value.suggested_filename.startswith("risk-data-report-")
    data = read_json(download.value.path())
    assert data["scores"][0]["band"] == "high"
    assert data["protected_attributes"]["gender"] == "F"
    assert data["flags"][0]["decisions"][0]["contacts"][0]["consent"] == "given"

    switch_language(page, "ar")
    page.fill("#source_id", risk_data.source_id)
    assert submit(page, SHOW_REPORT).ok
    assert page.locator("#report").is_visible()
    check_a11y(page)
    screenshot(page, "risk-report-ar")

    logged = query_all(live_server.app, "SELECT details FROM audit_log WHERE action = "
                                         "'risk_subject_report' ORDER BY id DESC LIMIT 3")
    assert len(logged) == 3
    assert all(f'"person_id": {risk_data.person_id}' in str(row[0]) for row in logged)


@pytest.fixture
def demo_admin(live_server: LiveServer) -> Iterator[str]:
    """The demo admin's login; its language is given back afterwards."""
    yield DEMO_LOGINS["admin"]
    restore_demo_account(live_server.app, DEMO_LOGINS["admin"])


def test_the_admin_navigation_fits_a_desktop_window(page: Any, demo_admin: str) -> None:
    log_in(page, demo_admin)
    for language in LANGUAGES:
        switch_language(page, language)
        assert page.goto("/admin/users").ok
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.evaluate("window.innerWidth"), f"{language}: {width} px wide"


@pytest.fixture
def gated_version(live_server: LiveServer) -> Iterator[tuple[str, int]]:
    """A draft version, of a spec of this test's own, whose gender recall ratio is 0.62 and
    whose calibration was refitted on the latest period."""
    from orientamento.extensions import db
    from tests.risk.factories import make_version
    from tests.risk.test_admin_views import recalibrated_metrics

    metrics = recalibrated_metrics()
    metrics["fairness"]["gender"]["ratios"]["recall"] = 0.62
    spec_name = f"neet_gate_{uuid.uuid4().hex[:8]}"
    with live_server.app.app_context():
        try:
            version = make_version(metrics=metrics)
            version.spec_name = spec_name
            db.session.commit()
            found = (spec_name, version.id)
        finally:
            db.session.remove()
    yield found
    restore_demo_account(live_server.app, DEMO_LOGINS["admin"])


@pytest.mark.parametrize("language", ["it", "ar"])
def test_the_gate_refuses_an_unjustified_activation_until_the_admin_explains(
    page: Any, live_server: LiveServer, gated_version: tuple[str, int], language: str
) -> None:
    spec_name, version = gated_version
    why = JUSTIFICATIONS[language]
    log_in(page, DEMO_LOGINS["admin"], language=language)
    visit(page, f"/risk/versions/{version}")
    # The card says why before anyone tries: the gate's findings, and both calibration errors.
    assert page.locator("#fairness-gate li").count() == 1
    assert "0,62" in page.locator("#fairness-gate").inner_text() or \
        "0.62" in page.locator("#fairness-gate").inner_text()
    assert page.locator("#ece-before").is_visible() and page.locator("#ece-after").is_visible()
    assert page.locator("#justification").get_attribute("required") is not None

    # Confirmed but not justified: refused, the explanation next to the field, nothing written.
    page.locator('label[for="confirm"]').click()  # as a person does: the label covers the box
    assert page.is_checked("#confirm")
    response = submit(page, ACTIVATE)
    assert response.status == 400
    assert page.locator("#justification").get_attribute("aria-invalid") == "true"
    assert page.locator("#justification-error").is_visible()
    assert page.locator("#fairness-gate").is_visible()
    check_a11y(page)
    screenshot(page, f"risk-gate-refused-{language}")
    assert _statuses(live_server, spec_name) == {version: "draft"}

    # Written and confirmed: active, and the words are on the card and in the audit log.
    page.fill("#justification", why)
    if not page.is_checked("#confirm"):
        page.locator('label[for="confirm"]').click()
    response = submit(page, ACTIVATE)
    assert response.ok and path_of(page) == f"/risk/versions/{version}"
    assert page.locator(".alert-success").is_visible()
    assert _statuses(live_server, spec_name) == {version: "active"}
    shown = page.locator("#gate-justification blockquote").inner_text()
    assert [line.strip() for line in shown.splitlines() if line.strip()] == why.splitlines()
    check_a11y(page)
    screenshot(page, f"risk-gate-justified-{language}")
    logged = query_all(live_server.app, "SELECT details FROM audit_log WHERE action = "
                                        "'risk_model_activated' ORDER BY id DESC LIMIT 5")
    mine = [str(row[0]) for row in logged if spec_name in str(row[0])]
    assert len(mine) == 1 and "fairness_gate" in mine[0]
    stored = query_all(live_server.app, "SELECT card_markdown, activation_justification FROM "
                                        "risk_model_versions WHERE id = :id", id=version)
    # The browser sends a textarea's line breaks as CRLF (HTML's form encoding).
    assert stored[0][1].replace("\r\n", "\n") == why
    assert why.splitlines()[0] in stored[0][0]
