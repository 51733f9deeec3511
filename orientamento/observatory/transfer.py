"""Import of a labour-demand CSV, all or nothing: every row is checked before any is written,
and rows whose key (occupation, territory, month, education) is already stored replace it."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from orientamento.core import clock
from orientamento.core.errors import Conflict
from orientamento.core.imports import FileProblem, ImportReport, decode_upload
from orientamento.extensions import db
from orientamento.observatory.models import LabourDemand
from orientamento.observatory.records import (
    DemandRecord,
    MappingProblem,
    match_headers,
    parse_row,
)

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 200_000
#: The territory of rows without one when the caller names none: the Milan province.
MILAN_PROVINCE = "015"




def _rows(text: str) -> list[list[str]]:
    """The file's rows; the delimiter (comma, semicolon or tab) is the commonest in line 1."""
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise FileProblem(_("The CSV cannot be read (%(problem)s).", problem=str(error))) \
            from None


def _plain(cell: str) -> str:
    """A cell without the apostrophe a spreadsheet export puts before = + - @ (every field
    is a code or a number, which the parser checks, so nothing is run as a formula)."""
    return cell[1:] if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@") else cell


def read_records(text: str, mapping: Mapping[str, str], territory: str,
                 report: ImportReport) -> list[DemandRecord]:
    """Parse every row into records, adding each bad cell to ``report``."""
    rows = [row for row in _rows(text)]
    if not rows:
        raise FileProblem(_("The file is empty."))
    try:
        columns = match_headers(rows[0], mapping)
    except MappingProblem as problem:
        raise FileProblem(str(problem)) from None
    headers = {name: rows[0][index] for name, index in columns.items()}
    records: list[DemandRecord] = []
    seen: dict[tuple[object, ...], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        report.rows += 1
        if report.rows > MAX_IMPORT_ROWS:
            raise FileProblem(_("The file has more than %(limit)d rows.",
                                limit=MAX_IMPORT_ROWS))
        cells = {name: _plain(row[index]) if index < len(row) else ""
                 for name, index in columns.items()}
        errors: list[tuple[str, str]] = []
        record = parse_row(cells, territory, errors)
        for name, message in errors:
            report.add_error(number, headers.get(name, name), message)
        if record is None:
            continue
        if record.key in seen:
            report.add_error(number, "", _("The same occupation, territory, month and "
                                           "education level are on row %(row)d.",
                                           row=seen[record.key]))
            continue
        seen[record.key] = number
        records.append(record)
    return records


def import_file(data: bytes, *, mapping: Mapping[str, str] | None = None,
                territory: str = MILAN_PROVINCE, source: str = "", synthetic: bool = False,
                dry_run: bool = False) -> ImportReport:
    """Check a labour-demand CSV and, when every row is valid, store it (flush only)."""
    report = ImportReport(dry_run=dry_run)
    try:
        records = read_records(decode_upload(data, MAX_IMPORT_BYTES), mapping or {},
                               territory, report)
    except FileProblem as problem:
        report.add_error(0, "", str(problem))
        return report
    if report.ok:
        _store(records, source[:80], synthetic, report)
    return report


def _store(records: list[DemandRecord], source: str, synthetic: bool,
           report: ImportReport) -> None:
    if not records:
        return
    periods = [r.period for r in records]
    existing = {(row.occupation_code, row.territory, row.period, row.education): row
                for row in db.session.scalars(select(LabourDemand).where(
                    LabourDemand.occupation_code.in_({r.occupation_code for r in records}),
                    LabourDemand.period.between(min(periods), max(periods))))}
    now = clock.now()
    new: list[dict[str, object]] = []
    for record in records:
        row = existing.get(record.key)
        if row is None:
            new.append(_values(record, source, synthetic, now))
        elif (row.hires, row.hard_to_fill_pct) == (record.hires, record.hard_to_fill_pct):
            report.unchanged += 1
        else:
            row.hires, row.hard_to_fill_pct = record.hires, record.hard_to_fill_pct
            row.source, row.synthetic, row.imported_at = source, synthetic, now
            report.updated += 1
    report.created = len(new)
    if report.dry_run:
        return
    try:
        with db.session.begin_nested():
            for start in range(0, len(new), 5000):
                db.session.execute(insert(LabourDemand), new[start:start + 5000])
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("Another import changed the same figures at the same time: try "
                         "again.")) from None


def _values(record: DemandRecord, source: str, synthetic: bool, now: object
            ) -> dict[str, object]:
    return {"occupation_code": record.occupation_code, "territory": record.territory,
            "period": record.period, "education": record.education, "hires": record.hires,
            "hard_to_fill_pct": record.hard_to_fill_pct, "source": source,
            "synthetic": synthetic, "imported_at": now}


def demand_months() -> tuple[date, date] | None:
    """The first and last month with stored demand, if any."""
    from sqlalchemy import func

    first, last = db.session.execute(select(func.min(LabourDemand.period),
                                            func.max(LabourDemand.period))).one()
    return (first, last) if first is not None else None
