"""What a metrics cell logs, in a notebook's kernel and in a job alike: the numbers it binds,
and the value it ends with when that value is shown: a name holding a number
(``accuracy``, ``model.best_score_``: logged under that name) or a dict of names to numbers
(``{"accuracy": acc, "f1": f1}``).  A metrics cell that logs nothing says so in one line,
with what to write instead: a cell that only prints its numbers used to log nothing,
silently.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

_INSTEAD = 'bind each number (`accuracy = ...`) or end the cell with `{"accuracy": accuracy}`'


def cell_metrics(source: str, namespace: dict, shown: Any) -> tuple[dict[str, float], str | None]:
    """``(metrics, warning)`` of a metrics cell whose code is ``source``, after it ran in
    ``namespace`` and showed ``shown`` (its final expression's value; None: nothing)."""
    from nb2prod.flow import cell_names
    from nb2prod.syntax import parse_cell
    from nb2prod.tracking.values import is_number

    parsed = parse_cell(source)
    names = cell_names(parsed).defines
    metrics = {n: float(namespace[n]) for n in names if n in namespace and is_number(namespace[n])}
    last = _final_expression(parsed.tree)
    if last is not None and shown is not None:
        if isinstance(shown, Mapping):
            metrics.update(
                {str(k): float(v) for k, v in shown.items() if isinstance(k, str) and is_number(v)}
            )
        elif is_number(shown) and _is_reference(last):
            metrics[ast.unparse(last)] = float(shown)
    if metrics:
        return metrics, None
    return {}, _why_nothing(last, shown, bool(names))


def _final_expression(tree: ast.Module | None) -> ast.expr | None:
    if tree is None or not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return None
    return tree.body[-1].value


def _is_reference(node: ast.expr) -> bool:
    """``accuracy`` or ``model.best_score_``: a name MLflow accepts for a metric."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _why_nothing(last: ast.expr | None, shown: Any, binds: bool) -> str:
    from nb2prod.tracking.values import is_number

    said = "the metrics cell logged nothing: "
    if last is not None and is_number(shown):
        return said + f"it shows a number without a name (`{_cut(ast.unparse(last))}`); {_INSTEAD}"
    if isinstance(last, ast.Call) and isinstance(last.func, ast.Name) and last.func.id == "print":
        return said + f"printed values are not logged; {_INSTEAD}"
    what = "binds no number" if binds else "binds nothing"
    return said + f"it {what} and shows no number or dict of numbers; {_INSTEAD}"


def _cut(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
