"""A search's page of results: the total, the facet counts and the widening hints, and the
page's courses, with the counts and the page's ids kept per catalogue version
(``courses.cache``), so a repeated search reads the version, then loads the page's courses by
id. The filters, facets and distances themselves are ``courses.queries``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import case, func

from orientamento.courses import cache, spelling
from orientamento.courses.models import Course, Enrolment
from orientamento.courses.queries import (
    CourseQuery,
    SearchResult,
    facet_counts,
    filtered,
    load_courses,
    order_of,
)
from orientamento.extensions import db


def _page_ids(query: CourseQuery) -> tuple[list[int], dict[int, float]]:
    """Ids of the requested page in order (upcoming first when the sort does not apply).

    By distance, courses at the same distance (often the same site) come by relevance to the
    words, then by title.
    """
    order = order_of(query)
    selected = filtered(query, [Course.id],
                        rank=bool(query.q) and order in ("relevance", "distance"))
    stmt = selected.stmt
    if selected.nearest is not None:
        stmt = stmt.add_columns(selected.nearest.c.d2)
    if order == "distance" and selected.nearest is not None:
        ties = [selected.matches.c.score.desc()] if selected.matches is not None else []
        stmt = stmt.order_by(selected.nearest.c.d2, *ties, Course.title, Course.id)
    elif selected.matches is not None:
        stmt = stmt.order_by(selected.matches.c.score.desc(), Course.id)
    else:
        # Upcoming courses first, soonest first; then those already started; undated last.
        group = case((Course.start_date.is_(None), 2), (Course.start_date < query.today, 1),
                     else_=0)
        stmt = stmt.order_by(group, Course.start_date, Course.id)
    rows = db.session.execute(
        stmt.limit(query.per_page).offset((query.page - 1) * query.per_page)).all()
    distances = {row[0]: math.sqrt(row[1]) for row in rows} if selected.nearest is not None \
        else {}
    return [row[0] for row in rows], distances


def search_key(query: CourseQuery) -> tuple[Any, ...]:
    """What decides a search's matches and counts (not its order or page), as a cache key."""
    return (query.q, query.kinds, query.areas, query.eqf_levels, query.language,
            query.place.code if query.place is not None else None, query.km,
            query.start_after, query.free_only, query.enrolment, query.today)


@dataclass(frozen=True)
class _Summary:
    """What a search finds besides its page: total, facet counts, the widening hints."""

    total: int
    facets: dict[str, dict[Any, int]]
    other_states: int
    suggestion: str | None


def _summary(query: CourseQuery) -> _Summary:
    total, facets = facet_counts(query)
    other_states = 0
    if not total and query.enrolment == Enrolment.OPEN:
        # Nothing open: say whether closed or started courses match, so people can widen.
        widened = filtered(replace(query, enrolment=None), [func.count()]).stmt
        other_states = db.session.scalar(widened) or 0
    suggestion = spelling_suggestion(query) if not total and not other_states else None
    return _Summary(total, facets, other_states, suggestion)


def search_courses(query: CourseQuery) -> SearchResult:
    """One page of active courses matching ``query``, with facet counts, in bounded queries.

    The counts and the page's ids are kept per catalogue version (``courses.cache``): a
    repeated search reads the version, then loads the page's courses by id.
    """
    version = cache.catalogue_version()
    key = search_key(query)
    summary = cache.cached(("summary", version, key), lambda: _summary(query))
    total, facets = summary.total, summary.facets
    other_states, suggestion = summary.other_states, summary.suggestion
    ids, distances = cache.cached(
        ("page", version, key, order_of(query), query.page, query.per_page),
        lambda: _page_ids(query)) if total else ([], {})
    return SearchResult(
        courses=load_courses(ids), distances=distances, total=total,
        page=query.page, per_page=query.per_page, facets=facets, other_states=other_states,
        order=order_of(query), place=query.place, suggestion=suggestion,
    )


def spelling_suggestion(query: CourseQuery) -> str | None:
    """The query with unknown words replaced by the nearest catalogue words, when the
    corrected query finds active courses (in any enrolment state); else None."""
    if not query.q:
        return None
    words = spelling.catalogue_vocabulary()
    corrected = words.correct(query.q)
    if corrected is None:
        return None
    count = filtered(replace(query, q=corrected, enrolment=None), [func.count()]).stmt
    return corrected if db.session.scalar(count) else None
