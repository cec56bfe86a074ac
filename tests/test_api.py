"""The public Python API (nb2prod.lint, export, verify, run): the same answers as the
command line, typed results, errors with exit codes, nothing printed."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nb2prod
from nb2prod.errors import EquivalenceMismatch, NotebookFailed, UsageError

from .conftest import FIXTURES, code, nb2prod_cli, write_notebook
from .public.ols import NOTEBOOK, ols_notebook

EXAMPLES = Path(__file__).parents[1] / "example_notebooks"


def test_the_api_is_the_package_front_door():
    assert set(nb2prod.__all__) == {
        "Nb2ProdError",
        "__version__",
        "check_drift",
        "export",
        "lint",
        "run",
        "score",
        "verify",
    }
    # Importing the subpackages (nb2prod.linter, nb2prod.exporter) shadows nothing.
    importlib.import_module("nb2prod.linter.engine")
    importlib.import_module("nb2prod.exporter.pipeline")

    assert callable(nb2prod.lint) and callable(nb2prod.export)
    with pytest.raises(AttributeError):
        nb2prod.no_such_thing  # noqa: B018


@pytest.mark.parametrize("folder", ["notebooks", "examples"])
def test_lint_gives_the_findings_of_the_json_report(folder, tmp_path, monkeypatch):
    """Real notebooks of every kind the linter meets (nbformat 3 and 4.0, R and Julia
    kernels, CRLF, no metadata, files that are no notebooks) and the examples."""
    shutil.copytree(FIXTURES / "notebooks", tmp_path / "notebooks")
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    cli = nb2prod_cli("lint", "--format", "json", folder, cwd=tmp_path)
    assert cli.returncode == 1, cli.stderr
    expected = json.loads(cli.stdout)
    monkeypatch.chdir(tmp_path)
    report = nb2prod.lint([folder])
    assert [f.to_json() for f in report.findings] == expected["findings"]
    assert [f.to_json() for f in report.files] == expected["files"]
    assert report.findings  # the comparison is about something


def test_lint_from_a_python_command_line_as_the_readme_shows(tmp_path):
    shutil.copy(EXAMPLES / "churn_exploration.ipynb", tmp_path / "nb.ipynb")
    done = subprocess.run(
        [sys.executable, "-c", "import nb2prod; print(nb2prod.lint(['nb.ipynb']).findings)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "NB501" in done.stdout and "hardcoded-secret" in done.stdout


def test_lint_options_select_and_fix(tmp_path):
    notebook = write_notebook(tmp_path / "nb.ipynb", ["!pip install pandas", "x = '/home/ana/x'"])
    report = nb2prod.lint(notebook, select=["NB3"], isolated=True)
    assert {f.code for f in report.findings} <= {"NB301", "NB403", "NB405", "NB406"}
    fixed = nb2prod.lint(notebook, select=["NB406"], fix=True, isolated=True)
    assert fixed.fixed == 1 and "%pip install pandas" in notebook.read_text()


def test_run_returns_the_jobs_result_and_raises_what_the_cli_exits_with(tmp_path, capfd):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'ols'\n")
    ols_notebook(tmp_path)
    result = nb2prod.run(
        tmp_path / NOTEBOOK, {"test_rows": 30}, output=tmp_path / "out.ipynb", track=False
    )
    assert result.status == "FINISHED" and result.params == {"test_rows": 30}
    assert (tmp_path / "out.ipynb").is_file()
    with pytest.raises(UsageError, match="test_rowz"):
        nb2prod.run(tmp_path / NOTEBOOK, {"test_rowz": 30}, track=False)

    write_notebook(tmp_path / "fails.ipynb", [code("x = 1", tags=["parameters"]), "1 / 0"])
    with pytest.raises(NotebookFailed) as failed:
        nb2prod.run(tmp_path / "fails.ipynb", track=False)
    assert failed.value.exit_code == 4 and "ZeroDivisionError" in failed.value.message
    assert failed.value.result.status == "FAILED"
    out, err = capfd.readouterr()
    assert "nb2prod" not in out + err  # the API says nothing itself


def test_export_and_verify_give_the_clis_plan_and_raise_on_a_mismatch(tmp_path, monkeypatch):
    from nb2prod.exporter.pipeline import summary

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    notebook = shutil.copy(EXAMPLES / "shipping_quotes.ipynb", tmp_path / "shipping_quotes.ipynb")
    monkeypatch.chdir(tmp_path)
    planned = nb2prod.export("shipping_quotes.ipynb", "quotes", name="quotes", dry_run=True)
    cli = nb2prod_cli(
        "export",
        "shipping_quotes.ipynb",
        "--name",
        "quotes",
        "-o",
        "quotes",
        "--dry-run",
        cwd=tmp_path,
    )
    assert cli.returncode == 0, cli.stderr
    assert planned.capture is None and planned.files
    assert cli.stdout == summary(planned) + "\n"  # the same plan and files, word for word

    result = nb2prod.export(notebook, tmp_path / "quotes", name="quotes", verify=True)
    assert result.scorecard.ok and (tmp_path / "quotes/src/quotes/_notebook.py").is_file()
    module = tmp_path / "quotes/src/quotes/_notebook.py"
    module.write_text(module.read_text().replace("(1 + surcharge), 2)", "(1 + surcharge), 1)"))
    with pytest.raises(EquivalenceMismatch) as mismatch:
        nb2prod.verify(tmp_path / "quotes")
    assert mismatch.value.exit_code == 5 and not mismatch.value.result.ok
    assert any(
        "notebook 53.96, package 54.0" in line
        for c in mismatch.value.result.checks
        for line in c.diff
    )
