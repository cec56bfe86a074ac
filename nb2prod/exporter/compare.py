"""Is the package's answer the notebook's answer?  Exact for ints, strings and bools; floats
within a relative tolerance; numpy arrays and pandas objects compared element by element.

This module is copied verbatim into every exported project (``tests/_compare.py``) so that
its golden test and ``nb2prod verify`` judge alike: it uses only the standard library and
touches numpy or pandas only through the values it is given.
"""

from __future__ import annotations

import math

RTOL = 1e-6
ATOL = 1e-12
_SHOWN = 5  # differing elements listed per value


def differences(expected, actual, rtol: float = RTOL, where: str = "output") -> list[str]:
    """Readable lines saying how ``actual`` differs from ``expected``; empty when equal."""
    kind = _kind(expected)
    if kind != _kind(actual):
        return [f"{where}: the notebook gave {_type(expected)}, the package {_type(actual)}"]
    compare = _COMPARERS.get(kind, _compare_other)
    return compare(expected, actual, rtol, where)


def _kind(value) -> str:
    module = type(value).__module__.split(".")[0]
    name = type(value).__name__
    if module == "pandas" and name in ("DataFrame", "Series", "Index"):
        return f"pandas.{name}"
    if module == "numpy":
        return "numpy.ndarray" if name == "ndarray" else "number"
    if isinstance(value, bool) or value is None:
        return type(value).__name__
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (list, tuple)):
        return "sequence"
    if isinstance(value, dict):
        return "dict"
    return "other"


def _type(value) -> str:
    shape = getattr(value, "shape", None)
    name = f"{type(value).__module__}.{type(value).__qualname__}".replace("builtins.", "")
    return f"{name} {tuple(shape)}" if isinstance(shape, tuple) else name


def _compare_number(expected, actual, rtol, where):
    expected = expected.item() if hasattr(expected, "item") else expected
    actual = actual.item() if hasattr(actual, "item") else actual
    if isinstance(expected, float) or isinstance(actual, float):
        same = (math.isnan(expected) and math.isnan(actual)) or math.isclose(
            expected, actual, rel_tol=rtol, abs_tol=ATOL
        )
    else:
        same = expected == actual and type(expected) is type(actual)
    return [] if same else [f"{where}: notebook {expected!r}, package {actual!r}"]


def _compare_sequence(expected, actual, rtol, where):
    if type(expected) is not type(actual):
        return [f"{where}: the notebook gave a {_type(expected)}, the package a {_type(actual)}"]
    if len(expected) != len(actual):
        return [f"{where}: notebook has {len(expected)} items, package {len(actual)}"]
    found: list[str] = []
    for index, (e, a) in enumerate(zip(expected, actual)):
        found += differences(e, a, rtol, f"{where}[{index}]")
        if len(found) >= _SHOWN:
            break
    return found


def _compare_dict(expected, actual, rtol, where):
    if list(expected) != list(actual):
        return [f"{where}: notebook keys {list(expected)!r}, package keys {list(actual)!r}"]
    found: list[str] = []
    for key in expected:
        found += differences(expected[key], actual[key], rtol, f"{where}[{key!r}]")
    return found


def _compare_array(expected, actual, rtol, where, labels=None):
    import numpy as np

    if expected.shape != actual.shape:
        return [f"{where}: notebook shape {expected.shape}, package shape {actual.shape}"]
    if expected.dtype.kind != actual.dtype.kind:
        return [f"{where}: notebook dtype {expected.dtype}, package dtype {actual.dtype}"]
    if expected.dtype.kind in "fc":
        same = np.isclose(expected, actual, rtol=rtol, atol=ATOL, equal_nan=True)
    else:
        same = expected == actual
        same = np.asarray(same) if not isinstance(same, bool) else np.full(expected.shape, same)
    wrong = np.argwhere(~same)
    found = []
    for position in wrong[:_SHOWN]:
        at = tuple(int(i) for i in position)
        label = labels(at) if labels else "".join(f"[{i}]" for i in at)
        shown = _plain(expected[at]), _plain(actual[at])
        found.append(f"{where}{label}: notebook {shown[0]!r}, package {shown[1]!r}")
    if len(wrong) > _SHOWN:
        found.append(f"{where}: ... {len(wrong) - _SHOWN} more differing elements")
    return found


def _plain(value):
    """A numpy scalar as the Python value it holds, so messages read ``0.5``, not
    ``np.float64(0.5)``."""
    return value.item() if hasattr(value, "item") and getattr(value, "ndim", None) == 0 else value


def _compare_index(expected, actual, rtol, where):
    if len(expected) != len(actual) or not bool((expected == actual).all()):
        return [f"{where}: notebook {list(expected)[:_SHOWN]!r}, package {list(actual)[:_SHOWN]!r}"]
    return []


def _compare_series(expected, actual, rtol, where):
    found = _compare_index(expected.index, actual.index, rtol, f"{where}.index")
    if expected.name != actual.name:
        found.append(f"{where}.name: notebook {expected.name!r}, package {actual.name!r}")
    if found:
        return found
    values = (expected.to_numpy(), actual.to_numpy())
    return _compare_array(*values, rtol, where, lambda at: f"[{_plain(expected.index[at[0]])!r}]")


def _compare_frame(expected, actual, rtol, where):
    found = _compare_index(expected.columns, actual.columns, rtol, f"{where}.columns")
    found += _compare_index(expected.index, actual.index, rtol, f"{where}.index")
    if found:
        return found
    for column in expected.columns:
        found += _compare_series(expected[column], actual[column], rtol, f"{where}[{column!r}]")
    return found


def _compare_other(expected, actual, rtol, where):
    try:
        same = bool(expected == actual)
    except Exception:  # an == that does not give one truth value: compare the text
        same = repr(expected) == repr(actual)
    return [] if same else [f"{where}: notebook {expected!r}, package {actual!r}"]


_COMPARERS = {
    "number": _compare_number,
    "bool": _compare_number,
    "sequence": _compare_sequence,
    "dict": _compare_dict,
    "numpy.ndarray": _compare_array,
    "pandas.Index": _compare_index,
    "pandas.Series": _compare_series,
    "pandas.DataFrame": _compare_frame,
}
