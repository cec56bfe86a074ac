"""Which MLflow tracking store to use (ARCHITECTURE §4.4), resolved the same way everywhere.

An explicit URI wins, then ``MLFLOW_TRACKING_URI``, then ``[tool.nb2prod] tracking_uri``
in the nearest pyproject.toml (a relative path there is relative to that file), else the
embedded store ``sqlite:///<project root>/.nb2prod/mlflow.db`` as an absolute URI, never
MLflow's own default, which depends on the current directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

from nb2prod.config import find_config, find_project_root
from nb2prod.errors import ConfigError
from nb2prod.tracking.sqlite_store import prepare, sqlite_path, with_busy_timeout

EMBEDDED_FILE = Path(".nb2prod") / "mlflow.db"


def resolve_tracking_uri(explicit: str | None, start: str | os.PathLike) -> str:
    """The tracking URI for work on ``start`` (a notebook or a folder)."""
    if explicit:
        return explicit
    if os.environ.get("MLFLOW_TRACKING_URI"):
        return os.environ["MLFLOW_TRACKING_URI"]
    folder = Path(start).resolve()
    folder = folder if folder.is_dir() else folder.parent
    pyproject, table = find_config(folder)
    configured = table.get("tracking_uri") if isinstance(table, dict) else None
    if configured is not None:
        if not isinstance(configured, str) or not configured.strip():
            raise ConfigError(f"{pyproject}: [tool.nb2prod] tracking_uri must be a URI or path")
        return _absolute(configured, cast(Path, pyproject).parent)  # the table's file
    root = find_project_root(folder)
    return f"sqlite:///{root / EMBEDDED_FILE}"


def tracking_uri_source(explicit: str | None, start: str | os.PathLike) -> str:
    """Which step of :func:`resolve_tracking_uri` chose the URI, in words."""
    if explicit:
        return "--tracking-uri"
    if os.environ.get("MLFLOW_TRACKING_URI"):
        return "MLFLOW_TRACKING_URI"
    folder = Path(start).resolve()
    pyproject, table = find_config(folder if folder.is_dir() else folder.parent)
    if isinstance(table, dict) and table.get("tracking_uri") is not None:
        return f"{pyproject} [tool.nb2prod] tracking_uri"
    return "the default: the project's embedded store"


def _absolute(configured: str, base: Path) -> str:
    """A path or ``sqlite:///relative.db`` made absolute against ``base``; URIs as they are."""
    if configured.startswith("sqlite:///") and not configured.startswith("sqlite:////"):
        return f"sqlite:///{(base / configured[len('sqlite:///') :]).resolve()}"
    if "://" in configured:
        return configured
    return (base / configured).resolve().as_uri()


def artifact_root(uri: str) -> str | None:
    """Where runs of an embedded SQLite store keep artifacts: beside the database, never in
    MLflow's cwd-relative ``./mlruns``.  None for other stores: the server decides."""
    database = sqlite_path(uri)
    return None if database is None else (database.parent / "artifacts").as_uri()


def prepare_local_store(uri: str) -> str:
    """Create, upgrade or repair a SQLite store under its lock (other stores need nothing
    here) and return the URI MLflow should open it with."""
    database = sqlite_path(uri)
    if database is not None:
        prepare(database, cast(str, artifact_root(uri)))  # a SQLite store has one
    return with_busy_timeout(uri)
