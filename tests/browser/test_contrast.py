"""Badges and labels are read at a glance: their text keeps 4.5:1 contrast (WCAG 1.4.3).

axe-core passed the amber "Demo" badge at 2.4:1 (dark text on Bootstrap Italia's dark amber):
this measures every badge's text against the background it is drawn on, page by page.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DEMO_LOGINS, log_in, visit

pytestmark = pytest.mark.browser

#: WCAG 2.1 relative luminance and contrast ratio of each badge's text and background (the
#: nearest ancestor's background where the badge's own is transparent).
BADGE_CONTRASTS = """() => {
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const luminance = (color) => {
    const [r, g, b] = color.match(/[\\d.]+/g).map(Number);
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  return Array.from(document.querySelectorAll('.badge')).map((badge) => {
    let element = badge, background = getComputedStyle(badge).backgroundColor;
    while (/rgba\\(.*, 0\\)$/.test(background) && element.parentElement) {
      element = element.parentElement;
      background = getComputedStyle(element).backgroundColor;
    }
    const a = luminance(getComputedStyle(badge).color), b = luminance(background);
    return {badge: badge.className + ': ' + badge.textContent.trim(),
            ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
  });
}"""

PAGES = {
    None: ["/courses/", "/events/"],
    "student": ["/courses/"],  # after saving a course: the "Saved" badge on its card
    "counsellor": ["/start/", "/classes/"],
    "outreach": ["/outreach/"],
}


@pytest.mark.parametrize("role", list(PAGES))
def test_every_badge_has_text_at_4_5_to_1(new_page: Any, role: str | None) -> None:
    page = new_page()
    if role:
        log_in(page, DEMO_LOGINS[role], language="it")
    if role == "student":
        visit(page, "/courses/")
        page.locator("main article a, main .card a").first.click()
        page.wait_for_load_state()
        course_url = page.url
        save = page.locator("form[action$='/save'] button[type=submit]")
        if save.count():
            with page.expect_navigation():
                save.click()
    measured = 0
    for path in PAGES[role]:
        visit(page, path)
        if path == "/courses/" and role is None:  # a course page: kind, level, enrolment and demo badges
            page.locator("main article a, main .card a").first.click()
            page.wait_for_load_state()
        for badge in page.evaluate(BADGE_CONTRASTS):
            measured += 1
            assert badge["ratio"] >= 4.5, f"{page.url}: {badge['badge']} at {badge['ratio']:.2f}"
    assert measured, f"no badge measured for {role}"
    if role == "student":  # leave the shared demo account as it was
        visit(page, course_url.removeprefix(page.url.split("/courses/")[0]))
        with page.expect_navigation():
            page.locator("form[action$='/unsave'] button[type=submit]").click()
