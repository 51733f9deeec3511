"""Drive HTTP load with wrk and read its numbers back."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.session import USER_AGENT

WRK_SCRIPT = Path(__file__).resolve().parent / "summary.lua"
#: For requests with a method and body: sets wrk.method/wrk.body, then loads summary.lua.
WRK_BODY_SCRIPT = Path(__file__).resolve().parent / "request.lua"
MARKER = "BENCH_JSON "
THREADS = 2
#: wrk's default 2 s would count slow pages as timeouts instead of measuring them.
TIMEOUT = "30s"


class LoadError(RuntimeError):
    """wrk is missing or failed."""


@dataclass(frozen=True)
class LoadResult:
    """What wrk measured on one URL."""

    requests: int
    requests_per_s: float
    latency_ms: dict[str, float]
    non_2xx: int
    socket_errors: dict[str, int]
    wrk_output: str = field(repr=False)


def find_wrk() -> str:
    """Return the path of wrk, or explain how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise LoadError("wrk is not installed: run `apt-get install wrk` (Debian) and retry.")
    return path


def wrk_version(wrk: str) -> str:
    """Return wrk's version line."""
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    lines = (done.stdout or done.stderr).splitlines()
    return lines[0].strip() if lines else ""


def run_wrk(wrk: str, url: str, headers: dict[str, str], duration_s: int,
            connections: int, method: str = "GET", body: str | None = None) -> LoadResult:
    """Load ``url`` for ``duration_s`` seconds over ``connections`` connections.

    A ``body`` (or a method other than GET) goes through request.lua; its Content-Type is
    the ``Content-Type`` of ``headers``, else urlencoded form data.
    """
    sends_body = body is not None or method != "GET"
    script = WRK_BODY_SCRIPT if sends_body else WRK_SCRIPT
    command = [wrk, f"-t{min(THREADS, connections)}", f"-c{connections}", f"-d{duration_s}s",
               "--latency", "--timeout", TIMEOUT, "-s", str(script)]
    headers = dict(headers)
    content_type = headers.pop("Content-Type", "application/x-www-form-urlencoded")
    for name, value in {"User-Agent": USER_AGENT, **headers}.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    if sends_body:
        command += ["--", method, body or "", content_type]
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          timeout=duration_s + 60)
    if done.returncode != 0:
        raise LoadError(f"wrk exited with {done.returncode}:\n{done.stderr}{done.stdout}")
    return parse_output(done.stdout)


def parse_output(output: str) -> LoadResult:
    """Build a LoadResult from wrk's output and the JSON line of summary.lua."""
    lines = [line for line in output.splitlines() if line.startswith(MARKER)]
    if not lines:
        raise LoadError(f"wrk printed no summary line:\n{output}")
    data: dict[str, Any] = json.loads(lines[-1][len(MARKER):])
    seconds = data["duration_us"] / 1e6
    return LoadResult(
        requests=int(data["requests"]),
        requests_per_s=data["requests"] / seconds if seconds else 0.0,
        latency_ms={key: value / 1000 for key, value in data["latency_us"].items()},
        non_2xx=int(data["status_errors"]),
        socket_errors={key: int(data[f"{key}_errors"]) for key in ("connect", "read", "write")}
        | {"timeout": int(data["timeouts"])},
        wrk_output="\n".join(line for line in output.splitlines()
                             if not line.startswith(MARKER)),
    )
