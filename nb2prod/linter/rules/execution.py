"""Execution-state rules: what the saved counts, outputs and name flow say about how the
notebook was run.  The engine makes them info in the ``explore`` profile, errors in ``prod``."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from nb2prod.linter.edits import remove_outputs
from nb2prod.linter.rule import Finding, Rule, Severity
from nb2prod.notebook import Cell

#: Cells nbclient (and so papermill and Jupyter Book) is told not to run.
SKIP_EXECUTION_TAGS = frozenset({"skip-execution", "skip_execution"})
#: Cells expected to fail: nbclient runs on past their error, so it is intended.
RAISES_EXCEPTION_TAG = "raises-exception"

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


def _is_empty(cell: Cell) -> bool:
    return not cell.source.strip()


def _only_comments(cell: Cell) -> bool:
    """Nothing but blank and comment lines: running the cell changes nothing."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in cell.lines)


def _ran(cell: Cell) -> bool:
    """True when the saved cell shows it ran: an execution count or outputs."""
    return cell.execution_count is not None or bool(cell.outputs)


def _label(cell: Cell) -> str:
    """``cell 3 (In [7])``, or ``cell 3`` when the cell has no execution count."""
    if cell.execution_count is None:
        return f"cell {cell.number}"
    return f"cell {cell.number} (In [{cell.execution_count}])"


class NotebookNeverExecuted(Rule):
    """
    ## What it does
    Reports a notebook none of whose code cells was ever run: no execution counts and
    no outputs are saved.

    ## Why it blocks production
    Nothing shows that the notebook runs at all, or what its results were; a reviewer or
    a scheduler has no evidence to trust.  (Notebooks whose outputs are stripped on
    purpose, e.g. by nbstripout, should use the ``explore`` profile, where this is info.)

    ## Example
    Every code cell shows ``In [ ]:`` and there is no output under any cell.

    ## Use instead
    Run the notebook top to bottom (*Restart Kernel and Run All Cells*, or with
    papermill) and save it with its outputs.

    ## Fix
    None: run the notebook.
    """

    code = "NB101"
    name = "notebook-never-executed"
    family = "execution"
    severity = Severity.ERROR

    def check(self, ctx) -> Iterator[Finding]:
        cells = [c for c in ctx.code_cells if not _is_empty(c)]
        if cells and not any(_ran(c) for c in cells):
            yield self.report(
                ctx,
                f"the notebook was never executed: none of its {len(cells)} code cell(s) has an "
                "execution count or output; run it top to bottom (Restart & Run All) and save it",
            )


class SkippedCell(Rule):
    """
    ## What it does
    Finds non-empty code cells that were not run although a cell below them was.

    Such a cell shows ``In [ ]:`` between executed cells.  Unexecuted cells at the end of the
    notebook, cells holding only comments and cells tagged ``skip-execution`` are not
    reported.

    ## Why it blocks production
    The saved results were computed without this cell.  When the notebook runs top to
    bottom unattended, the cell runs and may fail, or change what the cells below compute.

    ## Example
    ```python
    # cell 1, In [1]
    df = load()
    # cell 2, In [ ]  (never run)
    df = df.dropna()
    # cell 3, In [2]
    model.fit(df)
    ```

    ## Use instead
    Run all cells top to bottom (*Restart Kernel and Run All Cells*) and save; delete the
    cell if it is not needed.

    ## Fix
    None: run the notebook, or delete the cell.
    """

    code = "NB102"
    name = "skipped-cell"
    family = "execution"
    severity = Severity.ERROR

    def check(self, ctx) -> Iterator[Finding]:
        cells = ctx.code_cells
        executed_after: Cell | None = None  # the nearest executed cell below, scanning upwards
        skipped: list[tuple[Cell, Cell]] = []
        for cell in reversed(cells):
            if _only_comments(cell):
                continue
            if _ran(cell):
                executed_after = cell
            elif executed_after is not None:
                if not SKIP_EXECUTION_TAGS.intersection(cell.tags):
                    skipped.append((cell, executed_after))
        for cell, later in reversed(skipped):
            yield self.report(
                ctx,
                f"cell {cell.number} was never run, but {_label(later)} below it was: the saved "
                "results were computed without it; run all cells top to bottom, or delete it",
                cell,
            )


class OutOfOrderExecution(Rule):
    """
    ## What it does
    Finds code cells whose execution count is lower than that of a cell above them.

    The cells were run in another order than top to bottom.  One finding per out-of-order region, on its first cell: the run of executed cells
    below a higher count, up to the next cell that ran later than it; the message names
    how many cells the region spans.  Cells that only display a value (nothing but names,
    attributes, subscripts and constants, like ``X.shape``) change no state, so they are
    ignored: re-running one later makes nothing below it out of order.  So are empty cells.

    ## Why it blocks production
    A scheduled run executes cells top to bottom.  Results saved from another order may
    depend on state that a top-to-bottom run never creates (Pimentel et al. found
    out-of-order counts in 36 % of notebooks on GitHub).  Display-only re-runs left out,
    a cell that changes state ran out of order: an error (info in the ``explore`` profile).

    ## Example
    ```python
    # cell 1, In [2]
    df = df[df.price > 0]
    # cell 2, In [1]
    df = pd.read_csv("sales.csv")
    ```

    ## Use instead
    Put the cells in the order they must run, then *Restart Kernel and Run All Cells*
    and save.

    ## Fix
    None: reorder the cells and re-run the notebook.
    """

    code = "NB103"
    name = "out-of-order-execution"
    family = "execution"
    severity = Severity.ERROR

    def check(self, ctx) -> Iterator[Finding]:
        counts = [(c, c.execution_count) for c in ctx.code_cells if not _is_empty(c)]
        counted = [(c, n) for c, n in counts if n is not None]
        if all(a[1] <= b[1] for a, b in zip(counted, counted[1:])):
            return  # the usual case, decided without parsing a cell
        highest: tuple[Cell, int] | None = None
        regions: list[tuple[Cell, list[Cell]]] = []  # (the higher cell above, the region)
        previous: Cell | None = None
        for cell, count in counted:
            if _display_only(ctx, cell):
                continue
            if highest is not None and count < highest[1]:
                if regions and regions[-1][0] is highest[0] and regions[-1][1][-1] is previous:
                    regions[-1][1].append(cell)
                else:
                    regions.append((highest[0], [cell]))
            elif highest is None or count > highest[1]:
                highest = (cell, count)
            previous = cell
        for above, region in regions:
            first, last = region[0], region[-1]
            span = f"{len(region)} executed cells, {_label(first)} to {_label(last)},"
            what = _label(first) if first is last else span
            yield self.report(
                ctx,
                f"{what} ran before {_label(above)} above: the notebook was run out of order; "
                "put the cells in run order, then Restart & Run All",
                first,
            )


#: What a cell that only shows a value is made of (``-1`` is a UnaryOp with USub).
_DISPLAY_NODES: tuple[type[ast.AST], ...] = (ast.Name, ast.Attribute, ast.Subscript, ast.Constant)
_DISPLAY_NODES += (ast.Tuple, ast.Slice, ast.UnaryOp, ast.USub, ast.expr_context)


def _display_only(ctx, cell: Cell) -> bool:
    """True when the cell only shows values: every statement a bare name, attribute,
    subscript or constant (``X.shape``, ``df["a"][:5]``), no call, no IPython escape."""
    parsed = ctx.parsed(cell)
    if parsed.tree is None or parsed.error or parsed.escapes or parsed.cell_magic:
        return False
    return all(
        isinstance(stmt, ast.Expr)
        and all(isinstance(node, _DISPLAY_NODES) for node in ast.walk(stmt.value))
        for stmt in parsed.tree.body
    )


class ErrorOutputSaved(Rule):
    """
    ## What it does
    Finds code cells saved with an error output (a traceback).

    Cells tagged ``raises-exception`` (nbclient's and papermill's mark for a cell that is
    meant to fail) are not reported.

    ## Why it blocks production
    The notebook failed when it was last run, so ``Run All`` and papermill stop at this
    cell (or the code was changed since and nobody knows whether it works now).  The
    traceback may also leak paths, user names or data.

    ## Example
    A cell whose saved output is ``KeyError: 'price'``.

    ## Use instead
    Fix the cell, re-run the notebook top to bottom and save it; if the error is the
    point of the cell (a teaching example), clear the output.

    ## Fix
    Safe: remove the saved error outputs (other outputs stay).  This does not fix the
    code; re-run the notebook afterwards.
    """

    code = "NB106"
    name = "error-output-saved"
    family = "execution"
    severity = Severity.ERROR
    fix = "remove the saved error output"

    def check(self, ctx) -> Iterator[Finding]:
        for cell in ctx.code_cells:
            if RAISES_EXCEPTION_TAG in cell.tags:
                continue
            errors = [
                i
                for i, out in enumerate(cell.outputs)
                if isinstance(out, dict) and out.get("output_type") == "error"
            ]
            if not errors:
                continue
            first = cell.outputs[errors[0]]
            what = _error_title(first)
            edit = remove_outputs(ctx.notebook, cell, set(errors))
            yield self.report(
                ctx,
                f"{_label(cell)} is saved with an error output ({what}): the notebook failed "
                "here when last run; fix the cell and re-run the notebook",
                cell,
                edits=(edit,) if edit is not None else (),
            )


def _error_title(output: dict) -> str:
    name = output.get("ename")
    value = output.get("evalue")
    name = name if isinstance(name, str) and name else "error"
    if isinstance(value, str) and value.strip():
        value = value.strip().splitlines()[0]
        value = value if len(value) <= 60 else value[:57] + "..."
        return f"{name}: {value}"
    return name


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
                    f"`{problem.name}` is used here ({_label(cell)}) but first assigned in "
                    f"{_label(cells[problem.other])}; run the notebook top to bottom or move the "
                    "assignment up"
                )
            else:
                message = (
                    f"`{problem.name}` is used here ({_label(cell)}) but `del {problem.name}` in "
                    f"{_label(cells[problem.other])} removed it; re-create it first or drop the `del`"
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
            f"`{problem.name}` is used on line {problem.node.lineno} of {_label(cell)} before it is "
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
                f"`{problem.name}` is defined by no cell, yet {_label(cell)} ran with it and saved "
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
