"""Full-text search over courses behind one small interface, for PostgreSQL and SQLite.

Both back ends index the same accent-folded ``courses.search_document`` text and answer a
query with a WHERE condition (to filter and count) or a ``(course_id, score)`` selectable (to
rank):

- PostgreSQL: a stored ``to_tsvector('italian', search_document)`` with a GIN index; the
  query is a prefix ``to_tsquery`` in the ``italian`` configuration (Snowball stemmer),
  ranked by ``ts_rank``.
- SQLite: FTS5 has no Italian stemmer, so the document and the query are stemmed in Python with
  the same Snowball algorithm (``snowballstemmer``) and matched by prefix in an FTS5 table keyed
  by course id, ranked by ``bm25``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, Protocol

import snowballstemmer
from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Integer,
    func,
    literal_column,
    select,
    text,
)

from orientamento.courses.models import Course

_WORD = re.compile(r"[a-z0-9]+")
_STEMMER = snowballstemmer.stemmer("italian")
#: Longest query we bother to parse: a search box, not a document.
MAX_TERMS = 8



def fold(value: str) -> str:
    """Lower-case and strip accents, so "Attività" and "attivita" index alike."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def terms(query: str) -> list[str]:
    """Split a query into folded words (letters and digits only), at most MAX_TERMS."""
    return terms_all(query)[:MAX_TERMS]


def stems(words: Iterable[str]) -> list[str]:
    """Italian Snowball stems of folded words."""
    return [_stem(word) for word in words]


@functools.lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    """One word's stem, remembered: the pure-Python stemmer is slow and a catalogue repeats its
    words, so re-indexing a whole import on SQLite spent most of its time here."""
    return str(_STEMMER.stemWord(word))


class SearchBackend(Protocol):
    """What the course queries need from a full-text engine."""

    def install(self, connection: Connection) -> None:
        """Create the index structures (idempotent)."""

    def refresh(self, connection: Connection, documents: dict[int, str]) -> None:
        """Re-index the given course ids with their current documents."""

    def remove(self, connection: Connection, course_ids: Iterable[int]) -> None:
        """Drop courses from the index."""

    def condition(self, query: str) -> ColumnElement[bool] | None:
        """A WHERE condition keeping the matching courses, or None for an empty query."""

    def ranked(self, query: str) -> Any:
        """Matching courses as a (course_id, score) selectable, or None for an empty query."""


class PostgresSearch:
    """PostgreSQL full-text search on a stored ``tsvector`` with a GIN index.

    The vector is stored (``courses.search_vector``) rather than computed in an expression
    index: a broad query matching most of the catalogue makes the planner scan the table, and
    recomputing ``to_tsvector`` on every row then costs seconds.
    """

    def install(self, connection: Connection) -> None:
        connection.execute(text(
            "CREATE INDEX IF NOT EXISTS ix_courses_search_vector ON courses"
            " USING gin (search_vector)"))

    def refresh(self, connection: Connection, documents: dict[int, str]) -> None:
        if documents:
            connection.execute(
                text("UPDATE courses SET search_vector = to_tsvector('italian', search_document)"
                     " WHERE id = ANY(:ids)"), {"ids": list(documents)})

    def remove(self, connection: Connection, course_ids: Iterable[int]) -> None:
        """Nothing to do: the vector lives in the course row."""

    @staticmethod
    def _tsquery(query: str) -> Any:
        words = terms(query)
        if not words:
            return None
        # Words are [a-z0-9]+ only, so they cannot carry tsquery operators.
        return func.to_tsquery(literal_column("'italian'::regconfig"),
                               " & ".join(f"{w}:*" for w in words))

    def condition(self, query: str) -> ColumnElement[bool] | None:
        tsquery = self._tsquery(query)
        return None if tsquery is None else Course.search_vector.bool_op("@@")(tsquery)

    def ranked(self, query: str) -> Any:
        tsquery = self._tsquery(query)
        if tsquery is None:
            return None
        return (
            select(Course.id.label("course_id"),
                   func.ts_rank(Course.search_vector, tsquery).label("score"))
            .where(Course.search_vector.bool_op("@@")(tsquery))
            .subquery("matches")
        )


class SqliteSearch:
    """SQLite FTS5 over Python-stemmed text."""

    def install(self, connection: Connection) -> None:
        connection.execute(text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS courses_fts"
            " USING fts5(document, tokenize='unicode61 remove_diacritics 2')"))

    def refresh(self, connection: Connection, documents: dict[int, str]) -> None:
        if not documents:
            return
        self.remove(connection, documents)
        connection.execute(
            text("INSERT INTO courses_fts(rowid, document) VALUES (:id, :document)"),
            [{"id": cid, "document": " ".join(stems(terms_all(doc)))}
             for cid, doc in documents.items()],
        )

    def remove(self, connection: Connection, course_ids: Iterable[int]) -> None:
        ids = [{"id": cid} for cid in course_ids]
        if ids:
            connection.execute(text("DELETE FROM courses_fts WHERE rowid = :id"), ids)

    @staticmethod
    def _expression(query: str) -> str | None:
        words = terms(query)
        # Stems are [a-z0-9]+, quoted anyway so FTS5 never reads them as operators.
        return " ".join(f'"{s}"*' for s in stems(words)) if words else None

    def condition(self, query: str) -> ColumnElement[bool] | None:
        expression = self._expression(query)
        if expression is None:
            return None
        # IN (subquery): SQLite runs the full-text match once, not once per course.
        return Course.id.in_(
            text("SELECT rowid FROM courses_fts WHERE courses_fts MATCH :expression")
            .bindparams(expression=expression).columns(rowid=Integer))

    def ranked(self, query: str) -> Any:
        expression = self._expression(query)
        if expression is None:
            return None
        # A materialized CTE, for the same reason as the IN above.
        return (
            text("SELECT rowid AS course_id, -bm25(courses_fts) AS score"
                 " FROM courses_fts WHERE courses_fts MATCH :expression")
            .bindparams(expression=expression)
            .columns(course_id=Integer, score=Float)
            .cte("matches").prefix_with("MATERIALIZED")
        )


def terms_all(document: str) -> list[str]:
    """Every folded word of a document (no MAX_TERMS limit)."""
    return _WORD.findall(fold(document))


def backend_for(dialect_name: str) -> SearchBackend:
    """The search back end for a database dialect."""
    return PostgresSearch() if dialect_name == "postgresql" else SqliteSearch()
