"""Execution-state rules: what the saved counts and outputs say about how the notebook was
run (the name-flow ones are in ``hidden_state.py``).  The engine makes them info in the
``explore`` profile, errors in ``prod``.

Projects that store notebooks without outputs on purpose (nbstripout, nb-clean; see
:mod:`nb2prod.linter.stripped`, or the ``saved-outputs`` option) leave no evidence of a
run: there NB101 and NB102, which conclude from missing counts and outputs, say nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from nb2prod.linter.edits import remove_outputs
from nb2prod.linter.rule import Finding, Rule, Severity
from nb2prod.linter.stripped import stored_without_outputs
from nb2prod.notebook import Cell

#: Cells nbclient (and so papermill and Jupyter Book) is told not to run.
SKIP_EXECUTION_TAGS = frozenset({"skip-execution", "skip_execution"})
#: Cells expected to fail: nbclient runs on past their error, so it is intended.
RAISES_EXCEPTION_TAG = "raises-exception"
#: ``saved-outputs``: ``auto`` (detect nbstripout & co), ``stripped`` or ``kept``.
SAVED_OUTPUTS = {"saved-outputs": "auto"}


def _outputs_stripped(ctx) -> bool:
    """True when the notebook is stored without outputs on purpose (once per notebook)."""
    mode = ctx.option("NB101", "saved-outputs")
    return mode == "stripped" or (mode == "auto" and stored_without_outputs(ctx.notebook.path))


def _is_empty(cell: Cell) -> bool:
    return not cell.source.strip()


def _only_comments(cell: Cell) -> bool:
    """Nothing but blank and comment lines: running the cell changes nothing."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in cell.lines)


def _ran(cell: Cell) -> bool:
    """True when the saved cell shows it ran: an execution count or outputs."""
    return cell.execution_count is not None or bool(cell.outputs)


def cell_label(cell: Cell) -> str:
    """``cell 3 (In [7])``, or ``cell 3`` when the cell has no execution count."""
    if cell.execution_count is None:
        return f"cell {cell.number}"
    return f"cell {cell.number} (In [{cell.execution_count}])"


class NotebookNeverExecuted(Rule):
    """
    ## What it does
    Reports a notebook none of whose code cells was ever run: no execution counts and
    no outputs are saved.

    Not reported where notebooks are stored without outputs on purpose: the repository
    strips them before each commit (``filter=nbstripout`` or another stripping filter in
    ``.gitattributes``, an ``nbstripout`` or ``nb-clean`` hook in
    ``.pre-commit-config.yaml``), or the ``saved-outputs = "stripped"`` option says so
    (``"kept"`` turns the detection off).

    ## Why it blocks production
    Nothing shows that the notebook runs at all, or what its results were; a reviewer or
    a scheduler has no evidence to trust.

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
    options = SAVED_OUTPUTS

    def check(self, ctx) -> Iterator[Finding]:
        cells = [c for c in ctx.code_cells if not _is_empty(c)]
        if cells and not any(_ran(c) for c in cells) and not ctx.shared(_outputs_stripped):
            yield self.report(
                ctx,
                f"the notebook was never executed: none of its {len(cells)} code cell(s) has an "
                "execution count or output; run it top to bottom (Restart & Run All) and save it "
                '(or, if the project strips outputs on purpose, set saved-outputs = "stripped")',
            )


class SkippedCell(Rule):
    """
    ## What it does
    Finds non-empty code cells that were not run although a cell below them was.

    Such a cell shows ``In [ ]:`` between executed cells.  Unexecuted cells at the end of the
    notebook, cells holding only comments and cells tagged ``skip-execution`` are not
    reported, nor are notebooks stored without outputs on purpose (see NB101), where a
    missing output proves nothing.

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
    options = SAVED_OUTPUTS

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
        if skipped and ctx.shared(_outputs_stripped):
            return
        for cell, later in reversed(skipped):
            yield self.report(
                ctx,
                f"cell {cell.number} was never run, but {cell_label(later)} below it was: the saved "
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
            span = f"{len(region)} executed cells, {cell_label(first)} to {cell_label(last)},"
            what = cell_label(first) if first is last else span
            yield self.report(
                ctx,
                f"{what} ran before {cell_label(above)} above: the notebook was run out of order; "
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
                f"{cell_label(cell)} is saved with an error output ({what}): the notebook failed "
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
