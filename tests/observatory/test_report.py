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


def test_the_report_prints_to_pdf_with_its_title_tables_and_charts(
        runner: FlaskCliRunner, reference_data: None, tmp_path: Path) -> None:
    from pypdf import PdfReader

    store_demand([("3.1.2", "015", "2026-11", 300, "55", "any")], synthetic=True)
    target = tmp_path / "report.html"
    result = runner.invoke(args=["observatory", "report", "--quarter", "2026Q4",
                                 "--language", "en", "--output", str(target)])
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "report.pdf"
    assert f"written to {pdf}" in result.output
    reader = PdfReader(pdf)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Observatory quarterly report 2026Q4" in text
    # A table's caption and a count from the charts' own labels (SVG text, drawn by WeasyPrint).
    assert "Students by the area of their latest interests result" in text
    assert "Interest %" in text
    drawn = b"".join(page.get_contents().get_data() for page in reader.pages
                     if page.get_contents() is not None)
    # The bars: filled rectangles in the charts' blue (#0066cc), drawn from the inline SVG.
    assert b"0 0.4 0.8 rg" in drawn and b" re" in drawn


def test_no_pdf_writes_the_html_only(runner: FlaskCliRunner, reference_data: None,
                                     tmp_path: Path) -> None:
    target = tmp_path / "only.html"
    result = runner.invoke(args=["observatory", "report", "--quarter", "2026Q4", "--no-pdf",
                                 "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.exists() and not (tmp_path / "only.pdf").exists()


def test_a_bad_quarter_is_refused(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["observatory", "report", "--quarter", "2026-4",
                                 "--output", str(tmp_path / "x.html")])
    assert result.exit_code == 2
    assert not (tmp_path / "x.html").exists()
