"""What an export ships for drift checks: the reference statistics of the reference cell's
value (``nb2prod:reference``, captured as it ran) and a copy of the drift engine, so the
package's ``drift`` command runs without nb2prod.

Only statistics ship (quantiles, bin and category counts), never the reference rows.  A
DataFrame is summarised as it is; a NumPy array (or a Series) becomes a table whose columns
are named ``0..n-1``, as a CSV of its rows would name them; any other value is skipped with a
note.  Without a reference cell nothing ships: the example input is a handful of rows, far
too few to stand for the training data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nb2prod.drift import engine_files

#: Where the package's copy of the engine goes, inside ``src/NAME/``.
ENGINE_FOLDER = "_drift"
#: What the engine imports (``nb2prod.drift.ENGINE``'s modules need nothing else).
ENGINE_DISTRIBUTIONS = ("numpy", "pandas", "scipy")


def reference_frame(value: Any) -> tuple[Any, str]:
    """``value`` as a DataFrame, or None and why it cannot be one."""
    module, kind = type(value).__module__.split(".")[0], type(value).__name__
    if module == "pandas" and kind == "DataFrame":
        return value, ""
    import pandas as pd

    if module == "pandas" and kind == "Series":
        return pd.DataFrame({"0": value.to_numpy()}), ""
    if module == "numpy" and kind == "ndarray" and value.ndim in (1, 2):
        table = value.reshape(-1, 1) if value.ndim == 1 else value
        return pd.DataFrame(table, columns=[str(i) for i in range(table.shape[1])]), ""
    shape = f" of {value.ndim} dimensions" if module == "numpy" and kind == "ndarray" else ""
    return None, f"a {module}.{kind}{shape}" if module != "builtins" else f"a {kind}{shape}"


def shipped_statistics(plan: Any, capture: Any) -> tuple[dict[str, Any] | None, str]:
    """The statistics to ship for an export's run, or None and a note ("" without a
    reference cell: nothing to say)."""
    cells = plan.role("reference")
    if not cells:
        return None, ""
    if capture.reference is None:
        note = capture.reference_note or f"{cells[0].label} ends with None"
        return None, f"reference: {note}; no drift statistics were shipped"
    return drift_statistics(capture.reference, cells[0].label)


def add_engine_requirements(spec: Any) -> None:
    """The package imports numpy, pandas and scipy when it checks drift: each becomes a
    dependency (pinned, with what it needs, in the lock) unless one already is."""
    from importlib.metadata import version

    from nb2prod.exporter.requirements import Requirement

    declared = {r.distribution.lower() for r in spec.requirements}
    added = [
        Requirement(name, version(name), (name,))
        for name in ENGINE_DISTRIBUTIONS
        if name not in declared
    ]
    spec.requirements = sorted(spec.requirements + added, key=lambda r: r.distribution.lower())


def drift_statistics(value: Any, label: str) -> tuple[dict[str, Any] | None, str]:
    """The statistics of the reference value and the line saying what was made of it
    (``reference: 426 rows x 30 columns -> drift statistics``), or None and a note saying
    why nothing ships.  ``label``: the reference cell, as messages name it."""
    import importlib.util

    frame, kind = reference_frame(value)
    if frame is None:
        return None, (
            f"reference: {label} ends with {kind}, not a DataFrame or an array; no drift "
            "statistics were shipped (end it with the training data as a table)"
        )
    missing = [d for d in ENGINE_DISTRIBUTIONS if importlib.util.find_spec(d) is None]
    if missing:
        return None, (
            f"reference: no drift statistics were shipped: the drift check needs "
            f"{', '.join(missing)}, not installed here (pip install {' '.join(missing)})"
        )
    from nb2prod.drift.reference import reference_statistics
    from nb2prod.errors import UsageError

    try:
        stats = reference_statistics(frame)
    except UsageError as exc:
        return None, f"reference: {label}: {exc.message}; no drift statistics were shipped"
    rows, columns = frame.shape
    return stats, f"reference: {rows:,} rows x {columns:,} columns -> drift statistics"


def statistics_bytes(stats: dict[str, Any]) -> bytes:
    """The statistics file: compact JSON (it holds some thousands of numbers), in the
    reference's column order, the same bytes for the same data."""
    import json

    return (json.dumps(stats, separators=(",", ":")) + "\n").encode()


def drift_sources(package: str, stats: dict[str, Any] | None) -> dict[str, str]:
    """The Python a package gets for drift checks, by path in the project (formatted with
    the package's own code): the ``drift`` command, always (without statistics it says how
    to get them), and with ``stats`` a copy of the engine."""
    folder = f"src/{package}"
    sources = {f"{folder}/_drift_command.py": _read(Path(__file__).with_name("drift_command.py"))}
    if stats is not None:
        sources[f"{folder}/{ENGINE_FOLDER}/__init__.py"] = (
            '"""A copy of nb2prod\'s drift engine (nb2prod/drift/), made by nb2prod export: the\n'
            'package\'s `drift` command checks batches with it, without nb2prod."""\n'
        )
        for source in engine_files():
            sources[f"{folder}/{ENGINE_FOLDER}/{source.name}"] = _read(source)
    return sources


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")
