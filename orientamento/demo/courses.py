"""Demo course catalogue: reference tables, demo providers, courses imported like a file."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select, update

from orientamento.courses.areas import CourseKind
from orientamento.courses.models import Course, CourseStatus, Occupation, Place
from orientamento.courses.services import load_reference_data
from orientamento.courses.transfer import ImportReport, import_rows
from orientamento.demo.catalogue import DEMO_CATALOGUE_PROVIDERS, demo_course_rows
from orientamento.demo.services import DEMO_PROVIDER
from orientamento.extensions import db
from orientamento.orgs.models import Provider

#: Courses of the catalogue also given to the demo provider account's own organisation.
OWN_DEMO_COURSES = 4


def seed_demo_catalogue(today: date) -> ImportReport:
    """Load the reference tables, the demo providers and the demo catalogue (idempotent)."""
    load_reference_data()
    for data in DEMO_CATALOGUE_PROVIDERS:
        if db.session.scalar(select(Provider.id).where(Provider.code == data["code"])) is None:
            db.session.add(Provider(**data, is_demo=True))
    db.session.flush()
    occupations: dict[str, list[str]] = defaultdict(list)
    for occupation in db.session.scalars(select(Occupation).order_by(Occupation.cp2021)):
        for area in occupation.areas:
            occupations[area].append(occupation.cp2021)
    places = {p.code: (p.name, p.latitude, p.longitude)
              for p in db.session.scalars(select(Place).order_by(Place.code))}
    rows = demo_course_rows(occupations, places, today)
    own = [r | {"provider_code": DEMO_PROVIDER["code"], "course_code": f"DEMO-{n:02d}"}
           for n, r in enumerate((r for r in rows if r["kind"] == CourseKind.ITS
                                  and r["status"] == CourseStatus.ACTIVE), start=1)
           if n <= OWN_DEMO_COURSES]
    existing = set(db.session.execute(select(Provider.code, Course.code).join(Provider)).all())
    fresh = [r for r in rows + own if (r["provider_code"], r["course_code"]) not in existing]
    if not fresh:
        return ImportReport(dry_run=False)
    report = import_rows(enumerate(fresh, start=2), dry_run=False)
    demo_providers = select(Provider.id).where(Provider.is_demo.is_(True))
    db.session.execute(update(Course).where(Course.provider_id.in_(demo_providers))
                       .values(is_demo=True))
    return report
