"""``flask observatory report --quarter``: the printable quarterly report."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner

from tests.observatory.factories import store_demand


def test_the_report_writes_a_printable_page_for_the_quarter(
        runner: FlaskCliRunner, reference_data: None, tmp_path: Path) -> None:
    store_demand([("3.1.2", "015", "2026-11", 300, "55", "any")], synthetic=True)
    target = tmp_path / "report.html"
    result = runner.invoke(args=["observatory", "report", "--quarter", "2026Q4",
                                 "--output", str(target)])
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") or "<!DOCTYPE html>" in html[:200]
    assert "2026Q4" in html and 'role="img"' in html and "<table>" in html
    assert "@media print" in html
    assert 'lang="it"' in html and 'class="alert alert-warning"' in html  # synthetic: said
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")


def test_a_bad_quarter_is_refused(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["observatory", "report", "--quarter", "2026-4",
                                 "--output", str(tmp_path / "x.html")])
    assert result.exit_code == 2
    assert not (tmp_path / "x.html").exists()
