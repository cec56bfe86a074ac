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
from typing import TYPE_CHECKING

from nb2prod.drift.report import DriftReport
from nb2prod.tracking.context import NOTEBOOK_TAG

if TYPE_CHECKING:
    from nb2prod.tracking.store import TrackingStore

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
    model: str | None = None,
) -> str:
    """Record ``report`` as a finished run in the store resolved from ``tracking_uri``
    (then ``MLFLOW_TRACKING_URI``, ``[tool.nb2prod]``, the project's embedded store, as
    every nb2prod run); returns the run's id.  ``model`` is the model as given (a package's
    folder or name, an MLflow URI): the run is tagged with the notebook it came from."""
    from nb2prod.tracking.context import run_tags
    from nb2prod.tracking.store import open_store
    from nb2prod.tracking.values import Logged, param_text

    store = open_store(tracking_uri, start)
    tags = run_tags(None, kind="drift", packages=False)
    tags[VERDICT_TAG] = report.verdict()
    if report.source.get("model"):
        tags["nb2prod.model"] = report.source["model"]
    notebook = model_notebook(model, store) if model else None
    if notebook:
        tags[NOTEBOOK_TAG] = notebook
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


def model_notebook(model: str, store: TrackingStore) -> str | None:
    """The label of the notebook ``model`` was exported from (the panel lists a notebook's
    runs by it), when known: an exported package's ``provenance.json`` (its notebook's
    path relative to the project root), a registered version's ``nb2prod.notebook`` tag,
    or the tag of the run that logged the model; None otherwise."""
    from nb2prod.errors import Nb2ProdError

    try:
        if model.startswith("models:/"):
            from nb2prod.rollout.registry import Registry

            return Registry(store).resolve(model).tags.get(NOTEBOOK_TAG) or None
        if model.startswith("runs:/"):
            run_id = model.removeprefix("runs:/").split("/")[0]
            return store.run(run_id).tags.get(NOTEBOOK_TAG) or None
    except Nb2ProdError:  # the check itself read the model: a tag is all that is missing
        return None
    for provenance in _provenance_files(model):
        try:
            notebook = json.loads(provenance.read_text(encoding="utf-8")).get("notebook")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(notebook, str) and notebook:
            return notebook
    return None


def _provenance_files(model: str) -> list[Path]:
    """Where the provenance of the package ``model`` names may be: beside its statistics,
    in its own folder, in the project folder export wrote, or in the installed package."""
    path = Path(model)
    if path.is_file():
        return [path.parent / "provenance.json"]
    if path.is_dir():
        return [path / "provenance.json", *sorted(path.glob("src/*/provenance.json"))]
    if model.isidentifier():
        import importlib.util

        try:
            found = importlib.util.find_spec(model)
        except (ImportError, ValueError):
            return []
        if found is not None and found.submodule_search_locations:
            return [Path(folder, "provenance.json") for folder in found.submodule_search_locations]
    return []
