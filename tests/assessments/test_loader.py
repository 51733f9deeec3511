"""Questionnaire files are validated with messages naming file, item and problem."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from orientamento.assessments.loader import QuestionnaireError, load_registry, write_lock
from orientamento.config import QUESTIONNAIRES_DIR
from tests.assessments.definitions import aptitude_data, likert_data


def _write(directory: Path, data: dict[str, Any], name: str | None = None) -> Path:
    folder = directory / data["id"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"v{data['version']}.yaml")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_questionnaires_are_valid() -> None:
    registry = load_registry(QUESTIONNAIRES_DIR)
    ids = {qid for qid, _ in registry.versions}
    assert {"interests", "work_styles", "digital_skills", "reasoning"} <= ids
    for questionnaire in registry.current():
        assert set(questionnaire.locales) >= {"it", "en", "ar"}


def test_a_valid_directory_loads(tmp_path: Path) -> None:
    _write(tmp_path, likert_data())
    _write(tmp_path, aptitude_data())
    registry = load_registry(tmp_path)
    assert registry.latest("interests") is not None
    assert [q.id for q in registry.current()] == ["interests", "reasoning"]


def _error(tmp_path: Path, data: dict[str, Any]) -> str:
    _write(tmp_path, data)
    with pytest.raises(QuestionnaireError) as caught:
        load_registry(tmp_path)
    return str(caught.value)


def test_a_missing_locale_names_the_item(tmp_path: Path) -> None:
    data = likert_data()
    del data["sections"][0]["items"][1]["text"]["ar"]
    message = _error(tmp_path, data)
    assert "interests/v1.yaml" in message and "item R02" in message and "locale ar" in message


def test_an_unknown_scale_names_the_item(tmp_path: Path) -> None:
    data = likert_data()
    data["sections"][1]["items"][0]["scale"] = "Q"
    assert "unknown scale 'Q'" in _error(tmp_path, data)


def test_duplicate_ids_and_bad_keys_are_reported(tmp_path: Path) -> None:
    data = likert_data()
    data["sections"][1]["items"][0]["id"] = data["sections"][0]["items"][0]["id"]
    assert "used twice" in _error(tmp_path, data)
    data = aptitude_data()
    data["sections"][0]["items"][2]["correct"] = "z"
    assert "item numerical3" in _error(tmp_path / "x", data)


def test_a_typo_in_a_key_is_an_error_not_ignored(tmp_path: Path) -> None:
    data = likert_data()
    data["sections"][0]["items"][0]["revers"] = True
    message = _error(tmp_path, data)
    assert "section part1 > item R01 > revers" in message


def test_the_file_name_must_match_id_and_version(tmp_path: Path) -> None:
    data = likert_data()
    _write(tmp_path, data, name="v2.yaml")
    with pytest.raises(QuestionnaireError, match=r"must be saved as interests/v1\.yaml"):
        load_registry(tmp_path)


def test_broken_yaml_is_reported_with_the_file(tmp_path: Path) -> None:
    (tmp_path / "interests").mkdir()
    (tmp_path / "interests" / "v1.yaml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"interests/v1\.yaml"):
        load_registry(tmp_path)


def test_a_published_version_cannot_change(tmp_path: Path) -> None:
    data = likert_data()
    path = _write(tmp_path, data)
    assert write_lock(tmp_path, load_registry(tmp_path)) == [("interests", 1)]
    changed = copy.deepcopy(data)
    changed["minutes"] = 6
    path.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="published and must not change"):
        load_registry(tmp_path)
    # The edit saved as a new version is fine, and the old one still loads.
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    changed["version"] = 2
    _write(tmp_path, changed)
    registry = load_registry(tmp_path)
    assert registry.latest("interests").version == 2  # type: ignore[union-attr]
    assert registry.get("interests", 1) is not None


def test_every_shipped_version_is_published() -> None:
    from orientamento.assessments.loader import read_lock

    registry = load_registry(QUESTIONNAIRES_DIR)
    assert set(registry.hashes) <= set(read_lock(QUESTIONNAIRES_DIR)), \
        "run `flask questionnaires lock` after adding a version"


def test_check_command_exits_non_zero_on_an_invalid_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: Any
) -> None:
    from orientamento.assessments import cli

    data = likert_data()
    del data["title"]["ar"]
    _write(tmp_path, data)
    monkeypatch.setattr(cli, "QUESTIONNAIRES_DIR", tmp_path)
    result = runner.invoke(args=["questionnaires", "check"])
    assert result.exit_code != 0
    assert "interests/v1.yaml" in result.output and "title: no text for locale ar" in result.output
    monkeypatch.setattr(cli, "QUESTIONNAIRES_DIR", QUESTIONNAIRES_DIR)
    ok = runner.invoke(args=["questionnaires", "check"])
    assert ok.exit_code == 0 and "4 questionnaire versions are valid" in ok.output
    listed = runner.invoke(args=["questionnaires", "list"])
    assert "reasoning" in listed.output and "it/en/ar" in listed.output


def test_an_invalid_file_stops_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from orientamento.assessments import setup
    from tests.conftest import make_app

    data = likert_data()
    data["sections"][0]["items"][0]["scale"] = "nowhere"
    _write(tmp_path, data)
    monkeypatch.setattr(setup, "QUESTIONNAIRES_DIR", tmp_path)
    setup._registry.cache_clear()
    with pytest.raises(QuestionnaireError, match="unknown scale 'nowhere'"):
        make_app("sqlite://")
    setup._registry.cache_clear()
