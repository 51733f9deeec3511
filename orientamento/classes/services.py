"""Class use cases: create, join codes, pupils joining, parental consent."""

from __future__ import annotations

import re
import secrets
from datetime import date

from flask_babel import format_date
from sqlalchemy import func, select

from orientamento.auth import audit
from orientamento.auth.models import AuditAction, Role, User, age_on
from orientamento.auth.services import check_date_of_birth, create_student
from orientamento.classes.models import ClassMembership, SchoolClass
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotAllowed
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.text import has_control_characters
from orientamento.extensions import db

#: No 0/O, 1/I/L: codes are read aloud and copied from a board.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
MIN_PUPIL_AGE = 10


def new_join_code() -> str:
    """Return a fresh code formatted ``ABCD-EFGH``, unused by any class."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        code = f"{raw[:4]}-{raw[4:]}"
        if db.session.scalar(select(SchoolClass.id).where(SchoolClass.join_code == code)) is None:
            return code


def normalize_join_code(typed: str) -> str:
    """Turn what a pupil typed (any case, spaces, dashes) into the stored form."""
    raw = re.sub(r"[^A-Z0-9]", "", typed.upper())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == CODE_LENGTH else raw


def _require_counsellor(counsellor: User) -> int:
    if counsellor.role != Role.COUNSELLOR or counsellor.school_id is None:
        raise NotAllowed(_l("Only school counsellors manage classes."))
    return counsellor.school_id


def create_class(
    counsellor: User, *, name: str, school_year: str, level: str, year: int
) -> SchoolClass:
    """Create a class at the counsellor's school with an open join code."""
    school_id = _require_counsellor(counsellor)
    name = name.strip()
    duplicate = db.session.scalar(
        select(SchoolClass.id).where(
            SchoolClass.school_id == school_id,
            SchoolClass.school_year == school_year,
            func.lower(SchoolClass.name) == name.lower(),
        )
    )
    if duplicate is not None:
        raise Conflict(_l("Your school already has a class with this name in this school year."))
    school_class = SchoolClass(
        school_id=school_id,
        created_by_id=counsellor.id,
        name=name,
        school_year=school_year,
        level=level,
        year=year,
        join_code=new_join_code(),
    )
    db.session.add(school_class)
    db.session.flush()
    return school_class


def regenerate_code(school_class: SchoolClass) -> str:
    """Replace the join code (the old one stops working) and reopen joining."""
    school_class.join_code = new_join_code()
    return school_class.join_code


def close_code(school_class: SchoolClass) -> None:
    """Stop new pupils from joining."""
    school_class.join_code = None


def open_class_by_code(typed: str) -> SchoolClass:
    """Find the open class for a join code, or explain that it does not work."""
    code = normalize_join_code(typed)
    school_class = db.session.scalar(select(SchoolClass).where(SchoolClass.join_code == code))
    if school_class is None:
        raise DomainError(_l("This class code does not work. Check it with your teacher."))
    return school_class


def join_class(student: User, school_class: SchoolClass) -> ClassMembership:
    """Put a student on a class roster (once)."""
    if student.role != Role.STUDENT:
        raise NotAllowed(_l("Only students can join a class."))
    existing = db.session.get(ClassMembership, (school_class.id, student.id))
    if existing is not None:
        raise Conflict(_l("You are already in this class."))
    membership = ClassMembership(class_id=school_class.id, student_id=student.id)
    db.session.add(membership)
    db.session.flush()
    return membership


def register_pupil(
    *, code: str, username: str, display_name: str, password: str, date_of_birth: date,
    locale: str | None, today: date,
) -> User:
    """Create a pupil account without e-mail through a class code."""
    school_class = open_class_by_code(code)
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise DomainError(
            _l("Usernames have 3 to 40 letters, digits, dots, dashes or underscores.")
        )
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username)):
        raise Conflict(_l("This username is taken: please choose another one."))
    check_date_of_birth(date_of_birth, today)
    if age_on(date_of_birth, today) < MIN_PUPIL_AGE:
        raise DomainError(_l("Check your date of birth."))
    pupil = create_student(username=username, display_name=display_name, password=password,
                           date_of_birth=date_of_birth, locale=locale, via="class_code")
    join_class(pupil, school_class)
    return pupil


#: Longest reference to a signed form (a protocol number, a register entry).
CONSENT_REFERENCE_LENGTH = 60


def earliest_consent_form(school_class: SchoolClass) -> date:
    """The first day a consent form recorded in this class may be signed: 1 September of the
    school year before the class's (forms are collected yearly, some at enrolment)."""
    return date(school_class.first_school_year - 1, 9, 1)


def check_form_date(signed_on: date, *, earliest: date, today: date) -> None:
    """Refuse a form dated in the future (Milan) or before ``earliest``."""
    if signed_on > today:
        raise DomainError(_l("The form cannot be signed after today."))
    if signed_on < earliest:
        raise DomainError(_l("The form must be signed on or after %(date)s.",
                             date=format_date(earliest, "long")))


def _clean_reference(reference: str) -> str:
    reference = reference.strip()
    if not reference or len(reference) > CONSENT_REFERENCE_LENGTH:
        raise DomainError(_l("Give the form's reference, at most %(count)d characters.",
                             count=CONSENT_REFERENCE_LENGTH))
    if has_control_characters(reference):
        raise DomainError(_l("The reference must be one line of plain text."))
    return reference


def can_record_consent(pupil: User, today: date) -> bool:
    """Whether a parent's consent can be recorded for the pupil: under 14, none recorded."""
    return pupil.needs_parental_consent(today)


def record_parental_consent(counsellor: User, school_class: SchoolClass, pupil: User, *,
                            signed_on: date, reference: str, today: date) -> None:
    """Record a parent's signed consent form for a pupil under 14 (date and reference)."""
    if pupil.parental_consent_at is not None:
        raise Conflict(_l("Parental consent is already recorded for %(name)s.",
                          name=pupil.display_name))
    if not can_record_consent(pupil, today):
        raise Conflict(_l("%(name)s does not need a parent's consent: pupils of 14 and over "
                          "consent for themselves.", name=pupil.display_name))
    check_form_date(signed_on, earliest=earliest_consent_form(school_class), today=today)
    _file_signed_form(counsellor, pupil, consent=True, signed_on=signed_on, reference=reference)


def earliest_withdrawal(school_class: SchoolClass, pupil: User) -> date:
    """The first day a withdrawal may be signed: the day the consent form was signed."""
    return pupil.parental_consent_signed_on or earliest_consent_form(school_class)


def withdraw_parental_consent(counsellor: User, school_class: SchoolClass, pupil: User, *,
                              signed_on: date, reference: str, today: date) -> None:
    """Record a parent's signed withdrawal of consent (date and reference)."""
    if pupil.parental_consent_at is None:
        raise Conflict(_l("No parental consent is recorded for %(name)s.",
                          name=pupil.display_name))
    check_form_date(signed_on, earliest=earliest_withdrawal(school_class, pupil), today=today)
    _file_signed_form(counsellor, pupil, consent=False, signed_on=signed_on, reference=reference)


def _file_signed_form(counsellor: User, pupil: User, *, consent: bool, signed_on: date,
                      reference: str) -> None:
    """Keep a parent's signed form on the pupil, a consent or its withdrawal (each clears
    the other), and audit it."""
    reference = _clean_reference(reference)
    pupil.parental_consent_at = clock.now() if consent else None
    pupil.parental_consent_by_id = counsellor.id if consent else None
    pupil.parental_consent_signed_on = signed_on if consent else None
    pupil.parental_consent_reference = reference if consent else None
    pupil.parental_consent_withdrawn_on = None if consent else signed_on
    pupil.parental_consent_withdrawal_reference = None if consent else reference
    audit.record(AuditAction.CONSENT_RECORDED if consent else AuditAction.CONSENT_WITHDRAWN,
                 actor=counsellor, subject=pupil, signed_on=signed_on.isoformat(),
                 reference=reference)
    db.session.flush()


def remove_pupil(school_class: SchoolClass, pupil: User) -> None:
    """Take a pupil off a class roster (the account stays)."""
    membership = db.session.get(ClassMembership, (school_class.id, pupil.id))
    if membership is not None:
        db.session.delete(membership)
