"""A model's drift check from end to end, as ``nb2prod drift`` and ``nb2prod.check_drift``
run it: the statistics found, the batch read, the columns tested, the run recorded."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nb2prod.drift.check import DRIFT_SHARE, check_drift
from nb2prod.drift.report import DriftReport


def check_model(
    model: str | os.PathLike | Mapping[str, Any],
    batch: Any,
    *,
    drift_share: float = DRIFT_SHARE,
    tracking_uri: str | None = None,
    log: bool = False,
    experiment: str | None = None,
) -> DriftReport:
    """Compare ``batch`` (CSV/Parquet paths or globs, or a DataFrame) with the reference
    statistics of ``model`` (a statistics file or dict, an exported package's folder or
    name, an MLflow model URI).  With ``log``, the report is also recorded as an MLflow
    run (its id in ``report.source["run_id"]``)."""
    report = _check(model, batch, drift_share, tracking_uri)
    if log:
        from nb2prod.drift.record import log_report

        label = report.source["model"]
        chosen = experiment or (f"models/{label}" if label else None)
        report.source["run_id"] = log_report(
            report,
            tracking_uri=tracking_uri,
            experiment=chosen,
            start=Path.cwd(),
            model=None if isinstance(model, Mapping) else os.fspath(model),
        )
    return report


def _check(
    model: str | os.PathLike | Mapping[str, Any],
    batch: Any,
    drift_share: float,
    tracking_uri: str | None,
) -> DriftReport:
    from nb2prod.drift.reference import check_statistics
    from nb2prod.drift.source import load_statistics, read_batch

    if isinstance(model, Mapping):
        stats, label, where = check_statistics(dict(model), "the statistics"), "", "(given)"
    else:
        stats, where = load_statistics(os.fspath(model), tracking_uri=tracking_uri)
        label = model_label(os.fspath(model))
    source = {"model": label, "statistics": where}
    if isinstance(batch, (str, os.PathLike)) or _is_paths(batch):
        inputs = [os.fspath(batch)] if isinstance(batch, (str, os.PathLike)) else list(batch)
        source["input"] = ", ".join(map(str, inputs))
        frame = read_batch(inputs)
    else:
        frame = batch
    return check_drift(stats, frame, drift_share=drift_share, source=source)


def model_label(model: str) -> str:
    """The model's name for runs: a package's name, a registered model's name; "" for a
    statistics file."""
    from nb2prod.drift import STATS_FILE

    if model.startswith("models:/"):
        return model[len("models:/") :].split("/")[0].split("@")[0]
    path = Path(model)
    if path.is_file() or model.endswith(".json"):
        return ""
    if path.is_dir():
        if (path / STATS_FILE).is_file():
            return path.resolve().name
        found = sorted(path.glob("src/*/provenance.json"))
        return found[0].parent.name if found else path.resolve().name
    return model if model.isidentifier() else ""


def _is_paths(batch: Any) -> bool:
    return isinstance(batch, Sequence) and all(isinstance(b, (str, os.PathLike)) for b in batch)
