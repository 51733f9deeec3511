"""Helpers for the Observatory tests: demand files, students with interest results."""

from __future__ import annotations

from datetime import date, datetime

from orientamento.assessments.models import Response
from orientamento.auth.models import User
from orientamento.extensions import db
from orientamento.observatory.periods import add_months
from orientamento.observatory.transfer import import_file

HEADER = "occupation,territory,period,hires,hard_to_fill_pct,education"


def demand_csv(rows: list[tuple[str, str, str, int, str, str]]) -> bytes:
    """A canonical demand CSV from (occupation, territory, period, hires, pct, education)."""
    lines = [HEADER, *(",".join(str(cell) for cell in row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def store_demand(rows: list[tuple[str, str, str, int, str, str]], synthetic: bool = False
                 ) -> None:
    """Import rows and commit; fail the test on any error."""
    report = import_file(demand_csv(rows), source="test", synthetic=synthetic)
    assert report.ok, report.errors
    db.session.commit()


def monthly_rows(code: str, values: list[float], first: date) -> list[
        tuple[str, str, str, int, str, str]]:
    """One row per month from ``first``."""
    return [(code, "015", f"{add_months(first, i):%Y-%m}", round(v), "", "any")
            for i, v in enumerate(values)]


def interest_result(student: User, letters: dict[str, float], at: datetime) -> Response:
    """A submitted interests result with the given percent per RIASEC letter."""
    response = Response(student_id=student.id, questionnaire_id="interests", version=1,
                        status="submitted", answers={},
                        scores={k: {"percent": v} for k, v in letters.items()},
                        submitted_at=at)
    db.session.add(response)
    db.session.flush()
    return response


#: A profile that fits the ICT occupations (Investigative, Conventional) best.
ICT_PROFILE = {"R": 20.0, "I": 90.0, "A": 15.0, "S": 10.0, "E": 20.0, "C": 75.0}


def refresh_interest() -> int:
    """Store the counts and the published tables the pages read, as ``flask observatory
    refresh`` does; returns the students placed."""
    from orientamento.observatory.crosswalk import load_crosswalk
    from orientamento.observatory.pages import recent_quarters
    from orientamento.observatory.published import refresh_aggregates

    done = refresh_aggregates(load_crosswalk(), recent_quarters())
    db.session.commit()
    return done.students
