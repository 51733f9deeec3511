"""The shared pager: which page numbers it shows and how its links keep the query string."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, render_template_string
from sqlalchemy import select

from orientamento.core.pagination import CappedCount, counts_capped, page_window, paginate_capped
from orientamento.courses.models import Place
from orientamento.extensions import db

PAGER = '{% from "_macros/ui.html" import pagination_nav %}{{ pagination_nav(p, "courses.search") }}'


@pytest.mark.parametrize(("page", "pages", "expected"), [
    (1, 1, [1]),
    (1, 3, [1, 2, 3]),
    (4, 7, [1, 2, 3, 4, 5, 6, 7]),  # a gap of one page shows the page, not an ellipsis
    (1, 10, [1, 2, 3, None, 10]),
    (5, 10, [1, 2, 3, 4, 5, 6, 7, None, 10]),
    (10, 10, [1, None, 8, 9, 10]),
    (50, 1000, [1, None, 48, 49, 50, 51, 52, None, 1000]),
    (12, 10, [1, None, 10]),  # past the end (an empty page)
])
def test_page_window(page: int, pages: int, expected: list[int | None]) -> None:
    assert page_window(page, pages) == expected


def render(app: Flask, path: str, pagination: Any) -> str:
    with app.test_request_context(path, headers={"Accept-Language": "en"}):
        return render_template_string(PAGER, p=pagination)


def links(html: str) -> dict[str, dict[str, list[str]]]:
    """Link text -> the query of its target."""
    found = re.findall(r'<a class="page-link"[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', html)
    return {text: parse_qs(urlsplit(href.replace("&amp;", "&")).query) for href, text in found}


def test_the_pager_numbers_pages_marks_the_current_one_and_keeps_every_parameter(
        app: Flask) -> None:
    html = render(app, "/courses/?q=tecnico&kind=its&kind=ifts&page=5",
                  SimpleNamespace(page=5, pages=10, total=200))
    targets = links(html)
    assert list(targets) == ["Previous", "1", "2", "3", "4", "5", "6", "7", "10", "Next"]
    for text, query in targets.items():
        assert query["kind"] == ["its", "ifts"] and query["q"] == ["tecnico"], text
    assert targets["Previous"]["page"] == ["4"] and targets["Next"]["page"] == ["6"]
    assert targets["10"]["page"] == ["10"]
    assert re.findall(r'aria-current="page"[^>]*>([^<]+)<', html) == ["5"]
    # One ellipsis, hidden from screen readers, which hear "more pages" instead.
    assert html.count('<span aria-hidden="true">…</span>') == 1
    assert html.count('<span class="visually-hidden">more pages</span>') == 1
    assert 'class="pagination-wrapper" aria-label="Pages"' in html
    assert "Page 5 of 10, 200 results" in html


def test_first_and_last_pages_have_no_link_beyond_them(app: Flask) -> None:
    first = links(render(app, "/courses/", SimpleNamespace(page=1, pages=3, total=50)))
    assert list(first) == ["1", "2", "3", "Next"]
    last = links(render(app, "/courses/?page=3", SimpleNamespace(page=3, pages=3, total=50)))
    assert list(last) == ["Previous", "1", "2", "3"]
    assert "pagination" not in render(app, "/courses/", SimpleNamespace(page=1, pages=1, total=3))


def test_the_pager_takes_a_flask_sqlalchemy_page(app: Flask, reference_data: None) -> None:
    """The list pages (users, events, visits, ...) pass ``db.paginate`` results."""
    total = len(db.session.scalars(select(Place)).all())
    with app.test_request_context("/courses/?page=3", headers={"Accept-Language": "en"}):
        pagination = db.paginate(select(Place).order_by(Place.code), page=3, per_page=10)
        html = render_template_string(PAGER, p=pagination)
    assert re.findall(r'aria-current="page"[^>]*>([^<]+)<', html) == ["3"]
    assert f"Page 3 of {pagination.pages}, {total} results" in html
    assert str(pagination.pages) in links(html)


def test_a_capped_page_counts_only_up_to_its_cap_and_says_more(
        app: Flask, reference_data: None) -> None:
    codes = list(db.session.scalars(select(Place.code).order_by(Place.code)))
    assert len(codes) > 45
    query = select(Place).order_by(Place.code)
    with app.test_request_context("/courses/?page=2", headers={"Accept-Language": "en"}):
        capped = paginate_capped(query, per_page=10, cap=20)
        html = render_template_string(PAGER, p=capped)
    assert [place.code for place in capped.items] == codes[10:20]
    # Counted as far as the page's start plus the cap: 10 + 20 rows, then "more".
    assert (capped.total, capped.pages, capped.capped, capped.has_next) == (30, 3, True, True)
    assert "Page 2 of more than 3, more than 30 results" in html
    assert list(links(html)) == ["Previous", "1", "2", "3", "Next"]
    assert html.count('<span class="visually-hidden">more pages</span>') == 1

    with app.test_request_context("/courses/?page=2", headers={"Accept-Language": "en"}):
        exact = paginate_capped(query, per_page=10, cap=len(codes))
        html = render_template_string(PAGER, p=exact)
    assert (exact.total, exact.capped) == (len(codes), False)
    assert f"Page 2 of {exact.pages}, {len(codes)} results" in html
    assert "more than" not in html


def test_several_capped_counts_are_read_in_one_statement(
        app: Flask, reference_data: None, queries: list[str]) -> None:
    codes = list(db.session.scalars(select(Place.code).order_by(Place.code)))
    some = select(Place.code).where(Place.code.in_(codes[:5]))
    queries.clear()
    counted = counts_capped([(select(Place).order_by(Place.code), 10), (some, 10),
                             (some, 4), (select(Place.code), None),
                             (select(Place.code).where(Place.code == "none"), 3)])
    assert counted == [CappedCount(10, True), CappedCount(5, False), CappedCount(4, True),
                       CappedCount(len(codes), False), CappedCount(0, False)]
    assert len([q for q in queries if q.lstrip().upper().startswith("SELECT")]) == 1
