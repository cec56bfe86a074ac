"""A drift check as an MLflow run: per-column scores and PSI as metrics, the dataset's
verdict as the tag ``nb2prod.verdict`` (as promote and shadow tag theirs), the JSON report
as the artifact ``nb2prod/drift.json``.  MLflow is imported only here, when ``--log`` asks.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path

from nb2prod.drift.report import DriftReport

VERDICT_TAG = "nb2prod.verdict"
REPORT_ARTIFACT = "nb2prod/drift.json"
DEFAULT_EXPERIMENT = "drift"


def metric_name(column: str, what: str) -> str:
    """``drift.<column>.<what>``, the column's characters MLflow refuses as ``_``."""
    return f"drift.{re.sub(r'[^A-Za-z0-9_./ -]', '_', column)}.{what}"


def run_metrics(report: DriftReport) -> dict[str, float]:
    metrics = {
        "drift.share_drifted": report.share_drifted,
        "drift.columns_drifted": float(len(report.drifted)),
        "drift.columns_tested": float(len(report.tested)),
        "drift.batch_rows": float(report.batch_rows),
    }
    for result in report.tested:
        metrics[metric_name(result.column, "score")] = result.score or 0.0
        metrics[metric_name(result.column, "drifted")] = float(result.drift)
        if result.psi is not None:
            metrics[metric_name(result.column, "psi")] = result.psi
    return {k: v for k, v in metrics.items() if math.isfinite(v)}  # MLflow refuses NaN


def log_report(
    report: DriftReport,
    *,
    tracking_uri: str | None = None,
    experiment: str | None = None,
    start: str | os.PathLike = ".",
) -> str:
    """Record ``report`` as a finished run in the store resolved from ``tracking_uri``
    (then ``MLFLOW_TRACKING_URI``, ``[tool.nb2prod]``, the project's embedded store, as
    every nb2prod run); returns the run's id."""
    from nb2prod.tracking.context import run_tags
    from nb2prod.tracking.store import open_store
    from nb2prod.tracking.values import Logged, param_text

    store = open_store(tracking_uri, start)
    tags = run_tags(None, kind="drift", packages=False)
    tags[VERDICT_TAG] = report.verdict()
    model = report.source.get("model", "")
    if model:
        tags["nb2prod.model"] = model
    params = {
        "regime": report.regime,
        "drift_share": str(report.drift_share),
        "reference_rows": str(report.reference_rows),
        **{k: param_text(k, v) for k, v in report.source.items()},
    }
    name = Path(report.source.get("input", "batch")).name
    run_id = store.start_run(
        experiment or DEFAULT_EXPERIMENT, run_name=f"drift {name}"[:250], tags=tags
    )

    store.log(run_id, Logged(metrics=run_metrics(report), params=params))
    folder, file_name = REPORT_ARTIFACT.rsplit("/", 1)
    with tempfile.TemporaryDirectory(prefix="nb2prod-drift-") as temporary:
        path = Path(temporary) / file_name
        path.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
        store.log_file(run_id, path, folder)
    store.end_run(run_id)
    store.checkpoint()
    return run_id
