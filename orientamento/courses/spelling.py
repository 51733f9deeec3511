"""Did-you-mean suggestions: the nearest spelling among the listed catalogue's own words.

When a search finds nothing, each query word the search cannot match (no catalogue word
starts with its stem, the way the full-text search matches) is replaced by the catalogue word
fewest edits away: inserting, deleting or changing a letter, or swapping two neighbours
(optimal string alignment distance, computed by RapidFuzz, a maintained C++ library: about
10 ms over 50,000 words). Short words are left alone, since too many words lie one edit away.

The vocabulary is every word of the active courses' search documents with its number of
occurrences (the more frequent of two equally near words wins). Reading it is one pass over
every document (about 1.5 s for 20,000 courses on a small machine; splitting them in
PostgreSQL with ``regexp_split_to_table`` is no faster), so it is built once per version of
the catalogue's text, by the first search that finds nothing, and kept on the application
until a course is written, archived, restored or deleted (the catalogue version changes).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass

from flask import current_app
from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy import select

from orientamento.courses.cache import catalogue_version
from orientamento.courses.models import Course, CourseStatus
from orientamento.courses.search import stems, terms
from orientamento.extensions import db

#: Query words shorter than this are never corrected.
MIN_LENGTH = 4
#: Words from this length on may be two edits away, shorter ones one.
TWO_EDITS_FROM = 8
#: The most frequent words kept: bounds memory and the cost of a look-up.
MAX_WORDS = 100_000
_EXTENSION = "course_vocabulary"
#: A word of a stored (folded) search document, as ``search.terms_all`` splits it.
_WORD = re.compile(r"[a-z0-9]+")


def max_edits(word: str) -> int:
    """How many edits a correction of ``word`` may make."""
    return 2 if len(word) >= TWO_EDITS_FROM else 1


@dataclass(frozen=True)
class Vocabulary:
    """The catalogue's words, most frequent first, and the same words sorted."""

    by_frequency: tuple[str, ...]
    ordered: tuple[str, ...]

    @classmethod
    def from_counts(cls, counts: Counter[str]) -> Vocabulary:
        """The vocabulary of words counted in the documents (digits-only words left out)."""
        kept = [word for word, _n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
                if len(word) >= 2 and not word.isdigit()][:MAX_WORDS]
        return cls(tuple(kept), tuple(sorted(kept)))

    def matches(self, word: str) -> bool:
        """Whether the search can match ``word``: a catalogue word starts with its stem."""
        if not self.ordered:
            return False
        for prefix in (word, *stems([word])):
            position = bisect_left(self.ordered, prefix)
            if position < len(self.ordered) and self.ordered[position].startswith(prefix):
                return True
        return False

    def nearest(self, word: str) -> str | None:
        """The most frequent of the catalogue words fewest edits from ``word``, if close."""
        if len(word) < MIN_LENGTH or word.isdigit():
            return None
        found = process.extractOne(word, self.by_frequency, scorer=OSA.distance,
                                   score_cutoff=max_edits(word))
        return None if found is None else str(found[0])

    def correct(self, query: str) -> str | None:
        """``query`` with the words the search cannot match corrected, or None if none is."""
        words = terms(query)
        corrected = [word if self.matches(word) else self.nearest(word) or word
                     for word in words]
        return " ".join(corrected) if corrected != words else None


def count_words() -> Counter[str]:
    """How often each word occurs in the search documents of the active courses."""
    documents = db.session.connection().execute(
        select(Course.search_document).where(Course.status == CourseStatus.ACTIVE)
        .execution_options(yield_per=1000)).scalars()
    counts: Counter[str] = Counter()
    for document in documents:
        # Documents are stored folded: split them as they are (folding again costs seconds).
        counts.update(_WORD.findall(document))
    return counts


def catalogue_vocabulary() -> Vocabulary:
    """The vocabulary of the listed catalogue, built once per catalogue version per process.

    The version (``courses.cache.catalogue_version``, a counter the database bumps on every
    catalogue write) is a primary-key read, where counting the active courses scanned them.
    """
    version = catalogue_version()
    cached: tuple[Hashable, Vocabulary] | None = current_app.extensions.get(_EXTENSION)
    if cached is None or cached[0] != version:
        cached = (version, Vocabulary.from_counts(count_words()))
        current_app.extensions[_EXTENSION] = cached
    return cached[1]
