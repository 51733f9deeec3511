"""Attack 2: sqlmap at level 3 on every query parameter of the public GET routes.

The routes come from the app's url map (public, GET, no URL arguments), the parameters from
each page's GET forms and self-links (like tests/core/test_query_parameters.py) and, for the
JSON API, from ``world.API_PARAMETERS``. Every HTTP exchange goes to a traffic file, whose
response statuses are the row's counts.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.attacks.common import Instances, Result, http, say
from bench.attacks.world import plausible_query, public_get_paths

TRAFFIC_STATUS = re.compile(r"^HTTP response \[#\d+\] \((\d{3})", re.MULTILINE)
FOUND = "identified the following injection point"
#: Per URL: sqlmap stops there (a bound on the run, reported when reached).
URL_TIMEOUT_S = 600
DBMS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def sqlmap_binary() -> str:
    found = Path(sys.prefix) / "bin" / "sqlmap"
    if found.exists():
        return str(found)
    which = shutil.which("sqlmap")
    if which is None:
        raise RuntimeError("sqlmap is missing: .venv/bin/pip install sqlmap")
    return which


def targets(instances: Instances, app: Any) -> list[tuple[str, dict[str, str]]]:
    """(path, parameters with a plausible value) of every public GET route with parameters."""
    found = []
    course_page = _full_page(instances.url(0), "/courses/")
    for path in public_get_paths(app):
        status, _location, _page = http(instances.url(0), "GET", path)
        if status != 200:
            continue
        query = plausible_query(path, _full_page(instances.url(0), path), course_page)
        if query:
            found.append((path, query))
    return found


def _full_page(base_url: str, path: str) -> str:
    import urllib.request

    with urllib.request.urlopen(f"{base_url}{path}", timeout=60) as response:
        return str(response.read().decode(errors="replace"))


def scan(base_url: str, path: str, values: dict[str, str], kind: str, folder: Path,
         timeout: int = URL_TIMEOUT_S) -> dict[str, Any]:
    """One sqlmap run on one URL, every parameter named with -p."""
    names = sorted(values)
    query = urllib.parse.urlencode(values)
    baseline, _location, _page = http(base_url, "GET", f"{path}?{query}")
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "root"
    traffic = folder / f"traffic-{slug}.txt"
    command = [sqlmap_binary(), "-u", f"{base_url}{path}?{query}", "-p", ",".join(names),
               "--level", "3", "--risk", "1", "--batch", "--technique", "BEUST",
               "--time-sec", "1", "--threads", "2", "--dbms", DBMS.get(kind, kind),
               "--flush-session", "--disable-coloring", "--output-dir", str(folder / "out"),
               "-t", str(traffic)]
    started = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False,
                              timeout=timeout)
        output, timed_out = done.stdout + done.stderr, False
    except subprocess.TimeoutExpired as error:
        output, timed_out = str(error.stdout or ""), True
    statuses = TRAFFIC_STATUS.findall(traffic.read_text(errors="replace")) \
        if traffic.exists() else []
    return {"path": path, "parameters": names, "baseline": baseline, "query": query,
            "injection": FOUND in output,
            "timed_out": timed_out, "statuses": statuses,
            "seconds": round(time.monotonic() - started, 1),
            "tail": output.strip().splitlines()[-3:]}


def run(instances: Instances, app: Any, kind: str, folder: Path,
        timeout: int = URL_TIMEOUT_S) -> Result:
    """Scan every target, two at a time (one per instance)."""
    result = Result("2 sqlmap --level 3 (BEUST) on public GET parameters",
                    "no injection point found; no 5xx")
    started = time.monotonic()
    found = targets(instances, app)
    say(f"sqlmap: {len(found)} URLs, {sum(len(n) for _p, n in found)} parameters")
    folder.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=2) as pool:
        scans = list(pool.map(lambda item: scan(instances.url(item[0]), item[1][0], item[1][1],
                                                kind, folder, timeout), enumerate(found)))
    for item in scans:
        for status in item["statuses"]:
            result.count(int(status), f"sqlmap on {item['path']}")
        if item["injection"]:
            result.problems.append(f"injection found on {item['path']}: {item['tail']}")
        if item["timed_out"]:
            result.notes.append(f"{item['path']}: sqlmap stopped after {timeout} s (bound)")
        result.notes.append(f"{item['path']}?{item['query']} (answers {item['baseline']}): "
                            f"{len(item['statuses'])} requests, {item['seconds']} s, "
                            f"injection {'FOUND' if item['injection'] else 'none'}")
    result.seconds = time.monotonic() - started
    return result
