"""A real ipykernel driven through jupyter_client, and a migrated SQLite MLflow store per
test (migrated once per session, then copied: migration takes seconds)."""

from __future__ import annotations

import os
import queue
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ..conftest import code, write_notebook


@pytest.fixture(scope="session")
def migrated_store(tmp_path_factory) -> Path:
    from nb2prod.tracking.client import TrackingStore

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


@dataclass
class Reply:
    status: str
    stdout: str = ""
    stderr: str = ""
    result: str | None = None  # text/plain of the execute_result
    error: str | None = None  # ename: evalue
    tracebacks: int = 0
    displays: list[dict] = field(default_factory=list)


class Kernel:
    """One ipykernel; ``run`` sends an execute_request with JupyterLab's metadata."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        from jupyter_client import KernelManager

        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(
            env={**os.environ, **env},
            cwd=str(cwd),
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    def run(self, source: str, *, cell_id: str | None = None, tags=(), timeout=60) -> Reply:
        metadata = {
            "cellId": cell_id,
            "tags": list(tags),
            "deletedCells": [],
            "recordTiming": False,
        }
        content = {
            "code": source,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        }
        message = self.client.session.msg("execute_request", content, metadata=metadata)
        self.client.shell_channel.send(message)
        reply = Reply(status="")
        while True:
            try:
                msg = self.client.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"no answer to {source!r}") from None
            if msg["parent_header"].get("msg_id") != message["header"]["msg_id"]:
                continue
            kind, body = msg["msg_type"], msg["content"]
            if kind == "stream":
                setattr(reply, body["name"], getattr(reply, body["name"]) + body["text"])
            elif kind == "execute_result":
                reply.result = body["data"].get("text/plain")
            elif kind == "display_data":
                reply.displays.append(body["data"])
            elif kind == "error":
                reply.error = f"{body['ename']}: {body['evalue']}"
                reply.tracebacks += 1
            elif kind == "status" and body["execution_state"] == "idle":
                break
        shell = self.client.get_shell_msg(timeout=timeout)
        reply.status = shell["content"]["status"]
        return reply

    def shutdown(self) -> None:
        if self.manager.has_kernel:
            self.client.stop_channels()
            self.manager.shutdown_kernel(now=False)


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
