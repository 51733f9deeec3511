"""Account use cases: registration, login, passwords, invitations, language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from orientamento.auth import audit
from orientamento.auth.models import (
    DIGITAL_CONSENT_AGE,
    AuditAction,
    Role,
    TokenPurpose,
    User,
    age_on,
)
from orientamento.auth.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from orientamento.auth.tokens import consume_token, issue_token
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.links import absolute_url
from orientamento.extensions import db
from orientamento.outbox.services import queue_email


class LoginFailed(DomainError):
    """Wrong credentials, a locked or an inactive account: deliberately one answer."""

    status_code = 401


def normalize_login(identifier: str) -> str:
    """Normalize an e-mail address or username for lookup."""
    return identifier.strip().lower()


def find_user_by_login(identifier: str) -> User | None:
    """Find a user by e-mail or username, case-insensitively."""
    value = normalize_login(identifier)
    if not value:
        return None
    column = User.email if "@" in value else User.username
    return db.session.scalar(select(User).where(func.lower(column) == value))


def check_new_password(password: str, *personal: str | None) -> None:
    """Raise if ``password`` breaks the policy."""
    problems = password_problems(password, *personal)
    if problems:
        raise DomainError(problems[0])


#: The oldest age a date of birth may give: beyond it the date is a typing mistake (0001-01-01).
OLDEST_AGE = 99


def check_date_of_birth(date_of_birth: date, today: date) -> None:
    """Raise unless ``date_of_birth`` is a real person's: not after today, not beyond
    OLDEST_AGE."""
    if date_of_birth > today or age_on(date_of_birth, today) > OLDEST_AGE:
        raise DomainError(_l("Check your date of birth."))


def register_student(
    *, email: str, password: str, display_name: str, date_of_birth: date, locale: str | None,
    today: date,
) -> User:
    """Create a self-registered student account (14 and over)."""
    check_date_of_birth(date_of_birth, today)
    if age_on(date_of_birth, today) < DIGITAL_CONSENT_AGE:
        raise DomainError(
            _l("Under 14 you cannot register on your own: ask your school for a class code.")
        )
    email = normalize_login(email)
    if find_user_by_login(email) is not None:
        raise Conflict(_l("An account with this e-mail address already exists."))
    return create_student(email=email, display_name=display_name, password=password,
                          date_of_birth=date_of_birth, locale=locale, via="email")


def create_student(*, display_name: str, password: str, date_of_birth: date,
                   locale: str | None, via: str, email: str | None = None,
                   username: str | None = None) -> User:
    """Create a student account, by e-mail or by class code (``via``), and audit it."""
    check_new_password(password, email or username, display_name)
    user = User(
        email=email,
        username=username,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=Role.STUDENT.value,
        date_of_birth=date_of_birth,
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(AuditAction.REGISTER, actor=user, subject=user, via=via)
    return user


@dataclass(frozen=True)
class LoginCheck:
    """A password checked against an account, before anything is written."""

    identifier: str
    user_id: int | None
    checked_hash: str | None  # the stored hash the password was verified against
    valid: bool
    new_hash: str | None = None  # the same password hashed with current parameters


def check_login(identifier: str, password: str) -> LoginCheck:
    """Read the account and verify the password (argon2id, slow on purpose); write nothing.

    Run before the write lock is taken, so that logins verify in parallel: on SQLite the
    lock is one for the whole database, and 0.2 s of hashing under it serializes every login.
    """
    user = find_user_by_login(identifier)
    stored = user.password_hash if user else None
    valid = verify_password(stored, password)
    new_hash = hash_password(password) if valid and stored and needs_rehash(stored) else None
    return LoginCheck(identifier, user.id if user else None, stored, valid, new_hash)


def authenticate(identifier: str, password: str, now: datetime | None = None) -> User:
    """Return the user for valid credentials, else record the failure and raise LoginFailed."""
    return record_login(check_login(identifier, password), password, now)


def record_login(check: LoginCheck, password: str, now: datetime | None = None) -> User:
    """Record a checked login (short: meant to run under the write lock); LoginFailed if bad.

    The account is read again: a lockout, a deactivation or a new password may have come
    since the check. A new password is verified again here (rarely, and then under the lock).
    """
    now = now or clock.now()
    user = (db.session.get(User, check.user_id, populate_existing=True)
            if check.user_id is not None else None)
    valid = check.valid
    if user is not None and user.password_hash != check.checked_hash:
        valid = verify_password(user.password_hash, password)
    locked = user is not None and user.locked_until is not None and user.locked_until > now
    if user is None or not valid or locked or not user.active:
        _record_failure(user, check.identifier, now, locked=locked)
        raise LoginFailed(
            _l(
                "Login failed. Check your e-mail or username and password. After repeated "
                "failures, access is suspended for 15 minutes."
            )
        )
    if check.new_hash and user.password_hash == check.checked_hash:
        user.password_hash = check.new_hash
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(AuditAction.LOGIN, actor=user, subject=user)
    return user


def _record_failure(user: User | None, identifier: str, now: datetime, *, locked: bool) -> None:
    """Count a failed login atomically and lock the account at the threshold."""
    if user is None:
        login_ref = audit.pseudonym(normalize_login(identifier))
        audit.record(AuditAction.LOGIN_FAILED, login_ref=login_ref)
        return
    if locked:
        audit.record(AuditAction.LOGIN_FAILED, subject=user, reason="locked")
        return
    threshold = current_app.config["LOGIN_LOCKOUT_THRESHOLD"]
    lock_until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    # One UPDATE, so concurrent failures are all counted.
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(User)
        .where(User.id == user.id, User.failed_logins >= threshold)
        .values(locked_until=lock_until, failed_logins=0)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user)
    audit.record(AuditAction.LOGIN_FAILED, subject=user)
    if user.locked_until is not None and user.locked_until > now:
        audit.record(AuditAction.LOGIN_LOCKED, subject=user, minutes=lock_until.isoformat())


def log_out(user: User) -> None:
    """End every session of ``user``."""
    user.rotate_session_token()
    audit.record(AuditAction.LOGOUT, actor=user, subject=user)


def change_password(user: User, current: str, new: str) -> None:
    """Change a password after checking the current one; other sessions end."""
    if not verify_password(user.password_hash, current):
        raise DomainError(_l("Your current password is not correct."))
    check_new_password(new, user.email, user.username, user.display_name)
    user.password_hash = hash_password(new)
    user.rotate_session_token()
    audit.record(AuditAction.PASSWORD_CHANGED, actor=user, subject=user)


def request_password_reset(email: str) -> None:
    """E-mail a reset link if an active account has this address; say nothing otherwise."""
    user = find_user_by_login(email)
    if user is None or not user.active or not user.email or "@" not in normalize_login(email):
        return
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    raw = issue_token(user, TokenPurpose.PASSWORD_RESET, timedelta(hours=hours))
    queue_email(
        user, "reset_password", link=absolute_url("auth.reset_password", token=raw), hours=hours
    )
    audit.record(AuditAction.PASSWORD_RESET_REQUESTED, subject=user)


def reset_password(raw_token: str, new: str) -> User:
    """Set a new password with a reset link; the link works once."""
    user = consume_token(raw_token, TokenPurpose.PASSWORD_RESET)
    check_new_password(new, user.email, user.username, user.display_name)
    user.password_hash = hash_password(new)
    user.failed_logins = 0
    user.locked_until = None
    user.rotate_session_token()
    audit.record(AuditAction.PASSWORD_RESET, actor=user, subject=user)
    return user


def accept_invitation(raw_token: str, new: str) -> User:
    """Set the first password of an invited staff account."""
    user = consume_token(raw_token, TokenPurpose.INVITATION)
    check_new_password(new, user.email, user.username, user.display_name)
    user.password_hash = hash_password(new)
    user.rotate_session_token()
    audit.record(AuditAction.INVITATION_ACCEPTED, actor=user, subject=user)
    return user


def set_locale(user: User, locale: str) -> None:
    """Remember the user's interface language."""
    if locale not in current_app.config["LOCALES"]:
        raise DomainError(_l("This language is not available."))
    user.locale = locale
