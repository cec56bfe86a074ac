"""The `nb2prod-lint` pre-commit hook: declared as pre-commit expects and runnable as it runs it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .conftest import code, write_notebook

ROOT = Path(__file__).resolve().parent.parent


def _hook() -> dict[str, str]:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert text.startswith("- id: nb2prod-lint\n")
    return dict(re.findall(r"^\s*-?\s*(\w+): (.+)$", text, re.M))


def test_hook_declaration():
    hook = _hook()
    assert hook["id"] == "nb2prod-lint"
    assert hook["language"] == "python"
    assert hook["types"] == "[jupyter]"
    assert hook["entry"] == "nb2prod lint"


def test_hook_entry_runs_on_the_staged_files_pre_commit_passes(tmp_path):
    (tmp_path / "pyproject.toml").touch()
    clean = write_notebook(tmp_path / "clean.ipynb", [code("x = 1", count=1)])
    dirty = write_notebook(
        tmp_path / "dirty.ipynb", [code("value = input('threshold? ')", count=1)]
    )
    entry = [str(Path(sys.executable).with_name(_hook()["entry"].split()[0])), "lint"]
    ok = subprocess.run([*entry, str(clean)], capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout
    failing = subprocess.run(
        [*entry, str(clean), str(dirty)], capture_output=True, text=True, cwd=tmp_path
    )
    assert failing.returncode == 1 and "NB301" in failing.stdout
