"""The input contract of an exported package, inferred at export from the example input
the notebook handed its predict cells and, when the notebook has a reference cell, from
the reference (training) data.

The contract is data (``src/NAME/_contract.json``), never code: the package checks each
call against it (``input_check.py``, copied into the package) and shows it (``PKG
schema``, the README, ``PKG predict --help``).  Per input:

- a DataFrame (or Series): its columns in order, each with its dtype, a coarse type
  (``int``, ``float``, ``bool``, ``str``, ``category``, ``datetime``, ``other``), whether
  nulls were seen, the numeric range and, for text, category and bool columns with at
  most ``MAX_CATEGORIES`` distinct values, the categories;
- an ndarray: its dtype, coarse type, shape after the first axis, whether NaN was seen;
- a list: the type of its items (a dict's keys and their types); a scalar: its type.

Ranges, categories and nullability come from the reference when it has the column, else
from the example input; ``source`` says which, so a warning can say where a range came from.
"""

from __future__ import annotations

import math
from typing import Any

#: The version of the contract format (``"format"`` in the file).
CONTRACT_FORMAT = 1
#: predict's own keywords (validate="off", strict=True): no runtime parameter may take them.
RESERVED_KEYWORDS = ("validate", "strict")
#: Columns with this many distinct values or fewer keep them as categories.
MAX_CATEGORIES = 20
_NESTING = 3  # how deep list and dict items are described


def infer_contract(inputs: dict[str, Any] | None, reference: Any = None) -> dict[str, Any]:
    """The contract of ``inputs`` (predict's arguments by name, as captured): a dict ready
    for ``json.dumps``.  ``reference``: the reference data (a DataFrame), or None."""
    described = {}
    for name, value in (inputs or {}).items():
        described[name] = describe_value(value, reference if _is_frame(value) else None)
    return {"format": CONTRACT_FORMAT, "inputs": described}


def describe_value(value: Any, reference: Any = None, depth: int = 0) -> dict[str, Any]:
    kind = _pandas_kind(value)
    if kind == "DataFrame":
        return _frame(value, reference)
    if kind == "Series":
        name = None if value.name is None else str(value.name)
        return {"kind": "series", "source": "example", "column": _column(name, value, None)}
    if type(value).__module__ == "numpy" and type(value).__name__ == "ndarray":
        return _array(value)
    if isinstance(value, (list, tuple)) and depth < _NESTING:
        items = [describe_value(item, None, depth + 1) for item in value]
        return {"kind": "list", "items": _merged(items)}
    if isinstance(value, dict) and depth < _NESTING:
        keys = {str(k): describe_value(v, None, depth + 1) for k, v in value.items()}
        return {"kind": "dict", "keys": keys}
    return {"kind": "scalar", "type": scalar_type(value)}


def scalar_type(value: Any) -> str:
    """``bool``, ``int``, ``float``, ``str``, ``none`` or the class's qualified name."""
    if value is None:
        return "none"
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "bool"
    if isinstance(value, int) or type(value).__name__.startswith(("int", "uint")):
        return "int"
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return f"{type(value).__module__}.{type(value).__qualname__}"


def _merged(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One description for every item of a list: int and float items are floats; items of
    different kinds, or an empty list, leave the items unchecked (None)."""
    if not items:
        return None
    first = items[0]
    if all(item == first for item in items):
        return first
    if all(item["kind"] == "scalar" for item in items):
        types = {item["type"] for item in items}
        return {"kind": "scalar", "type": "float"} if types <= {"int", "float"} else None
    if all(item["kind"] == "dict" for item in items):
        keys: dict[str, Any] = {}
        for item in items:
            for key, spec in item["keys"].items():
                keys[key] = spec if keys.get(key, spec) == spec else _merged([keys[key], spec])
        return {"kind": "dict", "keys": {k: v for k, v in keys.items() if v is not None}}
    return None


# --------------------------------------------------------------------------- pandas


def _pandas_kind(value: Any) -> str | None:
    cls = type(value)
    if cls.__module__.split(".")[0] == "pandas" and cls.__name__ in ("DataFrame", "Series"):
        return cls.__name__
    return None


def _is_frame(value: Any) -> bool:
    return _pandas_kind(value) == "DataFrame"


def _frame(frame: Any, reference: Any) -> dict[str, Any]:
    seen = reference if _is_frame(reference) else None
    columns = []
    for position, name in enumerate(frame.columns):
        column = frame.iloc[:, position]
        known = seen[name] if seen is not None and name in seen.columns else None
        if known is not None and getattr(known, "ndim", 1) != 1:
            known = None  # a duplicated name in the reference: not one column
        columns.append(_column(str(name), column, known))
    from_reference = seen is not None and any(c["source"] == "reference" for c in columns)
    return {
        "kind": "dataframe",
        "source": "reference" if from_reference else "example",
        "rows_seen": len(seen) if seen is not None and from_reference else len(frame),
        "columns": columns,
    }


def _column(name: str | None, column: Any, reference: Any) -> dict[str, Any]:
    """One column: its dtype from the example (what predict is handed), its values' range,
    categories and nulls from the reference when there is one."""
    values = column if reference is None else reference
    kind = column_type(column.dtype)
    spec: dict[str, Any] = {
        "name": name,
        "dtype": str(column.dtype),
        "type": kind,
        "nullable": bool(column.isna().any() or values.isna().any()),
        "source": "example" if reference is None else "reference",
    }
    present = values.dropna()
    if kind in ("int", "float") and column_type(values.dtype) in ("int", "float"):
        finite = [float(v) for v in (present.min(), present.max())] if len(present) else []
        if finite and all(math.isfinite(v) for v in finite):
            spec["min"], spec["max"] = (_number(v, kind) for v in finite)
    elif kind in ("str", "category", "bool"):
        try:
            distinct = present.unique()
        except TypeError:  # unhashable values (dicts, lists): no categories
            return spec
        if len(distinct) <= MAX_CATEGORIES:
            plain = [_plain(v) for v in distinct]
            spec["categories"] = sorted(plain, key=lambda v: (type(v).__name__, v))
    return spec


def column_type(dtype: Any) -> str:
    """A dtype's coarse type, as the contract names it."""
    text = str(dtype)
    if text == "bool" or text == "boolean":
        return "bool"
    if text.startswith(("int", "uint", "Int", "UInt")):
        return "int"
    if text.startswith(("float", "Float")):
        return "float"
    if text == "category":
        return "category"
    if text.startswith("datetime"):
        return "datetime"
    if text in ("object", "string", "str") or text.startswith("string"):
        return "str"
    return "other"


def _number(value: float, kind: str) -> int | float:
    return int(value) if kind == "int" and value.is_integer() else value


def _plain(value: Any) -> Any:
    """A category as JSON holds it (numpy scalars become Python's)."""
    return value.item() if hasattr(value, "item") else value


def _array(array: Any) -> dict[str, Any]:
    kind = column_type(array.dtype) if array.dtype.kind != "O" else "other"
    spec: dict[str, Any] = {
        "kind": "ndarray",
        "dtype": str(array.dtype),
        "type": kind,
        "shape": [None, *array.shape[1:]] if array.ndim else [],
    }
    if array.dtype.kind == "f":
        spec["nullable"] = bool(array.size and (array != array).any())  # NaN != NaN
    return spec
