"""Catalogue import (CSV or JSON, dry run or all-or-nothing) and export (CSV, JSON)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from orientamento.core.errors import Conflict
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.imports import (
    FileProblem,
    ImportReport,
    csv_rows,
    decode_upload,
)
from orientamento.core.spreadsheet import escape_cell
from orientamento.courses.models import RIASEC, Course, Occupation, Place
from orientamento.courses.records import (
    COLUMNS,
    LIST_SEPARATOR,
    REQUIRED_COLUMNS,
    TRANSLATED_LOCALES,
    CourseRecord,
    format_record,
    parse_row,
    record_of,
)
from orientamento.courses.services import (
    apply_record,
    occupations_by_code,
    reindex,
    unknown_codes,
)
from orientamento.extensions import db
from orientamento.orgs.models import Provider

#: Largest file accepted (bytes) and most rows: a city catalogue is a few thousand courses.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 50_000


# --- reading ----------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    return decode_upload(data, MAX_IMPORT_BYTES)


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    return csv_rows(text, REQUIRED_COLUMNS, COLUMNS)


def json_to_cells(item: Any) -> dict[str, str]:
    """Cells of one course from its JSON export form (see ``course_json``)."""
    if not isinstance(item, dict):
        raise FileProblem(_("Each item of the JSON list must be an object."))
    cells: dict[str, str] = {}
    for column in COLUMNS:
        value = item.get(column)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            cells[column] = escape_cell(str(value))
    sites = item.get("sites") or []
    if isinstance(sites, list) and all(isinstance(s, dict) for s in sites):
        for key, column in (("address", "site_addresses"), ("place_code", "site_place_codes"),
                            ("latitude", "site_latitudes"), ("longitude", "site_longitudes")):
            cells[column] = escape_cell(LIST_SEPARATOR.join(str(s.get(key, "")) for s in sites))
    if isinstance(item.get("occupation_codes"), list):
        cells["occupation_codes"] = escape_cell(
            LIST_SEPARATOR.join(map(str, item["occupation_codes"])))
    riasec = item.get("riasec")
    if isinstance(riasec, dict):
        cells |= {f"riasec_{k}": str(riasec.get(k, "")) for k in RIASEC}
    translations = item.get("translations")
    if isinstance(translations, dict):
        for locale in TRANSLATED_LOCALES:
            translated = translations.get(locale)
            for key in ("title", "description"):
                text = translated.get(key, "") if isinstance(translated, dict) else ""
                cells[f"{key}_{locale}"] = escape_cell(text) if isinstance(text, str) else ""
    return cells


def _json_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise FileProblem(_("The JSON cannot be read (%(problem)s).", problem=str(error))) from None
    items = document.get("courses") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise FileProblem(_("The JSON must be a list of courses."))
    for number, item in enumerate(items, start=1):
        yield number, json_to_cells(item)


def read_rows(data: bytes, filename: str = "") -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV or JSON catalogue as (row number, cells); FileProblem when unreadable."""
    text = _decode(data)
    is_json = filename.lower().endswith(".json") or text.lstrip()[:1] in ("[", "{")
    return _json_rows(text) if is_json else _csv_rows(text)


# --- importing --------------------------------------------------------------------------

def _existing(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Course]:
    provider_codes = {p for p, _c in keys}
    if not provider_codes:
        return {}
    courses = db.session.scalars(
        select(Course).join(Provider).where(Provider.code.in_(provider_codes)).options(
            selectinload(Course.provider), selectinload(Course.sites),
            selectinload(Course.occupations))
    )
    return {(c.provider.code, c.code): c for c in courses}


def import_catalogue(data: bytes, filename: str = "", dry_run: bool = True) -> ImportReport:
    """Validate a catalogue file and, unless ``dry_run``, upsert it all or not at all.

    Rows are keyed by provider code + course code. The caller commits when the report is ok
    and it was not a dry run; nothing is written when any row has an error.
    """
    try:
        rows = read_rows(data, filename)
    except FileProblem as problem:
        report = ImportReport(dry_run=dry_run)
        report.add_error(0, "", str(problem))
        return report
    return import_rows(rows, dry_run)


def import_rows(rows: Iterator[tuple[int, dict[str, str]]], dry_run: bool = True) -> ImportReport:
    """Validate numbered rows of cells and, unless ``dry_run``, upsert them all or none."""
    report = ImportReport(dry_run=dry_run)
    records: list[tuple[int, CourseRecord]] = []
    place_codes = set(db.session.scalars(select(Place.code)))
    jobs = occupations_by_code()
    providers = {p.code: p for p in db.session.scalars(select(Provider))}
    seen: dict[tuple[str, str], int] = {}
    try:
        for number, cells in rows:
            report.rows += 1
            if report.rows > MAX_IMPORT_ROWS:
                raise FileProblem(_("The file has more than %(limit)d rows.",
                                    limit=MAX_IMPORT_ROWS))
            record, errors = parse_row(cells)
            if record is not None:
                errors = unknown_codes(record, place_codes, set(jobs))
                key = (record.provider_code, record.course_code)
                if record.provider_code not in providers:
                    errors["provider_code"] = _("No provider has this code.")
                elif key in seen:
                    errors["course_code"] = _("The same course appears on row %(row)d.",
                                              row=seen[key])
                seen[key] = number
            for column, message in errors.items():
                report.add_error(number, column, message)
            if record is not None and not errors:
                records.append((number, record))
    except FileProblem as problem:
        report.add_error(0, "", str(problem))
    if report.rows == 0 and report.ok:
        report.add_error(0, "", _("The file has no courses."))
    if not report.ok:
        return report
    try:
        _upsert(records, providers, jobs, report)
    except IntegrityError:
        # Another import inserted the same new course between our read and our write (on
        # PostgreSQL; SQLite serializes importers): the caller rolls back, nothing is kept.
        # Lazy: choosing the language reads the user, which waits for the rollback.
        raise Conflict(_l("Another import added some of these courses at the same time, so "
                         "nothing was imported from this file. Import it again: the courses "
                         "already there will be updated.")) from None
    return report


def _upsert(records: list[tuple[int, CourseRecord]], providers: dict[str, Provider],
            jobs: dict[str, Occupation], report: ImportReport) -> None:
    """Create or update the valid records (counting them in ``report``), then reindex."""
    existing = _existing({(r.provider_code, r.course_code) for _n, r in records})
    changed: list[Course] = []
    for _number, record in records:
        course = existing.get((record.provider_code, record.course_code))
        if course is None:
            report.created += 1
        elif record_of(course) == record:
            report.unchanged += 1
            continue
        else:
            report.updated += 1
        if not report.dry_run:
            if course is None:
                course = Course(provider=providers[record.provider_code])
                db.session.add(course)
            apply_record(course, record, jobs)
            changed.append(course)
    if changed:
        db.session.flush()
        reindex(changed)


# --- exporting --------------------------------------------------------------------------

def _all_courses() -> Iterator[Course]:
    """Every course (archived too), in a stable order, loaded in chunks."""
    ids = list(db.session.scalars(
        select(Course.id).join(Provider).order_by(Provider.code, Course.code)))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found = {c.id: c for c in db.session.scalars(
            select(Course).where(Course.id.in_(chunk)).options(
                selectinload(Course.provider), selectinload(Course.sites),
                selectinload(Course.occupations)))}
        yield from (found[i] for i in chunk)


def export_csv() -> str:
    """The whole catalogue as CSV in the import format."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for course in _all_courses():
        writer.writerow(format_record(record_of(course)))
    return out.getvalue()


def record_json(record: CourseRecord) -> dict[str, Any]:
    """A record as a typed JSON object (the export and import JSON form)."""
    cells = format_record(record)
    return {
        "provider_code": record.provider_code, "course_code": record.course_code,
        "kind": str(record.kind), "area": record.area, "eqf_level": record.eqf_level,
        "title": record.title, "description": record.description,
        "translations": record.translations,
        "hours": record.hours, "semesters": record.semesters,
        "start_date": cells["start_date"] or None,
        "application_deadline": cells["application_deadline"] or None,
        "cost_eur": cells["cost_eur"], "admission": record.admission,
        "language": record.language, "seats": record.seats,
        "sites": [{"address": s.address, "place_code": s.place_code,
                   "latitude": s.latitude, "longitude": s.longitude} for s in record.sites],
        "occupation_codes": list(record.occupation_codes),
        "riasec": record.riasec,
        "contact_email": record.contact_email, "contact_phone": record.contact_phone,
        "web_url": record.web_url, "status": str(record.status),
    }


def export_json() -> str:
    """The whole catalogue as a JSON list in the import format."""
    return json.dumps([record_json(record_of(c)) for c in _all_courses()],
                      ensure_ascii=False, indent=1)


def export(fmt: str) -> tuple[str, str, str]:
    """The export in ``fmt`` ("csv" or "json"): body, media type and file name."""
    if fmt == "json":
        return export_json(), "application/json", "catalogue.json"
    return export_csv(), "text/csv", "catalogue.csv"
