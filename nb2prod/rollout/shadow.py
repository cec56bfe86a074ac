"""``nb2prod shadow``: one batch scored by the champion and a challenger, side by side.

Nothing in the registry changes.  Each prediction column the two versions share is
compared: columns of classes (booleans, text, whole numbers) by the share of rows where
the two agree, numeric columns by the mean and largest absolute difference and the share
of rows within ``tolerance``.  The report is logged as a run of ``models/NAME`` (kind
``shadow``), with the drift of the batch against the reference statistics the champion
ships, when it ships them (``nb2prod.drift``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nb2prod.errors import UsageError
from nb2prod.rollout.batch import predictions, read_table
from nb2prod.rollout.record import file_digest, notebook_of, record
from nb2prod.rollout.registry import Registry, Version

DEFAULT_TOLERANCE = 0.01


@dataclass
class ColumnAgreement:
    """How one prediction column of the two versions compares."""

    column: str
    kind: str  # "classes" or "numbers"
    agreement: float  # share of rows equal (classes) or within the tolerance (numbers)
    mean_abs_diff: float | None = None
    max_abs_diff: float | None = None

    def text(self, tolerance: float) -> str:
        if self.kind == "classes":
            return f"{self.column}: {self.agreement:.1%} of rows agree"
        return (
            f"{self.column}: mean |diff| {self.mean_abs_diff:.4g}, max {self.max_abs_diff:.4g}, "
            f"{self.agreement:.1%} within {tolerance:g}"
        )


@dataclass
class ShadowReport:
    model: str
    champion: str
    challenger: str
    rows: int
    tolerance: float
    columns: list[ColumnAgreement] = field(default_factory=list)
    drift: dict[str, Any] | None = None
    drift_note: str = ""
    run_id: str | None = None

    @property
    def agree(self) -> bool:
        return all(c.agreement == 1.0 for c in self.columns)

    def text(self) -> str:
        lines = [
            f"{self.model}: champion version {self.champion} vs challenger version "
            f"{self.challenger} on {self.rows:,} rows (run {self.run_id})"
        ]
        lines += [f"  {c.text(self.tolerance)}" for c in self.columns]
        lines.append(f"  drift: {self.drift_note}")
        return "\n".join(lines)


def shadow(
    name: str,
    data: str | Path,
    *,
    challenger: str | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    params: Mapping[str, str] | None = None,
    tracking_uri: str | None = None,
) -> ShadowReport:
    """Score ``data`` with ``@champion`` and ``challenger`` (default: the newest version
    that is not the champion), both with the runtime parameters ``params``, and compare
    their predictions."""
    registry = Registry.open(tracking_uri, Path.cwd())
    champion = registry.champion(name)
    if champion is None:
        raise UsageError(
            f"{name} has no @champion to shadow",
            f"promote a version first: nb2prod promote {name} …",
        )
    rival = _challenger(registry, name, champion, challenger)
    frame = read_table(data)
    ours, theirs = predictions(registry, [champion, rival], frame, params)
    shared = [c for c in ours.columns if c in theirs.columns]
    if not shared:
        raise UsageError(
            f"versions {champion.version} and {rival.version} share no prediction column "
            f"({', '.join(ours.columns)} vs {', '.join(theirs.columns)})"
        )
    report = ShadowReport(name, champion.version, rival.version, len(frame), tolerance)
    report.columns = [compare(str(c), ours[c], theirs[c], tolerance) for c in shared]
    report.drift, report.drift_note = batch_drift(registry, champion, frame)
    report.run_id = _record(registry, report, data, params or {}, notebook_of(rival, champion))
    return report


def _challenger(registry: Registry, name: str, champion: Version, chosen: str | None) -> Version:
    if chosen is not None:
        found = registry.version(name, chosen)
        if found.version == champion.version:
            raise UsageError(f"version {found.version} is the champion: choose another challenger")
        return found
    others = [v for v in registry.versions(name) if v.version != champion.version]
    if not others:
        raise UsageError(
            f"{name} has only its champion, version {champion.version}",
            "register another version: nb2prod export NOTEBOOK --register NAME",
        )
    return others[-1]


def compare(column: str, ours: Any, theirs: Any, tolerance: float) -> ColumnAgreement:
    """One shared prediction column of the champion (``ours``) and the challenger."""
    import numpy as np

    numeric = ours.dtype.kind == "f" or theirs.dtype.kind == "f"
    if not numeric:
        equal = ours.reset_index(drop=True) == theirs.reset_index(drop=True)
        return ColumnAgreement(column, "classes", float(equal.mean()))
    difference = np.abs(ours.to_numpy(dtype=float) - theirs.to_numpy(dtype=float))
    return ColumnAgreement(
        column,
        "numbers",
        agreement=float((difference <= tolerance).mean()),
        mean_abs_diff=float(np.nanmean(difference)),
        max_abs_diff=float(np.nanmax(difference)),
    )


def batch_drift(
    registry: Registry, champion: Version, frame: Any
) -> tuple[dict[str, Any] | None, str]:
    """Per-column drift of ``frame`` against the reference statistics the champion ships
    (``nb2prod.drift``), and a line saying what was found or why nothing was checked.

    The drift engine is looked up when called, so shadow works in a tree without it; a
    champion exported without reference data has no statistics, and the line says so."""
    import importlib
    import importlib.util

    if importlib.util.find_spec("nb2prod.drift") is None:
        return None, "not checked: this nb2prod has no drift engine"
    try:
        source = importlib.import_module("nb2prod.drift.source")
        check = importlib.import_module("nb2prod.drift.check")
        load_statistics, check_drift = source.load_statistics, check.check_drift
    except (ImportError, AttributeError) as exc:  # an engine without these functions
        return None, f"not checked: the drift engine cannot be used ({exc})"
    try:
        stats, _ = load_statistics(champion.uri, tracking_uri=registry.store.uri)
        found = check_drift(stats, frame, source={"model": champion.uri})
    except UsageError as exc:  # no statistics shipped, or a batch that does not fit them
        return None, f"not checked: {exc.message}"
    drifted = ", ".join(c.column for c in found.drifted) or "none"
    return found.to_json(), (
        f"{found.verdict()} against version {champion.version}'s reference: "
        f"{len(found.drifted)} of {len(found.tested)} columns drifted ({drifted})"
    )


def _record(
    registry: Registry,
    report: ShadowReport,
    data: str | Path,
    params: Mapping[str, str],
    notebook: str | None,
) -> str:
    import re

    metrics: dict[str, float] = {}
    for column in report.columns:
        key = re.sub(r"[^\w\-. /]", "_", column.column)  # what MLflow takes in a metric name
        metrics[f"agreement.{key}"] = column.agreement
        if column.kind == "numbers":
            metrics[f"mean_abs_diff.{key}"] = column.mean_abs_diff or 0.0
            metrics[f"max_abs_diff.{key}"] = column.max_abs_diff or 0.0
    if report.drift is not None:
        metrics["drift.share_drifted"] = float(report.drift["share_drifted"])
    logged = {f"param.{k}": str(v) for k, v in params.items()}
    logged |= {
        "model": report.model,
        "champion_version": report.champion,
        "challenger_version": report.challenger,
        "tolerance": f"{report.tolerance:g}",
        "data": str(Path(data).resolve()),
        "data_sha256": file_digest(data),
        "rows": str(report.rows),
    }
    return record(
        registry, report.model, "shadow",
        run_name=f"shadow {report.model} v{report.challenger} vs v{report.champion}",
        metrics=metrics, params=logged, verdict="agree" if report.agree else "differ",
        report={**report.__dict__, "columns": [c.__dict__ for c in report.columns]},
        notebook=notebook,
    )  # fmt: skip
