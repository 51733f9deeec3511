"""``flask demo seed``: an idempotent set of demo accounts and organisations."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from orientamento.assessments.analysis import record_run
from orientamento.assessments.services import registry
from orientamento.classes.forms import current_school_year
from orientamento.core import clock
from orientamento.demo.courses import seed_demo_catalogue
from orientamento.demo.events import seed_demo_events
from orientamento.demo.responses import seed_simulated_responses
from orientamento.demo.risk import seed_demo_risk
from orientamento.demo.services import DEMO_ACCOUNTS, seed_demo
from orientamento.extensions import db

#: Enough simulated students for non-provisional psychometrics (200 responses and more).
SIMULATED_STUDENTS = 240


@click.group("demo", help="Demo data.")
def demo_cli() -> None:
    """Demo data."""


@demo_cli.command("seed")
@with_appcontext
def seed_command() -> None:
    """Create (or complete) the demo accounts, school, class and provider."""
    summary = seed_demo(current_app.config["DEMO_PASSWORD"], current_school_year(clock.today()))
    catalogue = seed_demo_catalogue(clock.today())
    if not catalogue.ok:
        raise click.ClickException(f"demo catalogue rejected: {catalogue.errors[:5]}")
    events = seed_demo_events(clock.today())
    flags = seed_demo_risk()
    simulated = seed_simulated_responses(registry(), SIMULATED_STUDENTS, clock.today())
    if simulated:
        record_run(registry(), clock.now())
    db.session.commit()
    click.echo(f"Demo data ready ({summary['created']} rows created, "
               f"{simulated} simulated assessment responses, "
               f"{catalogue.created} demo courses, {events} demo events, "
               f"{flags} synthetic outreach flags).")
    click.echo(f"Demo logins (password: {current_app.config['DEMO_PASSWORD']}):")
    for email, role, _name in DEMO_ACCOUNTS:
        click.echo(f"  {role:<11} {email}")
    click.echo(f"  pupils     {', '.join(summary['pupils'])} (username login)")
    click.echo(f"  class code {summary['join_code']}")
