"""``nb2prod doctor`` against the embedded store and against a server that does not answer
(the team-server layer checks sign-in and permissions against a real server)."""

from __future__ import annotations

import socket
import time

from ..conftest import code, nb2prod_cli, write_notebook


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_every_check_passes_on_the_embedded_store(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    write_notebook(tmp_path / "train.ipynb", [code("x = 1")])
    done = nb2prod_cli("doctor", "train.ipynb", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["PASS"] * 6
    assert f"sqlite:///{tmp_path}/.nb2prod/mlflow.db (from the default" in lines[0]
    assert "'train.ipynb'" in lines[-1]  # the notebook's experiment was probed

    from mlflow import MlflowClient

    client = MlflowClient(f"sqlite:///{tmp_path}/.nb2prod/mlflow.db")
    experiment = client.get_experiment_by_name("train.ipynb")
    assert client.search_runs([experiment.experiment_id]) == []  # the probe run is deleted


def test_a_server_that_does_not_answer_fails_in_seconds_with_what_to_fix(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    done = nb2prod_cli("doctor", "--tracking-uri", url, cwd=tmp_path)
    assert time.monotonic() - started < 60
    assert done.returncode == 3, done.stdout + done.stderr
    words = [line.split()[0] for line in done.stdout.splitlines() if not line.startswith(" ")]
    assert words == ["PASS", "PASS", "FAIL", "SKIP", "SKIP", "SKIP"]
    assert f"{url} (from --tracking-uri)" in done.stdout
    assert f"the tracking server {url} does not answer" in done.stdout
    assert "fix: start it (deploy/README.md)" in done.stdout


def test_a_password_in_pyproject_fails_the_first_check(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.nb2prod]\ntracking_uri = 'http://ana:hunter22@mlflow.internal'\n"
    )
    done = nb2prod_cli("doctor", cwd=tmp_path)
    assert done.returncode == 3
    assert done.stdout.startswith("FAIL  tracking URI") and "hunter22" not in done.stdout
