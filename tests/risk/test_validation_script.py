"""The validation script skips cleanly without the public data, and its specs are valid."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench import validate_risk
from orientamento.risk.spec import parse_spec


def test_without_the_data_folder_it_says_so_and_succeeds(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(validate_risk, "DATA", tmp_path / "absent")
    assert validate_risk.main() == 0
    assert "not found: skipped" in capsys.readouterr().out


def test_the_written_specs_load_and_keep_protected_attributes_out() -> None:
    oulad, _file = validate_risk.oulad()
    for data in (oulad, validate_risk._uci("uci_portuguese")):
        spec = parse_spec(yaml.safe_dump(data, allow_unicode=True))
        assert not set(spec.protected) & set(spec.feature_names)
        assert spec.protected
