"""Admin use cases: invitations, role changes, (de)activation."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from orientamento.auth import audit
from orientamento.auth.models import (
    PROVIDER_ROLES,
    AuditAction,
    Role,
    TokenPurpose,
    User,
    UserMunicipio,
)
from orientamento.auth.services import find_user_by_login, normalize_login
from orientamento.auth.tokens import issue_token
from orientamento.core.errors import Conflict, DomainError
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.links import absolute_url
from orientamento.extensions import db
from orientamento.outbox.services import queue_email


def _assign(user: User, role: Role, school_id: int | None, provider_id: int | None,
            municipi: list[int], support_organisation_id: int | None = None) -> None:
    """Set a role and keep only the organisation links that role uses."""
    user.role = role.value
    user.school_id = school_id if role == Role.COUNSELLOR else None
    user.provider_id = provider_id if role in PROVIDER_ROLES else None
    user.support_organisation_id = (support_organisation_id if role == Role.SERVICE_OPERATOR
                                    else None)
    wanted = set(municipi) if role == Role.OUTREACH else set()
    # Change the collection by difference: replacing it would insert a row with
    # the same key before the old one is deleted.
    for link in [link for link in user.municipi if link.municipio not in wanted]:
        user.municipi.remove(link)
    present = {link.municipio for link in user.municipi}
    for number in sorted(wanted - present):
        user.municipi.append(UserMunicipio(municipio=number))


def invite_staff(
    admin: User, *, email: str, display_name: str, role: Role, school_id: int | None,
    provider_id: int | None, municipi: list[int], support_organisation_id: int | None = None,
) -> User:
    """Create a staff account without password and e-mail an invitation link."""
    if role == Role.STUDENT:
        raise DomainError(_l("Students register themselves or join with a class code."))
    email = normalize_login(email)
    if find_user_by_login(email) is not None:
        raise Conflict(_l("An account with this e-mail address already exists."))
    user = User(email=email, display_name=display_name.strip(), role=role.value)
    _assign(user, role, school_id, provider_id, municipi, support_organisation_id)
    db.session.add(user)
    db.session.flush()
    send_invitation(admin, user)
    return user


def send_invitation(admin: User, user: User) -> None:
    """E-mail a (new) invitation link to a user who has no password yet."""
    if user.has_password:
        raise Conflict(_l("This person has already set a password."))
    days = current_app.config["INVITATION_DAYS"]
    raw = issue_token(user, TokenPurpose.INVITATION, timedelta(days=days))
    queue_email(
        user, "invitation", link=absolute_url("auth.accept_invitation", token=raw), days=days,
        role=user.role_label,
    )
    audit.record(AuditAction.INVITATION_SENT, actor=admin, subject=user, role=user.role)


def active_admin_count() -> int:
    """How many active administrators there are."""
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
    ) or 0


def change_role(
    admin: User, user: User, *, role: Role, school_id: int | None, provider_id: int | None,
    municipi: list[int], support_organisation_id: int | None = None,
) -> None:
    """Change a user's role and organisation; their sessions end."""
    if user.role == Role.ADMIN and role != Role.ADMIN and active_admin_count() <= 1:
        raise Conflict(_l("The last administrator cannot lose the role."))
    if role == Role.STUDENT and user.role != Role.STUDENT:
        raise DomainError(_l("Staff accounts cannot become student accounts."))
    previous = user.role
    _assign(user, role, school_id, provider_id, municipi, support_organisation_id)
    user.rotate_session_token()
    audit.record(AuditAction.ROLE_CHANGED, actor=admin, subject=user, old=previous, new=role.value)


def set_active(admin: User, user: User, active: bool) -> None:
    """Deactivate (ending every session) or reactivate an account."""
    if user.id == admin.id:
        raise Conflict(_l("You cannot deactivate your own account."))
    if user.active == active:
        return
    user.active = active
    if not active:
        user.rotate_session_token()
    audit.record(AuditAction.REACTIVATED if active else AuditAction.DEACTIVATED,
                 actor=admin, subject=user)
