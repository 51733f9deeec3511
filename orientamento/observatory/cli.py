"""``flask observatory import-demand|refresh``."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from orientamento.core.cli import import_counts, run_import
from orientamento.extensions import db
from orientamento.observatory import transfer
from orientamento.observatory.records import MappingProblem, parse_mapping


@click.group("observatory", help="Labour demand, mismatch indicators and projections.")
def observatory_cli() -> None:
    """Labour demand, mismatch indicators and projections."""


@observatory_cli.command("import-demand")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", "mappings", multiple=True, metavar="FIELD=HEADER",
              help="Read FIELD from the column HEADER (repeatable); see "
                   "docs/formats/labour-demand-csv.md.")
@click.option("--territory", default=transfer.MILAN_PROVINCE, show_default=True,
              help="ISTAT code for rows without a territory column.")
@click.option("--source", default="", help="Where the figures come from (shown on the pages).")
@click.option("--synthetic", is_flag=True, help="Mark the figures as synthetic (demo data).")
@click.option("--dry-run", is_flag=True, help="Check the file and change nothing.")
@with_appcontext
def import_demand_command(file: Path, mappings: tuple[str, ...], territory: str, source: str,
                          synthetic: bool, dry_run: bool) -> None:
    """Import a labour-demand CSV, all or nothing."""
    try:
        mapping = parse_mapping(mappings)
    except MappingProblem as problem:
        raise click.BadParameter(str(problem), param_hint="--mapping") from None
    with file.open("rb") as handle:
        data = handle.read(transfer.MAX_IMPORT_BYTES + 1)
    report = run_import(
        lambda: transfer.import_file(data, mapping=mapping, territory=territory,
                                     source=source or file.name, synthetic=synthetic,
                                     dry_run=dry_run),
        dry_run=dry_run)
    click.echo(import_counts(report))


@observatory_cli.command("refresh")
@click.option("--origins", default=4, show_default=True,
              help="Rolling origins of the backtest, 3 months apart (docs/observatory.md).")
@click.option("--full", is_flag=True,
              help="Place every interests result again, not only those new since the last "
                   "refresh.")
@with_appcontext
def refresh_command(origins: int, full: bool) -> None:
    """Recompute the interest counts (placing only the results new since the last refresh),
    the NEET path and the demand projections (only the series whose data changed) with their
    backtests, and store them for the pages."""
    from orientamento.observatory.crosswalk import load_crosswalk
    from orientamento.observatory.pages import recent_quarters
    from orientamento.observatory.projections import refresh_projections
    from orientamento.observatory.published import refresh_aggregates

    started = time.perf_counter()
    done = refresh_aggregates(load_crosswalk(), recent_quarters(), full=full)
    db.session.commit()
    click.echo(f"{done.students} students counted in areas ({done.placed} results placed "
               f"now), {done.flags} flags on the NEET "
               f"path, {done.suppressed} published cells suppressed, "
               f"{time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    results = refresh_projections(origins=origins)
    db.session.commit()
    published = sum(1 for r in results if r.published)
    click.echo(f"{len(results)} series, {published} published, "
               f"{time.perf_counter() - started:.1f} s")
    click.echo(f"{'series':<12} {'model':<28} {'MASE':>6} {'naive':>6} {'cover':>6} published")
    for r in results:
        click.echo(f"{r.occupation_code:<12} {r.model:<28} {_num(r.mase):>6} "
                   f"{_num(r.baseline_mase):>6} {_num(r.coverage):>6} "
                   f"{'yes' if r.published else 'no (' + r.reason + ')'}")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


@observatory_cli.command("report")
@click.option("--quarter", "quarter_text", required=True, metavar="YYYYQn",
              help="The quarter to report on, such as 2026Q4.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (default: observatory-YYYYQn.html); the PDF goes "
                   "beside it with the suffix .pdf.")
@click.option("--no-pdf", is_flag=True, help="Write the HTML only.")
@click.option("--language", type=click.Choice(["it", "en", "ar"]), default="it",
              show_default=True)
@with_appcontext
def report_command(quarter_text: str, output: Path | None, language: str, no_pdf: bool
                   ) -> None:
    """Write the quarterly report as a printable, self-contained HTML file and as PDF."""
    from orientamento.observatory.periods import Quarter
    from orientamento.observatory.report import render_pdf, render_report

    quarter = Quarter.parse(quarter_text)
    if quarter is None:
        raise click.BadParameter("write the quarter as YYYYQn, such as 2026Q4",
                                 param_hint="--quarter")
    target = output or Path(f"observatory-{quarter}.html")
    html = render_report(quarter, language)
    target.write_text(html, encoding="utf-8")
    click.echo(f"Quarterly report {quarter} written to {target}")
    if not no_pdf:
        pdf = target.with_suffix(".pdf")
        pdf.write_bytes(render_pdf(html))
        click.echo(f"Quarterly report {quarter} written to {pdf}")
