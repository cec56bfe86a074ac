"""Commands that run only where the environment asks for them: under ``if IN_COLAB:``,
``if 'google.colab' in sys.modules:``, ``if 'google.colab' in str(get_ipython()):``,
``if not installed:``, ``if importlib.util.find_spec("x") is None:``, in the
``except ImportError:`` of a ``try: import x``, or after ``import google.colab`` in a ``try``
body.  A job in production runs none of them (it is no hosted notebook and has its packages),
so the install rules report them as info.

Only conditions that test the environment count: an install under ``if retrain:`` runs
whenever the flag says so, and one in the ``else`` of ``if IN_COLAB:`` runs everywhere else.
"""

from __future__ import annotations

import ast
import re

from nb2prod.linter.context import CellIndex, NotebookContext
from nb2prod.linter.rules._commands import Command, commands
from nb2prod.linter.rules._imports import catches_import_error, imported_modules
from nb2prod.linter.rules._string_sites import shown_code

#: Names and strings that say "a hosted notebook service" (``IN_COLAB``, ``'google.colab'``,
#: ``KAGGLE_KERNEL_RUN_TYPE``, ``on_sagemaker()``): a job runs on none of them.
_HOSTED = re.compile(r"colab|kaggle|sagemaker|binder|paperspace", re.I)
#: ... and "the package is there" (``installed``, ``find_spec``, ``sys.modules``).
_PRESENT = re.compile(r"installed|find_spec|find_loader|sys\.modules", re.I)
_TRY = (ast.Try, getattr(ast, "TryStar", ast.Try))


def install_guard(ctx: NotebookContext, command: Command) -> str | None:
    """Where ``command`` (an install) runs, for a message (``under `if IN_COLAB` ``), or None
    when it runs wherever the notebook runs."""
    return ctx.shared(_install_guards).get((command.cell.index, command.span))


def _install_guards(ctx: NotebookContext) -> dict[tuple[int, tuple[int, ...]], str | None]:
    guards: dict[tuple[int, tuple[int, ...]], str | None] = {}
    for command in commands(ctx):
        if command.installs:
            index = ctx.index(command.cell)
            guard = _guard(index, command.span[0]) if index is not None else None
            guards[(command.cell.index, command.span)] = guard
    return guards


def _guard(index: CellIndex, line: int) -> str | None:
    """The environment test that the statement at ``line`` of the cell runs under."""
    statement = _statement_at(index, line)
    if statement is None:
        return None
    child: ast.AST = statement
    parent = index.parents.get(statement)
    while parent is not None:
        if isinstance(parent, ast.If) and (_in(child, parent.body) or _in(child, parent.orelse)):
            body = _in(child, parent.body)
            if _off_production(parent.test, runs_when_true=body):
                test = f"`if {shown_code(parent.test, 50)}`"
                return f"under {test}" if body else f"in the `else` of {test}"
        elif isinstance(parent, _TRY):
            handlers: list[ast.ExceptHandler] = parent.handlers
            handler = next((h for h in handlers if h is child), None)
            if handler is not None:
                module = _first_import(parent.body)
                if module and catches_import_error(handler):
                    return f"where `import {module}` fails (`except ImportError`)"
            elif _in(child, parent.body) and any(catches_import_error(h) for h in handlers):
                hosted = _hosted_import_before(parent.body, child)
                if hosted:
                    return f"where `import {hosted}` works (a `try` body)"
        child, parent = parent, index.parents.get(parent)
    return None


def _statement_at(index: CellIndex, line: int) -> ast.stmt | None:
    """The innermost statement spanning ``line`` (an escape's ``pass`` stand-in, or the
    statement of a ``subprocess`` call)."""
    found = None
    for node in index.order:  # pre-order: a statement's children come after it
        if isinstance(node, ast.stmt) and node.lineno <= line <= (node.end_lineno or node.lineno):
            found = node
    return found


def _in(node: ast.AST, nodes: list) -> bool:
    return any(item is node for item in nodes)


def _off_production(test: ast.expr, runs_when_true: bool) -> bool:
    """Whether a branch taken when ``test`` is ``runs_when_true`` runs only in a hosted
    notebook or where a package is missing."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _off_production(test.operand, not runs_when_true)
    if isinstance(test, ast.BoolOp):
        parts = [_off_production(value, runs_when_true) for value in test.values]
        # Taken only when every operand says so (`a and b` true, `a or b` false): one
        # guarding operand is enough; otherwise each one must guard.
        every = isinstance(test.op, ast.And) == runs_when_true
        return any(parts) if every else all(parts)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and _negates(test):
        runs_when_true = not runs_when_true
    text = _source(test)
    if _HOSTED.search(text):
        return runs_when_true  # `if IN_COLAB:`, not its `else`
    if _PRESENT.search(text):
        return not runs_when_true  # `if not installed:`, or the `else` of `if installed:`
    return False


def _negates(test: ast.Compare) -> bool:
    """``x not in y``, ``x is None``, ``x == False``: true when the thing is absent."""
    op, right = test.ops[0], test.comparators[0]
    nothing = isinstance(right, ast.Constant) and right.value in (None, False)
    return isinstance(op, ast.NotIn) or (isinstance(op, (ast.Is, ast.Eq)) and nothing)


def _first_import(body: list[ast.stmt]) -> str | None:
    """The module the first import statement of a ``try`` body imports."""
    for node in body:
        if isinstance(node, ast.Import):
            return node.names[0].name
        if isinstance(node, ast.ImportFrom) and node.module:
            return node.module
    return None


def _hosted_import_before(body: list[ast.stmt], statement: ast.AST) -> str | None:
    """``try: import google.colab`` then the install: it runs only where the import worked."""
    for node in body:
        if node is statement:
            return None
        hosted = next((name for name in imported_modules(node) if _HOSTED.search(name)), None)
        if hosted:
            return hosted
    return None


def _source(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except (RecursionError, ValueError):  # a pathologically deep expression
        return ""
