"""The input contract in words: a table for ``PKG schema``, a Markdown table for the
package README, one short paragraph for ``PKG predict --help``.

Copied into every exported package as ``_schema.py`` (standard library only, nothing of
nb2prod), and used by nb2prod itself to write the README, so both say the same.
"""

from __future__ import annotations

from typing import Any

_KINDS = {
    "dataframe": "a table (pandas DataFrame)",
    "series": "a column (pandas Series)",
    "ndarray": "an array (numpy)",
    "list": "a list",
    "dict": "a dict",
    "scalar": "a value",
}


def headline(name: str, spec: dict[str, Any]) -> str:
    """``X_new: a table (pandas DataFrame), 30 columns, from the reference data (455 rows)``."""
    kind = spec.get("kind", "")
    if kind in ("list", "dict", "scalar"):
        return f"{name}: {item_type(spec)}"
    words = f"{name}: {_KINDS.get(kind, kind)}"
    if kind == "dataframe":
        words += f", {len(spec['columns'])} columns"
        words += f"; values as seen in the {spec['source']} data ({spec['rows_seen']} rows)"
        if spec["source"] != "reference":
            words += ", shown, not checked: export with a reference cell to check them"
    elif kind == "ndarray":
        words += f" of {spec['dtype']}, shape {_shape(spec)}"
    return words


def rows(spec: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(column, dtype, nulls, values) per column of a table or Series contract."""
    columns = spec.get("columns") or ([spec["column"]] if "column" in spec else [])
    return [
        (str(c["name"]), c["dtype"], "yes" if c.get("nullable") else "no", _values(c))
        for c in columns
    ]


def table(contract: dict[str, Any]) -> str:
    """Every input, its columns aligned under a header (``PKG schema``)."""
    blocks = []
    for name, spec in contract.get("inputs", {}).items():
        lines = [headline(name, spec)]
        found = rows(spec)
        if found:
            header = ("column", "dtype", "nulls", "values")
            widths = [max(len(r[i]) for r in [header, *found]) for i in range(3)]
            for row in [header, *found]:
                cells = [row[i].ljust(widths[i]) for i in range(3)]
                lines.append("  " + "  ".join([*cells, row[3]]).rstrip())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) or "no input"


def markdown(contract: dict[str, Any]) -> str:
    """The contract as the package README shows it."""
    blocks = []
    for name, spec in contract.get("inputs", {}).items():
        lines = [f"`{headline(name, spec).replace(': ', '`: ', 1)}."]
        found = rows(spec)
        if found:
            lines += ["", "| column | dtype | nulls | values |", "|---|---|---|---|"]
            lines += [f"| `{c}` | {d} | {n} | {_cell(v)} |" for c, d, n, v in found]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def short(contract: dict[str, Any]) -> str:
    """One paragraph: each input with its columns and their dtypes (``--help``)."""
    parts = []
    for name, spec in contract.get("inputs", {}).items():
        found = rows(spec)
        if found:
            columns = ", ".join(f"{c} ({d})" for c, d, _n, _v in found)
            parts.append(f"{name}: {_KINDS[spec['kind']].split(' (')[0]} with columns {columns}")
        else:
            parts.append(headline(name, spec))
    return "; ".join(parts)


def item_type(spec: dict[str, Any] | None) -> str:
    """``list of dict(sku: str, qty: int)``, ``float``, ``any``."""
    if not spec:
        return "any"
    kind = spec.get("kind")
    if kind == "list":
        return f"list of {item_type(spec.get('items'))}"
    if kind == "dict":
        keys = ", ".join(f"{k}: {item_type(v)}" for k, v in spec.get("keys", {}).items())
        return f"dict({keys})"
    if kind == "scalar":
        return str(spec.get("type", "any"))
    return str(spec.get("dtype") or kind)


def _values(column: dict[str, Any]) -> str:
    if "min" in column:
        return f"{column['min']:g} .. {column['max']:g}"
    if "categories" in column:
        return ", ".join(repr(c) for c in column["categories"])
    return ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _shape(spec: dict[str, Any]) -> str:
    trailing = spec.get("shape", [])[1:]
    if not spec.get("shape"):
        return "() (a scalar array)"
    return "(n" + "".join(f", {s}" for s in trailing) + (",)" if not trailing else ")")
