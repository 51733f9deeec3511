"""Users, their one-time tokens, municipi assignments and the audit log."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from orientamento.core import clock
from orientamento.core.enums import LabelledEnum
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.database import Base
from orientamento.orgs.models import Provider, School

if TYPE_CHECKING:
    from orientamento.classes.models import ClassMembership

#: Below this age, consent-based processing needs a parent's consent (D.lgs. 101/2018).
DIGITAL_CONSENT_AGE = 14


class Role(LabelledEnum):
    """What a user does on the platform."""

    STUDENT = "student", _l("Student")
    COUNSELLOR = "counsellor", _l("School counsellor")
    PROVIDER = "provider", _l("Training provider")
    #: A provider's student ambassador: sees the visits and events assigned to them, edits nothing.
    AMBASSADOR = "ambassador", _l("Student ambassador")
    OUTREACH = "outreach", _l("Outreach worker")
    ADMIN = "admin", _l("Administrator")
    #: Staff of a support organisation: answers the referrals sent to its services, nothing else.
    SERVICE_OPERATOR = "service_operator", _l("Service operator")


STAFF_ROLES = (Role.COUNSELLOR, Role.PROVIDER, Role.AMBASSADOR, Role.OUTREACH,
               Role.SERVICE_OPERATOR, Role.ADMIN)
#: The roles that belong to a training provider; only PROVIDER may change anything of it.
PROVIDER_ROLES = (Role.PROVIDER, Role.AMBASSADOR)


def new_session_token() -> str:
    """Return a fresh random per-user session token."""
    return secrets.token_urlsafe(32)


def age_on(birth: date, day: date) -> int:
    """Return the age in whole years on ``day`` of someone born on ``birth``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class User(Base):
    """A person with an account: a student or a member of staff."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email IS NOT NULL OR username IS NOT NULL", name="has_login"),
        CheckConstraint(
            "role IN ('student', 'counsellor', 'provider', 'ambassador', 'outreach', 'admin',"
            " 'service_operator')",
            name="role_valid",
        ),
        # A service operator belongs to a support organisation, and nobody else does (least
        # privilege: no other role reads that organisation's referrals).
        CheckConstraint("(support_organisation_id IS NULL) = (role <> 'service_operator')",
                        name="support_org_operator"),
        CheckConstraint("role <> 'counsellor' OR school_id IS NOT NULL", name="counsellor_school"),
        CheckConstraint("role NOT IN ('provider', 'ambassador') OR provider_id IS NOT NULL",
                        name="provider_org"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_positive"),
        # A signed consent form is recorded with its reference; a withdrawal ends the consent.
        CheckConstraint(
            "parental_consent_signed_on IS NULL"
            " OR (parental_consent_at IS NOT NULL AND parental_consent_reference IS NOT NULL)",
            name="consent_form",
        ),
        CheckConstraint(
            "parental_consent_withdrawn_on IS NULL OR (parental_consent_at IS NULL"
            " AND parental_consent_withdrawal_reference IS NOT NULL)",
            name="consent_withdrawal",
        ),
        # The admin user list pages through users newest first.
        Index("ix_users_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    username: Mapped[str | None] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default=Role.STUDENT.value)
    date_of_birth: Mapped[date | None]
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("schools.id", ondelete="RESTRICT"), index=True
    )
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("providers.id", ondelete="RESTRICT"), index=True
    )
    #: A service operator's support organisation (a plain foreign key: accounts sit below the
    #: catalogue of services, which reads it).
    support_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("support_organisations.id", ondelete="RESTRICT"), index=True
    )
    parental_consent_at: Mapped[datetime | None]
    # Who recorded a pupil's parental consent: the counsellor acting, not the
    # counsellor's own data, so it is not part of the counsellor's export.
    parental_consent_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), info={"export": False}
    )
    # The parent's signed form (a Milan date and the school's reference, e.g. its protocol
    # number), and the last withdrawal the same way: the pupil's data, in the pupil's export.
    parental_consent_signed_on: Mapped[date | None]
    parental_consent_reference: Mapped[str | None] = mapped_column(String(60))
    parental_consent_withdrawn_on: Mapped[date | None]
    parental_consent_withdrawal_reference: Mapped[str | None] = mapped_column(String(60))
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_login_at: Mapped[datetime | None]

    school: Mapped[School | None] = relationship()
    provider: Mapped[Provider | None] = relationship()
    municipi: Mapped[list[UserMunicipio]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserMunicipio.municipio"
    )
    memberships: Mapped[list[ClassMembership]] = relationship(
        back_populates="student", cascade="all, delete-orphan", passive_deletes=True
    )

    # Flask-Login protocol. get_id() returns the rotating session token, so a
    # cookie stops working as soon as the token changes (logout, password change,
    # deactivation), on every instance at once.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    @property
    def role_enum(self) -> Role:
        """The role as an enum member."""
        return Role(self.role)

    @property
    def role_label(self) -> str:
        """Translated label of the role."""
        return str(self.role_enum.label)

    @property
    def login_name(self) -> str:
        """What the user types to log in."""
        return self.email or self.username or ""

    @property
    def has_password(self) -> bool:
        """Whether the account has a password yet (invited staff set it later)."""
        return self.password_hash is not None

    def age(self, today: date) -> int | None:
        """Age in whole years, when the date of birth is known."""
        return age_on(self.date_of_birth, today) if self.date_of_birth else None

    def needs_parental_consent(self, today: date) -> bool:
        """True for a student under 14 whose parental consent is not recorded."""
        age = self.age(today)
        return (
            self.role == Role.STUDENT
            and age is not None
            and age < DIGITAL_CONSENT_AGE
            and self.parental_consent_at is None
        )

    def rotate_session_token(self) -> None:
        """Invalidate every existing session of this user."""
        self.session_token = new_session_token()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserMunicipio(Base):
    """One of Milan's municipi covered by an outreach worker."""

    __tablename__ = "user_municipi"
    __table_args__ = (CheckConstraint("municipio BETWEEN 1 AND 9", name="municipio_range"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    municipio: Mapped[int] = mapped_column(primary_key=True)

    user: Mapped[User] = relationship(back_populates="municipi")


class TokenPurpose(StrEnum):
    """What a one-time e-mailed token allows."""

    PASSWORD_RESET = "password_reset"  # noqa: S105
    INVITATION = "invitation"


class UserToken(Base):
    """A single-use, time-limited token sent by e-mail; only its hash is stored."""

    __tablename__ = "user_tokens"
    __table_args__ = (
        CheckConstraint("purpose IN ('password_reset', 'invitation')", name="purpose_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class AuditAction(LabelledEnum):
    """Events the audit log records."""

    LOGIN = "login", _l("Login")
    LOGIN_FAILED = "login_failed", _l("Failed login")
    LOGIN_LOCKED = "login_locked", _l("Account locked")
    LOGOUT = "logout", _l("Logout")
    REGISTER = "register", _l("Registration")
    PASSWORD_CHANGED = "password_changed", _l("Password changed")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _l("Password reset requested")
    PASSWORD_RESET = "password_reset", _l("Password reset")
    INVITATION_SENT = "invitation_sent", _l("Invitation sent")
    INVITATION_ACCEPTED = "invitation_accepted", _l("Invitation accepted")
    ROLE_CHANGED = "role_changed", _l("Role changed")
    DEACTIVATED = "deactivated", _l("Account deactivated")
    REACTIVATED = "reactivated", _l("Account reactivated")
    DATA_EXPORTED = "data_exported", _l("Data exported")
    ACCOUNT_DELETED = "account_deleted", _l("Account deleted")
    CONSENT_RECORDED = "consent_recorded", _l("Parental consent recorded")
    CONSENT_WITHDRAWN = "consent_withdrawn", _l("Parental consent withdrawn")
    RISK_RECORDS_IMPORTED = "risk_records_imported", _l("Administrative records imported")
    RISK_MODEL_TRAINED = "risk_model_trained", _l("Risk model trained")
    RISK_MODEL_ACTIVATED = "risk_model_activated", _l("Risk model activated")
    RISK_MODEL_ROLLED_BACK = "risk_model_rolled_back", _l("Risk model rolled back")
    RISK_SCORED = "risk_scored", _l("Records scored")
    RISK_FLAG_VIEWED = "risk_flag_viewed", _l("Outreach flag opened")
    RISK_DECISION = "risk_decision", _l("Outreach decision recorded")
    RISK_CONTACT = "risk_contact", _l("Outreach contact recorded")
    RISK_OUTCOME = "risk_outcome", _l("Outreach outcome recorded")
    RISK_SUBJECT_REPORT = "risk_subject_report", _l("Risk data report generated")
    REFERRAL_MADE = "referral_made", _l("Referral to a service made")
    REFERRAL_VIEWED = "referral_viewed", _l("Referral opened by the service")
    REFERRAL_UPDATED = "referral_updated", _l("Referral answered or updated by the service")
    FLAG_ASSIGNED = "flag_assigned", _l("Outreach flag assigned")
    SELF_REFERRAL_ERASED = ("self_referral_erased",
                            _l("Self-referral erased at the person's request"))


class AuditEntry(Base):
    """Who did what to whom, and when.

    Users are referenced twice: by foreign key (nulled when the account is
    erased) and by a keyed pseudonym, so an erased user's entries stay
    linkable to each other without identifying them.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_ref: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    subject_ref: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id])

    @property
    def action_label(self) -> str:
        """Translated label of the action."""
        try:
            return str(AuditAction(self.action).label)
        except ValueError:
            return self.action
