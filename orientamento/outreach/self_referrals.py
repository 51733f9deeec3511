"""Self-referrals: a young person asks, without an account, to be contacted by the outreach team
of the municipio they live in; the request becomes a flag with the third trigger."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete

from orientamento.auth import audit
from orientamento.auth.models import AuditAction, User
from orientamento.core import clock
from orientamento.core.cells import is_email
from orientamento.core.errors import DomainError
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.text import BIDI_CONTROLS, has_control_characters
from orientamento.extensions import db
from orientamento.outreach.models import (
    SELF_REFERRAL_CHANNELS,
    SELF_REFERRAL_PRIORITY,
    Flag,
    FlagStatus,
    PreferredTime,
    SelfReferral,
    Trigger,
)
from orientamento.outreach.services import check_covered

#: Languages a person can ask to be spoken to in (ISO 639-1): Milan's most spoken ones.
CONTACT_LANGUAGES = ("it", "en", "ar", "es", "fr", "pt", "ro", "uk", "ru", "zh", "sq", "bn",
                     "tl", "ur")
NAME_LENGTH, PHONE_LENGTH, EMAIL_LENGTH, MESSAGE_LENGTH = 100, 40, 254, 500
#: A phone number as people write it: digits, spaces, brackets, dots, dashes, a leading +.
PHONE_PATTERN = re.compile(r"\+?[0-9 ()./-]+")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 6, 15


@dataclass(frozen=True)
class SelfReferralData:
    """A request to be contacted, as the person filled it in."""

    municipio: int
    channel: str
    language: str
    preferred_time: str
    phone: str = ""
    email: str = ""
    name: str = ""
    message: str = ""


def phone_problem(phone: str) -> str | None:
    """Why ``phone`` is not a phone number we can call, or None."""
    digits = sum(c.isdigit() for c in phone)
    if (len(phone) > PHONE_LENGTH or not PHONE_PATTERN.fullmatch(phone)
            or not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS):
        return str(_l("Write a phone number with 6 to 15 digits, e.g. 333 123 4567."))
    return None


def email_problem(email: str) -> str | None:
    """Why ``email`` is not an e-mail address we can write to, or None."""
    if not is_email(email):
        return str(_l("Write an e-mail address like name@example.org."))
    return None


def check_self_referral(data: SelfReferralData) -> None:
    """Refuse a request we could not act on: unknown values, or no way to reach the person."""
    if not 1 <= data.municipio <= 9:
        raise DomainError(_l("Choose the municipio you live in."))
    if data.channel not in SELF_REFERRAL_CHANNELS:
        raise DomainError(_l("Choose whether we should phone or write to you."))
    if data.language not in CONTACT_LANGUAGES:
        raise DomainError(_l("Choose a language from the list."))
    if data.preferred_time not in set(PreferredTime):
        raise DomainError(_l("Choose when we should contact you."))
    if data.channel == "phone" and not data.phone:
        raise DomainError(_l("Write the phone number we should call."))
    if data.channel == "email" and not data.email:
        raise DomainError(_l("Write the e-mail address we should write to."))
    problem = ((data.phone and phone_problem(data.phone))
               or (data.email and email_problem(data.email)))
    if problem:
        raise DomainError(problem)
    if len(data.name) > NAME_LENGTH or len(data.message) > MESSAGE_LENGTH:
        raise DomainError(_l("The name or the message is too long."))
    if (any(has_control_characters(text) for text in (data.name, data.phone, data.email))
            or any(c == "\x00" or c in BIDI_CONTROLS for c in data.message)):
        raise DomainError(_l("Remove the special characters from what you wrote."))


def refer_oneself(data: SelfReferralData, now: datetime) -> Flag:
    """Store the request and put it in the open queue of the person's municipio."""
    check_self_referral(data)
    referral = SelfReferral(
        municipio=data.municipio, name=data.name.strip() or None, channel=data.channel,
        phone=data.phone.strip() or None, email=data.email.strip() or None,
        language=data.language, preferred_time=PreferredTime(data.preferred_time),
        message=data.message.strip(), consented_at=now, created_at=now)
    flag = Flag(self_referral=referral, municipio=data.municipio,
                trigger=Trigger.SELF_REFERRAL.value, status=FlagStatus.OPEN,
                priority=SELF_REFERRAL_PRIORITY, as_of=clock.rome_local(now).date(),
                raised_at=now)
    db.session.add_all([referral, flag])
    db.session.flush()
    return flag


def erase_self_referral(worker: User, flag: Flag) -> None:
    """Delete, at the person's request, a self-referral with its flag, decisions, contacts,
    outcomes and referrals (the foreign keys cascade); the audit log keeps only ids."""
    check_covered(worker, flag)
    if flag.self_referral_id is None:
        raise DomainError(_l("Only a self-referral can be erased here."))
    audit.record(AuditAction.SELF_REFERRAL_ERASED, actor=worker, flag_id=flag.id,
                 self_referral_id=flag.self_referral_id)
    db.session.flush()
    db.session.execute(delete(SelfReferral).where(SelfReferral.id == flag.self_referral_id))
