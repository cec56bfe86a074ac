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


def test_the_hook_installs_from_a_clone_without_node(tmp_path):
    """pre-commit installs the hook's repository with pip: without Node.js (and no panel
    built) the wheel builds in seconds, without the panel, and says so."""
    listed = subprocess.run(
        ["git", "ls-files", "pyproject.toml", "hatch_build.py", "README.md", "LICENSE",
         "nb2prod", "labextension/install.json", "jupyter-config"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    ).stdout.split()  # fmt: skip
    clone = tmp_path / "clone"
    for name in listed:
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        (clone / name).write_bytes((ROOT / name).read_bytes())
    no_node = tmp_path / "bin"  # a PATH with no node, npm or jlpm on it
    no_node.mkdir()
    env = {"PATH": str(no_node), "HOME": str(tmp_path), "PIP_NO_INDEX": "1"}
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), str(clone)],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert "building without the JupyterLab panel" in built.stdout + built.stderr
    import zipfile

    (wheel,) = (tmp_path / "dist").glob("nb2prod-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "nb2prod/cli/__init__.py" in names
    assert not [n for n in names if "labextensions/nb2prod" in n]
