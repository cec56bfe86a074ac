"""A team's MLflow tracking server: full MLflow in a virtual environment of its own (nb2prod's
keeps mlflow-skinny, as a data scientist's would), started once for this layer.

``make test`` builds that environment and sets ``NB2PROD_MLFLOW_SERVER`` to its ``mlflow``;
without it (a plain ``pytest tests``) this layer is skipped.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

SERVER = os.environ.get("NB2PROD_MLFLOW_SERVER")
STARTUP_S = 180  # measured 13-33 s on 2 busy cores; CI machines may be slower


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def team_server(tmp_path_factory) -> str:
    """The server's URL; its runs in SQLite, its artifacts served through its proxy."""
    home = tmp_path_factory.mktemp("team-server")
    port = _free_port()
    log_path = home / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                SERVER,
                "server",
                "--backend-store-uri",
                f"sqlite:///{home}/mlflow.db",
                "--artifacts-destination",
                str(home / "artifacts"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
            ],  # fmt: skip
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the server's workers go down with it
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, log_path)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def _wait_until_healthy(url: str, process: subprocess.Popen, log_path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while True:
        if process.poll() is not None:
            pytest.fail(f"the MLflow server exited {process.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the MLflow server was not up in {STARTUP_S} s:\n{log_path.read_text()}"
                )
            time.sleep(0.5)
