"""What the server extension resolves for itself: never a store or URL the browser chose."""

from __future__ import annotations

import os
from pathlib import Path

#: Where "Open in MLflow" goes: ``c.ServerApp.tornado_settings = {"nb2prod_mlflow_ui_url":
#: ...}``, ``NB2PROD_MLFLOW_UI_URL``, or ``mlflow_ui_url`` in ``[tool.nb2prod]``.
UI_URL_SETTING = "nb2prod_mlflow_ui_url"


def tracking_uri(folder: str | Path) -> str:
    from nb2prod.tracking.uri import resolve_tracking_uri

    return resolve_tracking_uri(None, folder)


def mlflow_ui_url(folder: str | Path, tornado_settings) -> str | None:
    from nb2prod.config import find_config

    configured = tornado_settings.get(UI_URL_SETTING) or os.environ.get("NB2PROD_MLFLOW_UI_URL")
    if configured:
        return str(configured)
    _pyproject, table = find_config(Path(folder))
    value = table.get("mlflow_ui_url") if isinstance(table, dict) else None
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else None
