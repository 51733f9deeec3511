"""``flask questionnaires check|list|lock``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from orientamento.assessments.analysis import record_run
from orientamento.assessments.loader import QuestionnaireError, load_registry, write_lock
from orientamento.assessments.services import registry
from orientamento.config import QUESTIONNAIRES_DIR
from orientamento.core import clock
from orientamento.extensions import db


@click.group("questionnaires", help="Questionnaire files.")
def questionnaires_cli() -> None:
    """Questionnaire files."""


@questionnaires_cli.command("check")
def check_command() -> None:
    """Validate every questionnaire file; exit non-zero naming each problem."""
    try:
        registry = load_registry(QUESTIONNAIRES_DIR)
    except QuestionnaireError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{len(registry.versions)} questionnaire versions are valid")


@questionnaires_cli.command("list")
@with_appcontext
def list_command() -> None:
    """List the questionnaires with their versions, locales and item counts."""
    registry = load_registry(QUESTIONNAIRES_DIR)
    for (qid, version), questionnaire in sorted(registry.versions.items()):
        items = sum(1 for _ in questionnaire.items)
        click.echo(f"{qid:<16} v{version}  {questionnaire.kind:<9} {items:>3} items  "
                   f"{'/'.join(questionnaire.locales)}  ~{questionnaire.minutes} min")


@questionnaires_cli.command("lock")
def lock_command() -> None:
    """Record new versions as published (their files may never change afterwards)."""
    added = write_lock(QUESTIONNAIRES_DIR, load_registry(QUESTIONNAIRES_DIR))
    for qid, version in added:
        click.echo(f"published {qid} v{version}")


@click.group("assessments", help="Assessments.")
def assessments_cli() -> None:
    """Assessments."""


@assessments_cli.command("psychometrics")
@with_appcontext
def psychometrics_command() -> None:
    """Compute reliability and item statistics on the stored responses and keep the run."""
    run = record_run(registry(), clock.now())
    db.session.commit()
    click.echo(f"{run.responses} submitted responses analysed")
    for key, scales in sorted(run.results.items()):
        for scale_id, groups in scales.items():
            overall = groups.get("all") or {}
            note = " (provisional)" if overall.get("provisional") else ""
            omega = (overall.get("omega") if overall.get("omega_converged", True)
                     else "not computed: the fit did not converge")
            click.echo(f"{key:<20} {scale_id:<18} n={overall.get('n')} alpha={overall.get('alpha')}"
                       f" [{overall.get('alpha_low')}, {overall.get('alpha_high')}]"
                       f" omega={omega} sem={overall.get('sem')}{note}")
