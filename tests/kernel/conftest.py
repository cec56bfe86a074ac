"""A real ipykernel driven through jupyter_client (bench/kernel_driver.py, shared with
the tracking benchmark), and a migrated SQLite MLflow store per test (migrated once per
session, then copied: migration takes seconds)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import kernel_driver  # bench/ is on sys.path: tests/conftest.py, loaded first, puts it there
import pytest

from ..conftest import code, write_notebook


@pytest.fixture(scope="session")
def migrated_store(tmp_path_factory) -> Path:
    from nb2prod.tracking.store import TrackingStore

    path = tmp_path_factory.mktemp("store") / "mlflow.db"
    TrackingStore(f"sqlite:///{path}").client.search_experiments()
    return path


@pytest.fixture
def store_uri(tmp_path, migrated_store) -> str:
    (tmp_path / ".nb2prod").mkdir()
    shutil.copy(migrated_store, tmp_path / ".nb2prod" / "mlflow.db")
    return f"sqlite:///{tmp_path}/.nb2prod/mlflow.db"


@pytest.fixture
def project(tmp_path):
    """A project with a notebook whose parameters cell holds a secret-looking name."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    write_notebook(
        tmp_path / "train.ipynb",
        [
            code(
                "alpha = 0.5  # regularisation\napi_key = 'sk-live-12345678abcdefgh'",
                tags=["parameters"],
            ),
            code("x = alpha * 2"),
        ],
    )
    return tmp_path


class Kernel(kernel_driver.Kernel):
    """The benchmark's kernel driver, started with this process's environment plus
    ``env``."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        super().__init__({**os.environ, **env}, cwd)


@pytest.fixture
def kernel(project, store_uri):
    """A kernel of ``project/train.ipynb`` (as Jupyter starts one), nb2prod loaded."""
    env = {
        "JPY_SESSION_NAME": str(project / "train.ipynb"),
        "MLFLOW_TRACKING_URI": store_uri,
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    started = Kernel(env, project)
    assert started.run("%load_ext nb2prod").status == "ok"
    yield started
    started.shutdown()


@pytest.fixture
def runs(store_uri):
    """``runs()`` -> every run in the test's store, newest first, as MLflow entities."""
    from mlflow import MlflowClient

    client = MlflowClient(store_uri)

    def all_runs():
        ids = [e.experiment_id for e in client.search_experiments()]
        return client.search_runs(ids, order_by=["attributes.start_time DESC"]) if ids else []

    return all_runs
