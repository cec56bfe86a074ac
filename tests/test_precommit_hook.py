"""The `nb2prod-lint` pre-commit hook: the one `nb2prod init` writes, which installs the
nb2prod-lint distribution (packaging/nb2prod-lint) alone, and the repository's own
(.pre-commit-hooks.yaml), which installs the full nb2prod from a clone."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import tomllib
from packaging.requirements import Requirement

from nb2prod import __version__

from .conftest import code, write_notebook

ROOT = Path(__file__).resolve().parent.parent
LINT_PROJECT = ROOT / "packaging" / "nb2prod-lint"
#: What the linter never imports: the reason nb2prod-lint exists.
HEAVY = {
    "mlflow", "mlflow-skinny", "papermill", "nbconvert", "jupyter-server", "ipykernel",
    "sqlalchemy", "alembic", "ruff", "jupyterlab", "nb2prod", "ipython", "jedi",
}  # fmt: skip


def _hook() -> dict[str, str]:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "\n- id: nb2prod-lint\n" in text
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


def _no_node_path(tmp_path: Path) -> Path:
    """A PATH folder with git on it and no node, npm or jlpm."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "git").symlink_to(shutil.which("git") or "/usr/bin/git")
    assert not any(shutil.which(tool, path=str(folder)) for tool in ("node", "npm", "jlpm"))
    return folder


def _requirements(pyproject: Path) -> dict[str, Requirement]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return {Requirement(r).name.lower(): Requirement(r) for r in project["dependencies"]}


def test_nb2prod_lint_declares_the_full_distributions_ranges_and_none_of_the_heavy_ones():
    lint_only = _requirements(LINT_PROJECT / "pyproject.toml")
    full = _requirements(ROOT / "pyproject.toml")
    assert {"click", "nbformat", "pyyaml", "jinja2"} <= set(lint_only)
    assert not set(lint_only) & HEAVY
    for name, requirement in lint_only.items():
        assert str(requirement) == str(full[name]), f"{name}: not nb2prod's range"


def test_the_hook_init_writes_installs_the_linter_alone_without_node(tmp_path):
    """The end-to-end test of the lint-only install: nb2prod-lint's wheel built from this
    tree without Node.js, the configuration `nb2prod init` writes installed and run by
    pre-commit itself (its dependency rewritten to that wheel; the others from the index),
    and what that environment then does."""
    no_node = _no_node_path(tmp_path)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), str(LINT_PROJECT)],
        capture_output=True, text=True,
        env={"PATH": str(no_node), "HOME": str(tmp_path), "PIP_NO_INDEX": "1"},
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob(f"nb2prod_lint-{__version__}-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "nb2prod/cli/main.py" in names and "nb2prod/linter/engine.py" in names
    assert not [n for n in names if "labextension" in n or n.endswith(".pyc")]

    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / "pyproject.toml").touch()
    write_notebook(project / "clean.ipynb", [code("x = 1", count=1)])
    write_notebook(project / "dirty.ipynb", [code("value = input('threshold? ')", count=1)])
    init = subprocess.run(
        [str(Path(sys.executable).with_name("nb2prod")), "init", "--ci", "github"],
        capture_output=True, text=True, cwd=project,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    config = project / ".pre-commit-config.yaml"
    pinned = f'"nb2prod-lint=={__version__}"'
    assert config.read_text(encoding="utf-8").count(pinned) == 1
    config.write_text(
        config.read_text(encoding="utf-8").replace(pinned, json.dumps(str(wheel))),
        encoding="utf-8",
    )
    env = {**os.environ, "PATH": str(no_node), "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    env["PIP_NO_COMPILE"] = "1"  # bytecode for jedi & co. would double the test's time
    pre_commit = [sys.executable, "-m", "pre_commit"]

    started = time.monotonic()
    installed = subprocess.run(
        [*pre_commit, "install-hooks"], capture_output=True, text=True, cwd=project, env=env
    )
    seconds = time.monotonic() - started
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    (venv,) = (tmp_path / "cache").glob("repo*/py_env-*")
    size = sum(f.stat().st_size for f in venv.rglob("*") if f.is_file())
    print(f"pre-commit install-hooks: {seconds:.1f} s (no bytecode), {size / 1e6:.0f} MB")
    (site,) = venv.glob("lib/python*/site-packages")
    distributions = {
        re.sub(r"[-_.]+", "-", d.name.split("-")[0]).lower() for d in site.glob("*.dist-info")
    }
    assert "nb2prod-lint" in distributions and not distributions & HEAVY

    subprocess.run(["git", "add", ".pre-commit-config.yaml", "clean.ipynb"], cwd=project)
    clean = subprocess.run(
        [*pre_commit, "run"], capture_output=True, text=True, cwd=project, env=env
    )
    assert clean.returncode == 0, clean.stdout
    subprocess.run(["git", "add", "dirty.ipynb"], cwd=project)
    dirty = subprocess.run(
        [*pre_commit, "run"], capture_output=True, text=True, cwd=project, env=env
    )
    assert dirty.returncode == 1 and "dirty.ipynb" in dirty.stdout and "NB301" in dirty.stdout

    hook_nb2prod = str(venv / "bin" / "nb2prod")
    other = subprocess.run(
        [hook_nb2prod, "run", "clean.ipynb"], capture_output=True, text=True, cwd=project
    )
    assert other.returncode == 3 and other.stdout == "", other.stderr
    assert len(other.stderr.splitlines()) == 1 and "linter only" in other.stderr
    assert "`pip install nb2prod` gives every command" in other.stderr
    dry_run = subprocess.run(
        [hook_nb2prod, "init", "--ci", "github", "--dry-run"],
        capture_output=True, text=True, cwd=project,
    )  # fmt: skip
    assert dry_run.returncode == 0 and "kept .pre-commit-config.yaml" in dry_run.stdout
    assert "jobs:" in dry_run.stdout, dry_run.stderr  # the workflow, rendered with jinja2
    _lints_as_the_full_install(tmp_path / "closure", hook_nb2prod)


def _lints_as_the_full_install(folder: Path, hook_nb2prod: str) -> None:
    """What reaches the linter's lazily imported dependencies gives the full install's
    findings: a pasted doctest cell (IPython, or nb2prod/syntax.py without it), an nbformat 3 notebook (nbformat), a
    pre-commit configuration that strips outputs (PyYAML)."""
    folder.mkdir()
    (folder / "pyproject.toml").write_text("[tool.nb2prod.lint]\nprofile = 'prod'\n")
    (folder / ".pre-commit-config.yaml").write_text(
        "repos:\n  - repo: https://github.com/kynan/nbstripout\n    rev: 0.8.1\n"
        "    hooks:\n      - id: nbstripout\n"
    )
    write_notebook(folder / "pasted.ipynb", [code(">>> x = 1\n>>> print(x)"), "y = 2"])
    v3 = {"cell_type": "code", "input": "value = input()", "language": "python", "outputs": []}
    (folder / "old.ipynb").write_text(
        json.dumps(
            {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [v3]}]}
        )  # fmt: skip
    )
    reports = [
        subprocess.run(
            [command, "lint", "--format", "json", "."], capture_output=True, text=True, cwd=folder
        )
        for command in (hook_nb2prod, str(Path(sys.executable).with_name("nb2prod")))
    ]
    assert [r.returncode for r in reports] == [1, 1], reports[0].stderr
    assert "Traceback" not in reports[0].stderr
    assert reports[0].stdout == reports[1].stdout
    findings = json.loads(reports[0].stdout)["findings"]
    codes = {(f["path"], f["code"]) for f in findings}
    assert ("old.ipynb", "NB301") in codes
    assert not [c for c in codes if c[0] == "pasted.ipynb" and c[1] == "NB001"]
