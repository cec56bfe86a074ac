"""The JupyterLab panel in a real browser, and the installed extension as Jupyter sees it.

The Galata/Playwright tests in ``ui-tests/`` run against Debian's Chromium; this module
runs them so they report through pytest.  They need Node, ``npm ci`` in ``ui-tests`` and
``/usr/bin/chromium``, which ``make test`` provides: it sets ``NB2PROD_UI_TESTS=1``, and
without it (a plain ``pytest tests``) this module is skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UI_TESTS = ROOT / "ui-tests"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    os.environ.get("NB2PROD_UI_TESTS") != "1",
    reason="UI tests run from `make test` (NB2PROD_UI_TESTS=1)",
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # the venv's jupyter
    return env


def _jupyter(*args: str) -> str:
    done = subprocess.run(
        [str(BIN / "jupyter"), *args], capture_output=True, text=True, env=_env(), timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)  # no colours


def test_jupyter_sees_the_panel_and_the_server_extension_enabled():
    labextensions = _jupyter("labextension", "list")
    assert re.search(r"nb2prod v\S+ enabled\s+OK", labextensions), labextensions
    server = _jupyter("server", "extension", "list")
    assert re.search(r"nb2prod\s+enabled", server), server
    assert re.search(r"nb2prod \S+ OK", server), server


def test_the_panel_in_chromium():
    """Every Galata test in ui-tests/tests passes (screenshots in test-output/ui)."""
    npx = shutil.which("npx")
    assert npx, "Node (npx) is needed for the UI tests"
    assert (UI_TESTS / "node_modules" / "@jupyterlab" / "galata").is_dir(), (
        "run `npm ci` in ui-tests (make test does)"
    )
    done = subprocess.run(
        [npx, "playwright", "test"],
        cwd=UI_TESTS,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=1200,
    )
    sys.stdout.write(done.stdout + done.stderr)  # all of it, server log included, on failure
    results = "\n".join(
        line for line in done.stdout.splitlines() if not line.lstrip().startswith("[WebServer]")
    )
    assert done.returncode == 0, results[-6000:]
    assert re.search(r"\d+ passed", results), results[-2000:]
    assert not re.search(r"\d+ failed", results), results[-6000:]
