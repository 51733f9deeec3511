"""Did-you-mean: the nearest catalogue word for a search that finds nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from orientamento.courses import spelling
from orientamento.courses.models import Course, CourseStatus
from orientamento.courses.queries import CourseQuery
from orientamento.courses.results import search_courses
from orientamento.courses.services import set_course_status
from orientamento.courses.spelling import Vocabulary
from orientamento.extensions import db

MakeCourse = Callable[..., Course]


def vocabulary(**counts: int) -> Vocabulary:
    return Vocabulary.from_counts(Counter(counts))


def test_words_the_search_matches_are_left_alone() -> None:
    words = vocabulary(meccatronica=3, tecnico=5, cucina=1)
    # Whole words, prefixes and other forms of a word (same stem) are all found by the search.
    for word in ("meccatronica", "mecc", "meccatronico", "tecnici", "cucine"):
        assert words.matches(word), word
    assert words.correct("Tecnici MECCATRONICI") is None
    assert not words.matches("meccatronika")


@pytest.mark.parametrize(("query", "expected"), [
    ("meccatronika", "meccatronica"),        # one letter changed
    ("mecatronica", "meccatronica"),         # one left out
    ("meccatrnoica", "meccatronica"),        # two neighbours swapped
    ("tecnico meccatronika", "tecnico meccatronica"),  # only the unknown word changes
    ("Cucnia", "cucina"),                    # folded to the catalogue's form
])
def test_unknown_words_get_the_nearest_catalogue_word(query: str, expected: str) -> None:
    words = vocabulary(meccatronica=3, tecnico=5, cucina=1)
    assert words.correct(query) == expected


def test_far_and_short_words_are_not_corrected() -> None:
    words = vocabulary(meccatronica=3, bar=2, sala=4)
    assert words.correct("astronautica") is None  # nothing near
    assert words.correct("mexxatrxnica") is None  # three edits from the nearest
    assert words.correct("bor") is None  # under four letters: too many neighbours
    assert words.correct("sola") == "sala"  # four letters: one edit allowed
    assert words.correct("salla") == "sala"
    assert words.correct("sxlxa") is None  # two edits on a short word
    assert words.correct("2031") is None


def test_the_more_frequent_of_two_equally_near_words_wins() -> None:
    assert vocabulary(cantina=1, cucina=9).correct("cuxina") == "cucina"
    assert vocabulary(cantiere=9, cantiero=1).correct("cantierx") == "cantiere"
    assert vocabulary(cantiere=1, cantiero=9).correct("cantierx") == "cantiero"


def test_an_empty_catalogue_suggests_nothing() -> None:
    assert vocabulary().correct("meccatronika") is None


def test_a_misspelt_search_suggests_the_catalogue_word(make_course: MakeCourse) -> None:
    make_course(title="Tecnico della ristorazione", area="agrifood")
    result = search_courses(CourseQuery(q="ristorazzione"))
    assert result.total == 0 and result.suggestion == "ristorazione"
    assert search_courses(CourseQuery(q=result.suggestion)).total == 1
    # Found, or nothing wrong with the words: no suggestion.
    assert search_courses(CourseQuery(q="ristorazione")).suggestion is None
    assert search_courses(CourseQuery(q="astronautica")).suggestion is None


def test_a_correction_is_offered_only_when_it_finds_courses(make_course: MakeCourse) -> None:
    make_course(title="Tecnico della ristorazione", area="agrifood")
    make_course(title="Operatore della pasticceria", area="agrifood")
    # Each word is a catalogue word, but no course has both.
    assert search_courses(CourseQuery(q="ristorazzione pasticcerria")).suggestion is None
    # Right words, nothing found because of a filter: the words are not to blame.
    assert search_courses(CourseQuery(q="ristorazione", language="en")).suggestion is None


def test_archived_courses_lend_no_words(make_course: MakeCourse) -> None:
    make_course(title="Operatore della ristorazione", area="agrifood")
    course = make_course(title="Tecnico di astronautica")
    set_course_status(course, CourseStatus.ARCHIVED)
    db.session.commit()
    assert search_courses(CourseQuery(q="astronautika")).suggestion is None


def test_the_vocabulary_is_read_once_per_catalogue_version(
        make_course: MakeCourse, monkeypatch: pytest.MonkeyPatch) -> None:
    make_course(title="Tecnico della ristorazione", area="agrifood")
    reads = []
    count_words = spelling.count_words
    monkeypatch.setattr(spelling, "count_words", lambda: reads.append(1) or count_words())
    for _ in range(3):
        assert search_courses(CourseQuery(q="ristorazzione")).suggestion == "ristorazione"
    assert len(reads) == 1
    # A new course brings its words at once.
    make_course(title="Operatore della pasticceria", area="agrifood")
    assert search_courses(CourseQuery(q="pasticcerria")).suggestion == "pasticceria"
    assert len(reads) == 2


def test_the_page_offers_the_correction_as_a_link_keeping_the_filters(
        client: FlaskClient, make_course: MakeCourse) -> None:
    make_course(title="Tecnico superiore meccatronica", kind="its")
    response = client.get("/courses/?q=meccatronika&kind=its&page=2",
                          headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="no-results"' in page
    assert "Did you mean <a href=" in page
    link = page.split('id="did-you-mean">', 1)[1].split('href="', 1)[1].split('"', 1)[0]
    target = urlsplit(link.replace("&amp;", "&"))
    assert target.path == "/courses/"
    assert parse_qs(target.query) == {"q": ["meccatronica"], "kind": ["its"]}
    followed = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Tecnico superiore meccatronica" in followed and 'id="no-results"' not in followed
