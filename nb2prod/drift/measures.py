"""The drift measures, computed from reference *statistics* and a batch's values.

Numeric columns: the batch's values are placed once among the reference sketch's distinct
quantiles (``place``, a branch-free ``np.searchsorted``); counts and sums per cell give, exactly, the batch's CDF at
each point and its integral over each cell.  From those:

- **KS**: the largest gap between the two CDFs at the sketch's points (both sides of
  each).  The reference's CDF there is exact (stored), so the result is never above the
  exact two-sample statistic and at most one sketch step below it (1/100, plus 1/rows of
  the reference), because between two points the reference's CDF rises by at most that.
- **Wasserstein** (``∫|F_ref - F_batch| dx``): exact beyond the reference's min and max;
  between two points both CDFs' integrals over the cell are exact (the reference's is
  stored), and the cell contributes the absolute value of their difference: only where the
  CDFs cross inside one cell is the distance undercounted.
  Normed by the reference's standard deviation (at least 0.001), as Evidently does.
- **PSI** over the reference's decile bins, whose edges are sketch points.

Categorical columns are compared as counts per category (exact, up to the lumped
``other`` of a column with more than 50 values): chi-squared, Jensen–Shannon and PSI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: What stands for an empty bin in PSI (as Evidently does): ln(0) is not a number.
PSI_FLOOR = 0.0001
#: The smallest standard deviation the Wasserstein distance is divided by.
MIN_NORM = 0.001


@dataclass
class NumericCells:
    """A batch's values placed among a numeric column's sketch points."""

    points: Any  # the reference's distinct quantiles, ascending
    counts: Any  # counts[k]: values with points[k-1] <= x < points[k] (k = 0: below all)
    sums: Any  # the values' sum in each cell
    equal: Any  # equal[j]: values exactly at points[j]
    total: int


def numeric_cells(column: dict[str, Any], values: Any) -> NumericCells:
    import numpy as np

    points = np.asarray(column["sketch"]["points"], dtype="float64")
    cells = place(points, values)
    size = len(points) + 1
    counts = np.bincount(cells, minlength=size)
    sums = np.bincount(cells, weights=values, minlength=size)
    # the point each value's cell starts at (NaN below the first: equal to nothing)
    starts = np.concatenate([[np.nan], points])
    at_point = cells[starts[cells] == values]
    equal = np.bincount(at_point - 1, minlength=len(points))
    return NumericCells(points, counts, sums, equal, len(values))


#: Values placed at a time: the search's working arrays stay in the CPU's cache.
PLACE_CHUNK = 65_536


def place(points: Any, values: Any) -> Any:
    """``np.searchsorted(points, values, side="right")`` for finite ``values``, about twice
    as fast: numpy's search branches on every comparison and mispredicts half of them on
    unsorted values; this one halves the step for all values at once, without branches
    (points padded with +inf to a power of two), a chunk of values at a time."""
    import numpy as np

    size = 1 << len(points).bit_length()
    padded = np.full(size, np.inf)
    padded[: len(points)] = points
    placed = np.zeros(len(values), dtype=np.intp)
    probe = np.empty(min(PLACE_CHUNK, len(values)), dtype=np.intp)
    seen = np.empty(len(probe))
    above = np.empty(len(probe), dtype=bool)
    for start in range(0, len(values), PLACE_CHUNK):
        part = values[start : start + PLACE_CHUNK]
        count, n = placed[start : start + len(part)], len(part)
        step = size // 2
        while step:  # invariant: points[:count] <= value
            np.add(count, step - 1, out=probe[:n])
            np.take(padded, probe[:n], out=seen[:n])
            np.less_equal(seen[:n], part, out=above[:n])
            np.multiply(above[:n], step, out=probe[:n])
            count += probe[:n]
            step //= 2
    return placed


def ks_statistic(column: dict[str, Any], cells: NumericCells) -> float:
    """The two-sample KS statistic, from the sketch (see the module's note)."""
    import numpy as np

    sketch = column["sketch"]
    below = np.cumsum(cells.counts)[:-1] / cells.total  # batch share < each point
    at_or_below = below + cells.equal / cells.total
    gaps = np.concatenate(
        [
            np.abs(np.asarray(sketch["cdf"]) - at_or_below),
            np.abs(np.asarray(sketch["cdf_below"]) - below),
        ]
    )
    return float(gaps.max())


def ks_p_value(statistic: float, reference: int, batch: int) -> float:
    """The asymptotic p-value of a two-sample KS statistic (scipy's ``ks_2samp``,
    ``method="asymp"``)."""
    from scipy.stats import kstwo

    large, small = max(reference, batch), min(reference, batch)
    effective = round(large * small / (large + small))
    return float(kstwo.sf(statistic, max(effective, 1)))


def wasserstein_normed(column: dict[str, Any], cells: NumericCells) -> float:
    """The Wasserstein distance between the reference and the batch, divided by the
    reference's standard deviation (see the module's note)."""
    import numpy as np

    points, counts, sums, n = cells.points, cells.counts, cells.sums, cells.total
    sketch = column["sketch"]
    tails = (counts[0] * points[0] - sums[0]) + (sums[-1] - counts[-1] * points[-1])
    width = np.diff(points)
    reference_area = width * np.asarray(sketch["cdf_mean"])
    batch_below = np.cumsum(counts)[:-1] / n  # share < each point
    inner_counts, inner_sums = counts[1:-1], sums[1:-1]
    batch_area = width * batch_below[:-1] + (inner_counts * points[1:] - inner_sums) / n
    distance = tails / n + float(np.abs(reference_area - batch_area).sum())
    return float(distance) / max(float(column["std"]), MIN_NORM)


def numeric_bins(column: dict[str, Any], cells: NumericCells, values: Any) -> Any:
    """The batch's counts in the reference's PSI bins (from the cells when every bin
    edge is a sketch point, as reference_statistics writes them)."""
    import numpy as np

    edges = np.asarray(column["bins"]["edges"], dtype="float64")
    if not np.isin(edges, cells.points).all():
        return np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    bin_of_cell = np.concatenate([[0], np.searchsorted(edges, cells.points, side="right")])
    return np.bincount(bin_of_cell, weights=cells.counts, minlength=len(edges) + 1)


def psi(reference: Any, batch: Any) -> float:
    """Population stability index of two count vectors over the same bins."""
    import numpy as np

    expected = np.asarray(reference, dtype="float64")
    actual = np.asarray(batch, dtype="float64")
    if expected.sum() == 0 or actual.sum() == 0:
        return 0.0
    expected = np.where(expected == 0, PSI_FLOOR, expected / expected.sum())
    actual = np.where(actual == 0, PSI_FLOOR, actual / actual.sum())
    return float(((actual - expected) * np.log(actual / expected)).sum())


def category_counts(column: dict[str, Any], batch: dict[Any, int]) -> tuple[Any, Any, list]:
    """(reference counts, batch counts, labels) over the reference's categories, its
    ``other`` and, when it had no ``other``, each value only the batch has."""
    import numpy as np

    known = {value: i for i, (value, _) in enumerate(column["categories"])}
    labels = [value for value, _ in column["categories"]]
    reference = [count for _, count in column["categories"]]
    counts = [0] * len(labels)
    lumped = 0
    unseen: dict[Any, int] = {}
    for value, count in batch.items():
        if value in known:
            counts[known[value]] += count
        elif column.get("other"):
            lumped += count
        else:
            unseen[value] = unseen.get(value, 0) + count
    if column.get("other"):
        labels.append("(other)")
        reference.append(column["other"])
        counts.append(lumped)
    for value, count in sorted(unseen.items(), key=lambda item: -item[1]):
        labels.append(value)
        reference.append(0)
        counts.append(count)
    return np.asarray(reference, dtype="float64"), np.asarray(counts, dtype="float64"), labels


def chi_squared_p_value(reference: Any, batch: Any) -> tuple[float, float]:
    """(statistic, p-value) of the batch's counts against the reference's shares
    (Evidently's chi-squared: scipy's ``chisquare`` with the reference scaled to the
    batch); a category the reference never had makes the statistic infinite."""
    import numpy as np
    from scipy.stats import chi2

    if len(reference) < 2 or reference.sum() == 0 or batch.sum() == 0:
        return 0.0, 1.0
    expected = reference * (batch.sum() / reference.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(expected > 0, (batch - expected) ** 2 / expected, np.inf)
    terms = np.where((expected == 0) & (batch == 0), 0.0, terms)
    statistic = float(terms.sum())
    return statistic, float(chi2.sf(statistic, len(reference) - 1))


def jensen_shannon(reference: Any, batch: Any) -> float:
    """The Jensen–Shannon distance (natural log, as scipy's ``jensenshannon``)."""
    import numpy as np

    if reference.sum() == 0 or batch.sum() == 0:
        return 0.0
    p, q = reference / reference.sum(), batch / batch.sum()
    middle = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.where(p > 0, p * np.log(p / middle), 0.0).sum()
        right = np.where(q > 0, q * np.log(q / middle), 0.0).sum()
    return float(np.sqrt(max((left + right) / 2, 0.0)))
