"""``check_drift``: a batch compared with reference statistics, column by column.

The tests are Evidently's defaults.  With a reference of at most ``SMALL_REFERENCE`` rows:
two-sample KS for numeric columns and chi-squared for categorical ones, drift when
p < 0.05; with a larger one: Wasserstein distance (normed by the reference's standard
deviation) for numeric columns and Jensen–Shannon distance for categorical ones, drift at
0.1 or more.  PSI is reported for every column.  The dataset drifts when at least half of
the tested columns drift.  A batch whose columns or types do not match the reference is an
input error (``BadBatch``, exit 2), not drift.
"""

from __future__ import annotations

import time
from typing import Any

from . import measures
from .problems import DriftInputError
from .reference import CATEGORICAL, NUMERIC, OTHER, check_statistics, numbers
from .report import ColumnResult, DriftReport

SMALL_REFERENCE = 1000
P_VALUE_THRESHOLD = 0.05
DISTANCE_THRESHOLD = 0.1
DRIFT_SHARE = 0.5


class BadBatch(DriftInputError):
    """The batch cannot be compared with the reference: columns missing or extra, values
    of the wrong type, no rows (exit 2)."""


def check_drift(
    stats: dict[str, Any],
    frame: Any,
    *,
    drift_share: float = DRIFT_SHARE,
    source: dict[str, str] | None = None,
) -> DriftReport:
    """Compare ``frame`` (a pandas DataFrame) with ``stats`` (``reference_statistics``'
    output) and return the report; raises BadBatch when the batch does not fit."""
    started = time.perf_counter()
    stats = check_statistics(stats, "the statistics")
    if not 0 < drift_share <= 1:
        raise DriftInputError(f"drift_share must be in (0, 1], not {drift_share}")
    columns: dict[str, dict[str, Any]] = stats["columns"]
    batch = _batch_columns(frame, columns)
    small = int(stats["rows"]) <= SMALL_REFERENCE

    def test(name: str) -> ColumnResult:
        return _column(name, columns[name], batch[name], small)

    results = _map(test, list(columns), len(frame) * len(columns))
    return DriftReport(
        columns=results,
        reference_rows=int(stats["rows"]),
        batch_rows=len(frame),
        drift_share=drift_share,
        regime="small" if small else "large",
        seconds=time.perf_counter() - started,
        source=dict(source or {}),
    )


#: Values in a batch from which columns are tested on threads: numpy's ufuncs, ``take``
#: and ``bincount`` on large arrays run without the GIL, so the cores share the columns.
THREADED_FROM = 200_000


def _map(test: Any, names: list[str], values: int) -> list[ColumnResult]:
    import os

    workers = min(os.cpu_count() or 1, len(names), 8)
    if values < THREADED_FROM or workers < 2:
        return [test(name) for name in names]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers, thread_name_prefix="nb2prod-drift") as pool:
        return list(pool.map(test, names))


def _batch_columns(frame: Any, columns: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The batch's columns by name, once every problem with them was collected: one
    BadBatch names them all."""
    names = [str(c) for c in frame.columns]
    problems = []
    missing = [c for c in columns if c not in names]
    extra = [c for c in names if c not in columns]
    if missing:
        problems.append(f"missing column{'s' * (len(missing) > 1)} {', '.join(missing)}")
    if extra:
        problems.append(f"extra column{'s' * (len(extra) > 1)} {', '.join(extra)}")
    if len(set(names)) != len(names):
        problems.append(
            "duplicate columns " + ", ".join(sorted({n for n in names if names.count(n) > 1}))
        )
    if not problems and len(frame) == 0:
        problems.append("no rows")
    batch = {name: frame.iloc[:, i] for i, name in enumerate(names) if name in columns}
    if not problems:
        for name, column in columns.items():
            wrong = _wrong_type(batch[name], column)
            if wrong:
                problems.append(f"column {name} {wrong}")
    if problems:
        raise BadBatch(
            "the batch does not match the reference: " + "; ".join(problems),
            "pass a batch with the reference's columns and types (the statistics list them)",
        )
    return batch


def _wrong_type(series: Any, column: dict[str, Any]) -> str | None:
    """Why ``series`` cannot be read as the reference's column, or None."""
    import pandas as pd

    wants_numbers = column["kind"] == NUMERIC or column.get("values") == "number"
    if not wants_numbers or pd.api.types.is_numeric_dtype(series.dtype):
        return None
    present = series.dropna()
    converted = pd.to_numeric(present, errors="coerce")
    bad = present[converted.isna()]
    if len(bad):
        return f"holds text ({str(bad.iloc[0])[:40]!r}); the reference's is numeric ({column['dtype']})"
    return None


def _as_numbers(series: Any) -> Any:
    import pandas as pd

    if not pd.api.types.is_numeric_dtype(series.dtype):
        series = pd.to_numeric(series, errors="coerce")
    return numbers(series)


def _column(name: str, column: dict[str, Any], series: Any, small: bool) -> ColumnResult:
    rows = int(column.get("count", 0)) + int(column.get("nulls", 0))
    reference_nulls = int(column.get("nulls", 0)) / rows if rows else 0.0
    kind = column["kind"]
    result = ColumnResult(name, kind, None, None, None, None, False, None, reference_nulls, 0.0)
    if kind == OTHER:
        result.note = f"a {column['dtype']} column"
        result.batch_nulls = float(series.isna().mean())
        return result
    if kind == NUMERIC:
        values = _as_numbers(series)
        result.batch_nulls = 1 - len(values) / len(series)
        if len(values) == 0:
            result.note = "no values in the batch"
            return result
        _numeric(result, column, values, small)
    elif kind == CATEGORICAL:
        counts = _category_counts(series, column)
        present = sum(counts.values())
        result.batch_nulls = 1 - present / len(series)
        if present == 0 or not column["count"]:
            result.note = "no values in the batch" if present == 0 else "no values in the reference"
            return result
        _categorical(result, column, counts, small)
    else:
        raise DriftInputError(f"column {name}: unknown kind {kind!r} in the statistics")
    return result


def _numeric(result: ColumnResult, column: dict[str, Any], values: Any, small: bool) -> None:
    cells = measures.numeric_cells(column, values)
    if small:
        statistic = measures.ks_statistic(column, cells)
        p_value = measures.ks_p_value(statistic, int(column["count"]), len(values))
        result.test, result.statistic, result.score = "ks", statistic, p_value
        result.threshold, result.drift = P_VALUE_THRESHOLD, p_value < P_VALUE_THRESHOLD
    else:
        distance = measures.wasserstein_normed(column, cells)
        result.test, result.statistic, result.score = "wasserstein", distance, distance
        result.threshold, result.drift = DISTANCE_THRESHOLD, distance >= DISTANCE_THRESHOLD
    batch_bins = measures.numeric_bins(column, cells, values)
    result.psi = measures.psi(column["bins"]["counts"], batch_bins)


def _categorical(result: ColumnResult, column: dict[str, Any], counts: dict, small: bool) -> None:
    reference, batch, labels = measures.category_counts(column, counts)
    unseen = [str(v) for v, n in zip(labels, reference) if n == 0]
    if small:
        statistic, p_value = measures.chi_squared_p_value(reference, batch)
        result.test, result.statistic, result.score = "chi_squared", statistic, p_value
        result.threshold, result.drift = P_VALUE_THRESHOLD, p_value < P_VALUE_THRESHOLD
    else:
        distance = measures.jensen_shannon(reference, batch)
        result.test, result.statistic, result.score = "jensen_shannon", distance, distance
        result.threshold, result.drift = DISTANCE_THRESHOLD, distance >= DISTANCE_THRESHOLD
    result.psi = measures.psi(reference, batch)
    if unseen:
        shown = ", ".join(unseen[:3]) + (", ..." if len(unseen) > 3 else "")
        result.note = f"new value{'s' * (len(unseen) > 1)}: {shown}"


def _category_counts(series: Any, column: dict[str, Any]) -> dict[Any, int]:
    """The batch's values counted as the reference's categories are named: numbers as
    floats, text as text (a whole-number float read from CSV as its integer's text)."""
    import pandas as pd

    if column.get("values") == "number":
        values = _as_numbers(series)
        counts = pd.Series(values).value_counts()
        return {float(v): int(n) for v, n in counts.items()}
    present = series.dropna()
    if pd.api.types.is_float_dtype(present.dtype) and (present == present.round()).all():
        present = present.astype("int64")
    counts = present.astype(str).value_counts()
    return {str(v): int(n) for v, n in counts.items()}
