"""Resolving the tracking store (ARCHITECTURE §4.4)."""

from __future__ import annotations

import pytest

from nb2prod.errors import ConfigError
from nb2prod.tracking.uri import artifact_root, resolve_tracking_uri


@pytest.fixture(autouse=True)
def no_environment_uri(monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)


def test_the_embedded_default_is_absolute_in_the_project_root(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "notebooks").mkdir()
    uri = resolve_tracking_uri(None, tmp_path / "notebooks" / "nb.ipynb")
    assert uri == f"sqlite:///{tmp_path}/.nb2prod/mlflow.db"
    assert artifact_root(uri) == (tmp_path / ".nb2prod" / "artifacts").as_uri()


def test_order_explicit_then_environment_then_pyproject(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.nb2prod]\ntracking_uri = 'sqlite:///store/runs.db'\n"
    )
    assert resolve_tracking_uri(None, tmp_path) == f"sqlite:///{tmp_path}/store/runs.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow.internal:5000")
    assert resolve_tracking_uri(None, tmp_path) == "http://mlflow.internal:5000"
    assert resolve_tracking_uri("sqlite:////x.db", tmp_path) == "sqlite:////x.db"
    assert artifact_root("http://mlflow.internal:5000") is None


def test_a_bad_configured_uri_is_a_config_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.nb2prod]\ntracking_uri = 3\n")
    with pytest.raises(ConfigError, match="tracking_uri"):
        resolve_tracking_uri(None, tmp_path)
