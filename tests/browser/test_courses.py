"""The course directory in the browser: search with live filters, saved courses, providers.

The demo catalogue (about 200 courses) is shared by every browser test: these tests read
counts from the page rather than hard-coding them, create courses only with unique codes and
titles, and leave the demo courses as they found them.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
    screenshot,
    submit,
    switch_language,
    visit,
)

pytestmark = pytest.mark.browser

SEARCH_BUTTON = "#course-search button.btn-primary[type=submit]"
CARD = "#results article.course-card"


def path_of(page: Any) -> str:
    """The path of the page's current URL."""
    return urlsplit(page.url).path


def params_of(page: Any) -> dict[str, list[str]]:
    """The query parameters of the page's current URL (blank values kept)."""
    return parse_qs(urlsplit(page.url).query, keep_blank_values=True)


def result_count(page: Any) -> int:
    """The number in the result summary ("N courses found")."""
    text = page.locator("#result-summary").inner_text()
    match = re.search(r"\d+", text)
    assert match, f"no count in the summary: {text!r}"
    return int(match[0])


def facet_counts(page: Any, name: str) -> dict[str, int]:
    """Value -> count of the badges beside one facet's values."""
    prefix = f"facet-{name}-"
    return {
        key.removeprefix(prefix): int(value)
        for key, value in page.eval_on_selector_all(
            f'[id^="{prefix}"]', "badges => badges.map((b) => [b.id, b.textContent.trim()])")
    }


def option_label(page: Any, name: str, value: str) -> Any:
    """The label of a facet checkbox (Bootstrap Italia draws the box on the label)."""
    option_id = page.locator(f'#course-search input[name="{name}"][value="{value}"]').get_attribute(
        "id")
    return page.locator(f'label[for="{option_id}"]')


def option_text(page: Any, name: str, value: str) -> str:
    """The visible name of a facet value, without its count."""
    return option_label(page, name, value).evaluate("label => label.firstChild.textContent.trim()")


def card_kinds(page: Any) -> list[str]:
    """The kind badge of every result card on the page."""
    return [text.strip() for text in page.locator(f"{CARD} .badge.bg-primary").all_inner_texts()]


def wait_for_results(page: Any, **expected: list[str]) -> None:
    """Wait until htmx has answered and pushed a URL with the ``expected`` parameters.

    htmx pushes the URL after swapping the results and the out-of-band counts in, and
    takes the ``htmx-request`` class off ``#results`` when the request is over.
    """
    page.wait_for_function(
        """(expected) => {
          if (document.querySelector(".htmx-request")) return false;
          const params = new URLSearchParams(location.search);
          return Object.entries(expected).every(
            ([name, values]) => JSON.stringify(params.getAll(name)) === JSON.stringify(values));
        }""",
        arg=expected,
    )


def type_query(page: Any, words: str) -> None:
    """Type into the search box key by key, as a person would (htmx listens for keyup)."""
    page.locator("#q").click()
    page.locator("#q").press_sequentially(words, delay=20)


def search_live(page: Any, words: str) -> tuple[int, int]:
    """On the search page, type ``words``; return the result count before and after."""
    before = result_count(page)
    type_query(page, words)
    wait_for_results(page, q=[words])
    expect(page.locator("#q")).to_have_value(words)
    return before, result_count(page)


def tick_kind_live(page: Any, kind: str) -> None:
    """Tick one kind of course and check the live update: counts, cards, URL."""
    expected = facet_counts(page, "kind")[kind]
    eqf_before = facet_counts(page, "eqf_level")
    option_label(page, "kind", kind).click()
    wait_for_results(page, q=[params_of(page)["q"][0]], kind=[kind])
    assert page.locator(f'#course-search input[name="kind"][value="{kind}"]').is_checked()
    # A facet's own counts ignore its selection: the badge said how many there would be.
    assert result_count(page) == expected
    assert facet_counts(page, "kind")[kind] == expected
    # The other facets now count only courses of that kind.
    eqf_after = facet_counts(page, "eqf_level")
    assert eqf_after != eqf_before
    assert sum(eqf_after.values()) == expected, eqf_after
    assert sum(facet_counts(page, "area").values()) == expected
    label = option_text(page, "kind", kind)
    kinds = card_kinds(page)
    assert kinds and set(kinds) == {label}, kinds


def course_links(page: Any) -> list[str]:
    """The course page links of the result cards (titles repeat across providers)."""
    return page.eval_on_selector_all(f"{CARD} h2 a", "links => links.map((a) => a.pathname)")


def open_first_course(page: Any) -> str:
    """Follow the first result's title link; return the course title."""
    link = page.locator(f"{CARD} h2 a").first
    title = link.inner_text().strip()
    with page.expect_navigation() as navigation:
        link.click()
    assert navigation.value.ok
    assert re.fullmatch(r"/courses/\d+", path_of(page)), page.url
    assert page.locator("main h1").inner_text().strip().startswith(title)
    return title


def console_errors(page: Any) -> list[str]:
    """Collect the page's console errors from now on, to check them during the test.

    The fixture reports them too, but only at teardown, which ``xfail`` does not cover.
    """
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    return errors


@pytest.mark.parametrize("language", ["it", "ar"])
def test_live_search_updates_results_counts_and_url(page: Any, language: str) -> None:
    errors = console_errors(page)
    assert page.goto("/courses/").ok
    if language != "it":
        switch_language(page, language)
    # app.js opens the filters beside the results on a wide screen.
    expect(page.locator("details.filters")).to_have_attribute("open", "")
    assert page.locator("#result-summary").get_attribute("aria-live") == "polite"
    title = page.title()

    before, after = search_live(page, "tecnico")
    assert 0 < after < before, (before, after)
    assert page.locator(CARD).count() == min(after, 20)
    assert path_of(page) == "/courses/"
    tick_kind_live(page, "its")
    assert html_lang(page) == (language, "rtl" if language == "ar" else "ltr")
    assert page.title() == title, "the fragment keeps the page title"
    check_a11y(page)
    screenshot(page, f"courses-live-search-{language}")
    assert errors == []


def test_student_saves_a_course_and_removes_it(page: Any) -> None:
    log_in(page, DEMO_LOGINS["student"])
    if html_lang(page)[0] != "it":
        switch_language(page, "it")
    visit(page, "/courses/?q=tecnico&kind=its")
    assert page.locator("form#course-search[role=search]").count() == 1
    assert re.fullmatch(r"\d+ corsi trovati", page.locator("#result-summary").inner_text())
    assert result_count(page) == facet_counts(page, "kind")["its"] > 0
    assert set(card_kinds(page)) == {"ITS Academy"}
    screenshot(page, "courses-search-it")

    title = open_first_course(page)
    assert page.locator("main dl dt").count() >= 8, "the course page shows every field"
    check_a11y(page)
    response = submit(page, 'main form[action$="/save"] button[type=submit]')
    assert response.ok and re.fullmatch(r"/courses/\d+", path_of(page))
    expect(page.locator(".alert-success")).to_contain_text("Corso salvato")
    expect(page.locator('main form[action$="/unsave"] button[type=submit]')).to_have_text(
        "Rimuovi dai corsi salvati")

    visit(page, "/courses/saved")
    cards = page.locator("main article.course-card")
    assert cards.count() == 1
    expect(cards.first.locator("h2")).to_have_text(title)
    response = submit(page, 'main form[action$="/unsave"] button[type=submit]')
    assert response.ok and path_of(page) == "/courses/saved"
    expect(page.locator(".alert-success")).to_contain_text("Corso rimosso")
    assert page.locator("main article.course-card").count() == 0
    expect(page.locator("main")).to_contain_text("Non hai ancora salvato nessun corso")
    check_a11y(page)


def test_search_and_course_pages_in_arabic_are_right_to_left(page: Any) -> None:
    page.goto("/courses/")
    switch_language(page, "ar")
    assert path_of(page) == "/courses/"
    visit(page, "/courses/?q=tecnico&kind=its")
    assert html_lang(page) == ("ar", "rtl")
    assert result_count(page) > 0
    assert set(card_kinds(page)) == {option_text(page, "kind", "its")}
    screenshot(page, "courses-search-ar")

    open_first_course(page)
    assert html_lang(page) == ("ar", "rtl")
    check_a11y(page)
    screenshot(page, "course-ar")


def test_search_works_without_javascript_and_pages_keep_the_filters(new_page: Any) -> None:
    page = new_page(java_script_enabled=False)
    assert page.goto("/courses/").ok
    assert "no-js" in (page.locator("html").get_attribute("class") or "")
    filters = page.locator("details.filters")
    assert filters.get_attribute("open") is None, "folded until the reader opens it"
    page.fill("#q", "tecnico")
    filters.locator("summary").first.click()
    option_label(page, "kind", "its").click()
    option_label(page, "kind", "ifts").click()
    response = submit(page, SEARCH_BUTTON)
    assert response.ok and path_of(page) == "/courses/"
    params = params_of(page)
    assert params["q"] == ["tecnico"] and params["kind"] == ["its", "ifts"], params
    total = result_count(page)
    assert total > 20, "enough results for a second page"
    labels = {option_text(page, "kind", "its"), option_text(page, "kind", "ifts")}
    assert set(card_kinds(page)) <= labels
    first_page = course_links(page)

    with page.expect_navigation() as navigation:
        page.locator("#results nav.pagination-wrapper a.page-link").last.click()
    assert navigation.value.ok
    params = params_of(page)
    assert params["page"] == ["2"] and params["q"] == ["tecnico"], params
    assert params["kind"] == ["its", "ifts"], params
    assert page.locator("#q").input_value() == "tecnico"
    for kind in ("its", "ifts"):
        assert page.locator(f'input[name="kind"][value="{kind}"]').is_checked()
    assert result_count(page) == total
    assert page.locator("#results [aria-current=page]").inner_text().strip() == "2"
    second_page = course_links(page)
    assert second_page and not set(second_page) & set(first_page), "page 2 shows other courses"
    assert set(card_kinds(page)) <= labels


def test_a_shared_search_url_restores_the_form(page: Any) -> None:
    visit(page, "/courses/?q=meccatronica&kind=its")
    assert page.locator("#q").input_value() == "meccatronica"
    assert page.locator('input[name="kind"][value="its"]').is_checked()
    assert not page.locator('input[name="kind"][value="ifts"]').is_checked()
    expect(page.locator("details.filters")).to_have_attribute("open", "")
    total = result_count(page)
    assert total > 0
    assert facet_counts(page, "kind")["its"] == total
    assert set(card_kinds(page)) == {option_text(page, "kind", "its")}
    assert page.locator(CARD).count() == min(total, 20)


def test_no_results_suggest_how_to_widen_the_search(page: Any) -> None:
    # IeFP qualifications are EQF 3, never 6: the words alone do find courses.
    visit(page, "/courses/?q=meccatronica&kind=iefp_qualifica&eqf=6")
    assert result_count(page) == 0
    suggestions = page.locator("#no-results")
    expect(suggestions).to_be_visible()
    assert page.locator(CARD).count() == 0
    with page.expect_navigation() as navigation:
        suggestions.locator("a").last.click()
    assert navigation.value.ok
    assert params_of(page) == {"q": ["meccatronica"]}
    assert page.locator("#q").input_value() == "meccatronica"
    assert page.locator("#course-search input[type=checkbox]:checked").count() == 0
    assert result_count(page) > 0
    assert page.locator("#no-results").count() == 0
    check_a11y(page)


@pytest.mark.parametrize("javascript", [True, False])
def test_keyboard_reaches_the_search_box_and_enter_searches(
    new_page: Any, javascript: bool
) -> None:
    page = new_page(java_script_enabled=javascript)
    errors = console_errors(page)
    assert page.goto("/courses/").ok
    before = result_count(page)
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "q":
            break
    else:
        pytest.fail("Tab never reached the search box")
    page.keyboard.type("meccatronica")
    if javascript:  # htmx answers in place
        page.keyboard.press("Enter")
        wait_for_results(page, q=["meccatronica"])
        assert page.evaluate("document.activeElement.id") == "q", "focus stays in the box"
    else:
        with page.expect_navigation() as navigation:
            page.keyboard.press("Enter")
        assert navigation.value.ok and params_of(page)["q"] == ["meccatronica"]
    assert 0 < result_count(page) < before
    assert page.locator(CARD).count() == min(result_count(page), 20)
    assert errors == []


def status_of(row: Any) -> str:
    """The status cell of a row of the provider's course table."""
    return row.locator("td").nth(2).inner_text().strip()


def search_total(page: Any, words: str) -> int:
    """How many courses a plain search for ``words`` finds."""
    assert page.goto(f"/courses/?q={words}").ok
    return result_count(page)


def test_provider_adds_archives_and_restores_a_course(page: Any) -> None:
    suffix = uuid.uuid4().hex[:8]
    code = f"BR-{suffix}".upper()
    word = f"provabrowser{suffix}"
    title = f"Corso di prova {word}"
    log_in(page, DEMO_LOGINS["provider"])
    if html_lang(page)[0] != "it":
        switch_language(page, "it")
    visit(page, "/courses/manage")
    rows = page.locator("main table tbody tr")
    assert rows.count() > 0, "the demo provider has courses"

    with page.expect_navigation():
        page.locator('main a[href="/courses/manage/new"]').click()
    assert path_of(page) == "/courses/manage/new"
    check_a11y(page)

    page.fill("#course_code", code)
    page.select_option("#kind", "its")
    page.select_option("#eqf_level", "5")
    page.select_option("#area", "mechatronics")
    page.fill("#hours", "2000")
    page.fill("#semesters", "4")
    page.fill("#start_date", (clock.today() + timedelta(days=120)).isoformat())
    page.fill("#site_address_1", "Via dei Test 1")
    page.select_option("#site_place_1", label="Milano")
    response = submit(page, "main form button[type=submit]")
    assert response.status == 400, "no title: the form comes back with errors"
    summary = page.locator("#form-errors")
    expect(summary).to_be_visible()
    expect(summary.locator('a[href="#title"]')).to_have_count(1)
    assert page.locator("#title").get_attribute("aria-invalid") == "true"
    check_a11y(page)

    page.fill("#title", title)
    response = submit(page, "main form button[type=submit]")
    assert response.ok and path_of(page) == "/courses/manage", page.url
    expect(page.locator(".alert-success")).to_contain_text("Corso salvato")
    row = page.locator("main table tbody tr", has_text=code)
    expect(row).to_have_count(1)
    expect(row.locator("th")).to_contain_text(title)
    assert status_of(row) == "Attivo"
    check_a11y(page)
    assert search_total(page, word) == 1

    page.goto("/courses/manage")
    row = page.locator("main table tbody tr", has_text=code)
    archive = row.locator('form[action$="/status"] button[type=submit]')
    # Cancelling the confirmation keeps the course active.
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    archive.click()
    assert dialogs == [row.locator("form[data-confirm]").get_attribute("data-confirm")]
    assert path_of(page) == "/courses/manage" and status_of(row) == "Attivo"

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation() as navigation:
        archive.click()
    assert navigation.value.ok and path_of(page) == "/courses/manage"
    expect(page.locator(".alert-success")).to_contain_text("Corso archiviato")
    row = page.locator("main table tbody tr", has_text=code)
    assert status_of(row) == "Archiviato"
    assert row.locator("th a").count() == 0, "an archived course has no public page"
    assert search_total(page, word) == 0

    page.goto("/courses/manage")
    row = page.locator("main table tbody tr", has_text=code)
    # Restoring needs no confirmation.
    response = submit(page, f'main table tbody tr:has-text("{code}") '
                            'form[action$="/status"] button[type=submit]')
    assert response.ok
    expect(page.locator(".alert-success")).to_contain_text("Corso ripristinato")
    assert status_of(page.locator("main table tbody tr", has_text=code)) == "Attivo"
    assert search_total(page, word) == 1


def _give_interests(live_server: LiveServer, username: str, **percent: float) -> None:
    """Record a submitted interests result for a student (as if they had taken it)."""
    from orientamento.assessments.models import Response
    from orientamento.auth.models import User
    from orientamento.extensions import db

    with live_server.app.app_context():
        try:
            student = db.session.scalar(db.select(User).filter_by(username=username))
            assert student is not None
            scores = {k: {"value": 1 + v / 25, "percent": v, "answered": 8, "items": 8,
                          "band": "high"} for k, v in percent.items()}
            db.session.add(Response(student_id=student.id, questionnaire_id="interests",
                                    version=1, status="submitted", answers={}, scores=scores,
                                    submitted_at=clock.now()))
            db.session.commit()
        finally:
            db.session.remove()


@pytest.mark.parametrize("language", ["it", "ar"])
def test_student_reads_explained_suggestions(page: Any, live_server: LiveServer,
                                             language: str) -> None:
    username = create_pupil(live_server.app, date(2004, 5, 6))
    log_in(page, username, language=language)
    visit(page, "/courses/suggestions")
    # Before the interests questionnaire the page says what to do, with a link to it.
    expect(page.locator('main a[href="/assessments/"]')).to_be_visible()
    _give_interests(live_server, username, R=30, I=90, A=20, S=40, E=25, C=70)
    visit(page, "/courses/suggestions")  # back after the questionnaire: now the filters too
    page.select_option("#education", "diploma")
    page.select_option("#place", "015146")
    submit(page, "main form button[type=submit]")
    query = parse_qs(urlsplit(page.url).query)
    assert query["education"] == ["diploma"] and query["place"] == ["015146"]
    cards = page.locator("section[aria-labelledby=courses-title] article.course-card")
    assert cards.count() > 0
    # Every suggestion says why, and the broadening block is there and apart.
    for n in range(cards.count()):
        expect(cards.nth(n).locator("p", has_text=re.compile(r"\S")).last).to_be_visible()
    expect(page.locator("#broaden-title")).to_be_visible()
    assert page.locator("section[aria-labelledby=broaden-title] article.course-card").count() > 0
    # Only ITS and IFTS courses for someone with a diploma.
    badges = page.locator("section[aria-labelledby=courses-title] .badge.bg-primary")
    kinds = {badges.nth(n).inner_text().strip() for n in range(badges.count())}
    assert kinds and all("IeFP" not in k for k in kinds), kinds
    expect(page.locator("#jobs-title")).to_be_visible()
    check_a11y(page)
    screenshot(page, f"courses-suggestions-{language}")


def course_in_state(live_server: LiveServer, state: str) -> int:
    """An active demo course whose enrolment state is ``state`` today."""
    from sqlalchemy import select

    from orientamento.courses.models import Course, Enrolment
    from orientamento.extensions import db

    with live_server.app.app_context():
        try:
            return db.session.scalars(
                select(Course.id).where(Course.status == "active",
                                        Course.enrolment_in({Enrolment(state)}, clock.today()))
                .order_by(Course.id).limit(1)).one()
        finally:
            db.session.remove()


@pytest.mark.parametrize("language", ["it", "ar"])
def test_courses_closed_for_enrolment_are_one_tick_away(page: Any, live_server: LiveServer,
                                                        language: str) -> None:
    errors = console_errors(page)
    assert page.goto("/courses/").ok
    if language != "it":
        switch_language(page, language)
    open_total = result_count(page)
    assert page.locator(f"{CARD} .enrolment-open").count() == page.locator(CARD).count() > 0
    control = page.locator('#course-search input[name="enrolment"]')
    expect(control).not_to_be_checked()
    label = page.locator(f'label[for="{control.get_attribute("id")}"]')

    label.click()
    wait_for_results(page, enrolment=["any"])
    widened = result_count(page)
    assert widened > open_total, "the demo catalogue has closed and started courses"
    assert sum(facet_counts(page, "kind").values()) == widened, "the facets follow"
    page.reload()  # the URL keeps the choice: a shared link shows the same search
    expect(control).to_be_checked()
    assert result_count(page) == widened
    check_a11y(page)

    label.click()
    wait_for_results(page, enrolment=[])
    assert result_count(page) == open_total

    for state in ("closed", "started"):
        visit(page, f"/courses/{course_in_state(live_server, state)}")
        badge = page.locator(f"main .badge.enrolment-{state}")
        expect(badge).to_be_visible()
        assert re.search(r"\d", badge.inner_text()), "the badge gives the date"
        check_a11y(page)
    screenshot(page, f"course-started-{language}")
    assert errors == []


def test_a_place_sorts_by_distance_and_the_course_page_leads_back_to_the_search(
        page: Any) -> None:
    visit(page, "/courses/?q=tecnico&place=015209")
    expect(page.locator("#result-order")).to_contain_text("Sesto San Giovanni")
    distances = [float(match[1].replace(",", ".")) for text in
                 page.locator(f"{CARD} dd").all_inner_texts()
                 if (match := re.search(r"(\d+(?:[.,]\d+)?) km", text))]
    assert distances and distances == sorted(distances), distances
    # Numbered pages: the current one marked, the next ones numbered.
    pager = page.locator("#results nav.pagination-wrapper")
    expect(pager.locator("[aria-current=page]")).to_have_text("1")
    expect(pager.locator("a.page-link", has_text=re.compile(r"^2$"))).to_have_count(1)
    screenshot(page, "courses-by-distance")
    search = urlsplit(page.url)
    with page.expect_navigation():
        page.locator(f"{CARD} h2 a").first.click()
    assert params_of(page)["back"] == [f"{search.path}?{search.query}"]
    check_a11y(page)
    maps = page.locator("a.map-link")
    assert maps.count() >= 1
    assert all((href or "").startswith("geo:") for href in
               page.eval_on_selector_all("a.map-link", "links => links.map((a) => a.href)"))
    screenshot(page, "course-from-search")
    with page.expect_navigation():
        page.locator("#back-to-results").click()
    assert urlsplit(page.url)[2:4] == search[2:4]
    expect(page.locator("#result-order")).to_be_visible()


def test_a_misspelt_search_offers_the_catalogue_spelling(page: Any) -> None:
    visit(page, "/courses/?q=meccatronika")
    assert result_count(page) == 0
    offer = page.locator("#did-you-mean a")
    expect(offer).to_have_text("meccatronica")
    screenshot(page, "courses-did-you-mean")
    with page.expect_navigation():
        offer.click()
    assert params_of(page)["q"] == ["meccatronica"]
    assert result_count(page) > 0
