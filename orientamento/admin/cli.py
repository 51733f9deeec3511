"""``flask admin create``: the first administrator of a new installation."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from orientamento.auth import audit
from orientamento.auth.models import AuditAction, Role, TokenPurpose, User
from orientamento.auth.services import find_user_by_login, normalize_login
from orientamento.auth.tokens import issue_token
from orientamento.extensions import db


@click.group("admin", help="Administration.")
def admin_cli() -> None:
    """Administration."""


@admin_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The administrator's full name.")
@with_appcontext
def create_command(email: str, name: str) -> None:
    """Create an administrator and print a link to set the password."""
    email = normalize_login(email)
    if "@" not in email or find_user_by_login(email) is not None:
        raise click.UsageError("give an e-mail address that no account uses yet")
    user = User(email=email, display_name=name.strip(), role=Role.ADMIN.value)
    db.session.add(user)
    db.session.flush()
    days = current_app.config["INVITATION_DAYS"]
    raw = issue_token(user, TokenPurpose.INVITATION, timedelta(days=days))
    audit.record(AuditAction.INVITATION_SENT, subject=user, role=user.role, via="cli")
    db.session.commit()
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    click.echo(f"Administrator {email} created. Set the password within {days} days at:")
    click.echo(f"{base}/account/invitation/{raw}")
