"""Grids on Dask (``nb2prod run --grid ... --executor dask``): a real LocalCluster of two
worker processes, shared by this module's tests, running real notebooks in kernels of
their own, tracked in a real embedded store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nb2prod.jobs.dask_grid import run_on_dask
from nb2prod.jobs.runner import JobOptions

from ..conftest import code, write_notebook
from ..public.ols import DATA_CSV, ols_export_notebook
from .test_run import run

pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as connected,
    ):
        yield connected


def _ols_project(root: Path) -> Path:
    """scikit-learn's OLS example (tests/public/ols.py) in ``root/notebooks``, reading
    ``../data/diabetes.csv`` and printing where it runs."""
    from sklearn.datasets import load_diabetes

    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'ols'\n")
    (root / "data").mkdir()
    load_diabetes(as_frame=True).frame.to_csv(root / "data" / "diabetes.csv", index=False)
    where = "import os\n\nprint('running in', os.getcwd(), 'for', os.getppid())\n"
    return ols_export_notebook(root / "notebooks", data=where + DATA_CSV)


def test_a_grid_runs_on_a_local_cluster_each_point_tracked_with_its_files(
    tmp_path, client, migrated_store, monkeypatch
):
    project = tmp_path / "project"
    notebook = _ols_project(project)
    (project / ".nb2prod").mkdir()
    (project / ".nb2prod" / "mlflow.db").write_bytes(migrated_store.read_bytes())
    store = f"sqlite:///{project}/.nb2prod/mlflow.db"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # nothing runs in the notebook's folder
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    rows = [20, 40, 0]  # no rows to fit on: the third point fails
    jobs = [
        JobOptions(notebook=notebook, params={"test_rows": n}, output=Path(f"out/ols-{n}.ipynb"))
        for n in rows
    ]
    done = []

    results = run_on_dask(jobs, client=client, on_done=done.append)

    assert [r.status for r in results] == ["FINISHED", "FINISHED", "FAILED"]
    assert sorted(map(id, done)) == sorted(map(id, results))  # each reported as it came
    assert [r.params["test_rows"] for r in results] == rows  # in grid order
    assert "ValueError" in results[2].failure.message and "cell 4" in results[2].failure.message
    for result in results[:2]:
        assert result.failure is None and result.tracking_error is None
        assert 0 < result.metrics["mse"] and result.metrics["r2"] < 1
    job_processes = set()
    for result, n in zip(results, rows):
        assert result.notebook == str(notebook)
        assert result.output == Path(f"out/ols-{n}.ipynb")
        executed = nbformat.read(elsewhere / result.output, as_version=4)
        printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
        folder, parent = printed.split("running in ", 1)[1].split()[::2]
        assert folder.endswith("/notebooks") and not folder.startswith(str(tmp_path))
        job_processes.add(int(parent))
    # each worker's job process ran its points, and kept one MLflow recorder for them
    assert len(job_processes) <= 2
    for pid in job_processes:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        recorders = [c for c in children if b"nb2prod.jobs.recorder" in _cmdline(c)]
        assert len(recorders) == 1, children

    from mlflow import MlflowClient

    tracked = MlflowClient(store)
    ids = [e.experiment_id for e in tracked.search_experiments()]
    runs = {r.info.run_id: r for r in tracked.search_runs(ids)}
    assert set(runs) == {r.run_id for r in results}
    for result in results:
        run_ = runs[result.run_id]
        assert run_.info.status == result.status
        assert run_.data.params["test_rows"] == str(result.params["test_rows"])
        assert run_.data.tags["nb2prod.notebook"] == "notebooks/plot_ols.ipynb"
        assert run_.data.tags["nb2prod.kind"] == "job"
        assert {a.path for a in tracked.list_artifacts(result.run_id)} >= {"plot_ols.ipynb"}
    assert runs[results[0].run_id].data.metrics["mse"] == results[0].metrics["mse"]
    assert not (project / "notebooks" / "ols.joblib").exists()  # written in the copies


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


MODES = """\
import os
import signal

print("user", os.environ.get("MLFLOW_TRACKING_USERNAME"))  # the submitter's, forwarded
if mode == "raise":
    1 / 0
if mode == "die":  # the job's own process, the kernel's parent, is killed
    os.kill(os.getppid(), signal.SIGKILL)
answer = 42"""


def test_the_command_line_on_a_scheduler_reports_each_point_in_grid_order(tmp_path, client):
    write_notebook(
        tmp_path / "modes.ipynb",
        [code('mode = "ok"', tags=["parameters"]), code(MODES, tags=["nb2prod:metrics"])],
    )
    (tmp_path / "grid.yaml").write_text("mode: [ok, raise, die, ok]\n")

    result = run(
        "run", "modes.ipynb", "--grid", "grid.yaml", "--executor", "dask",
        "--scheduler", client.cluster.scheduler_address, "--no-track", "-o", "out", cwd=tmp_path,
        env={"MLFLOW_TRACKING_USERNAME": "grid-user"},
    )  # fmt: skip

    assert result.returncode == 4, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[:3] for line in lines[1:5]] == [
        ["1", "mode=ok", "FINISHED"],
        ["2", "mode=raise", "FAILED"],
        ["3", "mode=die", "FAILED"],
        ["4", "mode=ok", "FINISHED"],
    ]
    assert lines[5] == "4 jobs: 2 finished, 2 failed"
    assert lines[6].startswith("  #2: the notebook failed in cell")  # each failure's reason
    assert lines[7].startswith("  #3: grid point 3 did not finish")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "modes-1.ipynb", "modes-2.ipynb", "modes-4.ipynb",
    ]  # fmt: skip  # the killed job left no executed notebook
    executed = nbformat.read(tmp_path / "out" / "modes-4.ipynb", as_version=4)
    assert "user grid-user" in executed.cells[-1].outputs[0]["text"]


def test_an_embedded_store_with_a_remote_scheduler_is_refused_before_anything_runs(tmp_path):
    write_notebook(tmp_path / "nb.ipynb", [code("x = 1", tags=["parameters"])])
    (tmp_path / "grid.yaml").write_text("x: [1, 2]\n")
    result = run(
        "run", "nb.ipynb", "--grid", "grid.yaml", "--executor", "dask",
        "--scheduler", "tcp://127.0.0.1:9", cwd=tmp_path, env={"MLFLOW_TRACKING_URI": ""},
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"nb2prod: error: the tracking store sqlite:///{tmp_path}/")
    assert "remote Dask scheduler" in first
    assert "team MLflow server" in result.stderr and "--no-track" in result.stderr
    assert not (tmp_path / ".nb2prod").exists()


WITHOUT_DASK = """\
import sys

sys.modules["dask"] = sys.modules["distributed"] = None  # as if not installed
from nb2prod.cli import main

sys.argv = ["nb2prod", *sys.argv[1:]]
main()"""


def test_without_dask_the_dask_executor_says_how_to_install_it(tmp_path):
    write_notebook(tmp_path / "nb.ipynb", [code("x = 1", tags=["parameters"])])
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_DASK, "run", "nb.ipynb", "--executor", "dask"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stderr.splitlines()[0] == (
        "nb2prod: error: --executor dask needs Dask, which is not installed here"
    )
    assert "pip install 'nb2prod[dask]'" in result.stderr
    assert not (tmp_path / ".nb2prod").exists()


def test_the_run_command_and_the_dask_executor_module_do_not_import_dask():
    probe = (
        "import sys\nimport nb2prod.cli.jobs, nb2prod.jobs.grid, nb2prod.jobs.dask_grid\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": ""},
    )  # fmt: skip
    assert result.stdout.strip() == "[]"


def test_scheduler_and_workers_need_the_dask_executor(tmp_path):
    write_notebook(tmp_path / "nb.ipynb", [code("x = 1", tags=["parameters"])])
    result = run("run", "nb.ipynb", "--workers", "2", "--no-track", cwd=tmp_path)
    assert result.returncode == 2
    assert "--scheduler and --workers need --executor dask" in result.stderr
    result = run("run", "nb.ipynb", "--executor", "ray", "--no-track", cwd=tmp_path)
    assert result.returncode == 2 and "unknown executor 'ray'" in result.stderr


def test_the_credentials_a_project_names_go_to_the_job_under_both_names(tmp_path, monkeypatch):
    from nb2prod.jobs.dask_grid import _credentials

    (tmp_path / "pyproject.toml").write_text(
        "[tool.nb2prod]\ntracking_username_env = 'TEAM_USER'\n"
        "tracking_password_env = 'TEAM_PASSWORD'\n"
    )
    monkeypatch.setenv("TEAM_USER", "ana")
    monkeypatch.setenv("TEAM_PASSWORD", "s3cret")
    assert _credentials(tmp_path / "nb.ipynb") == {
        "TEAM_USER": "ana",
        "TEAM_PASSWORD": "s3cret",
        "MLFLOW_TRACKING_USERNAME": "ana",
        "MLFLOW_TRACKING_PASSWORD": "s3cret",
    }


def test_a_point_the_store_did_not_take_keeps_its_executed_notebook_here(tmp_path, client):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'down'\n")
    notebook = write_notebook(tmp_path / "nb.ipynb", [code("x = 1", tags=["parameters"])])
    down = "http://127.0.0.1:9"  # nothing listens there
    (result,) = run_on_dask([JobOptions(notebook=notebook, tracking_uri=down)], client=client)
    assert result.status == "FINISHED" and result.run_id is None
    assert result.tracking_error is not None and result.tracking_error.exit_code == 3
    assert result.output.parent == tmp_path / ".nb2prod" / "unrecorded"
    assert result.output.name.startswith("nb-") and result.output.name.endswith("-1.ipynb")
    assert f"kept in {result.output}" in result.tracking_error.message
    assert nbformat.read(result.output, as_version=4).cells[0].source == "x = 1"


def test_a_notebook_outside_the_folder_it_runs_in_travels_on_its_own(tmp_path, client):
    notebook = write_notebook(
        tmp_path / "notebooks" / "count.ipynb",
        [code("name = 'rows.txt'", tags=["parameters"]), code("rows = len(open(name).readlines())")],
    )  # fmt: skip
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "rows.txt").write_text("a\nb\nc\n")
    options = JobOptions(
        notebook, cwd=tmp_path / "data", output=tmp_path / "out.ipynb", track=False
    )
    (result,) = run_on_dask([options], client=client)
    assert result.status == "FINISHED", result.failure
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert executed.cells[-1].source == "rows = len(open(name).readlines())"
