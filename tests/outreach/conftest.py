"""Fixtures for the outreach tests: a worker, an active model version, flagged people."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert, select, text

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.outreach.models import Flag
from orientamento.risk.models import ContactDetails, ModelVersion, RiskPerson
from orientamento.support.models import (
    AccessMode,
    OrganisationKind,
    SupportOrganisation,
    SupportService,
)
from tests.risk.factories import make_flag, make_person, make_score, make_version

MakeFlag = Callable[..., Flag]


@pytest.fixture
def worker(make_user: Callable[..., User]) -> User:
    """An outreach worker covering municipi 1 and 2."""
    return make_user(Role.OUTREACH, municipi=[1, 2], display_name="Wanda Worker")


@pytest.fixture
def version(app: Flask) -> ModelVersion:
    """The active NEET model version."""
    return make_version("active")


@pytest.fixture
def flagged(version: ModelVersion) -> MakeFlag:
    """Factory: a person with contact details, a score and an open flag, committed.

    ``trigger="contract_ended"`` makes a rule flag (the person is still scored);
    ``probability=None`` leaves the person unscored (rule flags only).
    """

    def factory(municipio: int = 1, *, probability: float | None = 0.42,
                trigger: str = "model", raised_at: datetime | None = None,
                contact: bool = True, gender: str = "F",
                citizenship_group: str = "italian", **fields: Any) -> Flag:
        person = make_person(municipio, gender=gender, citizenship_group=citizenship_group)
        if contact:
            person.contact = ContactDetails(phone="+39 02 5555 0101",
                                            email="giulia@example.org",
                                            address="Via Padova 12, Milano")
            db.session.commit()
        score = make_score(person, version, probability) if probability is not None else None
        if raised_at is not None:
            fields["raised_at"] = raised_at
        return make_flag(person, score if trigger == "model" else None, trigger=trigger,
                         **fields)

    return factory


@pytest.fixture
def many_contract_flags(app: Flask) -> Callable[[], None]:
    """Factory: 3,000 open contract-ended flags over the nine municipi with few distinct
    priorities (the rule's priority is 1 + months / 100), as the bench's million records have;
    committed, then ANALYZE, so the planner sees them."""

    def factory() -> None:
        now = clock.now()
        start = db.session.scalar(
            select(RiskPerson.id).order_by(RiskPerson.id.desc()).limit(1)) or 0
        db.session.execute(insert(RiskPerson), [
            {"pseudonym": f"plan{i}", "municipio": 1 + i % 9, "birth_year": 2001}
            for i in range(3000)])
        people = db.session.execute(select(RiskPerson.id, RiskPerson.municipio)
                                    .where(RiskPerson.id > start)).all()
        db.session.execute(insert(Flag), [
            {"person_id": person_id, "municipio": municipio, "trigger": "contract_ended",
             "status": "open", "priority": 1 + (1 + n % 12) / 100,
             "months_since_contract": 1 + n % 12, "as_of": date(2026, 9, 30),
             "raised_at": now - timedelta(minutes=n)}
            for n, (person_id, municipio) in enumerate(people)])
        db.session.commit()
        db.session.execute(text("ANALYZE"))

    return factory


@pytest.fixture
def app_config() -> dict[str, Any]:
    """English by default: these tests match the messages services and commands raise
    outside a request, where the default locale applies (Italian in production)."""
    return {"BABEL_DEFAULT_LOCALE": "en"}


@pytest.fixture
def make_service(app: Flask) -> Callable[..., SupportService]:
    """Factory: a support service of a new (or the given) organisation, committed."""
    counter = iter(range(1, 1000))

    def factory(name: str = "Orientamento al lavoro",
                organisation: SupportOrganisation | None = None) -> SupportService:
        number = next(counter)
        if organisation is None:
            organisation = SupportOrganisation(uid=str(uuid.uuid4()),
                                               name=f"Informagiovani {number}",
                                               kind=OrganisationKind.INFORMAGIOVANI)
        service = SupportService(uid=str(uuid.uuid4()), organisation=organisation,
                                 name=f"{name} {number}", access=AccessMode.BOOKING)
        db.session.add(service)
        db.session.commit()
        return service

    return factory


@pytest.fixture
def make_operator(make_user: Callable[..., User]) -> Callable[..., User]:
    """Factory: a service operator of the organisation of ``service``."""

    def factory(service: SupportService, **fields: Any) -> User:
        return make_user(Role.SERVICE_OPERATOR,
                         support_organisation_id=service.organisation_id, **fields)

    return factory
