"""Settings: every one read in config.py is in the README's table; ``flask`` without a safe
production configuration lists its commands and refuses to run them on one line."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from orientamento.config import PROJECT_ROOT

FLASK = Path(sys.executable).with_name("flask")
#: A backticked name in the README table's first column: ORIENTAMENTO_X, or _X after one.
TABLE_NAME = re.compile(r"`(?:ORIENTAMENTO)?_([A-Z0-9_]+)`")


def settings_read_by_config() -> set[str]:
    """The names passed to ``env("...")`` in config.py (ORIENTAMENTO_ left off)."""
    tree = ast.parse((PROJECT_ROOT / "orientamento" / "config.py").read_text())
    return {
        node.args[0].value for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id == "env" and node.args and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def settings_in_readme() -> set[str]:
    """The names in the first column of the README's settings table."""
    names: set[str] = set()
    for line in (PROJECT_ROOT / "README.md").read_text().splitlines():
        if line.startswith("| `ORIENTAMENTO_"):
            names.update(TABLE_NAME.findall(line.split("|")[1]))
    return names


def test_every_setting_is_in_the_readme_table() -> None:
    read = settings_read_by_config()
    assert {"SECRET_KEY", "LOGIN_RATE_LIMIT_IP", "SMTP_PORT"} <= read  # the parser works
    assert read - settings_in_readme() == set()


def run_flask(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``flask --app wsgi ARGS`` in production mode with no secret key set."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("ORIENTAMENTO_", "FLASK_"))}
    env.update(ORIENTAMENTO_ENV="production",
               ORIENTAMENTO_DATABASE_URL=f"sqlite:///{tmp_path / 'unused.db'}")
    return subprocess.run([str(FLASK), "--app", "wsgi", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_flask_help_works_without_configuration(tmp_path: Path) -> None:
    done = run_flask("--help", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    for command in ("courses", "outbox", "backup", "db"):
        assert re.search(rf"^\s+{command}\s", done.stdout, re.MULTILINE), done.stdout
    assert run_flask("courses", "import", "--help", tmp_path=tmp_path).returncode == 0


@pytest.mark.parametrize("args", [("db", "current"), ("courses", "export"), ("routes",),
                                  ("outbox", "send"), ("run",)])
def test_a_command_without_a_secret_key_is_a_one_line_error(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    done = run_flask(*args, tmp_path=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [
        "Error: ORIENTAMENTO_SECRET_KEY must be set to a random value of at least 32 "
        "characters outside development and testing."]
    assert not (tmp_path / "unused.db").exists()
