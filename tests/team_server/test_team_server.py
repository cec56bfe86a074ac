"""The same nb2prod against a team's MLflow server instead of the embedded store: a job, a
tracked cell in a real kernel and a logged model, all through the server's REST API and
artifact proxy, from an environment with only mlflow-skinny."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from ..conftest import code, nb2prod_cli, write_notebook
from ..kernel.conftest import Kernel
from .conftest import SERVER, client_of, nothing_kept_locally, project_using

pytestmark = pytest.mark.skipif(not SERVER, reason="needs `make test` (NB2PROD_MLFLOW_SERVER)")

EXAMPLES = Path(__file__).parents[2] / "example_notebooks"


def _only_run(url: str, experiment: str):
    client = client_of(url)
    found = client.get_experiment_by_name(experiment)
    assert found is not None, f"no experiment {experiment!r} on the server"
    (run,) = client.search_runs([found.experiment_id])
    return run


def test_a_job_records_its_run_and_artifacts_on_the_server(tmp_path, team_server):
    project = project_using(tmp_path, team_server)
    write_notebook(
        project / "train.ipynb",
        [
            code("alpha = 0.5\napi_token = 'ghp_" + "k3Y9" * 9 + "'", tags=["parameters"]),
            code("loss = 1 / (alpha * 4)"),
            code("accuracy = 1 - loss", tags=["nb2prod:metrics"]),
            code("%%nb2prod track --log loss\nstep = 1"),
        ],
    )
    done = nb2prod_cli("run", "train.ipynb", "-p", "alpha", "0.25", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr

    job = _only_run(team_server, "train.ipynb")
    assert job.info.status == "FINISHED" and job.data.tags["nb2prod.kind"] == "job"
    assert job.data.params["alpha"] == "0.25" and job.data.params["api_token"] == "<redacted>"
    assert job.data.metrics["accuracy"] == 0.0 and job.data.metrics["loss"] == 1.0
    client = client_of(team_server)
    assert {a.path for a in client.list_artifacts(job.info.run_id)} == {
        "train.ipynb",
        "train.html",
    }
    executed = client.download_artifacts(job.info.run_id, "train.ipynb", str(tmp_path))
    cells = nbformat.read(executed, as_version=4).cells
    assert not any("nb2prod-job" in c.metadata.get("tags", []) for c in cells)
    nothing_kept_locally(project)

    listed = nb2prod_cli("runs", "train.ipynb", "--format", "json", cwd=project)
    assert listed.returncode == 0, listed.stderr
    assert [r["run_id"] for r in json.loads(listed.stdout)["runs"]] == [job.info.run_id]


def test_a_tracked_cell_in_a_kernel_logs_to_the_server(tmp_path, team_server):
    project = project_using(tmp_path, team_server)
    write_notebook(project / "explore.ipynb", [code("epochs = 3", tags=["parameters"])])
    kernel = Kernel({"JPY_SESSION_NAME": str(project / "explore.ipynb")}, project)
    try:
        assert kernel.run("%load_ext nb2prod").status == "ok"
        assert kernel.run("epochs = 3", tags=["parameters"]).status == "ok"
        tracked = kernel.run(
            "%%nb2prod track --log accuracy\naccuracy = 0.93\naccuracy", cell_id="fit"
        )
        assert tracked.status == "ok" and tracked.result == "0.93", tracked
        assert "nb2prod:" not in tracked.stderr  # no warning: the server took it
        assert tracked.stdout == ""  # the cell printed nothing, and neither did MLflow
        listing = kernel.run("%nb2prod runs")
    finally:
        kernel.shutdown()

    run = _only_run(team_server, "explore.ipynb")
    assert run.info.status == "FINISHED" and run.data.metrics["accuracy"] == 0.93
    assert run.data.params["epochs"] == "3" and run.data.tags["nb2prod.cell_id"] == "fit"
    assert "FINISHED" in listing.displays[0]["text/plain"]
    nothing_kept_locally(project)


def test_an_exported_model_is_logged_to_the_server_and_loads_back(tmp_path, team_server):
    project = project_using(tmp_path, team_server)
    shutil.copy(EXAMPLES / "shipping_quotes.ipynb", project / "shipping_quotes.ipynb")
    done = nb2prod_cli(
        "export", "shipping_quotes.ipynb", "-o", "quotes", "--log-model", cwd=project
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS  mlflow pyfunc, defaults" in done.stdout  # loaded back from the server

    run = _only_run(team_server, "shipping_quotes.ipynb")
    assert run.data.tags["nb2prod.notebook"] == "shipping_quotes.ipynb"
    nothing_kept_locally(project)
