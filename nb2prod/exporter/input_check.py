"""Checking predict's input against the package's input contract (``_contract.json``).

This module is copied into every exported package as ``_validation.py``: it imports
nothing of nb2prod, and numpy and pandas only when the input is theirs, so the package
imports in a few milliseconds.  Checks are a few vectorised numpy operations over the
contract's data (no validation library: see docs/export.md for the measured choice).

Policy: a missing or extra column, a type that cannot be converted safely, a null where
none was seen, an empty input -> ``InputError`` listing every problem; a value outside the
range seen, an unseen category -> ``InputWarning`` (``InputError`` with ``strict=True``).
Ranges and categories are checked only where they come from the reference data: the few
rows of an example input say nothing of the values a model was trained on.
Safe conversions are made on a copy: columns put in the contract's order, ints to floats,
integral floats to ints, numeric text to numbers, dates written as text to datetimes.
"""

from __future__ import annotations

import warnings
from typing import Any

_SHOWN = 3  # example values and rows named in one problem


class InputError(ValueError):
    """The input does not fit the package's input contract; ``problems`` lists each."""

    def __init__(self, problems: str | list[str]):
        if isinstance(problems, str):  # one problem with a file or an argument
            self.problems = [problems]
            super().__init__(problems)
            return
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        super().__init__(f"the input does not fit the model's input contract ({count}):\n{lines}")


class InputWarning(UserWarning):
    """Values the model has not seen (outside the range, unseen categories): predictions
    may be unreliable.  ``strict=True`` makes these errors."""


_CONTRACT: dict[str, Any] = {}


def contract() -> dict[str, Any]:
    """The package's contract, read once from ``_contract.json`` beside this file."""
    if not _CONTRACT:
        import json
        import os

        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_contract.json")
        with open(path, encoding="utf-8") as fh:
            _CONTRACT.update(json.load(fh))
    return _CONTRACT


def checked(
    inputs: dict[str, Any], *, strict: bool = False, spec: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``inputs`` checked against the contract (``spec``, default the package's), with the
    safe conversions made; raises InputError naming every problem."""
    specs = (spec if spec is not None else contract()).get("inputs", {})
    errors: list[str] = []
    doubts: list[str] = []
    result = dict(inputs)
    kept = spec is None  # the package's own contract, read once: worth remembering about
    for name, value in inputs.items():
        if name in specs:
            result[name] = _check(name, value, specs[name], errors, doubts, kept)
    if strict:
        errors += doubts
    elif doubts:
        warnings.warn(
            "values the model has not seen: " + "; ".join(doubts), InputWarning, stacklevel=3
        )
    if errors:
        raise InputError(errors)
    return result


def _check(
    name: str, value: Any, spec: dict[str, Any], errors: list, doubts: list, kept: bool
) -> Any:
    kind = spec.get("kind")
    if kind == "dataframe":
        return _frame(name, value, spec, errors, doubts, kept)
    if kind == "series":
        return _series(name, value, spec, errors, doubts)
    if kind == "ndarray":
        return _array(name, value, spec, errors)
    _plain(name, value, spec, errors)
    return value


# --------------------------------------------------------------------------- tables


def _frame(
    name: str, value: Any, spec: dict[str, Any], errors: list, doubts: list, kept: bool
) -> Any:
    """``kept``: ``spec`` is the package's contract, kept for the process (not made for one
    call), so what a table that fits it needs is worked out once."""
    import pandas as pd

    columns = spec["columns"]
    layout = _layout(columns) if kept else _new_layout(columns)
    wanted = layout["names"]
    if isinstance(value, (dict, list)) and value:
        value = pd.DataFrame(value)  # records or a dict of columns: a table already
    if not isinstance(value, pd.DataFrame):
        errors.append(
            f"{name}: expected a table (pandas DataFrame) with {len(wanted)} columns "
            f"({_names(wanted)}); got {_type_name(value)}"
        )
        return value
    have = value.columns.tolist()
    if have != wanted or not layout["unique"]:  # the fast path: a table as the contract has it
        have = [str(c) for c in have]
        named = set(have)
        missing = [c for c in wanted if c not in named]
        extra = [c for c in have if c not in set(wanted)]
        if missing:
            errors.append(f"{name}: missing columns: {_names(missing)}")
        if extra:
            errors.append(f"{name}: unexpected columns: {_names(extra)}")
        if len(named) != len(have):
            errors.append(f"{name}: duplicate columns: {_names(sorted(_doubled(have)))}")
            return value
        if missing or extra:  # still check the columns that are there: every problem at once
            columns = [c for c in columns if c["name"] in named]
            layout = _new_layout(columns)
            wanted = layout["names"]
        if have != wanted:  # the contract's order, keeping the caller's labels
            value = value.iloc[:, [have.index(w) for w in wanted]]
    if len(value) == 0:
        errors.append(f"{name}: the table has no rows")
        return value
    dtypes = _column_dtypes(value)
    fits = dtypes == layout["fitting"]  # the dtypes of the last table that fit: the fast path
    names = [] if fits else [_dtype_name(dtype) for dtype in dtypes]
    if fits or names == layout["dtypes"]:
        if not fits:  # a dtype's name says its kind: the same positions are numeric each time
            layout["numeric"] = _numeric(columns, dtypes)
            layout["fitting"] = dtypes  # last: a thread that sees it sees "numeric" too
        numeric = layout["numeric"]
    else:
        converted = {}
        for position, column in enumerate(columns):
            if names[position] != column["dtype"]:
                where = f"{name}: column {column['name']!r}"
                new = _converted(where, value.iloc[:, position], column, errors)
                if new is not None:
                    converted[position] = new
        if converted:
            value = value.copy()  # the caller's table is left as it was
            for position, new in converted.items():
                value.isetitem(position, new)
            dtypes = _column_dtypes(value)
        numeric = _numeric(columns, dtypes)
    _numbers(name, value, columns, numeric, layout, errors, doubts)
    return value


def _numeric(columns: list[dict], dtypes: list) -> list[int]:
    """The positions of the columns checked as numbers: numeric in the contract and in
    the table."""
    return [
        i
        for i, c in enumerate(columns)
        if c["type"] in ("int", "float") and getattr(dtypes[i], "kind", "") in "iuf"
    ]


_LAYOUTS: dict[int, tuple[list[dict], dict[str, Any]]] = {}


def _layout(columns: list[dict]) -> dict[str, Any]:
    """:func:`_new_layout` of a contract's ``columns``, made once."""
    key = id(columns)
    if key not in _LAYOUTS or _LAYOUTS[key][0] is not columns:
        _LAYOUTS[key] = (columns, _new_layout(columns))
    return _LAYOUTS[key][1]


def _new_layout(columns: list[dict]) -> dict[str, Any]:
    """The names and dtype names of ``columns``; once a table had those dtypes, its dtypes
    and the positions of its numeric columns; the (min, max) arrays of such positions."""
    names = [c["name"] for c in columns]
    return {
        "names": names,
        "unique": len(set(names)) == len(names),
        "dtypes": [c["dtype"] for c in columns],
        "fitting": None,  # the dtypes of a table that had those names
        "numeric": None,
        "bounds": {},
    }


def _column_dtypes(frame: Any) -> list:
    """The dtype of each column, in order.  ``DataFrame.dtypes`` builds a Series indexed
    by the column labels: 14 us for 30 columns, a sixth of the whole check; pandas' own
    list of them is the same without the Series (``DataFrame.dtypes`` when it has none)."""
    listed = getattr(getattr(frame, "_mgr", None), "get_dtypes", None)
    if callable(listed):
        try:
            dtypes = list(listed())
        except Exception:  # another pandas: the public way below
            dtypes = []
        if len(dtypes) == frame.shape[1]:
            return dtypes
    return list(frame.dtypes)


def _series(name: str, value: Any, spec: dict[str, Any], errors: list, doubts: list) -> Any:
    import pandas as pd

    column = spec["column"]
    if not isinstance(value, pd.Series):
        if isinstance(value, pd.DataFrame) and value.shape[1] == 1:
            value = value.iloc[:, 0]
        elif isinstance(value, (list, tuple)):
            value = pd.Series(value, name=column["name"])
        else:
            errors.append(f"{name}: expected a column (pandas Series); got {_type_name(value)}")
            return value
    if len(value) == 0:
        errors.append(f"{name}: the column has no rows")
        return value
    label = column["name"] if column["name"] is not None else 0
    one = {"columns": [{**column, "name": label}]}  # made for this call: kept=False
    frame = _frame(name, value.to_frame(label), one, errors, doubts, kept=False)
    out = frame.iloc[:, 0] if isinstance(frame, pd.DataFrame) else value
    return out.rename(value.name)


def _converted(where: str, column: Any, spec: dict[str, Any], errors: list) -> Any:
    """``column`` as the contract's type when that is safe, else None (and an error)."""
    import pandas as pd

    want, dtype = spec["type"], spec["dtype"]
    have = column.dtype.kind
    try:
        if want in ("int", "float") and have in "iuf":
            if want == "float" or have in "iu":
                return column.astype(dtype)
            present = column.dropna()
            if len(present) == len(column) and (present % 1 == 0).all():
                return column.astype(dtype)
            whole = present[present % 1 != 0]
            if len(whole):
                errors.append(f"{where}: expected whole numbers ({dtype}); got {_examples(whole)}")
                return None
            return None  # nulls in an int column: the null check reports them
        if want in ("int", "float") and column_is_text(column):
            numbers = pd.to_numeric(column, errors="coerce")
            bad = column[numbers.isna() & column.notna()]
            if len(bad):
                errors.append(f"{where}: expected numbers ({dtype}); got {_examples(bad)}")
                return None
            return numbers.astype(dtype) if not numbers.isna().any() else numbers
        if want == "str" and have in "iuO":
            return column.astype(object).where(column.isna(), column.astype(str))
        if want == "category":
            return column.astype("category")
        if want == "datetime" and have in "OM":
            dates = pd.to_datetime(column, errors="coerce")
            bad = column[dates.isna() & column.notna()]
            if len(bad):
                errors.append(f"{where}: expected dates; got {_examples(bad)}")
                return None
            return dates
        if want == "bool" and have == "O" and column.map(type).isin([bool]).all():
            return column.astype(bool)
    except (TypeError, ValueError):
        pass
    errors.append(f"{where}: expected {dtype}; got {column.dtype} (values {_examples(column)})")
    return None


def _numbers(
    name: str,
    frame: Any,
    columns: list[dict],
    numeric: list[int],
    layout: dict[str, Any],
    errors: list,
    doubts: list,
) -> None:
    """Nulls, ranges and categories, with one numpy pass over the ``numeric`` columns
    (those with a numeric dtype the contract checks as numbers)."""
    import numpy as np

    if numeric:
        part = frame if len(numeric) == len(columns) else frame.iloc[:, numeric]
        # one row per column, contiguous: numpy reduces those 3-4x faster than strided
        block = np.ascontiguousarray(part.to_numpy(dtype="float64", copy=False).T)
        low, high = block.min(axis=1), block.max(axis=1)
        lo, hi = _bounds(columns, numeric, layout)
        # min propagates NaN, which fails both comparisons: a null or a value outside
        fits = bool(((low >= lo) & (high <= hi)).all())
        nulls = np.zeros(0, dtype=bool) if fits else np.isnan(low)
        if nulls.any():  # their range without the nulls
            low[nulls] = np.fmin.reduce(block[nulls], axis=1)
            high[nulls] = np.fmax.reduce(block[nulls], axis=1)
        flagged: Any = [] if fits else np.flatnonzero(nulls | (low < lo) | (high > hi))
        for j in flagged:
            column, values = columns[numeric[j]], frame.iloc[:, numeric[j]]
            where = f"{name}: column {column['name']!r}"
            if nulls[j] and not column.get("nullable", True):
                errors.append(
                    f"{where}: {_nulls(values)}; none were seen in the {column['source']} data"
                )
            outside = values[(values < lo[j]) | (values > hi[j])]
            if len(outside):
                doubts.append(
                    f"{where}: {len(outside)} value(s) outside the range {lo[j]:g} .. {hi[j]:g} "
                    f"seen in the {column['source']} data: {_examples(outside)}"
                )
    if len(numeric) == len(columns):
        return
    checked_as_numbers = set(numeric)
    for i, column in enumerate(columns):
        if i in checked_as_numbers:
            continue
        values = frame.iloc[:, i]
        where = f"{name}: column {column['name']!r}"
        if not column.get("nullable", True) and values.isna().any():
            errors.append(
                f"{where}: {_nulls(values)}; none were seen in the {column['source']} data"
            )
        if "categories" in column and column.get("source") == "reference":
            present = values.dropna()
            unseen = present[~present.isin(column["categories"])]
            if len(unseen):
                seen = ", ".join(repr(c) for c in column["categories"][:10])
                doubts.append(
                    f"{where}: categories not seen in the {column['source']} data: "
                    f"{_examples(unseen.drop_duplicates())} (seen: {seen})"
                )


def _bounds(columns: list[dict], numeric: list[int], layout: dict[str, Any]) -> tuple[Any, Any]:
    """The contract's (min, max) of the ``numeric`` columns as arrays, kept in ``layout``."""
    import numpy as np

    key = tuple(numeric)
    if key not in layout["bounds"]:
        checked = [columns[i] if columns[i].get("source") == "reference" else {} for i in numeric]
        lo = np.array([c.get("min", -np.inf) for c in checked], dtype="float64")
        hi = np.array([c.get("max", np.inf) for c in checked], dtype="float64")
        layout["bounds"][key] = (lo, hi)
    return layout["bounds"][key]


# --------------------------------------------------------------------------- arrays, lists


def _array(name: str, value: Any, spec: dict[str, Any], errors: list) -> Any:
    import numpy as np

    if not isinstance(value, np.ndarray):
        try:
            value = np.asarray(value.to_numpy() if hasattr(value, "to_numpy") else value)
        except (TypeError, ValueError) as exc:
            errors.append(f"{name}: expected an array; got {_type_name(value)} ({exc})")
            return value
    shape = spec.get("shape") or []
    trailing = tuple(shape[1:])
    wanted = "(n" + "".join(f", {s}" for s in trailing) + (",)" if not trailing else ")")
    if value.ndim != len(shape) or tuple(value.shape[1:]) != trailing:
        errors.append(f"{name}: expected an array of shape {wanted}; got shape {value.shape}")
        return value
    if value.ndim and value.shape[0] == 0:
        errors.append(f"{name}: the array has no rows")
        return value
    dtype = spec["dtype"]
    if str(value.dtype) != dtype and spec["type"] in ("int", "float", "bool"):
        kind = value.dtype.kind
        safe = kind in "iub" or (kind == "f" and spec["type"] == "float")
        if kind in "fO" and not safe:
            try:
                as_float = value.astype("float64")
                safe = spec["type"] == "float" or bool(np.all(as_float % 1 == 0))
            except (TypeError, ValueError):
                safe = False
        if not safe or (spec["type"] == "bool" and kind != "b"):
            errors.append(f"{name}: expected an array of {dtype}; got {value.dtype}")
            return value
        value = value.astype(dtype)
    if value.dtype.kind == "f" and not spec.get("nullable", True) and np.isnan(value).any():
        errors.append(
            f"{name}: {int(np.isnan(value).sum())} NaN value(s); none were seen in the example"
        )
    return value


def _plain(where: str, value: Any, spec: dict[str, Any], errors: list) -> None:
    kind = spec.get("kind")
    if kind == "list":
        if not isinstance(value, (list, tuple)) and type(value).__name__ != "ndarray":
            errors.append(f"{where}: expected a list; got {_type_name(value)}")
        elif len(value) == 0:
            errors.append(f"{where}: the list is empty")
        elif spec.get("items"):
            before = len(errors)
            for i, item in enumerate(value):
                _plain(f"{where}[{i}]", item, spec["items"], errors)
                if len(errors) - before >= _SHOWN * 2:
                    errors.append(f"{where}: more items do not fit; fix these first")
                    break
    elif kind == "dict":
        if not isinstance(value, dict):
            errors.append(
                f"{where}: expected a dict with the keys {_names(spec['keys'])}; got {_type_name(value)}"
            )
            return
        missing = [k for k in spec["keys"] if k not in value]
        if missing:
            errors.append(f"{where}: missing keys: {_names(missing)}")
        for key, item in spec["keys"].items():
            if key in value:
                _plain(f"{where}[{key!r}]", value[key], item, errors)
    elif kind == "scalar" and not _fits(value, spec["type"]):
        errors.append(f"{where}: expected {spec['type']}; got {_type_name(value)} {value!r:.40}")


def _fits(value: Any, want: str) -> bool:
    is_bool = isinstance(value, bool) or type(value).__name__ == "bool_"
    if want == "bool":
        return is_bool
    if want in ("int", "float"):
        if is_bool or not hasattr(value, "__index__") and not isinstance(value, float):
            return want == "float" and type(value).__name__.startswith("float")
        return want == "float" or hasattr(value, "__index__")
    if want == "str":
        return isinstance(value, str)
    return True  # none, containers and other classes: not checked


# --------------------------------------------------------------------------- wording

_DTYPE_NAMES: dict[Any, str] = {}


def _dtype_name(dtype: Any) -> str:
    """``str(dtype)``, remembered: numpy builds the name anew each time (13 us, 30 columns)."""
    try:
        return _DTYPE_NAMES[dtype]
    except KeyError:
        return _DTYPE_NAMES.setdefault(dtype, str(dtype))
    except TypeError:  # an unhashable extension dtype
        return str(dtype)


def column_is_text(column: Any) -> bool:
    return column.dtype.kind == "O" or str(column.dtype).startswith(("string", "str"))


def _names(names: Any) -> str:
    names = list(names)
    more = f", ... ({len(names) - 8} more)" if len(names) > 8 else ""
    return ", ".join(repr(n) for n in names[:8]) + more


def _doubled(names: list[str]) -> set[str]:
    return {n for n in names if names.count(n) > 1}


def _type_name(value: Any) -> str:
    cls = type(value)
    return (
        cls.__name__
        if cls.__module__ == "builtins"
        else f"{cls.__module__.split('.')[0]}.{cls.__name__}"
    )


def _examples(values: Any) -> str:
    """Up to a few values with their rows: ``'abc' (row 3), 'x' (row 9), ...``."""
    shown = [f"{v!r} (row {i})" for i, v in values.iloc[:_SHOWN].items()]
    more = ", ..." if len(values) > _SHOWN else ""
    return ", ".join(shown) + more


def _nulls(values: Any) -> str:
    rows = values.index[values.isna()]
    named = ", ".join(str(r) for r in rows[:_SHOWN]) + (", ..." if len(rows) > _SHOWN else "")
    return f"{len(rows)} null value(s) (rows {named})"
