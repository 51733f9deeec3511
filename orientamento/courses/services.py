"""Use cases of the directory: write courses, save them, keep the search index current."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from orientamento.auth.models import User
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.courses.areas import AREA_LABELS, CourseKind
from orientamento.courses.models import (
    RIASEC,
    Course,
    CourseSite,
    CourseStatus,
    Occupation,
    Place,
    PlaceKind,
    SavedCourse,
)
from orientamento.courses.records import CourseRecord, parse_row
from orientamento.courses.search import backend_for, fold
from orientamento.extensions import db
from orientamento.orgs.models import Provider

DATA_DIR = Path(__file__).parent / "data"


def search_document(course: Course) -> str:
    """Accent-folded text indexed for a course: titles, description, area, provider, jobs."""
    with force_locale("it"):
        labels = [str(AREA_LABELS.get(course.area, "")),
                  str(CourseKind(course.kind).label)]
    with force_locale("en"):
        labels += [str(AREA_LABELS.get(course.area, ""))]
    parts = [course.title, course.description, *labels, course.provider.name]
    for translated in (course.translations or {}).values():
        parts += [translated.get("title", ""), translated.get("description", "")]
    for occupation in course.occupations:
        parts += [occupation.title_it, occupation.title_en]
    return fold(" ".join(p for p in parts if p))


def reindex(courses: Iterable[Course]) -> None:
    """Recompute the search documents of ``courses`` and refresh the full-text index."""
    documents = {}
    for course in courses:
        course.search_document = search_document(course)
        documents[course.id] = course.search_document
    db.session.flush()
    connection = db.session.connection()
    backend_for(connection.dialect.name).refresh(connection, documents)


def unknown_codes(record: CourseRecord, places: set[str], occupations: set[str]) -> dict[str, str]:
    """Errors for place and occupation codes missing from the reference tables."""
    errors = {}
    missing_places = sorted({s.place_code for s in record.sites} - places)
    if missing_places:
        errors["site_place_codes"] = _("Unknown ISTAT place code: %(codes)s.",
                                       codes=", ".join(missing_places))
    missing_jobs = sorted(set(record.occupation_codes) - occupations)
    if missing_jobs:
        errors["occupation_codes"] = _("Unknown CP2021 occupation code: %(codes)s.",
                                       codes=", ".join(missing_jobs))
    return errors


def apply_record(course: Course, record: CourseRecord,
                 occupations_by_code: dict[str, Occupation]) -> None:
    """Copy a validated record onto a course (new or existing); the caller reindexes."""
    course.code = record.course_code
    course.kind, course.area, course.eqf_level = record.kind, record.area, record.eqf_level
    course.title, course.description = record.title, record.description
    course.translations = {k: dict(v) for k, v in record.translations.items()}
    course.hours, course.semesters = record.hours, record.semesters
    course.start_date, course.application_deadline = record.start_date, record.application_deadline
    course.cost_cents, course.admission = record.cost_cents, record.admission
    course.language, course.seats = record.language, record.seats
    for letter in RIASEC:
        setattr(course, f"riasec_{letter}", record.riasec[letter])
    course.contact_email, course.contact_phone = record.contact_email, record.contact_phone
    course.web_url, course.status = record.web_url, record.status
    # Update sites in place by position: replacing them would insert the new rows before
    # the old ones are deleted and trip the (course, position) unique constraint.
    sites = list(course.sites)
    for position, site in enumerate(record.sites):
        if position >= len(sites):
            sites.append(CourseSite(position=position))
        row = sites[position]
        row.address, row.place_code = site.address, site.place_code
        row.latitude, row.longitude = site.latitude, site.longitude
    course.sites = sites[:len(record.sites)]
    course.occupations = [occupations_by_code[code] for code in record.occupation_codes]
    course.updated_at = clock.now()


def occupations_by_code(codes: Iterable[str] | None = None) -> dict[str, Occupation]:
    """Occupations keyed by CP2021 code (all, or only ``codes``)."""
    stmt = select(Occupation)
    if codes is not None:
        stmt = stmt.where(Occupation.cp2021.in_(list(codes)))
    return {o.cp2021: o for o in db.session.scalars(stmt)}


def create_course(provider: Provider, record: CourseRecord, is_demo: bool = False) -> Course:
    """Add a course to ``provider``'s offer; refuse a code the provider already uses."""
    taken = db.session.scalar(
        select(Course.id).where(Course.provider_id == provider.id,
                                Course.code == record.course_code))
    if taken is not None:
        raise Conflict(_("This provider already has a course with code %(code)s.",
                         code=record.course_code))
    course = Course(provider=provider, is_demo=is_demo)
    apply_record(course, record, occupations_by_code(record.occupation_codes))
    db.session.add(course)
    db.session.flush()
    reindex([course])
    return course


def update_course(course: Course, record: CourseRecord) -> None:
    """Replace a course's fields with a validated record."""
    if record.course_code != course.code:
        taken = db.session.scalar(select(Course.id).where(
            Course.provider_id == course.provider_id, Course.code == record.course_code))
        if taken is not None:
            raise Conflict(_("This provider already has a course with code %(code)s.",
                             code=record.course_code))
    apply_record(course, record, occupations_by_code(record.occupation_codes))
    db.session.flush()
    reindex([course])


class InvalidCourse(DomainError):
    """A course's fields broke the catalogue format's rules; ``errors`` maps field -> message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Please correct the fields marked below."))
        self.errors = errors


def write_course(provider: Provider, course: Course | None, cells: dict[str, str]) -> Course:
    """Validate a provider's course cells like an import row, then create or update."""
    record, errors = parse_row(cells)
    if record is None:
        raise InvalidCourse(errors)
    known_places = set(db.session.scalars(
        select(Place.code).where(Place.code.in_([s.place_code for s in record.sites]))))
    errors = unknown_codes(record, known_places, set(occupations_by_code(record.occupation_codes)))
    if errors:
        raise InvalidCourse(errors)
    if course is None:
        return create_course(provider, record)
    update_course(course, record)
    return course


def set_course_status(course: Course, status: CourseStatus) -> None:
    """Archive or restore a course (archived courses leave search and the API)."""
    course.status = status
    course.updated_at = clock.now()
    db.session.flush()


def provider_course_or_404(user: User, course_id: int) -> Course:
    """A course of the provider the user works for, or 404 (another provider's course too)."""
    course = db.session.scalar(
        select(Course).where(Course.id == course_id).options(
            selectinload(Course.sites), selectinload(Course.occupations),
            selectinload(Course.provider)))
    if course is None or user.provider_id is None or course.provider_id != user.provider_id:
        raise NotFound(None)
    return course


def _insert_ignore(values: dict[str, Any]) -> Any:
    dialect = db.session.connection().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(SavedCourse).values(**values).on_conflict_do_nothing()


def save_course(user: User, course: Course) -> None:
    """Bookmark an active course for a student; saving twice keeps one bookmark."""
    if course.status != CourseStatus.ACTIVE:
        raise NotFound(None)
    db.session.execute(_insert_ignore(
        {"user_id": user.id, "course_id": course.id, "created_at": clock.now()}))


def unsave_course(user: User, course_id: int) -> None:
    """Remove a bookmark (nothing happens when there is none)."""
    db.session.execute(delete(SavedCourse).where(
        SavedCourse.user_id == user.id, SavedCourse.course_id == course_id))


def load_reference_data(data_dir: Path | None = None) -> dict[str, int]:
    """Insert or update places and occupations from the shipped CSV files."""
    data_dir = data_dir or DATA_DIR
    counts = {"places": 0, "occupations": 0}
    with (data_dir / "places.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            place = db.session.get(Place, row["code"]) or Place(code=row["code"])
            place.name, place.kind = row["name"], PlaceKind(row["kind"])
            place.municipio = int(row["municipio"]) if row["municipio"] else None
            place.latitude, place.longitude = float(row["latitude"]), float(row["longitude"])
            db.session.add(place)
            counts["places"] += 1
    existing = occupations_by_code()
    translations = _occupation_translations(data_dir)
    with (data_dir / "occupations.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            occupation = existing.get(row["cp2021"]) or Occupation(cp2021=row["cp2021"])
            values = {
                "isco08": row["isco08"], "title_it": row["title_it"],
                "title_en": row["title_en"], "description_it": row["description_it"],
                "description_en": row["description_en"],
                "riasec": {k: float(row[k]) for k in RIASEC},
                "areas": [a for a in row["areas"].split("|") if a],
                "translations": {language: texts[row["cp2021"]]
                                 for language, texts in translations.items()
                                 if row["cp2021"] in texts},
            }
            if any(getattr(occupation, k, None) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(occupation, key, value)
                occupation.updated_at = clock.now()
                db.session.add(occupation)
            counts["occupations"] += 1
    db.session.flush()
    return counts


def _occupation_translations(data_dir: Path) -> dict[str, dict[str, dict[str, str]]]:
    """Titles and descriptions per language and CP2021 code, from ``occupations.<language>.csv``
    (columns ``cp2021,title,description``). A code the main table lacks is an error: the
    translation would otherwise be dropped without anyone noticing."""
    with (data_dir / "occupations.csv").open(encoding="utf-8", newline="") as handle:
        known = {row["cp2021"] for row in csv.DictReader(handle)}
    found: dict[str, dict[str, dict[str, str]]] = {}
    for path in sorted(data_dir.glob("occupations.*.csv")):
        language = path.name.split(".")[1]
        with path.open(encoding="utf-8", newline="") as handle:
            texts = {row["cp2021"]: {"title": row["title"], "description": row["description"]}
                     for row in csv.DictReader(handle)}
        if unknown := sorted(set(texts) - known):
            raise ValueError(f"{path.name}: codes not in occupations.csv: {', '.join(unknown)}")
        found[language] = texts
    return found
