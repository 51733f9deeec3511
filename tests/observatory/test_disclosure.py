"""Disclosure control: no published count of people under 10, and no suppressed cell can be
recovered from what is published, whether by subtraction from totals or by solving the
table's equations. The attacker here is written apart from ``disclosure.py``: it reads only
the published tables."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import numpy as np
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.observatory.disclosure import THRESHOLD, protect
from orientamento.observatory.opendata import TABLES, TOTAL
from orientamento.orgs.models import School
from tests.observatory.factories import interest_result, refresh_interest
from tests.risk.factories import make_flag, make_person

Cell = tuple[str, str]
#: Tables that count people, and the field that holds the count.
PEOPLE_FIELDS = {"mismatch_by_area": "students_interested", "interest_by_area_quarter": "students",
                 "neet_flags_by_trigger_quarter": "flags", "neet_path_by_municipio": "flags"}


def subtraction_attack(cells: dict[Cell, int | None], rows: list[str], columns: list[str]
                       ) -> dict[Cell, int]:
    """Recover hidden cells by repeatedly subtracting the known cells of a line from its
    total: the attack a reader of the table can do by hand. Cells (r, TOTAL), (TOTAL, c) and
    (TOTAL, TOTAL) are the totals."""
    known = {k: v for k, v in cells.items() if v is not None}
    lines = [[(r, TOTAL), *((r, c) for c in columns)] for r in [*rows, TOTAL]]
    lines += [[(TOTAL, c), *((r, c) for r in rows)] for c in [*columns, TOTAL]]
    found: dict[Cell, int] = {}
    progress = True
    while progress:
        progress = False
        for total, *parts in lines:
            unknown = [k for k in [total, *parts] if k not in known]
            if len(unknown) != 1:
                continue
            (cell,) = unknown
            rest = sum(known[p] for p in parts if p in known)
            value = rest if cell == total else known[total] - rest
            known[cell] = found[cell] = value
            progress = True
    return found


def equation_attack(cells: dict[Cell, int | None], rows: list[str], columns: list[str]
                    ) -> dict[Cell, int]:
    """Recover hidden cells whose smallest and largest feasible values (counts are at least
    0; every row and column adds up) are the same."""
    hidden = [k for k, v in cells.items() if v is None]
    if not hidden:
        return {}
    position = {k: i for i, k in enumerate(hidden)}
    matrix, target = [], []
    for line in ([[(r, TOTAL), *((r, c) for c in columns)] for r in [*rows, TOTAL]]
                 + [[(TOTAL, c), *((r, c) for r in rows)] for c in [*columns, TOTAL]]):
        coefficients, constant = np.zeros(len(hidden)), 0.0
        for sign, cell in ((1.0, line[0]), *((-1.0, p) for p in line[1:])):
            if cell in position:
                coefficients[position[cell]] += sign
            else:
                constant -= sign * float(cells[cell] or 0)
        if coefficients.any():
            matrix.append(coefficients)
            target.append(constant)
    found: dict[Cell, int] = {}
    for cell, i in position.items():
        objective = np.zeros(len(hidden))
        objective[i] = 1
        low = linprog(objective, A_eq=matrix or None, b_eq=target or None, bounds=(0, None))
        high = linprog(-objective, A_eq=matrix or None, b_eq=target or None, bounds=(0, None))
        if low.status == 0 and high.status == 0 and abs(low.fun + high.fun) < 0.5:
            found[cell] = round(low.fun)
    return found


def assert_safe(cells: dict[Cell, int | None], rows: list[str], columns: list[str]) -> None:
    """No published count from 1 to 9, and no hidden cell recoverable."""
    small = {k: v for k, v in cells.items() if v is not None and 0 < v < THRESHOLD}
    assert not small, f"published counts under {THRESHOLD}: {small}"
    recovered = subtraction_attack(cells, rows, columns)
    assert not recovered, f"recovered by subtraction: {recovered}"
    solved = equation_attack(cells, rows, columns)
    assert not solved, f"recovered from the equations: {solved}"


def published(table: object) -> dict[Cell, int | None]:
    """A SafeTable as the attacker sees it, totals included."""
    cells: dict[Cell, int | None] = dict(table.cells)  # type: ignore[attr-defined]
    cells |= {(r, TOTAL): v for r, v in table.row_totals.items()}  # type: ignore[attr-defined]
    cells |= {(TOTAL, c): v for c, v in table.column_totals.items()}  # type: ignore[attr-defined]
    cells[(TOTAL, TOTAL)] = table.total  # type: ignore[attr-defined]
    return cells


@given(st.integers(1, 6).flatmap(lambda n: st.integers(1, 5).flatmap(
    lambda m: st.lists(st.lists(st.integers(0, 40), min_size=m, max_size=m),
                       min_size=n, max_size=n))))
@settings(max_examples=80, deadline=None)
def test_protected_tables_resist_both_attacks(values: list[list[int]]) -> None:
    rows = [f"r{i}" for i in range(len(values))]
    columns = [f"c{j}" for j in range(len(values[0]))]
    counts = {(r, c): values[i][j] for i, r in enumerate(rows) for j, c in enumerate(columns)}
    table = protect(counts, rows, columns)
    cells = published(table)
    assert_safe(cells, rows, columns)
    for key, value in table.cells.items():
        assert value is None or value == counts[key]


def test_the_attacker_does_find_a_lone_suppressed_cell() -> None:
    """The attack works: with primary suppression only, it recovers the hidden cell."""
    cells: dict[Cell, int | None] = {("a", "x"): None, ("b", "x"): 30, ("a", TOTAL): None,
                                     ("b", TOTAL): 30, (TOTAL, "x"): 34, (TOTAL, TOTAL): 34}
    assert subtraction_attack(cells, ["a", "b"], ["x"]) == {("a", "x"): 4, ("a", TOTAL): 4}
    assert equation_attack(cells, ["a", "b"], ["x"])[("a", "x")] == 4


def _students(make_user: Callable[..., User], make_school: Callable[..., School]) -> None:
    """Students in a few areas and quarters, some groups small enough to be suppressed."""
    from orientamento.courses.services import load_reference_data

    load_reference_data()
    school = make_school(municipio=4)
    profiles = [{"R": 20.0, "I": 90.0, "A": 15.0, "S": 10.0, "E": 20.0, "C": 75.0},
                {"R": 10.0, "I": 20.0, "A": 95.0, "S": 40.0, "E": 50.0, "C": 10.0},
                {"R": 90.0, "I": 60.0, "A": 10.0, "S": 10.0, "E": 20.0, "C": 50.0},
                {"R": 10.0, "I": 20.0, "A": 20.0, "S": 95.0, "E": 60.0, "C": 30.0}]
    plan = [(0, 0, 14), (1, 0, 3), (2, 0, 12), (3, 0, 11), (0, 100, 12), (1, 100, 5),
            (2, 100, 2), (3, 100, 15)]
    for profile, days_ago, count in plan:
        for _ in range(count):
            student = make_user(Role.STUDENT, school_id=school.id)
            interest_result(student, profiles[profile],
                            clock.now() - timedelta(days=days_ago))
    db.session.commit()
    # Flags on the NEET path: some groups large enough to publish, some not.
    for municipio, days_ago, count, trigger in ((2, 45, 12, "contract_ended"),
                                                (4, 200, 3, "contract_ended"),
                                                (6, 5, 11, "contract_ended"),
                                                (6, 45, 2, "contract_ended")):
        for _ in range(count):
            make_flag(make_person(municipio), None, trigger=trigger,
                      raised_at=clock.now() - timedelta(days=days_ago))
    assert refresh_interest() == sum(count for _p, _d, count in plan)


#: The call campaign's count columns, and the shares and ratios computed from them.
CAMPAIGN_COUNTS = ("people", "due_30d", "reached_30d", "due_45d", "reached_45d", "due_60d",
                   "reached_60d", "reached", "attempts", "referrals", "taken_up")
CAMPAIGN_RATIOS = {"reached_30d_pct": ("due_30d", "reached_30d"),
                   "reached_45d_pct": ("due_45d", "reached_45d"),
                   "reached_60d_pct": ("due_60d", "reached_60d"),
                   "attempts_per_reached": ("attempts", "reached"),
                   "referrals_per_reached": ("referrals", "reached"),
                   "take_up_pct": ("taken_up", "referrals")}


def _attack_campaign(document: dict[str, object]) -> None:
    """Each count column of the call campaign is a one-way table by municipio with its Milan
    total; a ratio is never published beside a hidden count."""
    rows = document["rows"]
    assert isinstance(rows, list)
    municipi = [r["municipio"] for r in rows if r["municipio"] != TOTAL]
    total = next(r for r in rows if r["municipio"] == TOTAL)
    hidden = 0
    for column in CAMPAIGN_COUNTS:
        cells = {(r["municipio"], "n"): r[column] for r in rows if r["municipio"] != TOTAL}
        cells |= {(m, TOTAL): v for (m, _n), v in list(cells.items())}
        cells |= {(TOTAL, "n"): total[column], (TOTAL, TOTAL): total[column]}
        hidden += sum(1 for v in cells.values() if v is None)
        assert_safe(cells, municipi, ["n"])
    assert hidden, "the fixture has small groups: something must be suppressed"
    for row in rows:
        for ratio, needed in CAMPAIGN_RATIOS.items():
            if any(row[name] is None for name in needed):
                assert row[ratio] is None, (row["municipio"], ratio)


def test_every_public_table_that_counts_people_resists_recovery(
        client: FlaskClient, make_user: Callable[..., User],
        make_school: Callable[..., School]) -> None:
    _students(make_user, make_school)
    campaign_attacked = False
    for table in TABLES:
        fields = {name for name, _type, _doc in table.fields}
        if table.name == "call_campaign_by_municipio":
            _attack_campaign(json.loads(client.get(f"/observatory/data/{table.name}.json").data))
            campaign_attacked = True
            continue
        if table.name not in PEOPLE_FIELDS:
            assert not fields & {"students", "students_interested", "flags"}, table.name
            continue
        document = json.loads(client.get(f"/observatory/data/{table.name}.json").data)
        field = PEOPLE_FIELDS[table.name]
        if table.name == "mismatch_by_area":
            rows = [r for r in document["rows"] if r["area"] != TOTAL]
            total = next(r for r in document["rows"] if r["area"] == TOTAL)[field]
            # A share or a gap published beside a hidden count would give it away.
            for row in rows:
                if row[field] is None:
                    assert row["interest_share_pct"] is None and row["interest_gap_pts"] is None
            cells = {(r["area"], "n"): r[field] for r in rows}
            cells |= {(r["area"], TOTAL): r[field] for r in rows}
            cells |= {(TOTAL, "n"): total, (TOTAL, TOTAL): total}
            areas = [r["area"] for r in rows]
            assert any(v is None for v in cells.values())
            assert_safe(cells, areas, ["n"])
        else:
            row_key, column_key = (name for name, _type, _doc in table.fields[:2])
            cells = {(r[row_key], r[column_key]): r[field] for r in document["rows"]}
            areas = sorted({a for a, _q in cells if a != TOTAL})
            quarters = sorted({q for _a, q in cells if q != TOTAL})
            assert any(v is None for v in cells.values())
            assert any(v is not None and v > 0 for v in cells.values())
            assert_safe(cells, areas, quarters)
        csv_text = client.get(f"/observatory/data/{table.name}.csv").get_data(as_text=True)
        assert csv_text.count("\n") == len(document["rows"]) + 1
    assert campaign_attacked
    # The two NEET tables count the same flags: a grand total hidden in one is hidden in both.
    totals = {json.dumps(next(r["flags"] for r in json.loads(client.get(
        f"/observatory/data/{name}.json").data)["rows"] if list(r.values()).count(TOTAL) == 2))
        for name in ("neet_flags_by_trigger_quarter", "neet_path_by_municipio")}
    assert len(totals) == 1
