"""The spec loader: the shipped spec loads; unsafe or incomplete specs are refused clearly."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from orientamento.risk.spec import SpecError, load_spec, parse_spec, spec_path
from tests.risk.factories import neet_spec_source

REASONS = {"up": {"it": "su", "en": "up", "ar": "أعلى"},
           "down": {"it": "giù", "en": "down", "ar": "أدنى"}}


def _neet() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(neet_spec_source())
    return loaded


def _parse_changed(change: Callable[[dict[str, Any]], None]) -> str:
    """Apply ``change`` to the NEET spec, parse it, and return the SpecError message."""
    raw = copy.deepcopy(_neet())
    change(raw)
    with pytest.raises(SpecError) as caught:
        parse_spec(yaml.safe_dump(raw, allow_unicode=True))
    return str(caught.value)


def test_the_shipped_neet_spec_loads() -> None:
    spec, source = load_spec("neet")
    assert spec_path("neet").name == "neet.yaml"
    assert source == neet_spec_source()
    assert spec.name == "neet"
    assert spec.id == "source_id" and spec.time == "as_of"
    assert spec.label.column == "neet" and spec.label.horizon_months == 12
    assert set(spec.protected) == {"gender", "citizenship_group", "disability"}
    assert not {f.name for f in spec.features} & set(spec.protected)
    assert not {f.column for f in spec.features} & set(spec.protected)
    assert spec.feature("age").column == "birth_year"
    # Every reason and suggestion has its three locales.
    for feature in spec.features:
        for texts in (feature.reasons.up, feature.reasons.down, feature.suggestion):
            if texts is not None:
                assert all(texts.get(locale) for locale in ("it", "en", "ar"))


def test_a_missing_spec_file_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="cannot be read"):
        load_spec("no_such_spec")


@pytest.mark.parametrize("attribute", ["gender", "citizenship_group", "disability"])
def test_a_protected_attribute_as_a_feature_is_refused(attribute: str) -> None:
    message = _parse_changed(lambda raw: raw["features"].append(
        {"name": attribute, "type": "categorical", "reasons": REASONS}))
    assert f"{attribute} is a protected attribute" in message


def test_a_feature_read_from_a_protected_column_is_refused() -> None:
    message = _parse_changed(lambda raw: raw["features"].append(
        {"name": "sex_code", "type": "numeric", "source": "gender", "reasons": REASONS}))
    assert "sex_code is a protected attribute" in message


def test_the_label_id_and_time_columns_cannot_be_inputs() -> None:
    message = _parse_changed(lambda raw: raw["features"].append(
        {"name": "neet", "type": "boolean", "reasons": REASONS}))
    assert "cannot be inputs" in message


def test_a_feature_name_with_a_double_underscore_is_refused() -> None:
    message = _parse_changed(lambda raw: raw["features"].append(
        {"name": "noise__raw", "type": "numeric", "reasons": REASONS}))
    assert "noise__raw" in message


def test_a_feature_named_twice_is_refused() -> None:
    message = _parse_changed(lambda raw: raw["features"].append(
        {"name": "enrolled", "type": "boolean", "reasons": REASONS}))
    assert "appears twice" in message


def test_a_missing_locale_is_refused_and_located() -> None:
    message = _parse_changed(lambda raw: raw["title"].pop("ar"))
    assert "title.ar" in message
    message = _parse_changed(lambda raw: raw["features"][1]["reasons"]["up"].pop("en"))
    assert "features.1.reasons.up.en" in message


def test_an_empty_locale_text_is_refused() -> None:
    def blank(raw: dict[str, Any]) -> None:
        raw["intended_use"]["it"] = ""

    assert "intended_use.it" in _parse_changed(blank)


def test_a_suggestion_on_an_immutable_feature_is_refused() -> None:
    def suggest(raw: dict[str, Any]) -> None:
        repetitions = next(f for f in raw["features"] if f["name"] == "repetitions")
        assert not repetitions.get("mutable")
        repetitions["suggestion"] = {"it": "x", "en": "x", "ar": "x"}

    message = _parse_changed(suggest)
    assert "repetitions" in message and "only a mutable feature" in message


@pytest.mark.parametrize("rule", [
    {"positive": ["1"], "below": 0.5},  # both
    {},  # neither
], ids=["both", "neither"])
def test_a_label_needs_exactly_one_rule(rule: dict[str, Any]) -> None:
    def relabel(raw: dict[str, Any]) -> None:
        raw["label"] = {"column": "neet", "horizon_months": 12, **rule}

    assert "exactly one of 'positive', 'below' or 'at_most'" in _parse_changed(relabel)


def test_a_label_with_a_threshold_is_accepted() -> None:
    raw = _neet()
    raw["label"] = {"column": "neet", "below": 0.5, "horizon_months": 12}
    assert parse_spec(yaml.safe_dump(raw, allow_unicode=True)).label.below == 0.5


def test_a_baseline_on_an_unknown_feature_is_refused() -> None:
    message = _parse_changed(lambda raw: raw["baseline"].append({"feature": "shoe_size"}))
    assert "baseline: shoe_size is not a feature" in message


def test_an_age_band_without_a_time_column_is_refused() -> None:
    def untimed(raw: dict[str, Any]) -> None:
        del raw["time"]
        raw["features"] = [f for f in raw["features"] if f["name"] != "age"]

    assert "age band needs the time column" in _parse_changed(untimed)


def test_an_unknown_key_is_refused() -> None:
    message = _parse_changed(lambda raw: raw.update(sensitive="yes"))
    assert "sensitive" in message


@pytest.mark.parametrize("source, expected", [
    ("name: [unclosed", "not valid YAML"),
    ("- a\n- list\n", "expected a mapping"),
    ("", "expected a mapping"),
    ("just text", "expected a mapping"),
])
def test_bad_yaml_is_a_spec_error(source: str, expected: str) -> None:
    with pytest.raises(SpecError, match=expected):
        parse_spec(source, "upload.yaml")


@pytest.mark.parametrize("source", [
    "when: 2001-13-01",
    "size: 0x_",
    "size: !!float x",
    "when: !!timestamp 1",
    "[" * 600,
], ids=["impossible-date", "bad-hex", "bad-float-tag", "bad-timestamp-tag", "deep-nesting"])
def test_yaml_that_cannot_be_constructed_is_a_spec_error(source: str) -> None:
    with pytest.raises(SpecError):
        parse_spec(source)


@given(st.text())
@example("size: 0x_")
def test_arbitrary_text_raises_only_spec_error(source: str) -> None:
    try:
        parse_spec(source)
    except SpecError:
        pass
    except ValueError as error:
        # SpecError is a ValueError: any other ValueError escaping is a bug.
        raise ValueError(f"not a SpecError: {error!r}") from error


_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_keys = st.sampled_from(["name", "title", "features", "label", "id", "time", "protected",
                         "audit", "baseline", "it", "en", "ar", "type", "column", "positive",
                         "below", "reasons", "up", "down"]) | st.text(max_size=8)
_documents = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(_keys, inner, max_size=6), max_leaves=30)


@given(_documents)
def test_arbitrary_documents_raise_only_spec_error(document: Any) -> None:
    """Well-formed YAML of any shape never crashes the validator."""
    with pytest.raises(SpecError):
        parse_spec(yaml.safe_dump(document, allow_unicode=True))


def test_every_required_locale_is_checked() -> None:
    for field in ("title", "description", "intended_use", "out_of_scope"):
        for locale in ("it", "en", "ar"):
            raw = _neet()
            raw[field] = {k: v for k, v in raw[field].items() if k != locale}
            with pytest.raises(SpecError, match=f"{field}.{locale}"):
                parse_spec(yaml.safe_dump(raw, allow_unicode=True))
