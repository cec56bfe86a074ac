"""Shared test helpers: real notebooks written with nbformat, linted through the engine."""

from __future__ import annotations

import fcntl
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from nb2prod.config import LintOverrides, lint_settings
from nb2prod.linter.engine import lint_file

# pytester: the pytest plugin (tests/jobs); jupyter_server: the REST API (tests/server)
pytest_plugins = ["pytester", "pytest_jupyter.jupyter_server"]

FIXTURES = Path(__file__).parent / "fixtures"
BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))  # bench/ is not a package: tests import its modules by name
NB2PROD = str(Path(sys.executable).with_name("nb2prod"))


def nb2prod_cli(*args, cwd=None, timeout: float = 600) -> subprocess.CompletedProcess:
    """The installed ``nb2prod`` command as a user runs it, its output captured."""
    return subprocess.run(
        [NB2PROD, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=timeout
    )


def code(source: str, *, count: int | None = None, tags=(), outputs=(), **metadata):
    """A code cell; ``outputs`` are nbformat output nodes."""
    cell = nbformat.v4.new_code_cell(source, execution_count=count)
    if tags:
        cell.metadata["tags"] = list(tags)
    cell.metadata.update(metadata)
    cell.outputs = list(outputs)
    return cell


def markdown(source: str):
    return nbformat.v4.new_markdown_cell(source)


def stream(text: str, name: str = "stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


def result(text: str, count: int = 1):
    return nbformat.v4.new_output(
        "execute_result", data={"text/plain": text}, execution_count=count
    )


def error(ename: str = "ValueError", evalue: str = "boom"):
    return nbformat.v4.new_output(
        "error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]
    )


def write_notebook(path: Path, cells, *, metadata=None) -> Path:
    """Write ``cells`` (sources or nbformat cells) as a v4.5 Python notebook at ``path``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    if metadata:
        nb.metadata.update(metadata)
    nb.cells = [code(c) if isinstance(c, str) else c for c in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def packages_imported_by(code: str) -> set[str]:
    """The top-level packages a fresh interpreter has imported after running ``code``
    (which may assert): what a command-line run of it would load."""
    script = code + "\nimport sys\nprint(' '.join({m.split('.')[0] for m in sys.modules}))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def write_files(folder: Path, files: dict[str, str]) -> None:
    """Write a project's files (dedented), relative paths -> text, into ``folder``."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


@pytest.fixture
def lint_cells(tmp_path):
    """``lint_cells(cells, select=["NB201"], name="nb.ipynb", **overrides) -> [Finding]``.

    Writes a real notebook into a fresh folder (with an empty pyproject.toml so no
    configuration outside the test applies) and lints it with the engine.
    """

    def run(cells, *, select=None, name="nb.ipynb", metadata=None, **overrides):
        (tmp_path / "pyproject.toml").touch()
        path = write_notebook(tmp_path / name, cells, metadata=metadata)
        settings = lint_settings(
            str(path), LintOverrides(select=tuple(select) if select else None, **overrides)
        )
        return lint_file(str(path), settings).findings

    run.folder = tmp_path
    return run


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def built_once(tmp_path_factory, worker_id: str, name: str, build) -> dict:
    """``build(folder)``'s answer (JSON), made once per test run: xdist workers take turns
    on a lock beside their temporary folders, and the first one builds in ``name/``."""
    if worker_id == "master":
        return build(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent  # one per test run, seen by every worker
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / f"{name}.json"
        if not done.exists():
            root = shared / name
            root.mkdir()
            done.write_text(json.dumps(build(root)))
        return json.loads(done.read_text())


def run_bench(script: str, *args, timeout: float) -> str:
    """``bench/SCRIPT ARGS`` in this Python; its report (stdout) once it exited 0."""
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def goal_names(report: str) -> list[str]:
    """The goals a benchmark's report lists, PASS or MISS."""
    return re.findall(r"^(?:PASS|MISS)\s+(.+?)\s{2,}", report, flags=re.MULTILINE)
