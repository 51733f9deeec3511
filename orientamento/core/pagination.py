"""Pagination of list pages from the ``page`` query argument."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from orientamento.extensions import db

#: Beyond this a page number is nonsense (and would overflow the database's integers).
MAX_PAGE = 100_000


def requested_page() -> int:
    """The page number asked for, clamped to a sensible range."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def paginate(query: Select[Any], per_page: int | None = None) -> Pagination:
    """One page of ``query`` for the current request (an empty page past the end)."""
    return db.paginate(
        query, page=requested_page(), per_page=per_page or current_app.config["PAGE_SIZE"],
        error_out=False,
    )


def page_window(page: int, pages: int, edge: int = 1, around: int = 2) -> list[int | None]:
    """Page numbers a pager shows: the first and last ``edge``, ``around`` either side of
    ``page``, and None for each gap (an ellipsis); a gap of one page shows that page instead."""
    shown = {n for n in range(1, pages + 1)
             if n <= edge or n > pages - edge or abs(n - page) <= around}
    window: list[int | None] = []
    previous = 0
    for number in sorted(shown):
        if number - previous == 2:
            window.append(number - 1)
        elif number - previous > 2:
            window.append(None)
        window.append(number)
        previous = number
    return window
