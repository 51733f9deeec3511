"""Assessments in the browser: students answer and read results, counsellors assign.

Each test makes its own pupils (or uses a demo pupil in a way that does not depend
on what other tests did), so the tests run in any order.
"""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from orientamento.core import clock
from tests.browser.conftest import (
    DEMO_LOGINS,
    LiveServer,
    check_a11y,
    create_pupil,
    html_lang,
    log_in,
    query_all,
    screenshot,
    submit,
    switch_language,
    visit,
)
from tests.browser.test_html_validity import csrf_token
from tests.browser.test_html_validity import log_in as client_log_in

pytestmark = pytest.mark.browser

ANSWER_PATH = re.compile(r"/assessments/responses/(\d+)/sections/(\d+)")
NEXT = 'main form button[name="move"][value="next"]'
BACK = 'main form button[name="move"][value="back"]'
STAY = 'main form button[name="move"][value="stay"]'
SUBMIT_ANSWERS = 'main form[action$="/submit"] button[type=submit]'


def years_ago(years: int) -> date:
    """A birthday that makes someone ``years`` old today (1 January, so already past)."""
    return date(clock.today().year - years, 1, 1)


def path_of(page: Any) -> str:
    """The path of the page's current URL."""
    return urlsplit(page.url).path


def answer_position(page: Any) -> tuple[int, int]:
    """(response id, section number) of the answer page the browser shows."""
    match = ANSWER_PATH.fullmatch(path_of(page))
    assert match, f"not an answer page: {page.url}"
    return int(match[1]), int(match[2])


def item_ids(page: Any) -> list[str]:
    """The ids of the items (radio groups) on the answer page, in order."""
    return page.eval_on_selector_all(
        "main fieldset.item-fieldset",
        "sets => sets.map((s) => s.id.replace(/^item-/, ''))",
    )


def choice(item_id: str, position: int) -> int:
    """A deterministic Likert answer (1-5) that varies from item to item."""
    return (sum(map(ord, item_id)) + position) % 5 + 1


def is_autosave(response: Any) -> bool:
    """Whether a response answers an htmx autosave of an answer page."""
    request = response.request
    return (request.method == "POST" and request.headers.get("hx-request") == "true"
            and ANSWER_PATH.search(urlsplit(request.url).path) is not None)


def pick(page: Any, item_id: str, value: int, wait: bool = True) -> None:
    """Choose an answer by clicking its label, as a person would.

    With ``wait``, wait for the htmx autosave that the change sends (JavaScript on).
    """
    label = page.locator(f'label[for="{item_id}-{value}"]')
    if wait:
        with page.expect_response(is_autosave) as saved:
            label.click()
        assert saved.value.ok, f"autosave answered {saved.value.status}"
    else:
        label.click()
    assert page.is_checked(f'input[name="{item_id}"][value="{value}"]')


def answer_items(page: Any, items: list[str], wait: bool = True) -> dict[str, int]:
    """Answer ``items`` on the current page; return the answers given."""
    given = {}
    for position, item_id in enumerate(items):
        given[item_id] = choice(item_id, position)
        pick(page, item_id, given[item_id], wait)
    return given


def wait_for_autosaves(page: Any) -> None:
    """Wait until no htmx request is in flight (htmx marks its element while one is)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def checked_answers(page: Any) -> dict[str, str]:
    """Item id -> value of the checked radio button, for every answered item on the page."""
    return page.eval_on_selector_all(
        "main input[type=radio]:checked",
        "inputs => Object.fromEntries(inputs.map((i) => [i.name, i.value]))",
    )


def assert_checked(page: Any, answers: dict[str, int]) -> None:
    """Every answer given is still the checked radio button of its item."""
    checked = checked_answers(page)
    assert {item_id: checked.get(item_id) for item_id in answers} == {
        item_id: str(value) for item_id, value in answers.items()
    }


def answer_with_keyboard(page: Any, unanswered: list[str]) -> dict[str, int]:
    """Answer the ``unanswered`` items with the keyboard, as a keyboard user would.

    Tab moves to the next question (to its first option, nothing being chosen yet),
    Space chooses the focused option, the down arrow the next one.
    """
    order = item_ids(page)
    given = {}
    previous = None
    for position, item_id in enumerate(unanswered):
        if previous is not None and order.index(item_id) == order.index(previous) + 1:
            page.keyboard.press("Tab")
        else:
            page.focus(f"#{item_id}-1")
        given[item_id] = choice(item_id, position)
        if given[item_id] == 1:
            page.keyboard.press("Space")
        for _ in range(given[item_id] - 1):
            page.keyboard.press("ArrowDown")
        previous = item_id
    assert_checked(page, given)
    return given


def start(page: Any, questionnaire_id: str, a11y: bool = True) -> Any:
    """Press Start (or Continue) for an instrument on the assessments page."""
    if path_of(page) != "/assessments/":
        if a11y:
            visit(page, "/assessments/")
        else:  # checked already, or without JavaScript (axe-core cannot run then)
            assert page.goto("/assessments/").ok
    response = submit(page, f'form[action="/assessments/{questionnaire_id}/start"] button')
    assert response.ok, response.status
    answer_position(page)
    return response


def finish_sections(page: Any, javascript: bool = True) -> dict[str, int]:
    """From the current answer page, answer every page with "Save and continue".

    With JavaScript the answers are given with the keyboard (each change autosaves),
    without it by clicking the labels.
    """
    given: dict[str, int] = {}
    while ANSWER_PATH.fullmatch(path_of(page)):
        answered = checked_answers(page)
        unanswered = [i for i in item_ids(page) if i not in answered]
        if javascript:
            given |= answer_with_keyboard(page, unanswered)
            wait_for_autosaves(page)
        else:
            given |= answer_items(page, unanswered, wait=False)
        response = submit(page, NEXT)
        assert response.ok, f"{response.url}: {response.status}"
    assert path_of(page).endswith("/review"), page.url
    return given


def focus_is_visible(page: Any) -> bool:
    """Whether the focused radio button, or its label, draws a focus indicator."""
    return page.evaluate(
        """() => {
          const input = document.activeElement;
          const label = document.querySelector(`label[for="${input.id}"]`);
          const drawn = (element, pseudo) => {
            const style = getComputedStyle(element, pseudo);
            return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
              || style.boxShadow !== "none";
          };
          return [input, label].some((e) => e && (drawn(e, null) || drawn(e, "::before")
            || drawn(e, "::after")));
        }"""
    )


def card(page: Any, questionnaire_id: str) -> Any:
    """The box of one instrument on the student's assessments page."""
    return page.locator(f'main section[aria-labelledby="q-{questionnaire_id}"]')


def start_button(page: Any, questionnaire_id: str) -> Any:
    """The Start/Continue button of an instrument (absent when not available)."""
    return page.locator(f'main form[action="/assessments/{questionnaire_id}/start"] button')


def submitted_responses(live_server: LiveServer, username: str, questionnaire_id: str) -> int:
    """How many submitted responses a student has for an instrument."""
    rows = query_all(
        live_server.app,
        "SELECT r.id FROM assessment_responses r JOIN users u ON u.id = r.student_id "
        "WHERE u.username = :username AND r.questionnaire_id = :qid AND r.status = 'submitted'",
        username=username, qid=questionnaire_id,
    )
    return len(rows)


def chart_and_table(page: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Scale name -> number, as drawn in the SVG chart and as written in the table."""
    chart = page.eval_on_selector(
        "svg.result-chart",
        """svg => {
          const labels = [...svg.querySelectorAll("text.bar-label")];
          const values = [...svg.querySelectorAll("text.bar-value")];
          return labels.map((l, i) => [l.textContent.trim(), values[i].textContent.trim()]);
        }""",
    )
    table = page.eval_on_selector(
        "main table",
        """table => [...table.querySelectorAll("tbody tr")].map(
          (r) => [r.querySelector("th").textContent.trim(),
                  r.querySelector("td").textContent.trim()])""",
    )
    return dict(chart), dict(table)


@pytest.mark.parametrize("language", ["it", "ar"])
def test_student_takes_interests_resumes_after_losing_the_tab_and_reads_results(
    new_page: Any, live_server: LiveServer, language: str
) -> None:
    username = create_pupil(live_server.app, years_ago(16))
    page = new_page()
    log_in(page, username, language=language)
    visit(page, "/assessments/")
    assert page.locator("main section[aria-labelledby^='q-']").count() == 4
    start(page, "interests")
    response_id, number = answer_position(page)
    assert number == 0
    assert html_lang(page) == (language, "rtl" if language == "ar" else "ltr")
    check_a11y(page)

    # The radios are reachable with the keyboard: focus one, arrow to the next answer;
    # the change autosaves through htmx and the status line says so.
    status = page.locator("#autosave-status")
    expect(status).to_be_empty()
    first_items = item_ids(page)
    assert len(first_items) >= 2
    page.focus(f"#{first_items[0]}-1")
    with page.expect_response(is_autosave):
        page.keyboard.press("ArrowDown")
    assert page.is_checked(f"#{first_items[0]}-2")
    assert page.evaluate("document.activeElement.id") == f"{first_items[0]}-2"
    expect(status).not_to_be_empty()
    assert focus_is_visible(page)

    # Answer the first page by clicking the labels, each change autosaved.
    first = answer_items(page, first_items)
    screenshot(page, f"assessment-answer-{language}")

    # The tab is lost; in a new one the student resumes where they stopped.
    context = page.context
    page.close()
    page = context.new_page()
    start(page, "interests", a11y=False)
    assert answer_position(page) == (response_id, 0)
    assert_checked(page, first)
    submit(page, NEXT)
    assert answer_position(page) == (response_id, 1)
    expect(page.locator("#autosave-status")).to_be_empty()
    second = answer_items(page, item_ids(page)[:3])
    expect(page.locator("#autosave-status")).not_to_be_empty()
    page.close()
    page = context.new_page()
    start(page, "interests", a11y=False)
    assert answer_position(page) == (response_id, 1)
    assert_checked(page, second)
    check_a11y(page)

    finish_sections(page)
    check_a11y(page)
    token = page.locator('main form[action$="/submit"] input[name="csrf_token"]').input_value()
    # An impatient double click on "send" (app.js sends a posting form once), then the same
    # form sent once more, as from a second tab or the back button: one result only.
    with page.expect_navigation(url=re.compile(rf"/assessments/responses/{response_id}$")):
        page.locator(SUBMIT_ANSWERS).dblclick()
    page.wait_for_load_state()
    again = page.request.post(f"/assessments/responses/{response_id}/submit",
                              form={"csrf_token": token})
    assert again.ok and urlsplit(again.url).path == f"/assessments/responses/{response_id}"
    assert submitted_responses(live_server, username, "interests") == 1

    page.reload()
    assert path_of(page) == f"/assessments/responses/{response_id}"
    assert html_lang(page) == (language, "rtl" if language == "ar" else "ltr")
    check_a11y(page)
    chart, table = chart_and_table(page)
    assert len(chart) == 6, chart
    assert chart == table
    assert all(re.fullmatch(r"\d{1,3}", value) and int(value) <= 100 for value in chart.values())
    screenshot(page, f"assessment-result-{language}")

    # The result leads on: suggestions for this profile and the closest jobs, one step away.
    steps = page.locator("main section[aria-labelledby='next-title']")
    assert steps.locator('a[href="/courses/suggestions"]').count() == 1
    assert steps.locator('a[href^="/courses/occupations/"]').count() == 3
    # The printout: name, Milan date, version; no site header, menu or banner.
    page.locator(f'main a[href="/assessments/responses/{response_id}/print"]').click()
    page.wait_for_load_state()
    assert path_of(page) == f"/assessments/responses/{response_id}/print"
    assert html_lang(page) == (language, "rtl" if language == "ar" else "ltr")
    check_a11y(page)
    assert page.locator(".it-header-wrapper, .it-footer, .alert-warning").count() == 0
    assert page.locator("main h1").count() == 1 and page.locator("svg.result-chart").count() == 1
    page.emulate_media(media="print")
    screenshot(page, f"assessment-print-{language}")
    page.emulate_media(media="screen")

    visit(page, "/assessments/")
    history = page.locator(f'main a[href="/assessments/responses/{response_id}"]')
    assert history.count() == 1


@pytest.mark.parametrize("language", ["it", "ar"])
def test_unanswered_items_are_listed_and_answers_kept(
    new_page: Any, live_server: LiveServer, language: str
) -> None:
    username = create_pupil(live_server.app, years_ago(17))
    page = new_page()
    log_in(page, username, language=language)
    start(page, "interests")
    items = item_ids(page)
    given = answer_items(page, items[:3])

    response = submit(page, NEXT)
    assert response.status == 400
    assert answer_position(page)[1] == 0
    summary = page.locator("#form-errors")
    expect(summary).to_be_visible()
    links = summary.locator("a")
    assert [link.get_attribute("href") for link in links.all()] == [
        f"#item-{item_id}" for item_id in items[3:]
    ]
    for item_id in items[3:]:
        fieldset = page.locator(f"#item-{item_id}")
        assert fieldset.get_attribute("aria-describedby") == f"err-{item_id}"
        expect(page.locator(f"#err-{item_id}")).to_be_visible()
    assert_checked(page, given)
    check_a11y(page)
    screenshot(page, f"assessment-errors-{language}")

    # The link leads to the question.
    links.first.click()
    assert page.url.endswith(f"#item-{items[3]}")
    expect(page.locator(f"#item-{items[3]}")).to_be_in_viewport()


def test_answer_pages_work_without_javascript(
    new_page: Any, live_server: LiveServer
) -> None:
    username = create_pupil(live_server.app, years_ago(15))
    page = new_page(java_script_enabled=False)
    log_in(page, username)
    start(page, "work_styles", a11y=False)
    response_id, _ = answer_position(page)
    assert page.locator("html.no-js").count() == 1
    first = answer_items(page, item_ids(page), wait=False)
    response = submit(page, STAY)
    assert response.status == 200
    assert answer_position(page) == (response_id, 0)
    assert page.locator("#form-errors").count() == 0
    page.goto(page.url)
    assert_checked(page, first)

    assert submit(page, NEXT).ok
    assert answer_position(page) == (response_id, 1)
    second = answer_items(page, item_ids(page)[:2], wait=False)
    assert submit(page, BACK).ok
    assert answer_position(page) == (response_id, 0)
    assert_checked(page, first)
    assert submit(page, NEXT).ok
    assert answer_position(page) == (response_id, 1)
    assert_checked(page, second)

    finish_sections(page, javascript=False)
    assert submit(page, SUBMIT_ANSWERS).ok
    assert path_of(page) == f"/assessments/responses/{response_id}"
    chart, table = chart_and_table(page)
    assert chart and chart == table
    assert submitted_responses(live_server, username, "work_styles") == 1


def pupil_client(live_server: LiveServer, born: date) -> Any:
    """A Flask test client logged in as a new pupil (for checks that need no browser)."""
    client = live_server.app.test_client()
    client_log_in(client, create_pupil(live_server.app, born))
    return client


def client_start(client: Any, questionnaire_id: str) -> str:
    """Start (or resume) an instrument with the test client; return the answer page path."""
    response = client.post(f"/assessments/{questionnaire_id}/start",
                           data={"csrf_token": csrf_token(client, "/assessments/")})
    assert response.status_code == 302, response.status_code
    return str(response.location)


def client_save(client: Any, path: str, answers: dict[str, str], move: str) -> Any:
    """Send an answer page with the test client."""
    return client.post(path, data={**answers, "move": move,
                                   "csrf_token": csrf_token(client, path)})


def test_save_and_finish_later_accepts_a_partly_answered_page(live_server: LiveServer) -> None:
    client = pupil_client(live_server, years_ago(15))
    path = client_start(client, "work_styles")
    items = live_server.app.extensions["questionnaires"].latest("work_styles").sections[0].items
    response = client_save(client, path, {items[0].id: "4", items[1].id: "2"}, "stay")
    assert 'value="4" checked' in client.get(path).get_data(as_text=True)  # saved either way
    assert response.status_code == 200
    assert 'id="form-errors"' not in response.get_data(as_text=True)


def test_resume_opens_the_page_the_pupil_moved_to(live_server: LiveServer) -> None:
    client = pupil_client(live_server, years_ago(15))
    path = client_start(client, "work_styles")
    items = live_server.app.extensions["questionnaires"].latest("work_styles").sections[0].items
    response = client_save(client, path, {item.id: "3" for item in items}, "next")
    assert response.status_code == 302 and response.location.endswith("/sections/1")
    # The tab is lost before anything is answered on page 2.
    assert client_start(client, "work_styles").endswith("/sections/1")


def open_class_assessments(page: Any, class_name: str) -> str:
    """From the class list, open a class and its assessments page; return its path."""
    visit(page, "/classes/")
    page.get_by_role("link", name=class_name, exact=True).click()
    page.wait_for_load_state()
    class_id = re.fullmatch(r"/classes/(\d+)", path_of(page))
    assert class_id, page.url
    check_a11y(page)
    path = f"/assessments/classes/{class_id[1]}"
    page.locator(f'main a[href="{path}"]').click()
    page.wait_for_load_state()
    assert path_of(page) == path
    check_a11y(page)
    return path


def assign(page: Any, questionnaire_id: str, due_on: date | None) -> Any:
    """Fill and send the assignment form on a class's assessments page."""
    page.select_option("#questionnaire_id", questionnaire_id)
    page.fill("#due_on", due_on.isoformat() if due_on else "")
    response = submit(page, 'main form[action$="/assign"] button[type=submit]')
    assert response.ok, response.status
    check_a11y(page)
    return response


def assignment_section(page: Any, questionnaire_id: str) -> Any:
    """The section of one assigned instrument on the class's assessments page."""
    csv_link = f'a[href$="/results/{questionnaire_id}.csv"]'
    return page.locator("main section", has=page.locator(csv_link))


def test_counsellor_assigns_work_styles_and_follows_the_class(
    new_page: Any, live_server: LiveServer
) -> None:
    counsellor = new_page()
    log_in(counsellor, DEMO_LOGINS["counsellor"])
    class_path = open_class_assessments(counsellor, "3A")
    due = clock.today() + timedelta(days=14)
    assign(counsellor, "work_styles", due)
    section = assignment_section(counsellor, "work_styles")
    assert section.count() == 1
    assert str(due.year) in section.locator("p").first.inner_text()
    completion = section.locator("table").first
    pupils = completion.locator("tbody tr")
    names = [name.strip() for name in pupils.locator("th").all_inner_texts()]
    assert {"Amir", "Chen", "Giulia"} <= set(names)

    amir = new_page()
    log_in(amir, "demo.amir")
    visit(amir, "/assessments/")
    assert card(amir, "work_styles").locator(".badge").count() == 1
    assert str(due.year) in card(amir, "work_styles").inner_text()
    assert start_button(amir, "work_styles").count() == 1
    start(amir, "work_styles")
    finish_sections(amir)
    assert submit(amir, SUBMIT_ANSWERS).ok
    response_id = re.fullmatch(r"/assessments/responses/(\d+)", path_of(amir))
    assert response_id, amir.url
    _, amir_table = chart_and_table(amir)

    visit(counsellor, class_path)
    section = assignment_section(counsellor, "work_styles")
    row = section.locator("table").first.locator("tbody tr", has_text="Amir")
    result_link = row.locator(f'a[href="/assessments/responses/{response_id[1]}"]')
    assert result_link.count() == 1
    profile = section.locator("table").nth(1)
    expect(profile).to_be_visible()
    assert profile.locator("tbody tr").count() == len(amir_table)
    screenshot(counsellor, "assessment-class-it")

    with counsellor.expect_download() as download_info:
        section.locator('a[href$="/results/work_styles.csv"]').click()
    download = download_info.value
    assert download.suggested_filename == "3A-work_styles.csv"
    with open(download.path(), encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0][:7] == ["class", "pupil", "username", "questionnaire", "version",
                           "status", "submitted_at"]
    assert len(rows) == 1 + pupils.count()
    by_username = {row[2]: row for row in rows[1:]}
    assert by_username["demo.amir"][5] == "submitted"
    csv_scores = [round(float(cell)) for cell in by_username["demo.amir"][7:]]
    assert csv_scores == [int(value) for value in amir_table.values()]

    # The counsellor may read the pupil's result.
    result_link.click()
    counsellor.wait_for_load_state()
    assert path_of(counsellor) == f"/assessments/responses/{response_id[1]}"
    check_a11y(counsellor)
    assert chart_and_table(counsellor)[1] == amir_table

    switch_language(counsellor, "ar")
    visit(counsellor, class_path)
    screenshot(counsellor, "assessment-class-ar")


def test_admin_reads_the_psychometrics(new_page: Any) -> None:
    page = new_page()
    log_in(page, DEMO_LOGINS["admin"])
    visit(page, "/assessments/psychometrics")
    assert page.locator("main pre code").count() == 0  # not the "run it first" state
    assert page.locator("main table").count() >= 19
    assert page.locator("main table caption").count() >= 19
    assert page.locator("main table tbody tr").count() > 19
    page.locator("main details summary").first.click()
    expect(page.locator("main details table").first).to_be_visible()
    check_a11y(page)


def test_pupil_under_14_without_consent_takes_only_assigned_instruments(
    new_page: Any, live_server: LiveServer
) -> None:
    # The counsellor assigns digital_skills (the form itself is tested above).
    counsellor = live_server.app.test_client()
    client_log_in(counsellor, DEMO_LOGINS["counsellor"])
    match = re.search(r'<a href="/classes/(\d+)">3A</a>',
                      counsellor.get("/classes/").get_data(as_text=True))
    assert match, "no class 3A"
    overview = f"/assessments/classes/{match[1]}"
    response = counsellor.post(overview + "/assign", data={
        "questionnaire_id": "digital_skills", "csrf_token": csrf_token(counsellor, overview)})
    assert response.status_code == 302, response.status_code

    giulia = new_page()
    log_in(giulia, "demo.giulia")
    visit(giulia, "/assessments/")
    questionnaires = [
        label.removeprefix("q-") for label in giulia.eval_on_selector_all(
            "main section[aria-labelledby^='q-']",
            "sections => sections.map((s) => s.getAttribute('aria-labelledby'))")
    ]
    assert len(questionnaires) == 4
    available = {qid for qid in questionnaires if start_button(giulia, qid).count() == 1}
    assigned = {qid for qid in questionnaires if card(giulia, qid).locator(".badge").count()}
    assert "digital_skills" in available
    assert available == assigned
    assert "interests" not in available  # no test assigns it
    screenshot(giulia, "assessment-list-under-14-it")

    # A forged start of an instrument that is not available is refused.
    token = giulia.locator("main form input[name=csrf_token]").first.input_value()
    refused = giulia.request.post("/assessments/interests/start", form={"csrf_token": token},
                                  max_redirects=0)
    assert refused.status == 403

    start(giulia, "digital_skills")
    check_a11y(giulia)
