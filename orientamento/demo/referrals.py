"""Demo referrals: a service operator of the demo Informagiovani and one referral waiting for
their answer, sent by the demo outreach worker from one of the demo flags."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from orientamento.auth.models import Role, User
from orientamento.auth.passwords import hash_password
from orientamento.core import clock
from orientamento.demo.support import DEMO_DATA
from orientamento.extensions import db
from orientamento.outreach.models import Decision, DecisionKind, Flag, FlagStatus
from orientamento.outreach.referrals.days import add_working_days
from orientamento.outreach.referrals.models import Referral
from orientamento.risk.models import RiskPerson
from orientamento.support.models import SupportOrganisation, SupportService

OPERATOR = ("operator@demo.example.org", "Sofia Servizi")
OUTREACH = "outreach@demo.example.org"
#: The demo organisation the operator works for, by its key in ``demo/data/support.json``.
ORGANISATION_KEY = "informagiovani"
NOTE = ("Ha lasciato la scuola l'anno scorso e cerca un corso; preferisce essere chiamata il "
        "pomeriggio.")


def _organisation() -> SupportOrganisation | None:
    name = next(row["name"] for row in DEMO_DATA["organisations"]
                if row["key"] == ORGANISATION_KEY)
    return db.session.scalar(select(SupportOrganisation).where(SupportOrganisation.name == name))


def _operator(password: str, organisation: SupportOrganisation) -> User:
    email, name = OPERATOR
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, display_name=name, role=Role.SERVICE_OPERATOR,
                    password_hash=hash_password(password), is_demo=True,
                    support_organisation_id=organisation.id)
        db.session.add(user)
        db.session.flush()
    return user


def _demo_flag(worker: User) -> Flag | None:
    """An open flag in the worker's municipi of a person with contact details."""
    municipi = [row.municipio for row in worker.municipi]
    return db.session.scalar(
        select(Flag).join(RiskPerson, RiskPerson.id == Flag.person_id)
        .where(Flag.municipio.in_(municipi), Flag.status == FlagStatus.OPEN,
               RiskPerson.opted_out_at.is_(None), RiskPerson.contact.has())
        .order_by(Flag.priority.desc(), Flag.id).limit(1))


def seed_demo_referrals(password: str, today: date) -> int:
    """Create the demo service operator and, once, a referral waiting for them; returns the
    referrals created (0 when they exist already or the demo has no flag to refer)."""
    organisation = _organisation()
    if organisation is None:
        return 0
    _operator(password, organisation)
    service = db.session.scalar(select(SupportService).where(
        SupportService.organisation_id == organisation.id).order_by(SupportService.id).limit(1))
    worker = db.session.scalar(select(User).where(User.email == OUTREACH))
    if service is None or worker is None or db.session.scalar(
            select(Referral.id).where(Referral.service_id == service.id).limit(1)):
        return 0
    flag = _demo_flag(worker)
    if flag is None:
        return 0
    now = clock.now()
    db.session.add(Decision(flag_id=flag.id, kind=DecisionKind.CONTACT,
                            reason_code="priority_confirmed", agrees_with_model=True,
                            decided_by_id=worker.id, decided_at=now))
    db.session.add(Referral(flag_id=flag.id, service_id=service.id, consent_on=today,
                            note=NOTE, referred_by_id=worker.id, referred_at=now,
                            answer_due_on=add_working_days(today, 5)))
    db.session.flush()
    return 1
