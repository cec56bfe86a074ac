"""Signing in to the team server: a wrong password, variables named in pyproject.toml, and a
user the server knows but does not let log to an experiment.  Every client says so in one
clear error (which server, which user, what to set), exits 3 and never prints the password;
a job still runs and keeps its executed notebook, a kernel's cell goes on."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest

from ..conftest import NB2PROD, code, write_notebook
from ..kernel.conftest import Kernel
from .conftest import SERVER, TESTER, client_of, project_using

pytestmark = pytest.mark.skipif(not SERVER, reason="needs `make test` (NB2PROD_MLFLOW_SERVER)")

WRONG = "not-the-password-Zq8x"


def cli(*args, cwd, **env) -> subprocess.CompletedProcess:
    """``nb2prod ARGS`` with ``env`` over this process's environment."""
    return subprocess.run(
        [NB2PROD, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **env},
        timeout=600,
    )


def training_project(folder, url, name: str):
    """A project whose notebook ``name`` (an experiment no other test of the layer uses)
    has a parameter and a metric."""
    project = project_using(folder, url)
    write_notebook(
        project / name,
        [
            code("alpha = 0.5", tags=["parameters"]),
            code("loss = alpha * 2", tags=["nb2prod:metrics"]),
        ],
    )
    return project


def test_a_wrong_password_is_one_clear_error_in_every_client(tmp_path, team_server):
    project = training_project(tmp_path, team_server, "wrong-password.ipynb")
    wrong = {"MLFLOW_TRACKING_PASSWORD": WRONG}
    refused = (
        f"the tracking server {team_server} refused user '{TESTER}' "
        "(MLFLOW_TRACKING_USERNAME): wrong user name or password"
    )
    what_to_set = "set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"

    job = cli("run", "wrong-password.ipynb", cwd=project, **wrong)
    assert job.returncode == 3, job.stdout + job.stderr
    assert job.stdout.startswith("FINISHED wrong-password.ipynb")  # the notebook itself ran
    assert f"nb2prod: error: {refused}" in job.stderr and what_to_set in job.stderr
    (kept,) = (project / ".nb2prod" / "unrecorded").glob("wrong-password-*.ipynb")
    assert f"the executed notebook is kept in {kept}" in job.stderr

    listed = cli("runs", "wrong-password.ipynb", cwd=project, **wrong)
    assert listed.returncode == 3 and f"nb2prod: error: {refused}" in listed.stderr

    doctor = cli("doctor", "wrong-password.ipynb", cwd=project, **wrong)
    assert doctor.returncode == 3
    assert "PASS  reach the store" in doctor.stdout
    assert f"FAIL  sign in                        {refused}" in doctor.stdout

    kernel = Kernel({"JPY_SESSION_NAME": str(project / "wrong-password.ipynb"), **wrong}, project)
    try:
        assert kernel.run("%load_ext nb2prod").status == "ok"
        tracked = kernel.run("%%nb2prod track --log accuracy\naccuracy = 0.9\naccuracy")
    finally:
        kernel.shutdown()
    assert tracked.status == "ok" and tracked.result == "0.9"  # the cell went on
    assert "nb2prod: warning: not logged to MLflow" in tracked.stderr and refused in tracked.stderr

    for said in (job, listed, doctor):
        assert WRONG not in said.stdout + said.stderr
    assert WRONG not in tracked.stderr + tracked.stdout
    assert client_of(team_server).get_experiment_by_name("wrong-password.ipynb") is None


def test_an_exported_model_with_a_wrong_password_exits_3(tmp_path, team_server):
    project = project_using(tmp_path, team_server)
    write_notebook(
        project / "quote.ipynb",
        [
            code("def quote(weight):\n    return 2.0 * weight", tags=["nb2prod:export"]),
            code("weight = 3.0", tags=["nb2prod:example"]),
            code("quote(weight)", tags=["nb2prod:predict"]),
        ],
    )
    done = cli(
        "export", "quote.ipynb", "-o", "quote", "--log-model", cwd=project,
        MLFLOW_TRACKING_PASSWORD=WRONG,
    )  # fmt: skip
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"refused user '{TESTER}'" in done.stderr and WRONG not in done.stdout + done.stderr


def test_variables_named_in_pyproject_sign_in(tmp_path, team_stack, monkeypatch):
    project = training_project(tmp_path, team_stack.url, "named-variables.ipynb")
    with (project / "pyproject.toml").open("a") as pyproject:
        pyproject.write(
            'tracking_username_env = "TEAM_MLFLOW_USER"\n'
            'tracking_password_env = "TEAM_MLFLOW_PASSWORD"\n'
        )
    env = {
        "TEAM_MLFLOW_USER": TESTER,
        "TEAM_MLFLOW_PASSWORD": team_stack.tester_password,
        "MLFLOW_TRACKING_PASSWORD": WRONG,  # MLflow's own variable no longer counts
    }
    job = cli("run", "named-variables.ipynb", cwd=project, **env)
    assert job.returncode == 0, job.stdout + job.stderr
    doctor = cli("doctor", "named-variables.ipynb", cwd=project, **env)
    assert doctor.returncode == 0, doctor.stdout
    assert f"the server accepts user '{TESTER}' (TEAM_MLFLOW_USER)" in doctor.stdout

    experiment = client_of(team_stack.url).get_experiment_by_name("named-variables.ipynb")
    runs = client_of(team_stack.url).search_runs([experiment.experiment_id])
    assert [run.data.tags["nb2prod.kind"] for run in runs] == ["job"]  # the probe is gone

    # the JupyterLab panel's runs, as its REST handler gets them, in the server's process
    from nb2prod.server.operations import runs as panel_runs
    from nb2prod.tracking.store import TrackingAuthFailed

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    listed = panel_runs(project / "named-variables.ipynb", 10, None, {})
    assert [run["tags"]["nb2prod.kind"] for run in listed["runs"]] == ["job"]

    env["TEAM_MLFLOW_PASSWORD"] = WRONG
    refused = cli("runs", "named-variables.ipynb", cwd=project, **env)
    assert refused.returncode == 3
    assert "set TEAM_MLFLOW_USER and TEAM_MLFLOW_PASSWORD" in refused.stderr
    monkeypatch.setenv("TEAM_MLFLOW_PASSWORD", WRONG)
    with pytest.raises(TrackingAuthFailed, match=f"refused user '{TESTER}' .TEAM_MLFLOW_USER."):
        panel_runs(project / "named-variables.ipynb", 10, None, {})


def test_a_user_without_permission_on_the_experiment_is_told_so(tmp_path, team_stack):
    guarded = f"guarded-{uuid.uuid4().hex[:8]}"  # the admin's: others may only read it
    team_stack.as_admin("POST", "experiments/create", {"name": guarded})
    project = training_project(tmp_path, team_stack.url, "no-permission.ipynb")

    job = cli("run", "no-permission.ipynb", "--experiment", guarded, cwd=project)
    assert job.returncode == 3, job.stdout + job.stderr
    denied = (
        f"the tracking server {team_stack.url} denied user '{TESTER}' "
        "(MLFLOW_TRACKING_USERNAME) permission to create a run"
    )
    assert f"nb2prod: error: {denied}" in job.stderr, job.stderr
    assert "EDIT permission" in job.stderr
    assert list((project / ".nb2prod" / "unrecorded").glob("no-permission-*.ipynb"))

    doctor = cli("doctor", "no-permission.ipynb", "--experiment", guarded, cwd=project)
    assert doctor.returncode == 3
    assert "PASS  create or read the experiment" in doctor.stdout
    assert f"FAIL  log a run                      {denied}" in doctor.stdout

    # as deploy/README.md says: the admin grants EDIT on the experiment
    experiment = client_of(team_stack.url).get_experiment_by_name(guarded).experiment_id
    grant = {"username": TESTER, "resource_type": "experiment", "resource_id": experiment}
    grant["permission"] = "EDIT"
    team_stack.as_admin("POST", "users/permissions/grant", grant, version="3.0")
    doctor = cli("doctor", "no-permission.ipynb", "--experiment", guarded, cwd=project)
    assert doctor.returncode == 0, doctor.stdout
    assert "deleting a run needs MANAGE permission" in doctor.stdout  # the probe stays
