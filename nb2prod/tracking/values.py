"""What a Python value becomes in an MLflow run: a metric, a parameter or an artifact.

Numbers are metrics; booleans, short strings and other small scalars are parameters
(secret-looking names are redacted); pandas frames and matplotlib/plotly figures are files.
Anything else is skipped with a reason, never an error: tracking must not break a cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from nb2prod.credentials import looks_secret

MAX_PARAM_LENGTH = 500  # MLflow accepts more; longer text is not a parameter
REDACTED = "<redacted>"


@dataclass
class Logged:
    """Values sorted for logging; ``artifacts`` maps a file name to a writer(path)."""

    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    artifacts: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # name -> why


def sort_values(values: dict[str, Any]) -> Logged:
    """Sort ``values`` (name -> value) into metrics, params and artifacts."""
    logged = Logged()
    for name, value in values.items():
        if is_number(value):
            logged.metrics[name] = float(value)
        elif _is_frame(value):
            logged.artifacts[f"{name}.csv"] = lambda path, v=value: v.to_csv(path)
        elif _is_figure(value):
            if type(value).__module__.startswith("plotly"):
                logged.artifacts[f"{name}.html"] = lambda path, v=value: v.write_html(path)
            else:
                logged.artifacts[f"{name}.png"] = lambda path, v=value: v.savefig(path)
        elif _is_scalar(value):
            logged.params[name] = param_text(name, value)
        else:
            logged.skipped[name] = f"a {type(value).__name__} is not a number, text or figure"
    return logged


def param_text(name: str, value: Any) -> str:
    """``value`` as an MLflow parameter, redacted when the name or the text looks secret."""
    text = str(value)
    if looks_secret(name, text):
        return REDACTED
    return text if len(text) <= MAX_PARAM_LENGTH else text[: MAX_PARAM_LENGTH - 1] + "…"


def is_number(value: Any) -> bool:
    """An int or float (numpy's included) that is finite; bools are parameters."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return False
    if isinstance(value, (int, float)) or _is_numpy_number(value):
        return math.isfinite(float(value))
    return False


def _is_numpy_number(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "dtype") and value.ndim == 0


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, bool, int, float)) or _is_numpy_number(value)


def _is_frame(value: Any) -> bool:
    kind = type(value)
    return kind.__module__.startswith("pandas") and kind.__name__ in ("DataFrame", "Series")


def _is_figure(value: Any) -> bool:
    kind = type(value)
    return (kind.__module__.startswith("matplotlib") and kind.__name__ == "Figure") or (
        kind.__module__.startswith("plotly") and kind.__name__ == "Figure"
    )
