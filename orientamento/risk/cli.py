"""``flask risk``: synthesize, import, train and score. scikit-learn loads only when run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from orientamento.extensions import db


@click.group("risk")
def risk_cli() -> None:
    """NEET risk model: records, training, scoring."""


@risk_cli.command("synth")
@click.option("--rows", type=click.IntRange(100, 10_000_000), default=20_000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--cohorts", type=click.IntRange(2, 10), default=4, show_default=True)
@click.option("--current-rows", type=click.IntRange(1, 10_000_000), default=None,
              help="Records in current.csv (default: a quarter of one cohort).")
@click.option("--out", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path("instance/synthetic"), show_default=True)
def synth(rows: int, seed: int, cohorts: int, current_rows: int | None, folder: Path) -> None:
    """Write synthetic records.csv + outcomes.csv (cohorts) and current.csv (to score)."""
    from orientamento.risk.synth import write_synthetic

    files = write_synthetic(folder, rows, seed, cohorts=cohorts, current_rows=current_rows)
    click.echo(f"{files.rows} records, NEET rate {files.neet_rate:.3f}: {files.records}, "
               f"{files.outcomes}; to score: {files.current}")


def _import(path: Path, max_rows: int) -> int:
    from orientamento.core.cli import refused_import
    from orientamento.database import begin_immediate
    from orientamento.risk.records import import_errors_text, import_snapshot

    begin_immediate(db.session())  # as a POST does: a second import waits, then is refused
    with path.open("rb") as stream:  # read as a stream: memory stays flat with the file's size
        report = import_snapshot(stream, path.name, max_rows=max_rows)
    if report.snapshot is None:
        db.session.rollback()
        raise refused_import(report.error_count, import_errors_text(report))
    db.session.commit()
    click.echo(_("Snapshot %(id)d as of %(day)s: %(rows)d records; %(flags)d contract-ended "
                 "flags.", id=report.snapshot.id, day=report.snapshot.as_of.isoformat(),
                 rows=report.snapshot.rows, flags=report.rule_flags))
    return report.snapshot.id


@risk_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--max-rows", type=click.IntRange(1), default=2_000_000, show_default=True,
              help="Refuse a file with more records than this (nothing is imported).")
@with_appcontext
def import_records(path: Path, max_rows: int) -> None:
    """Import a snapshot CSV (all rows or none) and raise contract-ended flags."""
    from orientamento.core.errors import DomainError

    try:
        _import(path, max_rows)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error


@risk_cli.command("train")
@click.option("--spec", "spec_name", default="neet", show_default=True,
              help="A spec name in risk_specs/ or a path to a YAML file.")
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True)
@click.option("--labels", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Outcomes file, when the label is not a column of --data.")
@with_appcontext
def train(spec_name: str, data: Path, labels: Path | None) -> None:
    """Train, evaluate and store a draft version with its model card."""
    from orientamento.risk import frames, training
    from orientamento.risk.spec import SpecError, load_spec
    from orientamento.risk.versions import save_version

    try:
        spec, source = load_spec(spec_name)
        table = frames.read_table(data)
        if labels is not None:
            table = frames.attach_labels(spec, table, frames.read_table(labels))
        trained = training.train(spec, frames.dataset(spec, table))
    except (SpecError, frames.DataError, training.TrainingError) as error:
        raise click.ClickException(str(error)) from error
    digest = hashlib.sha256(data.read_bytes()
                            + (labels.read_bytes() if labels else b"")).hexdigest()
    version = save_version(spec, source, trained, digest)
    db.session.commit()
    m = trained.metrics
    click.echo(f"Version {version.id} (draft): {m['algorithm']}, ROC-AUC "
               f"{m['roc_auc']['value']:.3f} [{m['roc_auc']['low']:.3f}-"
               f"{m['roc_auc']['high']:.3f}], PR-AUC {m['pr_auc']['value']:.3f}, "
               f"ECE {m['ece']:.3f}, recall@k {m['capacity']['recall']:.3f}; "
               f"{m['seconds']:.1f} s. An admin activates it after reading the card.")


@risk_cli.command("score")
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A snapshot CSV to import and score.")
@click.option("--snapshot", "snapshot_id", type=int, help="An imported snapshot's id.")
@click.option("--spec", "spec_name", default="neet", show_default=True)
@with_appcontext
def score(data: Path | None, snapshot_id: int | None, spec_name: str) -> None:
    """Score a snapshot with the active version and flag the top k per municipio."""
    from orientamento.core.errors import DomainError
    from orientamento.risk import signals
    from orientamento.risk.models import RiskSnapshot
    from orientamento.risk.record_rows import MAX_ROWS
    from orientamento.risk.scoring import score_snapshot
    from orientamento.risk.versions import require_active_version

    if (data is None) == (snapshot_id is None):
        raise click.UsageError("give exactly one of --data or --snapshot")
    try:
        version = require_active_version(spec_name)
        if data is not None:
            snapshot_id = _import(data, MAX_ROWS)
        snapshot = db.session.get(RiskSnapshot, snapshot_id)
        if snapshot is None:
            raise click.ClickException(f"no snapshot {snapshot_id}")
        counts = score_snapshot(version, snapshot)
        # Outreach raises the model flags (and gives rule flags their score) as it hears this.
        flags = signals.flags_raised(signals.snapshot_scored, snapshot, version=version)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Version {version.id}: {counts['scored']} scored, {counts['unscored']} "
               f"without a score (missing inputs), {flags} model flags raised.")
