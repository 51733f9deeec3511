"""Start gunicorn on a free local port, wait until it answers, and always stop it."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.seed import BIN, PROJECT_ROOT

HOST = "127.0.0.1"
WORKERS = 2
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


class ServerError(RuntimeError):
    """gunicorn did not start or answer."""


@dataclass(frozen=True)
class Server:
    """A running gunicorn: where it listens and where its stderr goes."""

    base_url: str
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        """Return the last ``lines`` lines of gunicorn's stderr."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def app_environment(database_url: str) -> dict[str, str]:
    """Return the environment of a production-like app on ``database_url`` over plain HTTP."""
    env = dict(os.environ)
    env.update(
        ORIENTAMENTO_ENV="production",
        ORIENTAMENTO_SECRET_KEY=secrets.token_hex(32),
        ORIENTAMENTO_AUDIT_PSEUDONYM_KEY=secrets.token_hex(32),
        ORIENTAMENTO_FORCE_HTTPS="false",
        ORIENTAMENTO_DATABASE_URL=database_url,
    )
    return env


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(env: Mapping[str, str], log_path: Path) -> Iterator[Server]:
    """Run ``gunicorn -w 2 wsgi:app`` for the duration of the block."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "-w", str(WORKERS), "-b", f"{HOST}:{port}", "wsgi:app"]
    server = Server(base_url=f"http://{HOST}:{port}", log_path=log_path)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches every worker
        )
        try:
            wait_until_healthy(process, server)
            yield server
        finally:
            stop(process)


def wait_until_healthy(process: subprocess.Popen[bytes], server: Server) -> None:
    """Poll /healthz until it answers 200; fail early if gunicorn exits."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"gunicorn exited with {process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise ServerError(f"/healthz did not answer within {START_TIMEOUT_S:.0f} s:\n"
                      f"{server.log_tail()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate gunicorn's process group, killing it if it does not exit in time."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()
