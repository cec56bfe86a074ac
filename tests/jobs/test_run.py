"""``nb2prod run`` as users run it: a real papermill job, strict failure detection, a real
MLflow store."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from ..conftest import code, write_notebook

NB2PROD = str(Path(sys.executable).with_name("nb2prod"))


def run(*args, cwd, env=None, timeout=300):
    import os

    return subprocess.run(
        [NB2PROD, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def project(tmp_path, store_uri):
    (tmp_path / "pyproject.toml").write_text(f"[tool.nb2prod]\ntracking_uri = '{store_uri}'\n")
    write_notebook(
        tmp_path / "train.ipynb",
        [
            code(
                "alpha = 0.5  # strength\nlayers: list = [8, 4]\nname = 'model'\n"
                "api_token = 'ghp_" + "k3Y9" * 9 + "'",
                tags=["parameters"],
            ),
            code("loss = 1 / (alpha * sum(layers))\nprint('loss', loss)"),
            code("accuracy = 1 - loss\ncount = 3", tags=["nb2prod:metrics"]),
            code("%%nb2prod track --log loss\nstep = 1"),
        ],
    )
    return tmp_path


def _runs(store_uri):
    from mlflow import MlflowClient

    client = MlflowClient(store_uri)
    ids = [e.experiment_id for e in client.search_experiments()]
    return client.search_runs(ids, order_by=["attributes.start_time DESC"]), client


def test_a_job_runs_with_typed_parameters_and_is_tracked(project, store_uri):
    result = run(
        "run", "train.ipynb", "-p", "alpha", "0.25", "-p", "layers", "[4, 4]",
        "-o", "out/executed.ipynb", cwd=project,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FINISHED train.ipynb" in result.stdout and "api_token=<redacted>" in result.stdout
    (job,), client = _runs(store_uri)
    assert job.info.status == "FINISHED" and job.data.tags["nb2prod.kind"] == "job"
    assert job.data.params["alpha"] == "0.25" and job.data.params["layers"] == "[4, 4]"
    assert job.data.params["api_token"] == "<redacted>"
    assert job.data.metrics["accuracy"] == 0.5 and job.data.metrics["count"] == 3
    assert job.data.metrics["loss"] == 0.5  # from the tracked cell, in the job's run
    artifacts = {a.path for a in client.list_artifacts(job.info.run_id)}
    assert artifacts == {"train.ipynb", "train.html"}
    executed = nbformat.read(project / "out/executed.ipynb", as_version=4)
    assert not any("nb2prod-job" in c.metadata.get("tags", []) for c in executed.cells)
    assert "input_path" not in executed.metadata["papermill"]
    assert "loss 0.5" in json.dumps(executed.cells[2].outputs)


def test_the_store_file_alone_holds_the_job_run(project, store_uri, tmp_path_factory):
    assert run("run", "train.ipynb", cwd=project).returncode == 0
    upload = tmp_path_factory.mktemp("upload") / "mlflow.db"
    shutil.copyfile(store_uri[len("sqlite:///") :], upload)  # a CI job keeping only the file
    (job,), _ = _runs(f"sqlite:///{upload}")
    assert job.info.status == "FINISHED"


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("raise ValueError('bad data')", "ValueError: bad data"),
        ("%run no_such_script.py", "no_such_script.py'` not found"),
        ("%autocall 9", "MagicFailed: %autocall: Valid modes"),
        ("%cd no_such_folder", "MagicFailed: %cd: cannot change the working directory"),
        ("!exit 3", "CalledProcessError"),
        ("import sys\nsys.exit(1)", "SystemExit: 1"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "the kernel died"),
    ],
)
def test_every_kind_of_failure_fails_the_job(tmp_path, store_uri, source, words):
    (tmp_path / "pyproject.toml").write_text(f"[tool.nb2prod]\ntracking_uri = '{store_uri}'\n")
    write_notebook(tmp_path / "job.ipynb", [code("x = 1"), code(source), code("y = 2")])
    result = run("run", "job.ipynb", cwd=tmp_path)
    assert result.returncode == 4, result.stdout + result.stderr
    assert words in result.stderr
    assert "FAILED job.ipynb" in result.stdout
    (job,), _ = _runs(store_uri)
    assert job.info.status == "FAILED"


def test_a_missing_kernel_and_a_cell_over_the_time_limit(tmp_path):
    write_notebook(
        tmp_path / "job.ipynb", [code("x = 1"), code("import time\ntime.sleep(60)"), code("y = 2")]
    )
    missing = run("run", "job.ipynb", "--no-track", "--kernel", "no-such-kernel", cwd=tmp_path)
    assert missing.returncode == 2, missing.stdout + missing.stderr
    assert "there is no Jupyter kernel named 'no-such-kernel'" in missing.stderr
    slow = run("run", "job.ipynb", "--no-track", "--timeout", "2", cwd=tmp_path)
    assert slow.returncode == 4, slow.stdout + slow.stderr
    assert "ran longer than the time limit" in slow.stderr and "--timeout" in slow.stderr
    assert "the notebook failed in cell 2" in slow.stderr, slow.stderr  # which cell


def test_a_clean_sys_exit_and_shell_success_do_not_fail(tmp_path):
    (tmp_path / "data").mkdir()
    write_notebook(
        tmp_path / "job.ipynb",
        [
            code("!true"),
            code("x = !echo hi\nx"),
            code("%cd data\n%cd ..\nimport os"),
            code("%%time\ntry:\n    os.chdir('missing')\nexcept OSError:\n    pass"),
        ],
    )
    result = run("run", "job.ipynb", "--no-track", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_parameters_are_checked_against_the_parameters_cell(project):
    cases = [
        (["-p", "alpah", "1"], "unknown parameter alpah", "the parameters cell defines: alpha"),
        (["-p", "alpha", "fast"], "-p alpha: 'fast' is not a float", None),
        (["-p", "layers", "[1, 2"], "is not a list", None),
    ]
    for args, message, hint in cases:
        result = run("run", "train.ipynb", *args, cwd=project)
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert hint is None or hint in result.stderr


def test_a_parameters_file_and_a_grid(project, store_uri):
    (project / "params.yaml").write_text("name: 2024-01-31\nalpha: 1\n")
    (project / "grid.yaml").write_text("alpha: [0.5, 1.0]\nlayers: [[1], [2, 2]]\n")
    single = run("run", "train.ipynb", "-f", "params.yaml", "--no-track", cwd=project)
    assert single.returncode == 0, single.stderr
    assert "name=2024-01-31" in single.stdout and "alpha=1.0" in single.stdout  # typed
    grid = run("run", "train.ipynb", "--grid", "grid.yaml", "-o", "runs", cwd=project)
    assert grid.returncode == 0, grid.stderr
    assert "4 jobs: 4 finished, 0 failed" in grid.stdout
    assert "alpha=1.0 layers=[2, 2]" in grid.stdout
    assert len(list((project / "runs").glob("train-*.ipynb"))) == 4
    assert len(_runs(store_uri)[0]) == 4
    listed = run("runs", "train.ipynb", "--format", "json", cwd=project)
    assert listed.returncode == 0 and len(json.loads(listed.stdout)["runs"]) == 4
    table = run("runs", "train.ipynb", cwd=project)
    assert table.stdout.startswith("started") and "FINISHED" in table.stdout


def test_a_grid_is_checked_whole_before_the_first_job(project, store_uri):
    (project / "grid.yaml").write_text("alpha: [0.5, 1.0]\nlayers: [[1], oops]\n")
    result = run("run", "train.ipynb", "--grid", "grid.yaml", "-o", "runs", cwd=project)
    assert result.returncode == 2, result.stderr
    assert "--grid grid.yaml: layers: 'oops' is not a list" in result.stderr
    assert not (project / "runs").exists() and not _runs(store_uri)[0]  # nothing ran
    (project / "grid.yaml").write_text("alpha: [0.5]\nlayer: [[1], [2]]\n")
    result = run("run", "train.ipynb", "--grid", "grid.yaml", cwd=project)
    assert result.returncode == 2 and "unknown parameter layer" in result.stderr


def test_a_grid_summary_says_why_a_job_failed(project):
    (project / "grid.yaml").write_text("alpha: [0.5, 0.0]\n")
    result = run("run", "train.ipynb", "--grid", "grid.yaml", "--no-track", cwd=project)
    assert result.returncode == 4, result.stderr
    assert "2 jobs: 1 finished, 1 failed" in result.stdout
    assert "#2: the notebook failed in cell 2" in result.stdout
    assert "ZeroDivisionError" in result.stdout


def test_a_bad_value_from_a_parameters_file_names_the_file(project):
    (project / "params.yaml").write_text("alpha: fast\n")
    result = run("run", "train.ipynb", "-f", "params.yaml", "--no-track", cwd=project)
    assert result.returncode == 2
    assert "-f params.yaml: alpha: 'fast' is not a float" in result.stderr, result.stderr
    assert "-p alpha" not in result.stderr


def test_an_unreachable_store_is_exit_3_and_keeps_the_executed_notebook(project):
    result = run(
        "run", "train.ipynb", "--tracking-uri", "http://127.0.0.1:9", "-o", "out.ipynb",
        cwd=project,
    )  # fmt: skip
    assert result.returncode == 3 and "cannot be used" in result.stderr
    assert "FINISHED train.ipynb" in result.stdout and (project / "out.ipynb").is_file()


def test_the_ui_needs_the_full_mlflow(project):
    result = run("ui", cwd=project)
    assert result.returncode == 3 and "pip install 'nb2prod[ui]'" in result.stderr
