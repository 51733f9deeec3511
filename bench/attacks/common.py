"""What every attack shares: the result row, the two gunicorn instances, HTTP and forged logins."""

from __future__ import annotations

import html
import re
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.events import REQUEST_TIMEOUT_S
from bench.server import Server, running_server
from bench.session import COOKIE_NAME, CSRF_INPUT, USER_AGENT, session_cookie

#: Rate limits far above the attacks: every request comes from 127.0.0.1, and the attacks
#: test the application behind the limiter (a 429 would hide what the view does).
UNLIMITED = "1000000 per minute"
FORM = "application/x-www-form-urlencoded"
SAMPLES = 5


def say(message: str) -> None:
    """Progress on stderr, keeping stdout for the tables."""
    print(f"attacks: {message}", file=sys.stderr, flush=True)


@dataclass
class Result:
    """One row of the table."""

    attack: str
    invariant: str
    statuses: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: int, what: str = "") -> None:
        """Record one answer; a 5xx keeps a sample."""
        self.statuses[str(status)] += 1
        if status >= 500 and status != 503 and len(self.samples) < SAMPLES:
            self.samples.append(f"{status} {what}"[:400])

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        """Answers 500-599 except 503 (busy: a lock timeout, with Retry-After, see BARE_503)."""
        return sum(n for status, n in self.statuses.items()
                   if status.startswith("5") and status != "503")

    @property
    def verdict(self) -> str:
        return "FAIL" if self.server_errors or self.problems else "held"

    def as_dict(self) -> dict[str, Any]:
        return {"attack": self.attack, "requests": self.requests,
                "statuses": dict(sorted(self.statuses.items())), "500s": self.server_errors,
                "invariant": self.invariant, "problems": self.problems, "verdict": self.verdict,
                "samples": self.samples, "notes": self.notes, "seconds": round(self.seconds, 1)}


def format_results(results: Sequence[Result]) -> str:
    """An aligned text table of the results."""
    header = ("attack", "requests", "statuses", "500s", "invariant checked", "verdict")
    lines = [(r.attack, str(r.requests),
              " ".join(f"{s}:{n}" for s, n in sorted(r.statuses.items())) or "-",
              str(r.server_errors), r.invariant, r.verdict) for r in results]
    widths = [max(len(header[i]), *(len(line[i]) for line in lines)) for i in range(6)]
    rule = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), rule]
    out += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    for r in results:
        out += [f"  {r.attack}: {p}" for p in r.problems]
        out += [f"  {r.attack}: sample {s}" for s in r.samples]
    return "\n".join(out)


@dataclass(frozen=True)
class Instances:
    """The two gunicorn instances serving one database (same secret key)."""

    servers: tuple[Server, Server]

    def url(self, n: int) -> str:
        return self.servers[n % 2].base_url

    def logs(self) -> str:
        return "\n".join(s.log_tail(200) for s in self.servers)


@contextmanager
def two_instances(env: dict[str, str], folder: Path) -> Iterator[Instances]:
    """Start two ``gunicorn -w 2`` on the same database, as two hosts behind a balancer."""
    with ExitStack() as stack:
        first = stack.enter_context(running_server(env, folder / "gunicorn-a.log"))
        second = stack.enter_context(running_server(env, folder / "gunicorn-b.log"))
        yield Instances((first, second))


WORKER_BOOT = re.compile(r"Booting worker with pid: (\d+)")


def worker_pids(server: Server) -> list[int]:
    """The live workers of an instance, from gunicorn's own log."""
    text = server.log_path.read_text(errors="replace") if server.log_path.exists() else ""
    alive = []
    for pid in dict.fromkeys(int(p) for p in WORKER_BOOT.findall(text)):
        if Path(f"/proc/{pid}").exists():
            alive.append(pid)
    return alive


#: 503 answers that did not say when to retry (a lock timeout must send Retry-After).
BARE_503: list[str] = []


def http(base_url: str, method: str, path: str, headers: dict[str, str] | None = None,
         body: str | bytes | None = None) -> tuple[int, str, str]:
    """One request (status 0 on a connection error); Location and the start of the body.

    A 503 without ``Retry-After`` is recorded in BARE_503.
    """
    import http.client

    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port,
                                            timeout=REQUEST_TIMEOUT_S)
    try:
        connection.request(method, path, body=body,
                           headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = connection.getresponse()
        page = response.read()[:600].decode(errors="replace")
        if response.status == 503 and not response.getheader("Retry-After"):
            BARE_503.append(f"{method} {path}")
        return response.status, response.getheader("Location") or "", page
    except (OSError, http.client.HTTPException) as error:
        return 0, "", repr(error)
    finally:
        connection.close()


def forged_cookies(secret_key: str, tokens: Sequence[str]) -> tuple[list[str], str]:
    """Session cookies of logged-in users and the CSRF token of their forms (bench.events)."""
    from bench.events import student_cookies

    return student_cookies(secret_key, list(tokens))


def anonymous_form(base_url: str, path: str, cookie: str = "") -> tuple[int, str, str]:
    """GET a form page: its status, the cookie to send back and the CSRF token."""
    import http.client

    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port,
                                            timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        page = response.read().decode(errors="replace")
        renewed = session_cookie(response.headers)
    finally:
        connection.close()
    match = CSRF_INPUT.search(page)
    return (response.status, f"{COOKIE_NAME}={renewed}" if renewed else cookie,
            html.unescape(match.group(1)) if match else "")


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]
              ) -> tuple[str, bytes]:
    """A multipart/form-data body: its Content-Type and bytes."""
    boundary = f"attack{time.monotonic_ns()}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                     + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)
