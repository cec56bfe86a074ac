"""From "grid → best run" to "export that model": ``nb2prod export --from-run RUN_ID``
builds the package from a tracked job's build parameters and the model file it logged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ..conftest import nb2prod_cli as run
from ..kernel.conftest import migrated_store, store_uri  # noqa: F401 - fixtures
from ..public.ols import NOTEBOOK, ols_output_dir_notebook

LOGGED = "outputs/models/ols.joblib"


@pytest.fixture
def grid_runs(tmp_path, store_uri):  # noqa: F811 - the fixture imported above
    """A project whose notebook ran as a grid of two jobs keeping their models:
    (project, {test_rows: (run id, logged model bytes)})."""
    from mlflow import MlflowClient

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    ols_output_dir_notebook(tmp_path)
    (tmp_path / "grid.yaml").write_text("test_rows: [20, 40]\n")
    jobs = run("run", NOTEBOOK, "--grid", "grid.yaml", "--artifacts", "models", cwd=tmp_path)
    assert jobs.returncode == 0, jobs.stdout + jobs.stderr
    client = MlflowClient(store_uri)
    ids = [e.experiment_id for e in client.search_experiments()]
    runs = {}
    for job in client.search_runs(ids):
        local = client.download_artifacts(job.info.run_id, LOGGED, str(tmp_path / job.info.run_id))
        runs[int(job.data.params["test_rows"])] = (job.info.run_id, Path(local).read_bytes())
    assert runs[20][1] != runs[40][1]  # each job kept its own model
    return tmp_path, runs


def _packaged(out: Path) -> tuple[dict, bytes]:
    recorded = json.loads((out / "src/plot_ols/provenance.json").read_text())
    return recorded, (out / "src/plot_ols" / recorded["artifacts"]["model_path"]).read_bytes()


def test_export_from_a_grid_run_packages_that_runs_model_and_verifies(grid_runs):
    project, runs = grid_runs
    second, logged = runs[40]
    out = project / "dist" / "ols"
    result = run("export", NOTEBOOK, "--from-run", second, "-o", out, "--verify", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"test_rows=40 (from run {second})" in result.stdout
    assert f"from MLflow run {second}" in result.stdout and LOGGED in result.stdout
    assert "verified: the package gives the notebook's answers" in result.stdout
    recorded, packaged = _packaged(out)
    assert recorded["from_run"]["run_id"] == second
    assert recorded["from_run"]["artifacts"] == [{"parameter": "model_path", "path": LOGGED}]
    assert recorded["build_parameters"]["test_rows"] == 40
    assert packaged == logged


def test_p_wins_over_the_run_and_the_model_is_the_runs_not_retrained(grid_runs):
    project, runs = grid_runs
    first, logged = runs[20]
    out = project / "dist" / "first"
    result = run(
        "export", NOTEBOOK, "--from-run", first, "-p", "test_rows", "30", "-o", out, cwd=project
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test_rows=30 (from -p)" in result.stdout
    recorded, packaged = _packaged(out)
    assert recorded["build_parameters"]["test_rows"] == 30
    assert recorded["from_run"]["run_id"] == first
    assert packaged == logged  # the run's model (20 rows held out), not one fitted on 30


def test_a_wrong_run_another_notebooks_run_and_a_down_store_are_refused(grid_runs):
    project, runs = grid_runs
    second, _ = runs[40]
    missing = run("export", NOTEBOOK, "--from-run", "0" * 32, "--dry-run", cwd=project)
    assert missing.returncode == 2 and "has no such run" in missing.stderr, missing.stderr
    shutil.copy(project / NOTEBOOK, project / "other.ipynb")
    other = run("export", "other.ipynb", "--from-run", second, "--dry-run", cwd=project)
    assert other.returncode == 2, other.stderr
    assert f"the run is of {NOTEBOOK}, not of other.ipynb" in other.stderr
    down = run(
        "export", NOTEBOOK, "--from-run", second, "--dry-run",
        "--tracking-uri", "http://127.0.0.1:9", cwd=project,
    )  # fmt: skip
    assert down.returncode == 3, down.stderr
