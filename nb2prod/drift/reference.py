"""Reference statistics: what a drift check needs to know about the reference data, as
JSON-able data (numbers, strings, lists), never its rows.

Per column: its kind, counts, and for a numeric column min/max/mean/std, ten quantile bins
with the reference's count in each (PSI) and a sketch of 101 quantiles with the reference's
exact CDF at each distinct one (KS and Wasserstein); for a categorical column the counts of
its ``MAX_CATEGORIES`` most frequent values, the rest lumped into ``other``.  A numeric
column with at most ``MAX_UNIQUE_FOR_CATEGORICAL`` distinct values is categorical (as
Evidently treats it).  docs/drift.md describes the format.
"""

from __future__ import annotations

from typing import Any

from .problems import DriftInputError

#: The version of the statistics format (``"format"`` in the file).
STATS_FORMAT = 1

#: Distinct values a categorical column keeps by name; the others' rows count as "other".
MAX_CATEGORIES = 50
#: Numeric columns with this many distinct values or fewer are tested as categories.
MAX_UNIQUE_FOR_CATEGORICAL = 5
#: Quantiles in a numeric column's sketch (0 %, 1 %, ..., 100 %).
SKETCH_POINTS = 101
#: Quantile bins for PSI (deciles); their edges are sketch points.
PSI_BINS = 10

NUMERIC, CATEGORICAL, OTHER = "numeric", "categorical", "other"


def reference_statistics(frame: Any) -> dict[str, Any]:
    """The statistics of ``frame`` (a pandas DataFrame) that ``check_drift`` compares a
    batch with: a dict ready for ``json.dumps``, with ``"format": 1``."""
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        doubled = sorted({n for n in names if names.count(n) > 1})
        raise DriftInputError(f"the reference data has duplicate columns: {', '.join(doubled)}")
    if len(frame) == 0:
        raise DriftInputError("the reference data has no rows", "pass the training data")
    columns = {name: column_statistics(frame.iloc[:, i]) for i, name in enumerate(names)}
    return {
        "format": STATS_FORMAT,
        "created_by": f"nb2prod {_version()}",
        "rows": len(frame),
        "sketch_points": SKETCH_POINTS,
        "psi_bins": PSI_BINS,
        "columns": columns,
    }


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nb2prod")
    except PackageNotFoundError:  # a copy of the engine inside an exported package
        return "(engine copy)"


def column_kind(series: Any) -> str:
    """``numeric``, ``categorical`` or ``other`` (dates, durations, complex numbers: not
    tested), by the column's type."""
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return CATEGORICAL
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        return OTHER
    if pd.api.types.is_complex_dtype(dtype):
        return OTHER
    if pd.api.types.is_numeric_dtype(dtype):
        return NUMERIC
    return CATEGORICAL


def numbers(series: Any) -> Any:
    """The finite values of a numeric column as float64 (NaN and infinities are nulls)."""
    import numpy as np

    values = series.to_numpy(dtype="float64", na_value=np.nan)
    finite = np.isfinite(values)
    return values if finite.all() else values[finite]


def column_statistics(series: Any) -> dict[str, Any]:
    kind = column_kind(series)
    base = {"dtype": str(series.dtype)}
    if kind == OTHER:
        return {
            "kind": OTHER,
            **base,
            "count": int(series.notna().sum()),
            "nulls": int(series.isna().sum()),
        }
    if kind == NUMERIC:
        values = numbers(series)
        stats = _numeric(values)
        if stats["unique"] > MAX_UNIQUE_FOR_CATEGORICAL:
            return {"kind": NUMERIC, **base, "nulls": len(series) - len(values), **stats}
        import pandas as pd

        counts = pd.Series(values).value_counts()
        categories = [[float(v), int(n)] for v, n in counts.items()]
        return {
            "kind": CATEGORICAL, **base, "values": "number", "count": len(values),
            "nulls": len(series) - len(values), "unique": len(categories),
            "categories": categories, "other": 0,
        }  # fmt: skip
    counts = series.dropna().astype(str).value_counts()
    kept = counts.iloc[:MAX_CATEGORIES]
    return {
        "kind": CATEGORICAL, **base, "values": "text", "count": int(counts.sum()),
        "nulls": int(series.isna().sum()), "unique": len(counts),
        "categories": [[str(v), int(n)] for v, n in kept.items()],
        "other": int(counts.iloc[MAX_CATEGORIES:].sum()),
    }  # fmt: skip


def _numeric(values: Any) -> dict[str, Any]:
    import numpy as np

    ordered = np.sort(values)
    count = len(ordered)
    if count == 0:
        return {"count": 0, "unique": 0}
    unique = int(np.count_nonzero(np.diff(ordered))) + 1
    quantiles = np.quantile(ordered, np.linspace(0.0, 1.0, SKETCH_POINTS))
    points = np.unique(quantiles)
    step = (SKETCH_POINTS - 1) // PSI_BINS
    edges = np.unique(quantiles[step:-1:step])
    bins = np.bincount(np.searchsorted(edges, ordered, side="right"), minlength=len(edges) + 1)
    cdf = np.searchsorted(ordered, points, side="right") / count
    # the mean of the CDF over each cell [left, right) between two points, exact, for
    # Wasserstein's integral: the share below left, and each value v in the cell adds
    # (right - v) / width / count
    cell = np.searchsorted(points, ordered, side="right")
    inside = (cell > 0) & (cell < len(points))
    width = np.diff(points)
    lifts = np.bincount(
        cell[inside] - 1,
        weights=(points[cell[inside]] - ordered[inside]) / width[cell[inside] - 1],
        minlength=len(width),
    )
    below = np.searchsorted(ordered, points, side="left") / count
    cdf_mean = below[:-1] + lifts / count
    return {
        "count": count,
        "unique": unique,
        "min": float(ordered[0]),
        "max": float(ordered[-1]),
        "mean": float(ordered.mean()),
        "std": float(ordered.std()),
        "bins": {"edges": edges.tolist(), "counts": bins.tolist()},
        "sketch": {
            "quantiles": quantiles.tolist(),
            "points": points.tolist(),
            "cdf": cdf.tolist(),
            "cdf_below": below.tolist(),
            "cdf_mean": cdf_mean.tolist(),
        },
    }


def check_statistics(stats: Any, where: str) -> dict[str, Any]:
    """``stats`` as read from ``where``, once it is statistics of a format this version
    reads; else a DriftInputError saying so."""
    if not isinstance(stats, dict) or not isinstance(stats.get("columns"), dict):
        raise DriftInputError(
            f'{where}: not reference statistics (no "columns")',
            "pass a file written by nb2prod's reference_statistics, or an exported package",
        )
    if stats.get("format") != STATS_FORMAT:
        raise DriftInputError(
            f"{where}: reference statistics of format {stats.get('format')!r}; this nb2prod "
            f"reads format {STATS_FORMAT}",
            "upgrade nb2prod, or export the package again with this version",
        )
    return stats
