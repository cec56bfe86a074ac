"""A grid on a Dask scheduler tracked on the team server: the workers start without the
user's credentials, which travel with each job, and every point is recorded there."""

from __future__ import annotations

import os

import pytest

from ..conftest import code, nb2prod_cli, write_notebook
from .conftest import SERVER, client_of, nothing_kept_locally, project_using

pytestmark = pytest.mark.skipif(not SERVER, reason="needs `make test` (NB2PROD_MLFLOW_SERVER)")
LOGIN = ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD")


@pytest.fixture
def scheduler():
    """A scheduler address whose workers' environment holds no MLflow credentials."""
    distributed = pytest.importorskip("dask.distributed")
    saved = {name: os.environ.pop(name, None) for name in LOGIN}
    try:
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
    finally:
        os.environ.update({k: v for k, v in saved.items() if v is not None})
    with cluster:
        yield cluster.scheduler_address


def test_a_grid_on_a_scheduler_records_every_point_on_the_server(tmp_path, team_server, scheduler):
    project = project_using(tmp_path, team_server)
    write_notebook(
        project / "grid.ipynb",
        [code("alpha = 0.5", tags=["parameters"]), code("score = alpha * 2", tags=["nb2prod:metrics"])],
    )  # fmt: skip
    (project / "grid.yaml").write_text("alpha: [0.25, 0.75]\n")

    done = nb2prod_cli(
        "run", "grid.ipynb", "--grid", "grid.yaml", "--executor", "dask", "--scheduler", scheduler,
        cwd=project,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout + done.stderr
    client = client_of(team_server)
    experiment = client.get_experiment_by_name("grid.ipynb")
    runs = client.search_runs([experiment.experiment_id])
    assert sorted((r.data.params["alpha"], r.data.metrics["score"]) for r in runs) == [
        ("0.25", 0.5),
        ("0.75", 1.5),
    ]
    assert {r.info.status for r in runs} == {"FINISHED"}
    assert {r.data.tags["nb2prod.notebook"] for r in runs} == {"grid.ipynb"}
    nothing_kept_locally(project)
