"""How good predictions are against labels: the metrics ``nb2prod promote`` compares.

Each metric knows which way is better.  scikit-learn computes them (imported when used).
Classification metrics beyond accuracy average over classes (``macro``) unless the labels
are 0/1 or False/True, where they score the positive class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nb2prod.errors import UsageError

#: A numeric target with at most this many distinct whole values is taken for classes.
MAX_CLASSES = 20


@dataclass(frozen=True)
class Metric:
    name: str
    higher_is_better: bool
    classification: bool
    compute: Callable[[Any, Any], float]

    def gain(self, candidate: float, champion: float) -> float:
        """How much better ``candidate`` is than ``champion`` (negative: worse)."""
        return candidate - champion if self.higher_is_better else champion - candidate


def _rmse(y_true: Any, y_pred: Any) -> float:
    from sklearn.metrics import mean_squared_error

    return float(mean_squared_error(y_true, y_pred)) ** 0.5


def _sklearn(function: str, **options: Any) -> Callable[[Any, Any], float]:
    def compute(y_true: Any, y_pred: Any) -> float:
        import sklearn.metrics

        return float(getattr(sklearn.metrics, function)(y_true, y_pred, **options))

    return compute


def _per_class(function: str) -> Callable[[Any, Any], float]:
    def compute(y_true: Any, y_pred: Any) -> float:
        import sklearn.metrics

        binary = set(_values(y_true)) | set(_values(y_pred)) <= {0, 1}
        average = "binary" if binary else "macro"
        score = getattr(sklearn.metrics, function)
        return float(score(y_true, y_pred, average=average, zero_division=0))

    return compute


def _values(column: Any) -> list[Any]:
    return list(column.unique()) if hasattr(column, "unique") else list(set(column))


METRICS = {
    metric.name: metric
    for metric in (
        Metric("rmse", False, False, _rmse),
        Metric("mse", False, False, _sklearn("mean_squared_error")),
        Metric("mae", False, False, _sklearn("mean_absolute_error")),
        Metric("r2", True, False, _sklearn("r2_score")),
        Metric("accuracy", True, True, _sklearn("accuracy_score")),
        Metric("balanced_accuracy", True, True, _sklearn("balanced_accuracy_score")),
        Metric("f1", True, True, _per_class("f1_score")),
        Metric("precision", True, True, _per_class("precision_score")),
        Metric("recall", True, True, _per_class("recall_score")),
    )
}


def get_metric(name: str | None, target: Any) -> Metric:
    """The metric called ``name``, or the default for the ``target`` column."""
    if name is None:
        return METRICS["rmse" if is_continuous(target) else "accuracy"]
    found = METRICS.get(name.lower())
    if found is None:
        raise UsageError(f"unknown metric {name!r}", f"use one of {', '.join(METRICS)}")
    return found


def is_continuous(target: Any) -> bool:
    """A numeric target with fractional values or more than MAX_CLASSES distinct ones
    (a regression's); booleans, text and a few whole numbers are classes."""
    kind = target.dtype.kind
    if kind not in "iuf":
        return False
    values = target.dropna()
    whole = kind in "iu" or bool((values == values.round()).all())
    return not whole or values.nunique() > MAX_CLASSES


def score(metric: Metric, y_true: Any, y_pred: Any) -> float:
    """``metric`` of ``y_pred`` against ``y_true``; a mismatch of kinds is a UsageError."""
    try:
        return metric.compute(y_true, y_pred)
    except (ValueError, TypeError) as exc:
        from nb2prod.errors import first_line

        kind = "classes" if metric.classification else "numbers"
        raise UsageError(
            f"{metric.name} cannot compare these predictions with the target: {first_line(exc)}",
            f"{metric.name} needs {kind}; choose another --metric",
        ) from None
