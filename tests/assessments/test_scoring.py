"""Scoring is a pure function of a definition and answers."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from orientamento.assessments.scoring import (
    ScaleScore,
    item_value,
    score,
)
from tests.assessments.definitions import aptitude_data, build, likert_data

LIKERT = build(likert_data(reverse_every=2))
APTITUDE = build(aptitude_data())
DIGITAL = build(likert_data(scales=("safety", "content"), kind="digital", per_scale=6))


def test_likert_mean_with_reverse_keying() -> None:
    # R01 forward, R02 reverse, R03 forward
    result = score(LIKERT, {"R01": 5, "R02": 1, "R03": 2})["R"]
    assert result.value == round((5 + 5 + 2) / 3, 3)
    assert result.percent == round(100 * (result.value - 1) / 4, 1)
    assert result.answered == 3 and result.items == 3


def test_unanswered_and_invalid_answers_are_ignored() -> None:
    result = score(LIKERT, {"R01": 4, "R02": "x", "R03": 9})["R"]
    assert result.answered == 1 and result.value == 4.0
    assert score(LIKERT, {})["I"] == ScaleScore("I", None, None, 0, 3, None)


def test_bands_follow_the_percent() -> None:
    low = score(LIKERT, {"I01": 1, "I02": 5, "I03": 1})["I"]
    high = score(LIKERT, {"I01": 5, "I02": 1, "I03": 5})["I"]
    middle = score(LIKERT, {"I01": 3, "I02": 3, "I03": 3})["I"]
    assert (low.band, middle.band, high.band) == ("low", "medium", "high")


def test_aptitude_counts_correct_answers_and_unanswered_as_wrong() -> None:
    result = score(APTITUDE, {"numerical1": "b", "numerical2": "a"})["numerical"]
    assert result.value == 1 / 3 and result.percent == 33.3 and result.band == "low"
    full = score(APTITUDE, {f"verbal{n}": "b" for n in (1, 2, 3)})["verbal"]
    assert full.value == 1.0 and full.percent == 100.0 and full.band == "high"


def test_digital_level_is_the_highest_level_done_on_ones_own() -> None:
    # items 1,4 basic; 2,5 intermediate; 3,6 advanced
    answers = {"safety01": 4, "safety04": 5, "safety02": 4, "safety05": 4, "safety03": 2,
               "safety06": 3}
    assert score(DIGITAL, answers)["safety"].level == "intermediate"
    assert score(DIGITAL, {**answers, "safety01": 2})["safety"].level == "none"
    everything = {f"content0{n}": 5 for n in range(1, 7)}
    assert score(DIGITAL, everything)["content"].level == "advanced"


answers_strategy = st.dictionaries(
    st.sampled_from([item.id for item in LIKERT.items] + ["zzz"]),
    st.one_of(st.integers(-5, 10), st.text(max_size=3), st.none(), st.lists(st.text(max_size=2))),
)


@given(answers_strategy)
def test_any_answer_set_scores_without_error(answers: dict[str, Any]) -> None:
    for result in score(LIKERT, answers).values():
        assert result.value is None or 1 <= result.value <= 5
        assert result.percent is None or 0 <= result.percent <= 100


@given(st.lists(st.integers(1, 5), min_size=3, max_size=3))
def test_reverse_keying_is_symmetric(values: list[int]) -> None:
    items = LIKERT.items_of("R")
    straight = {item.id: v for item, v in zip(items, values, strict=True)}
    mirrored = {item.id: 6 - v for item, v in zip(items, values, strict=True)}
    a, b = score(LIKERT, straight)["R"], score(LIKERT, mirrored)["R"]
    assert a.value is not None and b.value is not None
    assert abs((a.value - 3) + (b.value - 3)) < 1e-9


def test_a_full_marks_key_scores_maximal() -> None:
    best = {item.id: 1 if item.reverse else 5 for item in LIKERT.items}
    assert all(result.percent == 100.0 for result in score(LIKERT, best).values())
    key = {item.id: item.correct for item in APTITUDE.items}
    assert all(result.percent == 100.0 for result in score(APTITUDE, key).values())


def test_item_value_for_choice_items() -> None:
    item = next(APTITUDE.items)
    assert item_value(item, "b") == 1.0 and item_value(item, "a") == 0.0
    assert item_value(item, "zz") is None and item_value(item, None) is None
