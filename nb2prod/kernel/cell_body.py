"""Run a cell magic's body as IPython runs a cell, without ``run_cell``.

``run_cell`` would fire the cell events again and swallow the body's exception (the cell
would "succeed" and Run All would go on).  Like ``%%time``, the body is transformed (magics
inside it still work), compiled and run in the user namespace; an exception propagates
with one traceback, and the value of a final expression is returned for IPython to display.
"""

from __future__ import annotations

import ast
from typing import Any


def run_body(shell, body: str) -> Any:
    """Run ``body`` in ``shell``'s user namespace; the value of its final expression or None."""
    __tracebackhide__ = True  # IPython leaves nb2prod's frames out of the user's traceback
    source = shell.transform_cell(body)
    filename = shell.compile.cache(source, shell.execution_count, raw_code=body)
    tree = shell.transform_ast(shell.compile.ast_parse(source, filename=filename))
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    if tree.body:
        code = shell.compile(tree, filename, "exec")
        exec(code, shell.user_global_ns, shell.user_ns)  # noqa: S102 - the user's own cell
    if last is None:
        return None
    return eval(shell.compile(last, filename, "eval"), shell.user_global_ns, shell.user_ns)  # noqa: S307
