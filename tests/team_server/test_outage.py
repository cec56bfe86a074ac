"""The team server goes down while jobs run and a kernel tracks cells, then comes back on
the same port and databases: the jobs keep their executed notebooks and exit 3, the
kernel's cell goes on with one warning, `nb2prod doctor` and `nb2prod runs` say the server
does not answer, and once it is back a new job and the same kernel log again."""

from __future__ import annotations

import subprocess
import time

import pytest

from ..conftest import NB2PROD, code, write_notebook
from ..kernel.conftest import Kernel
from .conftest import SERVER, client_of, project_using
from .test_auth import cli

pytestmark = pytest.mark.skipif(not SERVER, reason="needs `make test` (NB2PROD_MLFLOW_SERVER)")

# The job tells the test it runs, then waits until the test has stopped the server.
GATE = """import pathlib, time
pathlib.Path(f"started-{label}").touch()
while not pathlib.Path("go").exists():
    time.sleep(0.1)"""


def _wait_for(paths, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not all(path.exists() for path in paths):
        assert time.monotonic() < deadline, f"the jobs did not start: {paths}"
        time.sleep(0.2)


def _metric_runs(url: str, experiment: str, metric: str) -> list:
    found = client_of(url).get_experiment_by_name(experiment)
    runs = client_of(url).search_runs([found.experiment_id]) if found else []
    return [run for run in runs if metric in run.data.metrics]


def test_a_server_down_mid_job_keeps_the_notebook_and_runs_log_again_after_a_restart(
    tmp_path, team_stack
):
    url = team_stack.url
    project = project_using(tmp_path, url)
    write_notebook(
        project / "outage-gated.ipynb",
        [
            code("label = 'a'", tags=["parameters"]),
            code(GATE),
            code("score = 0.75", tags=["nb2prod:metrics"]),
        ],
    )
    write_notebook(project / "outage-explore.ipynb", [code("epochs = 3", tags=["parameters"])])
    kernel = Kernel({"JPY_SESSION_NAME": str(project / "outage-explore.ipynb")}, project)
    try:
        assert kernel.run("%load_ext nb2prod").status == "ok"
        # After a failure a kernel's store waits RETRY_AFTER_S (30 s) before it tries the
        # server again; a restart here takes less, so the test shortens the wait.
        shorter = (
            "from nb2prod.tracking.store import TrackingStore\nTrackingStore.RETRY_AFTER_S = 1"
        )
        assert kernel.run(shorter).status == "ok"
        assert kernel.run("%%nb2prod track --log before\nbefore = 1").status == "ok"

        jobs = [
            subprocess.Popen(
                [NB2PROD, "run", "outage-gated.ipynb", "-p", "label", label, *extra],
                cwd=project,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for label, extra in (("a", ["-o", "out/gated-a.ipynb"]), ("b", []))
        ]
        _wait_for([project / "started-a", project / "started-b"])
        team_stack.stop()

        down = kernel.run("%%nb2prod track --log during\nduring = 2\nduring")
        assert down.status == "ok" and down.result == "2", down
        assert "nb2prod: warning: not logged to MLflow" in down.stderr
        assert f"the tracking store {url} cannot be used" in down.stderr

        (project / "go").touch()
        (with_output, without) = [job.communicate(timeout=300) for job in jobs]
        assert [job.returncode for job in jobs] == [3, 3], (with_output, without)
        assert "FINISHED outage-gated.ipynb" in with_output[0] and "FINISHED" in without[0]
        assert f"nb2prod: error: the tracking store {url} cannot be used" in with_output[1]
        assert (project / "out" / "gated-a.ipynb").is_file()  # -o: written where asked
        (kept,) = (project / ".nb2prod" / "unrecorded").glob("outage-gated-*.ipynb")
        assert f"the executed notebook is kept in {kept}" in without[1]
        assert "score = 0.75" in kept.read_text()

        doctor = cli("doctor", "outage-gated.ipynb", cwd=project)
        assert doctor.returncode == 3
        assert f"FAIL  reach the store                {url} does not answer" in (
            doctor.stdout.replace("the tracking server ", "")
        ), doctor.stdout
        listed = cli("runs", "outage-gated.ipynb", cwd=project)
        assert listed.returncode == 3 and "cannot be used" in listed.stderr

        team_stack.start()  # the same port, the same databases
        again = cli("run", "outage-gated.ipynb", "-p", "label", "c", cwd=project)
        assert again.returncode == 0, again.stdout + again.stderr
        assert len(_metric_runs(url, "outage-gated.ipynb", "score")) == 1  # only the new job's

        time.sleep(1)  # RETRY_AFTER_S, as set above
        back = kernel.run("%%nb2prod track --log after\nafter = 3")
        assert back.status == "ok" and "nb2prod:" not in back.stderr, back
    finally:
        kernel.shutdown()
    assert [
        len(_metric_runs(url, "outage-explore.ipynb", m)) for m in ("before", "during", "after")
    ] == [
        1,
        0,
        1,
    ]
