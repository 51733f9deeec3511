"""Full-text search over courses behind one small interface, for PostgreSQL and SQLite.

Both back ends index the same accent-folded ``courses.search_document`` text and answer a
query with a subquery of ``(course_id, score)``:

- PostgreSQL: a GIN index on ``to_tsvector('italian', search_document)``; the query is a
  prefix ``to_tsquery`` in the ``italian`` configuration (Snowball stemmer), ranked by
  ``ts_rank``.
- SQLite: FTS5 has no Italian stemmer, so the document and the query are stemmed in Python with
  the same Snowball algorithm (``snowballstemmer``) and matched by prefix in an FTS5 table keyed
  by course id, ranked by ``bm25``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol

import snowballstemmer
from sqlalchemy import Connection, Float, Integer, Subquery, func, literal_column, select, text

from orientamento.courses.models import Course

_WORD = re.compile(r"[a-z0-9]+")
_STEMMER = snowballstemmer.stemmer("italian")
#: Longest query we bother to parse: a search box, not a document.
MAX_TERMS = 8

#: Names used in the SQL below and in the migration (written out there: migrations are frozen).
SQLITE_FTS_TABLE = "courses_fts"
POSTGRES_INDEX = "ix_courses_search_document"


def fold(value: str) -> str:
    """Lower-case and strip accents, so "Attività" and "attivita" index alike."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def terms(query: str) -> list[str]:
    """Split a query into folded words (letters and digits only), at most MAX_TERMS."""
    return _WORD.findall(fold(query))[:MAX_TERMS]


def stems(words: Iterable[str]) -> list[str]:
    """Italian Snowball stems of folded words."""
    return [str(s) for s in _STEMMER.stemWords(list(words))]


class SearchBackend(Protocol):
    """What the course queries need from a full-text engine."""

    def install(self, connection: Connection) -> None:
        """Create the index structures (idempotent)."""

    def refresh(self, connection: Connection, documents: dict[int, str]) -> None:
        """Re-index the given course ids with their current documents."""

    def remove(self, connection: Connection, course_ids: Iterable[int]) -> None:
        """Drop courses from the index."""

    def matches(self, query: str) -> Subquery | None:
        """Courses matching the query as (course_id, score), or None for an empty query."""


class PostgresSearch:
    """PostgreSQL full-text search with the ``italian`` configuration and a GIN index."""

    _vector = func.to_tsvector(literal_column("'italian'::regconfig"), Course.search_document)

    def install(self, connection: Connection) -> None:
        connection.execute(text(
            "CREATE INDEX IF NOT EXISTS ix_courses_search_document ON courses"
            " USING gin (to_tsvector('italian'::regconfig, search_document))"))

    def refresh(self, connection: Connection, documents: dict[int, str]) -> None:
        """Nothing to do: the expression index follows the column."""

    def remove(self, connection: Connection, course_ids: Iterable[int]) -> None:
        """Nothing to do: the expression index follows the column."""

    def matches(self, query: str) -> Subquery | None:
        words = terms(query)
        if not words:
            return None
        # Words are [a-z0-9]+ only, so they cannot carry tsquery operators.
        tsquery = func.to_tsquery(literal_column("'italian'::regconfig"),
                                  " & ".join(f"{w}:*" for w in words))
        return (
            select(Course.id.label("course_id"),
                   func.ts_rank(self._vector, tsquery).label("score"))
            .where(self._vector.bool_op("@@")(tsquery))
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

    def matches(self, query: str) -> Subquery | None:
        words = terms(query)
        if not words:
            return None
        # Stems are [a-z0-9]+, quoted anyway so FTS5 never reads them as operators.
        expression = " ".join(f'"{s}"*' for s in stems(words))
        return (
            text("SELECT rowid AS course_id, -bm25(courses_fts) AS score"
                 " FROM courses_fts WHERE courses_fts MATCH :expression")
            .bindparams(expression=expression)
            .columns(course_id=Integer, score=Float)
            .subquery("matches")
        )


def terms_all(document: str) -> list[str]:
    """Every folded word of a document (no MAX_TERMS limit)."""
    return _WORD.findall(fold(document))


def backend_for(dialect_name: str) -> SearchBackend:
    """The search back end for a database dialect."""
    return PostgresSearch() if dialect_name == "postgresql" else SqliteSearch()
