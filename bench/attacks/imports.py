"""Attack 3: ``flask courses import`` and ``flask risk import`` killed (-9) at random moments.

Every attempt imports a file no other attempt shares (new course codes, new people), so each
is checked on its own: all of it is in the database or none of it. Afterwards: no snapshot
twice, the same file again is refused with a message, and both instances still serve.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import random
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select

from bench.attacks.common import Instances, Result, http, say
from bench.seed import BIN, PROJECT_ROOT, run_flask

#: The demo catalogue is copied this many times per file (new codes), so an import lasts long
#: enough to be killed in the middle.
COURSE_COPIES = 4
RISK_ROWS = 3000
AS_OF = "2026-09-30"
RNG = random.Random(2029)


@dataclass
class Attempt:
    kind: str
    number: int
    path: Path
    expected: int  # rows the file holds
    sha256: str
    killed_after_s: float = 0.0
    exit_code: int | None = None


def course_file(base: list[dict[str, str]], folder: Path, number: int) -> Attempt:
    """The demo catalogue COURSE_COPIES times over, every course under a new code."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(base[0]), lineterminator="\r\n")
    writer.writeheader()
    rows = 0
    for copy in range(COURSE_COPIES):
        for index, row in enumerate(base):
            writer.writerow(row | {"course_code": f"ATK{number:02d}-{copy:02d}-{index:04d}"})
            rows += 1
    path = folder / f"catalogue-{number:02d}.csv"
    data = out.getvalue().encode()
    path.write_bytes(data)
    return Attempt("courses", number, path, rows, hashlib.sha256(data).hexdigest())


def risk_file(folder: Path, number: int) -> Attempt:
    """RISK_ROWS new people as of AS_OF, with contact details."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["source_id", "as_of", "birth_year", "municipio", "education", "enrolled",
                     "repetitions", "early_leaver", "contracts_24m", "employment_centre",
                     "months_since_contract_end", "months_since_enrolment", "attendance_rate",
                     "gender", "citizenship_group", "disability", "language", "name", "phone",
                     "email", "address"])
    for n in range(RISK_ROWS):
        writer.writerow([f"ATK{number:02d}-{n:05d}", AS_OF, 1999 + n % 12, 1 + n % 9,
                         "lower_secondary", n % 2, n % 3, "yes" if n % 5 == 0 else "no",
                         n % 4, "no", "" if n % 3 else 1 + n % 12, n % 24, "0.9",
                         "FMX"[n % 3], "italian", "no", "it", f"Persona {n}",
                         f"+39 02 {n:07d}", f"p{number}.{n}@example.org", f"Via Test {n}"])
    path = folder / f"records-{number:02d}.csv"
    data = out.getvalue().encode()
    path.write_bytes(data)
    return Attempt("risk", number, path, RISK_ROWS, hashlib.sha256(data).hexdigest())


def command(attempt: Attempt) -> list[str]:
    return [str(BIN / "flask"), "--app", "wsgi", attempt.kind, "import", str(attempt.path)]


def timed_run(attempt: Attempt, env: dict[str, str]) -> float:
    """Run an import to the end (not killed): how long it takes."""
    started = time.monotonic()
    done = subprocess.run(command(attempt), cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, check=False)
    attempt.exit_code = done.returncode
    if done.returncode != 0:
        raise RuntimeError(f"{attempt.kind} import failed:\n{done.stderr[-2000:]}")
    return time.monotonic() - started


def killed_run(attempt: Attempt, env: dict[str, str], seconds: float) -> float | None:
    """Start the import and kill -9 it after ``seconds``; if it ended first, return how long
    it took (None when it was killed)."""
    started = time.monotonic()
    process = subprocess.Popen(command(attempt), cwd=PROJECT_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    finished: float | None = None
    try:
        process.wait(timeout=seconds)
        finished = time.monotonic() - started
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    attempt.killed_after_s = seconds
    attempt.exit_code = process.returncode
    return finished


def in_database(url: str, attempt: Attempt) -> tuple[int, int]:
    """(rows of the attempt found, snapshots of its file): courses by code, risk by sha."""
    from orientamento.courses.models import Course
    from orientamento.risk.models import RiskRecord, RiskSnapshot

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if attempt.kind == "courses":
                found = connection.scalar(select(func.count()).select_from(Course).where(
                    Course.code.like(f"ATK{attempt.number:02d}-%")))
                return int(found or 0), 0
            snapshots = connection.execute(select(RiskSnapshot.id, RiskSnapshot.rows).where(
                RiskSnapshot.sha256 == attempt.sha256)).all()
            records = connection.scalar(select(func.count()).select_from(RiskRecord).where(
                RiskRecord.snapshot_id.in_([s.id for s in snapshots])))
            return int(records or 0), len(snapshots)
    finally:
        engine.dispose()


def people(url: str) -> int:
    from orientamento.risk.models import RiskPerson

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(RiskPerson)) or 0)
    finally:
        engine.dispose()


def run(instances: Instances, url: str, env: dict[str, str], folder: Path, kills: int
        ) -> Result:
    """Time one import of each kind, then ``kills`` killed imports alternating the kinds."""
    result = Result(f"3 kill -9 during CLI imports ({kills} kills)",
                    "each file all-or-nothing; no snapshot twice; re-import refused; "
                    "site serves")
    started = time.monotonic()
    base_path = folder / "base.csv"
    run_flask(["courses", "export", "--format", "csv", "--output", str(base_path)], env)
    with base_path.open(newline="", encoding="utf-8-sig") as handle:
        base = [r for r in csv.DictReader(handle) if not r["course_code"].startswith("ATK")]
    people_before = people(url)
    durations = {"courses": timed_run(course_file(base, folder, 0), env),
                 "risk": timed_run(risk_file(folder, 0), env)}
    committed_people = RISK_ROWS
    say(f"imports: an unkilled run takes {durations}")
    attempts = []
    for n in range(1, kills + 1):
        attempt = course_file(base, folder, n) if n % 2 else risk_file(folder, n)
        took = durations[attempt.kind]  # half the kills late, when the rows are written
        low = 0.6 * took if n % 4 in (1, 2) else 0.3
        finished = killed_run(attempt, env, RNG.uniform(low, took * 1.05))
        if finished is not None:  # the machine got faster: aim earlier from now on
            durations[attempt.kind] = min(took, finished)
        found, snapshots = in_database(url, attempt)
        verdict = "all" if found == attempt.expected else "none" if found == 0 else "PARTIAL"
        if attempt.kind == "risk" and snapshots > 1:
            verdict = "DUPLICATE"
        if attempt.kind == "risk" and verdict == "all":
            committed_people += RISK_ROWS
        how = (f"ended by itself in {finished:.1f} s" if finished is not None
               else f"killed at {attempt.killed_after_s:.2f} s")
        result.notes.append(f"{attempt.kind} #{n} {how} (exit {attempt.exit_code}): {verdict}")
        if verdict not in ("all", "none"):
            result.problems.append(f"{attempt.kind} #{n}: {found} of {attempt.expected} rows, "
                                   f"{snapshots} snapshots")
        attempts.append((attempt, verdict))
    if people(url) != people_before + committed_people:
        result.problems.append(f"{people(url) - people_before} people added for "
                               f"{committed_people} imported records: a partial write")
    result.problems += refused_again(attempts, env)
    for n in range(2):
        for path in ("/healthz", "/courses/", "/courses/?q=ATK", "/events/"):
            status, _location, page = http(instances.url(n), "GET", path)
            result.count(status, f"GET {path} after the kills: {page}")
            if status != 200:
                result.problems.append(f"instance {n}: GET {path} answered {status}")
    outcomes = [v for _a, v in attempts]
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in durations.items())
    result.notes.insert(0, f"unkilled durations {timings}; "
                        f"outcomes: {outcomes.count('all')} all in, {outcomes.count('none')} "
                        "nothing in")
    result.seconds = time.monotonic() - started
    say(f"imports: {result.notes[0]}")
    return result


def refused_again(attempts: list[tuple[Attempt, str]], env: dict[str, str]) -> list[str]:
    """The first risk file that went in, imported again: refused with a one-line message."""
    done = next((a for a, v in attempts if a.kind == "risk" and v == "all"), None)
    if done is None:
        return []
    again = subprocess.run(command(done), cwd=PROJECT_ROOT, env=env, capture_output=True,
                           text=True, check=False)
    if again.returncode == 0:
        return [f"risk file #{done.number} imported twice"]
    if "Traceback" in again.stderr:
        return [f"re-importing risk file #{done.number} ends in a traceback"]
    return []
