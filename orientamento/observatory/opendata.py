"""The public tables as open data: CSV and JSON downloads with a Table Schema each
(frictionless-style, docs/observatory-open-data.md) and a DCAT-AP_IT catalogue in JSON-LD.

Every table is built from ``pages`` with the same disclosure control as the pages; a
suppressed count is an empty CSV cell and ``null`` in JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response

from orientamento.core import clock
from orientamento.core.links import absolute_url
from orientamento.core.school_year import school_year_of
from orientamento.core.spreadsheet import csv_download, csv_text
from orientamento.courses.areas import AREA_LABELS
from orientamento.observatory import pages
from orientamento.observatory.crosswalk import Crosswalk
from orientamento.observatory.disclosure import SafeTable
from orientamento.outreach.calls.measures import CONTACT_DEADLINES

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
TOTAL = "TOTAL"

Row = dict[str, Any]


@dataclass(frozen=True)
class Table:
    """A published table: its name, titles, Table Schema fields and how to build its rows."""

    name: str
    title_it: str
    title_en: str
    description_en: str
    fields: tuple[tuple[str, str, str], ...]  # (name, type, description)
    build: Callable[[Crosswalk], list[Row]]
    theme: str = "ECON"

    def schema(self) -> dict[str, Any]:
        """The table's Table Schema (frictionless)."""
        return {"fields": [{"name": n, "type": t, "description": d}
                           for n, t, d in self.fields],
                "missingValues": [""]}


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _mismatch_rows(crosswalk: Crosswalk) -> list[Row]:
    page = pages.overview(crosswalk, None)
    rows = [{"area": p.row.area, "area_name": str(AREA_LABELS[p.row.area]),
             "students_interested": p.interest, "interest_share_pct": _r(p.interest_share),
             "seats": p.row.seats, "seats_share_pct": _r(p.row.seats_share),
             "planned_hires": round(p.row.demand), "demand_share_pct": _r(p.row.demand_share),
             "seats_gap_pts": _r(p.row.seats_gap), "interest_gap_pts": _r(p.interest_gap),
             "hard_to_fill_pct": _r(p.row.hard_to_fill)} for p in page.rows]
    rows.append({"area": TOTAL, "area_name": TOTAL, "students_interested": page.interest_total,
                 "interest_share_pct": 100.0 if page.interest_total else None,
                 "seats": page.mismatch.seats_total, "seats_share_pct": 100.0,
                 "planned_hires": round(page.mismatch.demand.total),
                 "demand_share_pct": None, "seats_gap_pts": None, "interest_gap_pts": None,
                 "hard_to_fill_pct": _r(page.mismatch.hard_to_fill_average)})
    return rows


def _two_way_rows(table: SafeTable, row_field: str, column_field: str, value_field: str
                  ) -> list[Row]:
    """A stored two-way table as rows, totals last (TOTAL in the row or column field)."""
    rows: list[Row] = [{row_field: r, column_field: c, value_field: table.cells[(r, c)]}
                       for r in table.rows for c in table.columns]
    rows += [{row_field: r, column_field: TOTAL, value_field: table.row_totals[r]}
             for r in table.rows]
    rows += [{row_field: TOTAL, column_field: c, value_field: table.column_totals[c]}
             for c in table.columns]
    rows.append({row_field: TOTAL, column_field: TOTAL, value_field: table.total})
    return rows


def _interest_quarter_rows(_crosswalk: Crosswalk) -> list[Row]:
    return _two_way_rows(pages.interest_by_quarter(), "area", "quarter", "students")


def _neet_trigger_rows(_crosswalk: Crosswalk) -> list[Row]:
    return _two_way_rows(pages.neet_by_trigger(), "trigger", "quarter", "flags")


def _neet_municipio_rows(_crosswalk: Crosswalk) -> list[Row]:
    return _two_way_rows(pages.neet_by_municipio(), "municipio", "stage", "flags")


def _campaign_rows(_crosswalk: Crosswalk) -> list[Row]:
    rows = []
    for row in pages.call_campaign():
        found: Row = {"municipio": row.municipio, "people": row.people}
        for days in CONTACT_DEADLINES:
            share = row.share_in_time(days)
            found |= {f"due_{days}d": row.values.get(f"due_{days}"),
                      f"reached_{days}d": row.values.get(f"in_time_{days}"),
                      f"reached_{days}d_pct": _r(None if share is None else 100 * share)}
        take_up = row.take_up_per_referral
        found |= {"reached": row.values.get("contacted"),
                  "attempts": row.values.get("attempts"),
                  "referrals": row.values.get("referrals"),
                  "taken_up": row.values.get("taken_up"),
                  "attempts_per_reached": _r(row.attempts_per_contact, 2),
                  "referrals_per_reached": _r(row.referrals_per_contact, 2),
                  "take_up_pct": _r(None if take_up is None else 100 * take_up)}
        rows.append(found)
    return rows


_CAMPAIGN_FIELDS = (
    ("municipio", "string", "Milan municipio of residence (1-9) or TOTAL"),
    ("people", "integer", "People whose contract ended, flagged for a call (empty: "
                          "suppressed)"),
    *(field for days in CONTACT_DEADLINES for field in (
        (f"due_{days}d", "integer", f"People whose contract ended at least {days} days ago"),
        (f"reached_{days}d", "integer", f"Of those, reached within {days} days of the end"),
        (f"reached_{days}d_pct", "number", f"Reached within {days} days, % of those due"))),
    ("reached", "integer", "People reached at all"),
    ("attempts", "integer", "Attempts to reach them (calls and other contacts)"),
    ("referrals", "integer", "Referrals to support services made for them"),
    ("taken_up", "integer", "Referrals taken up"),
    ("attempts_per_reached", "number", "Attempts per person reached"),
    ("referrals_per_reached", "number", "Referrals per person reached"),
    ("take_up_pct", "number", "Referrals taken up, % of referrals"),
)


def _demand_quarter_rows(crosswalk: Crosswalk) -> list[Row]:
    quarters = pages.recent_quarters()
    table = pages.demand_by_quarter(crosswalk, quarters)
    return [{"area": a, "quarter": str(q), "planned_hires": round(table.get((a, str(q)), 0.0))}
            for a in AREA_LABELS for q in quarters]


def _demand_month_rows(_crosswalk: Crosswalk) -> list[Row]:
    from orientamento.observatory.indicators import demand_cells

    return [{"occupation_code": c.code, "month": c.period.strftime("%Y-%m"),
             "planned_hires": round(c.hires),
             "hard_to_fill_pct": _r(100 * c.hard_hires / c.known_hires if c.known_hires
                                    else None)}
            for c in sorted(demand_cells(), key=lambda c: (c.code, c.period))]


def _projection_rows(_crosswalk: Crosswalk) -> list[Row]:
    return [{"occupation_code": p.occupation_code, "month": point["period"][:7],
             "horizon_months": horizon, "planned_hires": _r(point["mean"]),
             "lower_80": _r(point["lower"]), "upper_80": _r(point["upper"]),
             "model": p.model, "mase": _r(p.mase, 3), "interval_coverage": _r(p.coverage, 3)}
            for p in pages.projections() for horizon, point in enumerate(p.points, start=1)]


def _reach_rows(_crosswalk: Crosswalk) -> list[Row]:
    from orientamento.observatory.reach import reach

    school_year = school_year_of(clock.today())
    return [{"school_year": school_year, "municipio": r.municipio, "school_level": r.level,
             "schools": r.schools, "schools_reached": r.schools_reached, "classes": r.classes,
             "classes_reached": r.classes_reached, "hours_done": r.hours_done,
             "hours_due": r.hours_due, "hours_done_pct": _r(r.hours_share)}
            for r in reach(school_year)]


_AREA = ("area", "string", "Course area code (ITS area or IeFP sector), or TOTAL")
TABLES: tuple[Table, ...] = (
    Table("mismatch_by_area", "Disallineamento per area formativa", "Mismatch by course area",
          "Per course area: students whose interests point to it, seats of active courses, "
          "planned hires of the last 12 months mapped through the crosswalk, their shares and "
          "the gaps in percentage points.",
          (_AREA, ("area_name", "string", "Area name"),
           ("students_interested", "integer", "Students (empty: suppressed, under 10 or "
                                              "secondary suppression)"),
           ("interest_share_pct", "number", "Share of students, %"),
           ("seats", "integer", "Seats of active courses"),
           ("seats_share_pct", "number", "Share of seats, %"),
           ("planned_hires", "integer", "Planned hires, last 12 months"),
           ("demand_share_pct", "number", "Share of mapped planned hires, %"),
           ("seats_gap_pts", "number", "Seats share minus demand share, points"),
           ("interest_gap_pts", "number", "Interest share minus demand share, points"),
           ("hard_to_fill_pct", "number", "Planned hires hard to fill, %")),
          _mismatch_rows),
    Table("interest_by_area_quarter", "Interessi per area e trimestre",
          "Interest by course area and quarter",
          "Students by the area their latest interests result points to and the quarter it "
          "was submitted in, with totals; cells that could identify someone are empty.",
          (_AREA, ("quarter", "string", "Quarter (YYYYQn) or TOTAL"),
           ("students", "integer", "Students (empty: suppressed)")),
          _interest_quarter_rows, "EDUC"),
    Table("demand_by_area_quarter", "Domanda di lavoro per area e trimestre",
          "Labour demand by course area and quarter",
          "Planned hires shared among course areas through the crosswalk, by quarter.",
          (_AREA, ("quarter", "string", "Quarter (YYYYQn)"),
           ("planned_hires", "integer", "Planned hires")),
          _demand_quarter_rows),
    Table("demand_by_occupation_month", "Domanda di lavoro per professione e mese",
          "Labour demand by occupation group and month",
          "Planned hires by CP2021 occupation group and month, all imported territories.",
          (("occupation_code", "string", "CP2021 occupation group"),
           ("month", "yearmonth", "Month (YYYY-MM)"),
           ("planned_hires", "integer", "Planned hires"),
           ("hard_to_fill_pct", "number", "Planned hires hard to fill, %")),
          _demand_month_rows),
    Table("demand_projections", "Proiezioni della domanda di lavoro",
          "Labour demand projections",
          "Planned hires by occupation group 1 to 24 months ahead with 80% intervals, for the "
          "series whose model beat the seasonal-naive baseline in the backtest.",
          (("occupation_code", "string", "CP2021 occupation group"),
           ("month", "yearmonth", "Month projected (YYYY-MM)"),
           ("horizon_months", "integer", "Months after the last observed month"),
           ("planned_hires", "number", "Projected planned hires"),
           ("lower_80", "number", "Lower bound of the 80% interval"),
           ("upper_80", "number", "Upper bound of the 80% interval"),
           ("model", "string", "Model chosen by the backtest"),
           ("mase", "number", "Mean absolute scaled error of the model in the backtest"),
           ("interval_coverage", "number", "Share of backtest values inside the intervals")),
          _projection_rows),
    Table("orientation_reach_by_municipio", "Orientamento nelle scuole per municipio",
          "Orientation reach by municipio",
          "Schools and classes reached by peer visits and events in the current school year, "
          "and orientation hours done against the 30 due per class (DM 328/2022), by the "
          "municipio of the school and school level.",
          (("school_year", "string", "School year (YYYY/YYYY)"),
           ("municipio", "integer", "Milan municipio of the school (empty: outside them)"),
           ("school_level", "string", "lower_secondary or upper_secondary"),
           ("schools", "integer", "Schools with classes on the platform"),
           ("schools_reached", "integer", "Schools with a class reached"),
           ("classes", "integer", "Classes on the platform"),
           ("classes_reached", "integer", "Classes that took part in an event"),
           ("hours_done", "number", "Orientation hours done (each class up to 30)"),
           ("hours_due", "number", "Orientation hours due (30 per class)"),
           ("hours_done_pct", "number", "Hours done as a share of those due, %")),
          _reach_rows, "EDUC"),
    Table("neet_flags_by_trigger_quarter", "Percorso NEET: segnalazioni per motivo e trimestre",
          "NEET path: flags by trigger and quarter",
          "Young people neither in education nor in work flagged for outreach, by what raised "
          "the flag (risk model, contract ended, self-referral) and the quarter it was raised "
          "in, with totals; cells that could identify someone are empty.",
          (("trigger", "string", "model, contract_ended, self_referral, or TOTAL"),
           ("quarter", "string", "Quarter the flag was raised in (YYYYQn) or TOTAL"),
           ("flags", "integer", "Flags (empty: suppressed)")),
          _neet_trigger_rows, "SOCI"),
    Table("neet_path_by_municipio", "Percorso NEET: esito per municipio",
          "NEET path: furthest stage by municipio",
          "The flags of the quarters in neet_flags_by_trigger_quarter, each counted once at "
          "the furthest stage of the path it reached (waiting, not_contacted within 30 days, "
          "contacted within 30 days, referred, not_taken_up, took_up), by Milan municipio, "
          "with totals; cells that could identify someone are empty.",
          (("municipio", "string", "Milan municipio (1-9) or TOTAL"),
           ("stage", "string", "waiting, not_contacted, contacted, referred, not_taken_up, "
                               "took_up, or TOTAL"),
           ("flags", "integer", "Flags (empty: suppressed)")),
          _neet_municipio_rows, "SOCI"),
    Table("call_campaign_by_municipio",
          "Percorso NEET: chiamate a chi ha concluso un contratto, per municipio",
          "NEET path: calls to people whose contract ended, by municipio",
          "The outreach team's calls to young people whose work contract ended, by Milan "
          "municipio of residence, since the campaign began: people reached within 30, 45 "
          "and 60 days of the contract's end, attempts and referrals per person reached, and "
          "referrals taken up. Every count is protected by column (no count from 1 to 9, "
          "secondary suppression against the Milan total); shares and ratios are given only "
          "where the counts behind them are published.",
          _CAMPAIGN_FIELDS, _campaign_rows, "SOCI"),
)
TABLE_NAMES = tuple(t.name for t in TABLES)
BY_NAME = {t.name: t for t in TABLES}


def table_rows(name: str) -> list[Row]:
    """The rows of a public table."""
    return BY_NAME[name].build(pages.crosswalk())


def table_json(name: str) -> str:
    """A public table as JSON: its schema, licence and rows."""
    table = BY_NAME[name]
    return json.dumps({"name": table.name, "title": table.title_en, "licence": LICENCE,
                       "synthetic_demand": pages.has_synthetic_demand(),
                       "schema": table.schema(), "rows": table_rows(name)},
                      ensure_ascii=False, indent=1)


def download(name: str, fmt: str) -> Response:
    """A public table as a CSV or JSON download."""
    if fmt == "json":
        return Response(table_json(name), content_type="application/json; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename={name}.json"})
    table = BY_NAME[name]
    header = [f[0] for f in table.fields]
    rows = table_rows(name)
    return csv_download(csv_text(header, ([("" if r[h] is None else r[h]) for h in header]
                                          for r in rows)), f"{name}.csv")


def _publisher() -> dict[str, Any]:
    return {"@type": ["foaf:Agent", "dcatapit:Agent"], "foaf:name": "Comune di Milano",
            "dct:identifier": "c_f205"}


def catalogue() -> dict[str, Any]:
    """The DCAT-AP_IT catalogue of the public tables, as a JSON-LD document."""
    modified = clock.today().isoformat()
    licence = {"@id": LICENCE, "@type": ["dct:LicenseDocument", "dcatapit:LicenseDocument"],
               "dct:type": {"@id": "http://purl.org/adms/licencetype/Attribution"},
               "foaf:name": "CC BY 4.0"}
    datasets = []
    for table in TABLES:
        page = absolute_url("observatory.overview")
        distributions = [{
            "@id": absolute_url("observatory.download", table=table.name, fmt=fmt),
            "@type": ["dcat:Distribution", "dcatapit:Distribution"],
            "dct:title": f"{table.title_en} ({fmt.upper()})",
            "dcat:accessURL": {"@id": page},
            "dcat:downloadURL": {"@id": absolute_url("observatory.download", table=table.name,
                                                     fmt=fmt)},
            "dct:format": {"@id": "http://publications.europa.eu/resource/authority/"
                                  f"file-type/{fmt.upper()}"},
            "dcat:mediaType": "text/csv" if fmt == "csv" else "application/json",
            "dct:license": licence,
        } for fmt in ("csv", "json")]
        datasets.append({
            "@id": f"{page}#{table.name}",
            "@type": ["dcat:Dataset", "dcatapit:Dataset"],
            "dct:identifier": f"c_f205:observatory:{table.name}",
            "dct:title": [{"@value": table.title_it, "@language": "it"},
                          {"@value": table.title_en, "@language": "en"}],
            "dct:description": [{"@value": table.description_en, "@language": "en"}],
            "dct:publisher": _publisher(), "dct:rightsHolder": _publisher(),
            "dct:modified": {"@value": modified, "@type": "xsd:date"},
            "dcat:theme": {"@id": "http://publications.europa.eu/resource/authority/"
                                  f"data-theme/{table.theme}"},
            "dct:accrualPeriodicity": {
                "@id": "http://publications.europa.eu/resource/authority/frequency/QUARTERLY"},
            "dcat:contactPoint": {"@type": ["vcard:Organization", "dcatapit:Organization"],
                                  "vcard:fn": "Osservatorio - Comune di Milano",
                                  "vcard:hasURL": {"@id": page}},
            "dcat:keyword": [{"@value": "mismatch", "@language": "en"},
                             {"@value": "orientamento", "@language": "it"}],
            "dcat:distribution": distributions,
        })
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
            "dcatapit": "http://dati.gov.it/onto/dcatapit#", "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#"},
        "@id": absolute_url("observatory.catalogue"),
        "@type": ["dcat:Catalog", "dcatapit:Catalog"],
        "dct:title": [{"@value": "Osservatorio Orientamento Milano", "@language": "it"},
                      {"@value": "Orientamento Milano Observatory", "@language": "en"}],
        "dct:description": [{"@value": "Open data on young people's interests, training "
                                       "seats and labour demand by course area.",
                             "@language": "en"}],
        "dct:publisher": _publisher(),
        "dct:modified": {"@value": modified, "@type": "xsd:date"},
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/ITA"},
        "foaf:homepage": {"@id": absolute_url("observatory.overview")},
        "dct:license": licence,
        "dcat:dataset": datasets,
    }


def catalogue_json() -> str:
    """The catalogue as JSON-LD text."""
    return json.dumps(catalogue(), ensure_ascii=False, indent=1)
