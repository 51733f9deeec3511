"""``flask admin create``: the first administrator of a new installation; ``flask admin
retention``: delete what is older than its retention period."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext

from orientamento.auth import audit
from orientamento.auth.models import AuditAction, Role, TokenPurpose, User
from orientamento.auth.services import find_user_by_login, normalize_login
from orientamento.auth.tokens import issue_token
from orientamento.core import clock
from orientamento.database import begin_immediate
from orientamento.extensions import db
from orientamento.outbox.services import delete_finished_before
from orientamento.outreach import retention


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


#: The retention settings, in the order the command applies and reports them.
RETENTION_SETTINGS = ("RETENTION_CLOSED_FLAG_DAYS", "RETENTION_SNAPSHOT_DAYS",
                      "RETENTION_AUDIT_DAYS", "RETENTION_OUTBOX_DAYS")


@admin_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@with_appcontext
def retention_command(dry_run: bool) -> None:
    """Delete what is older than its retention period (run it daily, e.g. from cron).

    Flags closed longer ago than RETENTION_CLOSED_FLAG_DAYS, with their decisions, contacts,
    call attempts, outcomes and referrals; snapshots of records imported longer ago than
    RETENTION_SNAPSHOT_DAYS (never the newest one, nor one a remaining flag was raised on);
    then the people no record and no flag mentions; audit entries older than
    RETENTION_AUDIT_DAYS; e-mail sent or given up on longer ago than RETENTION_OUTBOX_DAYS.
    """
    config = current_app.config
    days = {name: int(config[name]) for name in RETENTION_SETTINGS}
    short = [name for name, value in days.items() if value < 1]
    if short:
        raise click.UsageError(f"ORIENTAMENTO_{short[0]} must be at least 1 day")
    now = clock.now()
    begin_immediate(db.session())  # on SQLite, as a POST does: web writes wait, then go on
    flags = retention.delete_closed_flags_before(
        now - timedelta(days=days["RETENTION_CLOSED_FLAG_DAYS"]))
    snapshots = retention.delete_snapshots_before(
        now - timedelta(days=days["RETENTION_SNAPSHOT_DAYS"]))
    people = retention.delete_people_without_data()
    entries = audit.delete_before(now - timedelta(days=days["RETENTION_AUDIT_DAYS"]))
    messages = delete_finished_before(now - timedelta(days=days["RETENTION_OUTBOX_DAYS"]))
    lines = (
        gettext("Closed flags deleted: %(num)d", num=flags),
        gettext("Snapshots of records deleted: %(num)d", num=snapshots),
        gettext("People no longer in any record or flag deleted: %(num)d", num=people),
        gettext("Audit entries deleted: %(num)d", num=entries),
        gettext("E-mail messages deleted: %(num)d", num=messages),
    )
    if dry_run:
        db.session.rollback()
        click.echo(gettext("Dry run: nothing was deleted."))
    else:
        db.session.commit()
    for line in lines:
        click.echo(line)
