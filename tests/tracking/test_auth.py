"""Credentials for a team server: MLflow's variables, or the ones ``[tool.nb2prod]`` names;
never a password in pyproject.toml; a 401 or 403 said in one line without the password."""

from __future__ import annotations

import pytest

from nb2prod.errors import ConfigError
from nb2prod.tracking.auth import Credentials, credentials_for, denied_action, http_status
from nb2prod.tracking.store import TrackingAuthFailed, TrackingForbidden, refusal
from nb2prod.tracking.uri import resolve_tracking_uri, tracking_uri_source


def _project(tmp_path, table: str):
    (tmp_path / "pyproject.toml").write_text(f"[tool.nb2prod]\n{table}\n")
    return tmp_path


def test_mlflow_variables_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "ana")
    credentials = credentials_for(_project(tmp_path, "tracking_uri = 'http://mlflow:5000'"))
    assert credentials == Credentials() and not credentials.renamed
    assert credentials.who() == "user 'ana' (MLFLOW_TRACKING_USERNAME)"


def test_named_variables_are_read_at_each_call(tmp_path, monkeypatch):
    project = _project(
        tmp_path,
        'tracking_username_env = "TEAM_MLFLOW_USER"\ntracking_password_env = "TEAM_MLFLOW_PASSWORD"',
    )
    credentials = credentials_for(project / "train.ipynb")
    assert (credentials.username_env, credentials.password_env) == (
        "TEAM_MLFLOW_USER",
        "TEAM_MLFLOW_PASSWORD",
    )
    assert credentials.who() == "no user (TEAM_MLFLOW_USER is not set)"
    monkeypatch.setenv("TEAM_MLFLOW_USER", "ana")
    monkeypatch.setenv("TEAM_MLFLOW_PASSWORD", "s3cret-value")
    assert credentials.mlflow_environment() == {
        "MLFLOW_TRACKING_USERNAME": "ana",
        "MLFLOW_TRACKING_PASSWORD": "s3cret-value",
    }
    assert "s3cret-value" not in credentials.who() + credentials.what_to_set()


@pytest.mark.parametrize(
    "table",
    [
        "tracking_password = 'hunter22'",
        "mlflow_tracking_password = 'hunter22'",
        "tracking_uri = 'https://ana:hunter22@mlflow.internal'",
        "tracking_password_env = 'hunter 22!'",
    ],
)
def test_a_password_in_pyproject_is_refused(tmp_path, table):
    project = _project(tmp_path, table)
    with pytest.raises(ConfigError) as refused:
        credentials_for(project)
        resolve_tracking_uri(None, project)
    assert "hunter" not in str(refused.value)
    assert "environment variable" in str(refused.value) or "export" in str(refused.value)


def test_where_the_uri_came_from(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert tracking_uri_source(None, tmp_path) == "the default: the project's embedded store"
    project = _project(tmp_path, "tracking_uri = 'http://mlflow:5000'")
    assert tracking_uri_source(None, project).endswith("[tool.nb2prod] tracking_uri")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://other:5000")
    assert tracking_uri_source(None, project) == "MLFLOW_TRACKING_URI"
    assert tracking_uri_source("http://x", project) == "--tracking-uri"


def test_refusals_in_one_line_naming_server_user_and_what_to_set(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "ana")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "s3cret-value")
    text = "API request to endpoint /api/2.0/mlflow/runs/create failed with error code 403 != 200"
    assert http_status(Exception(text)) == 403 and denied_action(text) == "create a run"
    assert denied_action("… denied user 'ana' (X) permission to log to a run") == "log to a run"
    assert http_status(Exception("error code 401 != 200")) == 401
    assert http_status(Exception("Connection refused")) is None

    wrong = refusal(401, "http://mlflow:5000", Credentials(), "")
    assert isinstance(wrong, TrackingAuthFailed) and wrong.exit_code == 3
    assert wrong.message == (
        "the tracking server http://mlflow:5000 refused user 'ana' "
        "(MLFLOW_TRACKING_USERNAME): wrong user name or password"
    )
    assert "MLFLOW_TRACKING_PASSWORD" in wrong.hint
    denied = refusal(403, "http://mlflow:5000", Credentials(), text)
    assert isinstance(denied, TrackingForbidden) and "permission to create a run" in denied.message
    assert all("s3cret-value" not in str(e) for e in (wrong, denied))
