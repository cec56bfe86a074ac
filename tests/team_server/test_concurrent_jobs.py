"""Eight jobs of one notebook and two kernels tracking cells of it, against the team server,
all creating the notebook's experiment at the same instant (one wins, the others hear
"already exists"): every run has to arrive, each with its own parameter value and metrics."""

from __future__ import annotations

import contextlib

import pytest

from ..concurrency import assert_every_run_recorded, run_together
from ..public.ols import NOTEBOOK, ols_notebook
from .conftest import SERVER, client_of, nothing_kept_locally, project_using

pytestmark = pytest.mark.skipif(not SERVER, reason="needs `make test` (NB2PROD_MLFLOW_SERVER)")

JOBS = 8


class NewExperiment:
    """The gate: a SHARE lock on the server's ``experiments`` table (reading it goes on,
    creating an experiment waits); a client waits at it once its insert of the experiment
    waits for the lock."""

    env: dict[str, str] = {}

    def __init__(self, postgres, name: str) -> None:
        self.postgres, self.name = postgres, name

    def hold(self) -> contextlib.AbstractContextManager:
        return self.postgres.locked("experiments", "SHARE")

    def waiting(self) -> int:
        return int(
            self.postgres.query(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                f" AND query LIKE 'INSERT INTO experiments %{self.name}%'"
            )
        )


def test_jobs_and_kernels_creating_one_new_experiment_together_all_arrive(
    tmp_path, team_server, postgres
):
    project = project_using(tmp_path / "project", team_server)
    ols_notebook(project)
    client = client_of(team_server)
    assert client.get_experiment_by_name(NOTEBOOK) is None

    gate = NewExperiment(postgres, NOTEBOOK)
    together = run_together(project, list(range(20, 20 + JOBS)), [[120, 121], [130]], {}, gate)
    assert not together.failures(), together.failures()
    assert together.gathered == JOBS + 2  # every job and both kernels met at the lock

    assert_every_run_recorded(client, [together])
    nothing_kept_locally(project)
