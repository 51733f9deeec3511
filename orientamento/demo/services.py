"""Demo data, created only where missing so seeding twice changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from orientamento.auth.models import PROVIDER_ROLES, Role, User, UserMunicipio
from orientamento.auth.passwords import hash_password
from orientamento.classes.models import ClassMembership, SchoolClass, SchoolLevel
from orientamento.classes.services import new_join_code
from orientamento.extensions import db
from orientamento.orgs.models import Provider, ProviderKind, School

DEMO_SCHOOL = {"code": "MIISDEMO01", "name": "Istituto di Istruzione Superiore Demo",
               "address": "Via Demo 10", "municipality": "Milano", "municipio": 3}
DEMO_PROVIDER = {"code": "DEMO-ITS-01", "name": "Fondazione ITS Academy Demo Milano",
                 "kind": ProviderKind.ITS_FOUNDATION, "municipality": "Milano"}
DEMO_ACCOUNTS = (
    ("admin@demo.example.org", Role.ADMIN, "Alessandra Admin"),
    ("counsellor@demo.example.org", Role.COUNSELLOR, "Carlo Counsellor"),
    ("provider@demo.example.org", Role.PROVIDER, "Paola Provider"),
    ("outreach@demo.example.org", Role.OUTREACH, "Omar Outreach"),
    ("student@demo.example.org", Role.STUDENT, "Sara Student"),
    # An ITS student ambassador: a provider account of the demo foundation.
    ("ambassador@demo.example.org", Role.AMBASSADOR, "Luca Ambassador"),
)
DEMO_PUPILS = (
    ("demo.giulia", "Giulia", date(2013, 5, 2)),
    ("demo.amir", "Amir", date(2011, 1, 20)),
    ("demo.chen", "Chen", date(2010, 10, 9)),
)
DEMO_CLASS_NAME = "3A"


def _get_or_create(model: type[Any], lookup: dict[str, Any], defaults: dict[str, Any],
                   counter: list[int]) -> Any:
    found = db.session.scalar(select(model).filter_by(**lookup))
    if found is not None:
        return found
    obj = model(**lookup, **defaults)
    db.session.add(obj)
    db.session.flush()
    counter[0] += 1
    return obj


def seed_demo(password: str, school_year: str) -> dict[str, Any]:
    """Create the demo school, provider, one account per role, a class and pupils."""
    created = [0]
    school = _get_or_create(
        School, {"code": DEMO_SCHOOL["code"]},
        {k: v for k, v in DEMO_SCHOOL.items() if k != "code"} | {"is_demo": True}, created)
    provider = _get_or_create(
        Provider, {"code": DEMO_PROVIDER["code"]},
        {k: v for k, v in DEMO_PROVIDER.items() if k != "code"} | {"is_demo": True}, created)
    password_hash = hash_password(password)
    for email, role, name in DEMO_ACCOUNTS:
        user = _get_or_create(User, {"email": email}, {
            "display_name": name, "role": role.value, "password_hash": password_hash,
            "is_demo": True, "school_id": school.id if role == Role.COUNSELLOR else None,
            "provider_id": provider.id if role in PROVIDER_ROLES else None,
            "date_of_birth": date(2009, 3, 15) if role == Role.STUDENT else None,
        }, created)
        if role == Role.OUTREACH and not user.municipi:
            user.municipi = [UserMunicipio(municipio=n) for n in (2, 3, 9)]
    counsellor = db.session.scalar(select(User).filter_by(email=DEMO_ACCOUNTS[1][0]))
    school_class = _get_or_create(
        SchoolClass, {"school_id": school.id, "school_year": school_year, "name": DEMO_CLASS_NAME},
        {"level": SchoolLevel.LOWER_SECONDARY.value, "year": 3, "is_demo": True,
         "join_code": new_join_code(), "created_by_id": counsellor.id if counsellor else None},
        created)
    for username, name, born in DEMO_PUPILS:
        pupil = _get_or_create(User, {"username": username}, {
            "display_name": name, "role": Role.STUDENT.value, "password_hash": password_hash,
            "date_of_birth": born, "is_demo": True}, created)
        if db.session.get(ClassMembership, (school_class.id, pupil.id)) is None:
            db.session.add(ClassMembership(class_id=school_class.id, student_id=pupil.id))
            created[0] += 1
    db.session.flush()
    return {"created": created[0], "pupils": [p[0] for p in DEMO_PUPILS],
            "join_code": school_class.join_code or "-"}
