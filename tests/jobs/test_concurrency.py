"""Eight jobs and two tracking kernels at once on the embedded store: first on a store that
does not exist yet (they all find it missing and open it at the same instant), then on the
store they made.  Nothing may be lost: every job exits 0, every run is there with its
parameters and metrics, the store is sound."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..concurrency import FirstUse, assert_every_run_recorded, run_together
from ..public.ols import ols_notebook

JOBS, KERNEL_ROWS = 8, [[100, 101, 102], [110, 111]]


def test_jobs_and_kernels_at_once_on_a_new_then_an_existing_embedded_store(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'ols'\n")
    ols_notebook(project)
    database = project / ".nb2prod" / "mlflow.db"
    env = {"MLFLOW_TRACKING_URI": "", "PYTHONDONTWRITEBYTECODE": "1"}  # the embedded store

    rounds = []
    for first, gate in ((20, FirstUse(tmp_path / "gate")), (40, None)):
        assert database.exists() == (gate is None)
        kernel_rows = [[first + rows for rows in each] for each in KERNEL_ROWS]
        together = run_together(project, list(range(first, first + JOBS)), kernel_rows, env, gate)
        assert not together.failures(), together.failures()
        if gate:  # every job's recorder and both kernels opened the new store at once
            assert together.gathered == JOBS + len(KERNEL_ROWS)
        rounds.append(together)

    from mlflow import MlflowClient

    assert_every_run_recorded(MlflowClient(f"sqlite:///{database}"), rounds)
    _assert_sound(database)


def _assert_sound(database: Path) -> None:
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master")]
        assert not [name for name in tables if name.startswith("_alembic_tmp_")]
        (experiments,) = db.execute("SELECT count(*) FROM experiments").fetchone()
    assert experiments == 2  # MLflow's Default and the notebook's, each created once
