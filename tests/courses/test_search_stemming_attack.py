"""A catalogue import on SQLite re-indexes every course through the pure-Python stemmer.

Issue 12's rerun (bench/attacks): two admins importing the same 820-course file on SQLite,
one request outlived gunicorn's 30 s worker timeout (a bare 500) and the other the lock
timeout (503). A profile of the import showed 73% of it in the Snowball stemmer, stemming
the same words again for every course: each distinct word is now stemmed once.
"""

from __future__ import annotations

import pytest

from orientamento.courses import search


class CountingStemmer:
    """The real stemmer, counting the words it is asked to stem."""

    def __init__(self) -> None:
        self.words = 0
        self.real = search.snowballstemmer.stemmer("italian")

    def stemWord(self, word: str) -> str:
        self.words += 1
        return str(self.real.stemWord(word))

    def stemWords(self, words: list[str]) -> list[str]:
        return [self.stemWord(word) for word in words]


def test_a_repeated_word_is_stemmed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    counting = CountingStemmer()
    monkeypatch.setattr(search, "_STEMMER", counting)
    # Words no other test stems, so nothing is remembered from before.
    words = ["zanzariere", "pappagallini", "zanzariere"] * 50

    found = search.stems(words)

    assert found == [str(counting.real.stemWord(word)) for word in words]
    assert counting.words <= 2
