"""Execution-state rules that read the name flow across cells: names used before the cell
that defines them (NB107), and names no cell defines in cells that ran with them (NB108).
Hidden kernel state; like every execution-state rule, info in ``explore``, errors in ``prod``."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from nb2prod.linter.rule import Finding, Rule, Severity
from nb2prod.linter.rules.execution import cell_label
from nb2prod.notebook import Cell

#: Names a hosted notebook platform defines before the first cell (Databricks, Synapse,
#: Fabric, PySpark kernels): undefined in the file, yet not hidden state.
PLATFORM_GLOBALS = frozenset(
    {
        "spark",
        "sc",
        "sqlContext",
        "dbutils",
        "displayHTML",
        "getArgument",
        "mssparkutils",
        "notebookutils",
    }
)


class UseBeforeDefine(Rule):
    """
    ## What it does
    Finds names a cell uses before the cell that assigns them, in document order.

    Reported are module-level names read before any cell (or the same cell, further
    down) binds them, and names read after a ``del`` removed them.  Names read inside function bodies are looked up when the function is called, so
    they are not reported.

    ## Why it blocks production
    The notebook worked only because the kernel held the name from cells run in another
    order (hidden state).  Run top to bottom, as papermill does, the
    cell fails with ``NameError``.

    ## Example
    ```python
    # cell 1
    df.describe()
    # cell 2
    df = pd.read_csv("sales.csv")
    ```

    ## Use instead
    ```python
    # cell 1
    df = pd.read_csv("sales.csv")
    # cell 2
    df.describe()
    ```

    ## Fix
    None: move the assignment above its first use, then Restart & Run All.
    """

    code = "NB107"
    name = "use-before-define"
    family = "execution"
    severity = Severity.ERROR

    def check(self, ctx) -> Iterator[Finding]:
        reported: set[tuple[str, str]] = set()
        cells = ctx.notebook.cells
        for problem in ctx.name_problems:
            if problem.kind not in ("later", "deleted") or (problem.kind, problem.name) in reported:
                continue
            cell = cells[problem.cell]
            if problem.kind == "later" and problem.other == problem.cell:
                message = self._same_cell(ctx, cell, problem)
            elif problem.kind == "later":
                message = (
                    f"`{problem.name}` is used here ({cell_label(cell)}) but first assigned in "
                    f"{cell_label(cells[problem.other])}; run the notebook top to bottom or move the "
                    "assignment up"
                )
            else:
                message = (
                    f"`{problem.name}` is used here ({cell_label(cell)}) but `del {problem.name}` in "
                    f"{cell_label(cells[problem.other])} removed it; re-create it first or drop the `del`"
                )
            if message is None:
                continue
            reported.add((problem.kind, problem.name))
            yield self.report(ctx, message, cell, node=problem.node)

    @staticmethod
    def _same_cell(ctx, cell: Cell, problem) -> str | None:
        tree = ctx.parsed(cell).tree
        binding = ctx.names[cell.index].defines.get(problem.name)
        if tree is not None and binding is not None and _loop_carried(tree, problem.node, binding):
            return None
        where = f" on line {binding.lineno}" if getattr(binding, "lineno", None) else ""
        return (
            f"`{problem.name}` is used on line {problem.node.lineno} of {cell_label(cell)} before it is "
            f"assigned{where} of the same cell; assign it before its first use"
        )


_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_TRY = (ast.Try, getattr(ast, "TryStar", ast.Try))  # try/except* from Python 3.11


def _loop_carried(tree: ast.Module, read: ast.AST, binding: ast.AST) -> bool:
    """True when ``read`` is a guarded read of a value a loop carries to its next iteration.

    ``for i in ...: if i: print(prev)`` then ``prev = i``: the read runs only after the
    binding in an earlier iteration, which is valid code, not hidden state.
    """
    path = _path_to(tree, read)
    if path is None:
        return False
    path = [*path, read]
    for depth in range(len(path) - 2, -1, -1):  # the innermost loop that also binds it
        loop = path[depth]
        if isinstance(loop, _LOOPS) and any(node is binding for node in ast.walk(loop)):
            return any(_guards(path[i], path[i + 1]) for i in range(depth + 1, len(path) - 1))
    return False


def _guards(parent: ast.AST, child: ast.AST) -> bool:
    """True when ``child`` runs only under a condition ``parent`` tests."""
    if isinstance(parent, (ast.If, ast.IfExp)):
        return child is not parent.test
    if isinstance(parent, ast.BoolOp):
        return child is not parent.values[0]
    if isinstance(parent, _TRY):
        return child not in parent.body
    return isinstance(parent, (ast.ExceptHandler, ast.match_case))


def _path_to(tree: ast.AST, target: ast.AST) -> list[ast.AST] | None:
    """Ancestors of ``target`` from ``tree`` down (iterative: cells can be deeply nested)."""
    parents: dict[int, ast.AST] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        if node is target:
            path: list[ast.AST] = []
            while id(node) in parents:
                node = parents[id(node)]
                path.append(node)
            return path[::-1]
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
            stack.append(child)
    return None


class UndefinedNameWithOutput(Rule):
    """
    ## What it does
    Finds names that no cell defines, used by a cell whose saved output shows it ran.

    The cell ran, so the name existed in the kernel: it was defined by a cell that has
    since been deleted, or by code typed and never saved.  Without saved (non-error)
    output there is no such evidence, and nothing is reported.

    ## Why it blocks production
    The results in the notebook depend on state that exists only in someone's kernel.
    Run from the saved file, the cell fails with ``NameError`` and nobody can say what
    the value was.

    ## Example
    ```python
    # cell 5, In [12], output: 0.93
    accuracy_score(y_test, model.predict(X_test))  # no cell defines `model`
    ```

    ## Use instead
    Restore the cell that defines the name (from version control or the kernel history,
    ``%history``), then Restart & Run All.

    ## Fix
    None: recover the missing definition.
    """

    code = "NB108"
    name = "undefined-name-with-output"
    family = "execution"
    severity = Severity.ERROR

    def check(self, ctx) -> Iterator[Finding]:
        reported: set[str] = set()
        cells = ctx.notebook.cells
        for problem in ctx.name_problems:
            if problem.kind != "undefined" or problem.name in reported:
                continue
            if problem.name in PLATFORM_GLOBALS:
                continue
            cell = cells[problem.cell]
            if not _shows_it_ran_with(cell, problem.name):
                continue
            reported.add(problem.name)
            yield self.report(
                ctx,
                f"`{problem.name}` is defined by no cell, yet {cell_label(cell)} ran with it and saved "
                "output: it came from a deleted cell or hidden kernel state; restore its "
                "definition, then Restart & Run All",
                cell,
                node=problem.node,
            )


def _shows_it_ran_with(cell: Cell, name: str) -> bool:
    """True when the saved outputs prove the cell ran and ``name`` did not fail there."""
    produced = False
    for output in cell.outputs:
        if not isinstance(output, dict):
            continue
        if output.get("output_type") != "error":
            produced = True
        elif output.get("ename") == "NameError" and f"'{name}'" in str(output.get("evalue")):
            return False  # it failed on this very name: a plain bug, not hidden state
    return produced
