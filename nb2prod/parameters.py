"""The ``parameters`` cell as typed parameter specs.

Each top-level assignment of a literal becomes a :class:`ParamSpec`: its type comes from
the annotation when there is one, else from the literal, and its help from the comment
at the end of the line, the way papermill reads a parameters cell.  Anything else in the
cell that would need running to know its value is refused with the line to fix.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from nb2prod.errors import UsageError
from nb2prod.lexing import comment_start
from nb2prod.notebook import Cell, Notebook
from nb2prod.syntax import parse_cell

#: Parameter types, by the name a spec carries (papermill's and JSON's vocabulary).
TYPES: dict[str, type] = {
    "int": int,
    "float": float,
    "bool": bool,
    "str": str,
    "list": list,
    "dict": dict,
    "None": type(None),
}
_LITERAL_TYPES = {
    bool: "bool",
    int: "int",
    float: "float",
    str: "str",
    list: "list",
    tuple: "list",
    dict: "dict",
    type(None): "None",
}


class ParameterError(UsageError):
    """The parameters cell holds something that cannot become a typed parameter."""


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: ``type`` is a key of TYPES; ``line`` is 1-based in the cell."""

    name: str
    type: str
    default: Any
    help: str | None
    line: int


def parameter_specs(cell: Cell) -> list[ParamSpec]:
    """The parameters of the ``parameters`` cell, in the order they are first assigned."""
    parsed = parse_cell(cell.source)
    if parsed.error is not None or parsed.tree is None:
        problem = parsed.error.message if parsed.error else "it is not Python"
        raise ParameterError(f"{cell.label}: the parameters cell does not parse ({problem})")
    specs: dict[str, ParamSpec] = {}
    for statement in parsed.tree.body:
        assignment = _assignment(statement)
        if assignment is None:
            continue
        target, value, annotation = assignment
        default = _literal(cell, statement, target, value)
        specs[target] = ParamSpec(
            name=target,
            type=_type(cell, statement, target, default, annotation),
            default=list(default) if isinstance(default, tuple) else default,
            help=_help(cell, statement),
            line=statement.lineno,
        )
    return list(specs.values())


def notebook_parameters(notebook: Notebook) -> dict[str, ParamSpec]:
    """The specs of the notebook's first parameters cell (in any role spelling): the one
    papermill injects after."""
    from nb2prod.roles import notebook_roles

    roles = notebook_roles(notebook)
    cells = [notebook.cells[i] for i, role in sorted(roles.items()) if role == "parameters"]
    return {spec.name: spec for spec in parameter_specs(cells[0])} if cells else {}


def _assignment(statement: ast.stmt) -> tuple[str, ast.expr, ast.expr | None] | None:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        if isinstance(target, ast.Name):
            return target.id, statement.value, None
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        if statement.value is not None:
            return statement.target.id, statement.value, statement.annotation
    return None


def _literal(cell: Cell, statement: ast.stmt, name: str, value: ast.expr) -> Any:
    try:
        return ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise ParameterError(
            f"{cell.label}, line {statement.lineno}: `{name}` is not a literal value",
            "give parameters literal defaults (numbers, strings, True/False/None, lists and "
            "dicts of them) and compute derived values in a later cell",
        ) from None


def _type(cell: Cell, statement: ast.stmt, name: str, default: Any, annotation) -> str:
    literal_type = _LITERAL_TYPES.get(type(default))
    if annotation is None:
        if literal_type is None:  # a set or bytes: literal, but no JSON/papermill type
            raise ParameterError(
                f"{cell.label}, line {statement.lineno}: `{name}` has no parameter type",
                f"use one of {', '.join(TYPES)}",
            )
        return literal_type
    declared = _annotation(annotation)
    fits = declared == literal_type or (declared == "float" and literal_type == "int")
    if declared not in TYPES or not (fits or default is None):
        shown = ast.unparse(annotation)
        raise ParameterError(
            f"{cell.label}, line {statement.lineno}: `{name}: {shown}` does not fit its "
            f"default {default!r}",
            f"annotate with one of {', '.join(TYPES)} matching the default",
        )
    return declared


def _annotation(annotation: ast.expr) -> str | None:
    if isinstance(annotation, ast.Constant) and annotation.value is None:
        return "None"
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value  # a string annotation: "int"
    if isinstance(annotation, ast.Name):
        return annotation.id
    if isinstance(annotation, ast.Subscript) and isinstance(annotation.value, ast.Name):
        return annotation.value.id if annotation.value.id in ("list", "dict") else None
    return None


def _help(cell: Cell, statement: ast.stmt) -> str | None:
    line = cell.lines[(statement.end_lineno or statement.lineno) - 1]
    start = comment_start(line)
    text = line[start + 1 :].strip() if start is not None else ""
    return text or None


def coerce(spec: ParamSpec, value: Any, given_as: str) -> Any:
    """``value`` (text from a command line, or a YAML value) as ``spec``'s type; raises
    ParameterError naming ``given_as`` (``-p threshold``) when it cannot be one."""
    if isinstance(value, str) and spec.type != "str":
        value = _parse_text(value)
    if spec.type == "None":
        return value
    if spec.type == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if spec.type == "list" and isinstance(value, tuple):
        return list(value)
    if spec.type == "str" and not isinstance(value, str):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # YAML read 1.0; the notebook wants text
        elif hasattr(value, "isoformat"):
            value = value.isoformat()  # YAML read a date; papermill would pass a date object
    if type(value) is not TYPES[spec.type]:
        kind = _KINDS[spec.type]
        raise ParameterError(
            f"{given_as}: {value!r} is not {kind} (the parameters cell sets "
            f"{spec.name} = {spec.default!r})",
            f"give `{spec.name}` {kind}",
        )
    return value


#: A parameter type in a sentence: "7.5 is not an int".
_KINDS = {
    "int": "an int",
    "float": "a float",
    "bool": "a bool (true or false)",
    "str": "a str",
    "list": "a list",
    "dict": "a dict",
    "None": "None",
}


def _parse_text(text: str) -> Any:
    """Command-line text as a value: JSON (``0.7``, ``true``, ``[1, 2]``) or a Python
    literal (``True``, ``None``); otherwise the text itself."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text
