"""Rules about the notebook file itself: readable, parseable, Python, suppressions."""

from __future__ import annotations

from nb2prod.linter.rule import Rule, Severity


class InternalError(Rule):
    """
    ## What it does
    Reports that a check of nb2prod itself failed on this notebook.

    ## Why it blocks production
    A notebook nb2prod could not fully check may hide any of the other problems; the
    rest of the checks still ran.

    ## Example
    A message such as ``rule NB201 failed on this notebook (RecursionError: ...)``.

    ## Use instead
    Nothing to change in the notebook; please report the message with the notebook.

    ## Fix
    None.
    """

    code = "NB000"
    name = "internal-error"
    family = "notebook"
    severity = Severity.ERROR

    def check(self, ctx):  # produced by the engine, not by a check
        return iter(())


class UnparsableCell(Rule):
    """
    ## What it does
    Finds code cells that are not valid Python, even with IPython syntax (magics,
    ``!shell``, ``obj?``, automagic) taken into account.  The error is reported at its
    line; the other checks still run on the rest of the cell.

    ## Why it blocks production
    A cell that does not parse cannot run: ``Run All`` and papermill stop there, and
    exporting the code is impossible.

    ## Example
    ```python
    %%time
    model.fit(X, y
    ```

    ## Use instead
    ```python
    %%time
    model.fit(X, y)
    ```

    ## Fix
    None: fix the code by hand.
    """

    code = "NB001"
    name = "unparsable-cell"
    family = "notebook"
    severity = Severity.ERROR

    def check(self, ctx):
        for cell, parsed in ctx.python_cells():
            if parsed.error is not None:
                error = parsed.error
                text = cell.lines[error.line - 1] if error.line <= len(cell.lines) else ""
                span = (error.line, error.column, error.line, max(error.column + 1, len(text) + 1))
                yield self.report(ctx, f"syntax error: {error.message}", cell, span=span)


class NonPythonNotebook(Rule):
    """
    ## What it does
    Notes a notebook whose kernel runs another language (R, Julia, Scala, ...).  Its
    cells are not checked.

    ## Why it blocks production
    It does not; nb2prod's checks are for Python notebooks, so this one is skipped and
    says so instead of reporting nonsense.

    ## Example
    A notebook whose ``metadata.kernelspec.language`` is ``R``.

    ## Use instead
    Nothing; ignore the rule (``ignore = ["NB002"]``) to silence it.

    ## Fix
    None.
    """

    code = "NB002"
    name = "non-python-notebook"
    family = "notebook"
    severity = Severity.INFO

    def check(self, ctx):  # produced by the engine before any cell is parsed
        return iter(())


class InvalidNotebook(Rule):
    """
    ## What it does
    Reports a file that cannot be read as a Jupyter notebook: not JSON, truncated, not
    UTF-8, an nbformat version older than 3 or newer than 4, or no ``cells``.

    ## Why it blocks production
    Jupyter, papermill and every other tool fail on the file.  nb2prod reports it and
    goes on with the other files of the run.

    ## Example
    A notebook cut short by a full disk: ``{"cells": [{"cell_type": "code", "sou``

    ## Use instead
    Restore the file from version control or from ``.ipynb_checkpoints/``.

    ## Fix
    None.
    """

    code = "NB003"
    name = "invalid-notebook"
    family = "notebook"
    severity = Severity.ERROR

    def check(self, ctx):  # produced by the engine when loading fails
        return iter(())


class UnusedSuppression(Rule):
    """
    ## What it does
    Finds ``# nb2prod: noqa`` comments and ``nb2prod:noqa`` cell tags that suppress
    nothing, or that name rule codes that reported nothing where they stand.

    ## Why it blocks production
    Stale suppressions hide the next real problem on that line or in that cell.

    ## Example
    ```python
    data_dir = "data"  # nb2prod: noqa: NB201
    ```

    ## Use instead
    ```python
    data_dir = "data"
    ```

    ## Fix
    None: delete the comment or the tag.
    """

    code = "NB009"
    name = "unused-noqa"
    family = "notebook"
    severity = Severity.WARNING

    def check(self, ctx):  # produced by the engine after suppressions are applied
        return iter(())


class RenamedRuleCode(Rule):
    """
    ## What it does
    Finds ``# nb2prod: noqa`` comments and ``nb2prod:noqa`` cell tags that name a rule by
    the code it had before 0.2, when the codes were renumbered so that each family has one
    prefix: NB302 is now NB403, NB303 is NB405, NB304 is NB406, NB306 is NB407 and NB404
    is NB704.

    ## Why it blocks production
    The old codes still suppress their rules, but stop working in nb2prod 0.3: the
    findings they silence would come back in every notebook that uses them.

    ## Example
    ```python
    !ls data  # nb2prod: noqa: NB302
    ```

    ## Use instead
    ```python
    !ls data  # nb2prod: noqa: NB403
    ```

    ## Fix
    Safe: the old code in a ``noqa`` comment becomes the new one (cell tags are left to
    you).
    """

    code = "NB010"
    name = "renamed-rule-code"
    family = "notebook"
    severity = Severity.WARNING
    fix = "writes the new code in the noqa comment"

    def check(self, ctx):  # produced by the engine after suppressions are applied
        return iter(())
