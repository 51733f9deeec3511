"""The call campaign to people whose contract ended, in the Observatory's NEET aggregates.

The measures are the outreach overview's own (``outreach/calls/measures.py``: who was
reached within 30, 45 and 60 days of the contract's end, attempts and referrals per person
reached, take-up per referral), by municipio. ``flask observatory refresh`` publishes their
counts (``published.py``): each count column is a one-way table by municipio with its
Milan total, protected like the other tables (no count from 1 to 9, secondary suppression
within the column). The people counted (and those due at each deadline) are flags on the
NEET path too, and may equal a municipio's row of the published path table: where that
table hides a municipio's total (or its grand total), the same cells are hidden here from
the start, so the two tables cannot be combined. Shares and ratios are computed from
published counts only; the staff page shows the unprotected measures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from orientamento.observatory.disclosure import SafeTable, protect
from orientamento.outreach.calls.measures import (
    CONTACT_DEADLINES,
    CampaignMeasures,
    campaign_measures,
)

MUNICIPI = tuple(str(n) for n in range(1, 10))
#: The published count columns, in order.
COLUMNS = ("people", *(f"{kind}_{days}" for days in CONTACT_DEADLINES
                       for kind in ("due", "in_time")),
           "contacted", "attempts", "referrals", "taken_up")
#: Columns that may repeat a municipio's flags on the NEET path table.
LINKED = ("people", *(f"due_{days}" for days in CONTACT_DEADLINES))


def counts_of(measures: CampaignMeasures) -> dict[str, int]:
    """A municipio's measures as the published count columns."""
    found = {"people": measures.people, "contacted": measures.contacted,
             "attempts": measures.attempts, "referrals": measures.referrals,
             "taken_up": measures.taken_up}
    for days in CONTACT_DEADLINES:
        found[f"due_{days}"] = measures.due[days]
        found[f"in_time_{days}"] = measures.in_time[days]
    return found


def live(today: date) -> list[CampaignMeasures]:
    """The unprotected measures per municipio, then Milan (``municipio`` None): staff only."""
    return campaign_measures(today)


def protected(today: date, path: SafeTable) -> SafeTable:
    """The published counts by municipio (rows) and column; ``path`` is the NEET path table
    by municipio as published with it. Row totals and the grand total are not published
    (the columns do not add up)."""
    counts: dict[tuple[str, str], int] = {}
    for measures in campaign_measures(today):
        if measures.municipio is not None:
            for column, value in counts_of(measures).items():
                counts[(str(measures.municipio), column)] = value
    hidden_rows = [r for r in MUNICIPI if path.row_totals.get(r) is None]
    cells: dict[tuple[str, str], int | None] = {}
    totals: dict[str, int | None] = {}
    for column in COLUMNS:
        linked = column in LINKED
        one = protect({(r, "n"): counts.get((r, column), 0) for r in MUNICIPI}, MUNICIPI,
                      ("n",), hide_total=linked and path.total is None,
                      hide_cells=[(r, "n") for r in hidden_rows] if linked else ())
        cells |= {(r, column): one.cells[(r, "n")] for r in MUNICIPI}
        totals[column] = one.total
    return SafeTable(MUNICIPI, COLUMNS, cells, dict.fromkeys(MUNICIPI, None), totals, None)


@dataclass(frozen=True)
class PublishedRow:
    """A municipio's (or Milan's: ``municipio`` "TOTAL") published counts, with the outreach
    overview's measures computed from them where every count they need is published."""

    municipio: str
    values: Mapping[str, int | None]

    def _measures(self, *needed: str) -> CampaignMeasures | None:
        if any(self.values.get(name) is None for name in needed):
            return None
        value = {k: int(v or 0) for k, v in self.values.items()}
        return CampaignMeasures(
            municipio=None, people=value["people"], contacted=value["contacted"],
            attempts=value["attempts"], referrals=value["referrals"],
            taken_up=value["taken_up"],
            due={d: value[f"due_{d}"] for d in CONTACT_DEADLINES},
            in_time={d: value[f"in_time_{d}"] for d in CONTACT_DEADLINES})

    @property
    def people(self) -> int | None:
        """People whose contract ended (flags of the campaign)."""
        return self.values.get("people")

    def share_in_time(self, days: int) -> float | None:
        """Share (0-1) of the people due at ``days`` reached within ``days``."""
        found = self._measures(f"due_{days}", f"in_time_{days}")
        return found.share_in_time(days) if found else None

    @property
    def attempts_per_contact(self) -> float | None:
        """Attempts per person reached."""
        found = self._measures("attempts", "contacted")
        return found.attempts_per_contact if found else None

    @property
    def referrals_per_contact(self) -> float | None:
        """Referrals per person reached."""
        found = self._measures("referrals", "contacted")
        return found.referrals_per_contact if found else None

    @property
    def take_up_per_referral(self) -> float | None:
        """Share (0-1) of referrals taken up."""
        found = self._measures("taken_up", "referrals")
        return found.take_up_per_referral if found else None


def published_rows(table: SafeTable) -> list[PublishedRow]:
    """The stored table as rows: each municipio, then Milan ("TOTAL")."""
    rows = [PublishedRow(r, {c: table.cells.get((r, c)) for c in table.columns})
            for r in table.rows]
    rows.append(PublishedRow("TOTAL", dict(table.column_totals)))
    return rows
