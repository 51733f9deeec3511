"""The printed table and the JSON record of a run."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.load import LoadResult
from bench.routes import RouteSpec

RESULTS_DIR = Path(__file__).resolve().parent / "results"
COLUMNS = ("route", "req/s", "p50 ms", "p95 ms", "non-2xx", "ratio")


@dataclass(frozen=True)
class Measurement:
    """One route's preflight status and wrk result."""

    route: RouteSpec
    preflight_status: int
    load: LoadResult

    @property
    def ok(self) -> bool:
        """Whether every response was a success, the preflight ones included."""
        expected = self.preflight_status == 304 if self.route.revalidate \
            else 200 <= self.preflight_status < 300
        return expected and self.load.non_2xx == 0


def machine_info(wrk_version: str) -> dict[str, Any]:
    """Describe where the numbers come from (they are only comparable within one run)."""
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "wrk": wrk_version,
    }


def rows(measurements: list[Measurement], floor: RouteSpec) -> list[dict[str, Any]]:
    """Return one JSON-ready row per route, with its throughput relative to the floor."""
    floor_rps = next(m.load.requests_per_s for m in measurements if m.route == floor)
    return [
        {
            "route": m.route.name,
            "method": m.route.method,
            "path": m.route.path,
            "logged_in_as": m.route.login,
            "preflight_status": m.preflight_status,
            "requests": m.load.requests,
            "requests_per_s": round(m.load.requests_per_s, 1),
            "latency_ms": {key: round(value, 2) for key, value in m.load.latency_ms.items()},
            "non_2xx": m.load.non_2xx,
            "socket_errors": m.load.socket_errors,
            "ratio_to_floor": round(m.load.requests_per_s / floor_rps, 3) if floor_rps else None,
            "wrk_output": m.load.wrk_output,
        }
        for m in measurements
    ]


def format_table(table: list[dict[str, Any]]) -> str:
    """Render the rows as an aligned text table."""
    lines = []
    for row in table:
        ratio = row["ratio_to_floor"]
        note = "" if 200 <= row["preflight_status"] < 300 else (
            f"  <- preflight answered {row['preflight_status']}")
        lines.append((
            row["route"], f"{row['requests_per_s']:.1f}", f"{row['latency_ms']['p50']:.1f}",
            f"{row['latency_ms']['p95']:.1f}", str(row["non_2xx"]),
            f"{ratio:.2f}" if ratio is not None else "-", note,
        ))
    width = max(len(COLUMNS[0]), *(len(line[0]) for line in lines))
    header = f"{COLUMNS[0]:<{width}}" + "".join(f"{name:>10}" for name in COLUMNS[1:])
    body = [f"{line[0]:<{width}}" + "".join(f"{cell:>10}" for cell in line[1:6]) + line[6]
            for line in lines]
    return "\n".join([header, "-" * len(header), *body])


def write_json(path: Path, document: dict[str, Any]) -> Path:
    """Write the run's record, creating the results folder when needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
