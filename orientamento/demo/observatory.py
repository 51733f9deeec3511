"""Demo labour demand: a synthetic monthly history of planned hires in the Milan province,
marked synthetic (the Observatory's pages say so), loaded through the real CSV import.

The figures are invented: a level, a trend and a season per occupation group (tourism peaks
in early summer, construction in spring), with seeded noise. One group (2.6.3, teachers) has
no course area in the crosswalk, so the pages show a coverage under 100%.
"""

from __future__ import annotations

import math
import random
from datetime import date

from orientamento.core.imports import ImportReport
from orientamento.observatory.crosswalk import load_crosswalk
from orientamento.observatory.pages import recent_quarters
from orientamento.observatory.periods import add_months
from orientamento.observatory.published import refresh_aggregates
from orientamento.observatory.transfer import import_file

YEARS = 5
SOURCE = "Synthetic demo data (not Excelsior)"
#: (CP2021 group, monthly level, yearly growth, season peak month, season amplitude,
#:  share hard to fill %)
GROUPS: tuple[tuple[str, float, float, int, float, float], ...] = (
    ("3.1.2", 420, 0.08, 10, 0.10, 58),
    ("3.1.3", 260, 0.03, 3, 0.12, 62),
    ("3.3.1", 380, 0.02, 9, 0.15, 35),
    ("3.4.1", 210, 0.05, 6, 0.30, 41),
    ("5.2.2", 900, 0.04, 6, 0.45, 48),
    ("5.1.2", 760, 0.01, 12, 0.25, 27),
    ("6.1.3", 330, 0.02, 4, 0.25, 66),
    ("6.2.3", 280, 0.03, 3, 0.15, 64),
    ("6.5.1", 190, 0.00, 9, 0.20, 30),
    ("6.5.3", 120, -0.02, 2, 0.15, 38),
    ("7.4.4", 240, 0.02, 11, 0.20, 52),
    ("2.6.3", 150, 0.01, 9, 0.60, 25),
)


def demand_csv(today: date, seed: int = 13) -> str:
    """The synthetic history, YEARS years of months up to the month before ``today``."""
    rng = random.Random(seed)  # noqa: S311 (invented demo figures, not secrets)
    last = add_months(date(today.year, today.month, 1), -1)
    first = add_months(last, -(12 * YEARS - 1))
    lines = ["occupation,territory,period,hires,hard_to_fill_pct,education"]
    for code, level, growth, peak, amplitude, hard in GROUPS:
        for step in range(12 * YEARS):
            month = add_months(first, step)
            season = 1 + amplitude * math.cos(2 * math.pi * (month.month - peak) / 12)
            trend = (1 + growth) ** (step / 12)
            hires = max(0, round(level * season * trend * rng.gauss(1, 0.06)))
            pct = min(95.0, max(5.0, hard + rng.gauss(0, 3)))
            lines.append(f"{code},015,{month:%Y-%m},{hires},{pct:.1f},any")
    return "\n".join(lines) + "\n"


def seed_demo_demand(today: date) -> ImportReport:
    """Import the synthetic history (idempotent: unchanged rows stay); flushes."""
    return import_file(demand_csv(today).encode(), source=SOURCE, synthetic=True)


def seed_demo_observatory(today: date) -> ImportReport:
    """The synthetic demand, and the counts and published tables (interest, NEET path) the
    pages read (projections take a minute: ``flask observatory refresh`` computes them)."""
    report = seed_demo_demand(today)
    refresh_aggregates(load_crosswalk(), recent_quarters())
    return report
