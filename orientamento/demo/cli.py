"""``flask demo seed``: an idempotent set of demo accounts and organisations."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from orientamento.core import clock
from orientamento.core.school_year import school_year_of
from orientamento.demo.referrals import OPERATOR as DEMO_OPERATOR
from orientamento.demo.seed import DemoRefused, seed_everything
from orientamento.demo.services import DEMO_ACCOUNTS
from orientamento.extensions import db


@click.group("demo", help="Demo data.")
def demo_cli() -> None:
    """Demo data."""


@demo_cli.command("seed")
@with_appcontext
def seed_command() -> None:
    """Create (or complete) the demo accounts, school, class and provider."""
    try:
        seeded = seed_everything(current_app.config["DEMO_PASSWORD"],
                                 school_year_of(clock.today()), clock.today())
    except DemoRefused as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    summary = seeded.accounts
    click.echo(f"Demo data ready ({summary['created']} rows created, "
               f"{seeded.simulated} simulated assessment responses, "
               f"{seeded.courses} demo courses, {seeded.holidays} demo school holidays, "
               f"{seeded.events} demo events, "
               f"{seeded.flags} synthetic outreach flags).")
    click.echo(f"Demo logins (password: {current_app.config['DEMO_PASSWORD']}):")
    for email, role, _name in DEMO_ACCOUNTS:
        click.echo(f"  {role:<11} {email}")
    click.echo(f"  {'operator':<11} {DEMO_OPERATOR[0]} (service operator, demo Informagiovani)")
    click.echo(f"  pupils     {', '.join(summary['pupils'])} (username login)")
    click.echo(f"  class code {summary['join_code']}")
