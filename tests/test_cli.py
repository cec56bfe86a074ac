"""The command line as users run it: a real `nb2prod` process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nb2prod import __version__

from .conftest import write_notebook

NB2PROD = str(Path(sys.executable).with_name("nb2prod"))


def run(*args, cwd=None):
    return subprocess.run([NB2PROD, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").touch()
    return tmp_path


def test_version_and_help():
    assert __version__ in run("--version").stdout
    out = run("lint", "--help").stdout
    assert "--format" in out and "Exit codes" in out


def test_exit_codes(project):
    write_notebook(project / "clean.ipynb", ["x = 1"])
    write_notebook(project / "broken.ipynb", ["x = ("])
    (project / "bad.ipynb").write_text("{")
    assert run("lint", "--select", "NB0", "clean.ipynb", cwd=project).returncode == 0
    result = run("lint", "--select", "NB0", "broken.ipynb", cwd=project)
    assert result.returncode == 1 and "NB001" in result.stdout
    assert (
        run("lint", "--select", "NB0", "--exit-zero", "broken.ipynb", cwd=project).returncode == 0
    )
    assert (
        run("lint", "--select", "NB0", "--fail-on", "error", "clean.ipynb", cwd=project).returncode
        == 0
    )
    single_bad = run("lint", "bad.ipynb", cwd=project)
    assert single_bad.returncode == 2 and "NB003" in single_bad.stdout
    many = run("lint", "--select", "NB0", "--format", "json", ".", cwd=project)
    assert many.returncode == 1
    statuses = {os.path.basename(f["path"]): f["status"] for f in json.loads(many.stdout)["files"]}
    assert statuses == {"bad.ipynb": "error", "broken.ipynb": "ok", "clean.ipynb": "ok"}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["lint", "missing.ipynb"], "no such file or folder"),
        (["lint", "--select", "NB9999", "."], "unknown rule selector"),
        (["lint", "--format", "xml", "."], "Invalid value for '--format'"),
        (["rule", "NB4242"], "unknown rule"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_line(project, args, words):
    result = run(*args, cwd=project)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_configuration_exits_2(project):
    (project / "pyproject.toml").write_text('[tool.nb2prod.lint]\nselct = ["NB001"]\n')
    write_notebook(project / "a.ipynb", ["x = 1"])
    result = run("lint", "a.ipynb", cwd=project)
    assert (
        result.returncode == 2
        and "unknown key(s) selct" in result.stderr
        and "hint:" in result.stderr
    )


def test_rule_documentation():
    listing = run("rule").stdout
    assert "NB001" in listing and "unparsable-cell" in listing
    page = run("rule", "NB001").stdout
    for section in (
        "## What it does",
        "## Why it blocks production",
        "## Example",
        "## Use instead",
        "## Fix",
    ):
        assert section in page
    assert run("rule", "unparsable-cell").stdout == page
    data = json.loads(run("rule", "--format", "json").stdout)
    assert {"code", "name", "severity", "doc"} <= set(data[0])


def test_default_path_is_the_current_folder(project):
    write_notebook(project / "sub" / "a.ipynb", ["x = ("])
    result = run("lint", "--select", "NB001", cwd=project)
    assert result.returncode == 1 and "a.ipynb" in result.stdout


def test_lint_does_not_import_heavy_modules(project):
    write_notebook(project / "a.ipynb", ["import os\n%matplotlib inline\nx = !ls\n", "y = 1"])
    probe = (
        "import sys\nfrom nb2prod.cli import main\n"
        "try:\n    main(['lint', '--exit-zero', 'a.ipynb'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('IPython', 'nbformat', 'mlflow', 'papermill', 'nbconvert', 'jupyter_server')"
        " if m in sys.modules)\nprint('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=project
    )
    assert "HEAVY []" in result.stderr, result.stderr


def test_explore_profile_turns_execution_state_into_info_that_does_not_fail(project):
    write_notebook(project / "draft.ipynb", ["x = 1", "print(x)"])  # never executed: NB101
    prod = run("lint", "--select", "NB1", "--format", "json", "draft.ipynb", cwd=project)
    explore = run(
        "lint",
        "--select",
        "NB1",
        "--profile",
        "explore",
        "--format",
        "json",
        "draft.ipynb",
        cwd=project,
    )
    assert prod.returncode == 1 and explore.returncode == 0
    assert {f["severity"] for f in json.loads(prod.stdout)["findings"]} == {"error"}
    assert {f["severity"] for f in json.loads(explore.stdout)["findings"]} == {"info"}
    (project / "pyproject.toml").write_text('[tool.nb2prod.lint]\nprofile = "explore"\n')
    assert run("lint", "--select", "NB1", "draft.ipynb", cwd=project).returncode == 0
    assert (
        run("lint", "--select", "NB1", "--fail-on", "info", "draft.ipynb", cwd=project).returncode
        == 1
    )


def test_bad_outputs_and_inputs_give_one_line_and_exit_2(project):
    notebook = write_notebook(project / "a.ipynb", ["x = 1"])
    before = notebook.read_bytes()
    for args, words in [
        (["-o", "missing/dir/out.txt", "a.ipynb"], "cannot write the report"),
        (["-o", "a.ipynb", "a.ipynb"], "refusing to write the report over an input"),
        (["--fix", "--diff", "a.ipynb"], "exclude each other"),
    ]:
        result = run("lint", *args, cwd=project)
        assert result.returncode == 2 and words in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert notebook.read_bytes() == before


def test_deeply_nested_json_and_fifos_do_not_stop_the_run(project):
    write_notebook(project / "good.ipynb", ["x = ("])
    (project / "deep.ipynb").write_text("[" * 5000 + "]" * 5000)
    os.mkfifo(project / "pipe.ipynb")
    result = run("lint", "--select", "NB0", "--format", "json", ".", cwd=project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    files = {f["path"]: f for f in json.loads(result.stdout)["files"]}
    assert (
        files["deep.ipynb"]["status"] == "error"
        and "nested too deeply" in files["deep.ipynb"]["error"]
    )
    assert (
        files["pipe.ipynb"]["error"] == "not a regular file"
        and files["good.ipynb"]["status"] == "ok"
    )
    fifo = run("lint", "pipe.ipynb", cwd=project)
    assert fifo.returncode == 2 and "not a regular file" in fifo.stdout


def test_the_same_notebook_given_twice_is_linted_once(project):
    write_notebook(project / "a.ipynb", ["x = ("])
    result = run(
        "lint", "--select", "NB001", "--format", "json", ".", "a.ipynb", "./a.ipynb", cwd=project
    )
    assert len(json.loads(result.stdout)["findings"]) == 1
