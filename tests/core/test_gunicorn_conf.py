"""gunicorn reads the project's ``gunicorn.conf.py`` where it is started, and each worker
freezes what it holds once the app is loaded (so full garbage collections skip it)."""

from __future__ import annotations

import gc
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_gunicorn_started_in_the_project_uses_its_worker_hook() -> None:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    # The settings are printed before the app is loaded (which needs a deployment's settings).
    printed = subprocess.run([str(gunicorn), "--print-config", "wsgi:app"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60, check=False).stdout
    settings = {name.strip(): value.strip() for name, value in
                (line.split(" = ", 1) for line in printed.splitlines() if " = " in line)}
    assert settings["config"] == "./gunicorn.conf.py"
    # gunicorn's own default is "<PostWorkerInit.post_worker_init()>".
    assert settings["post_worker_init"] == "<post_worker_init()>"


def test_a_worker_freezes_what_the_loaded_app_holds() -> None:
    hook = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_worker_init"]
    assert gc.get_freeze_count() == 0
    try:
        hook(None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
