"""Tracked cells in kernels that nobody tells their notebook: real papermill (CLI and Python
API) and real ``jupyter nbconvert --execute`` on reduced public notebooks, then
``nb2prod runs NOTEBOOK`` as a user runs it; VS Code's variable; and the one warning when
the notebook cannot be known."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from ..conftest import nb2prod_cli
from ..public.digits import NOTEBOOK, digits_notebook
from ..public.papermill_simple import TRACKED, simple_notebook

BIN = Path(sys.executable).parent
# What would name the notebook in other ways, gone: each test shows one way of its own.
_TOLD = ("JPY_SESSION_NAME", "NB2PROD_NOTEBOOK", "NB2PROD_JOB_LOG", "NB2PROD_NO_TRACK")


@pytest.fixture
def clean_env(monkeypatch, store_uri):
    for name in _TOLD:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store_uri)
    return {**os.environ}


@pytest.fixture
def digits(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'digits'\n")
    return digits_notebook(tmp_path / "notebooks")


def _listed(notebook: Path, cwd: Path) -> list[dict]:
    done = nb2prod_cli("runs", notebook, "--format", "json", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["runs"]


def _stderr(executed: Path) -> str:
    node = nbformat.read(executed, as_version=4)
    return "".join(
        o.get("text", "")
        for c in node.cells
        for o in c.get("outputs", [])
        if o.get("name") == "stderr"
    )


def test_papermill_cli_records_the_notebook_and_its_parameters(digits, clean_env, tmp_path):
    (tmp_path / "out").mkdir()
    done = subprocess.run(
        [BIN / "papermill", f"notebooks/{NOTEBOOK}", "out/executed.ipynb", "-p", "gamma", "0.002"],
        cwd=tmp_path,  # the kernel runs here, not in the notebook's folder
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "nb2prod: warning" not in _stderr(tmp_path / "out/executed.ipynb")
    (run,) = _listed(Path("notebooks") / NOTEBOOK, tmp_path)
    assert run["experiment"] == f"notebooks/{NOTEBOOK}" and run["status"] == "FINISHED"
    assert run["params"] == {"gamma": "0.002", "test_size": "0.5"}  # gamma: not a metric
    assert run["metrics"]["accuracy"] > 0.9 and "gamma" not in run["metrics"]
    assert run["tags"]["nb2prod.notebook"] == f"notebooks/{NOTEBOOK}"
    table = nb2prod_cli("runs", f"notebooks/{NOTEBOOK}", cwd=tmp_path).stdout
    assert "gamma=0.002 test_size=0.5" in table


def test_papermill_python_api_is_found_through_its_output(digits, clean_env, tmp_path):
    import papermill

    (tmp_path / "out").mkdir()
    papermill.execute_notebook(
        str(digits),
        str(tmp_path / "out" / "executed.ipynb"),
        parameters={"test_size": 0.25},
        cwd=str(tmp_path),  # the caller's command line names no notebook
        progress_bar=False,
    )
    (run,) = _listed(digits, tmp_path)
    assert run["params"] == {"gamma": "0.001", "test_size": "0.25"}
    assert run["tags"]["nb2prod.notebook"] == f"notebooks/{NOTEBOOK}"


def test_nbconvert_execute_records_the_notebook_and_its_defaults(digits, clean_env, tmp_path):
    done = subprocess.run(
        [BIN / "jupyter", "nbconvert", "--to", "notebook", "--execute",
         f"notebooks/{NOTEBOOK}", "--output-dir", "out"],
        cwd=tmp_path,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (run,) = _listed(digits, tmp_path)
    assert run["params"] == {"gamma": "0.001", "test_size": "0.5"}
    assert run["metrics"]["accuracy"] > 0.9
    assert run["tags"]["nb2prod.notebook"] == f"notebooks/{NOTEBOOK}"


def test_an_unknown_notebook_is_said_once_and_parameters_still_logged(clean_env, tmp_path):
    """papermill's Python API with its output outside the kernel's folder: nothing shows
    the notebook; papermill's injected cell still gives the parameters."""
    import papermill
    from mlflow import MlflowClient

    simple = simple_notebook(tmp_path / "input")
    node = nbformat.read(simple, as_version=4)
    node.cells.append(nbformat.v4.new_code_cell(TRACKED))  # a second tracked cell
    nbformat.write(node, simple)
    (tmp_path / "elsewhere").mkdir()
    executed = tmp_path / "output" / "simple_output.ipynb"
    executed.parent.mkdir()
    papermill.execute_notebook(
        str(simple),
        str(executed),
        parameters={"msg": "hello"},
        cwd=str(tmp_path / "elsewhere"),
        progress_bar=False,
    )
    said = [line for line in _stderr(executed).splitlines() if "nb2prod: warning" in line]
    assert len(said) == 1, said  # two tracked cells, one warning
    assert "cannot tell which notebook" in said[0] and "NB2PROD_NOTEBOOK" in said[0]
    assert "the parameters msg" in said[0] and "'notebooks'" in said[0]
    client = MlflowClient(clean_env["MLFLOW_TRACKING_URI"])
    experiment = client.get_experiment_by_name("notebooks")
    found = client.search_runs([experiment.experiment_id])
    assert len(found) == 2 and all(r.data.params == {"msg": "hello"} for r in found)
    assert all("nb2prod.notebook" not in r.data.tags for r in found)


def test_vs_code_names_the_notebook(project, store_uri, runs):
    from .conftest import Kernel

    kernel = Kernel({"MLFLOW_TRACKING_URI": store_uri}, project)
    try:
        kernel.run("%load_ext nb2prod")
        kernel.run(f"__vsc_ipynb_file__ = {str(project / 'train.ipynb')!r}")  # as VS Code does
        reply = kernel.run("%%nb2prod track\nx = 1")
        assert reply.status == "ok" and "warning" not in reply.stderr
    finally:
        kernel.shutdown()
    assert runs()[0].data.tags["nb2prod.notebook"] == "train.ipynb"
