"""Environment rules: shell escapes and top-level await.  Package installs are in
:mod:`installs`, undeclared imports in :mod:`dependencies` (the same family, NB4)."""

from __future__ import annotations

import ast

from nb2prod.linter.context import CellIndex
from nb2prod.linter.rule import Rule, Severity
from nb2prod.linter.rules._commands import commands, shell_cell_magic

# --------------------------------------------------------------------------- rules


class ShellEscape(Rule):
    """
    ## What it does
    Finds shell commands run from cells.  These are ``!cmd``, ``!!cmd``, ``x = !cmd``,
    ``%system``, ``%sx``, ``%%bash``/``%%sh``/``%%script bash`` cells (reported once, at the
    magic) and automagic shell aliases such as ``ls -la`` or ``mkdir out``.  Package
    installs are reported by NB405 instead.

    ## Why it blocks production
    IPython runs these lines through the machine's shell.  A script or exported module
    cannot run them at all, and where they do run (papermill) they depend on the tools,
    the shell and the working folder of that machine.

    ## Example
    ```python
    !mkdir -p output
    files = !ls data/*.csv
    ```

    ## Use instead
    ```python
    from pathlib import Path

    Path("output").mkdir(parents=True, exist_ok=True)
    files = sorted(Path("data").glob("*.csv"))
    ```

    ## Fix
    None: rewrite the command in Python (``pathlib``, ``shutil``, ``subprocess.run``) or move
    it to the job's setup step.
    """

    code = "NB403"
    name = "shell-escape"
    family = "environment"
    severity = Severity.WARNING

    def check(self, ctx):
        reported_cells: set[int] = set()
        for command in commands(ctx):
            if command.via in ("magic", "call") or command.installs:
                continue
            cell = command.cell
            if command.via != "shell-cell":
                yield self.report(
                    ctx,
                    f"shell command `{command.shown}` runs only under IPython and depends on the "
                    "machine's shell; do it in Python (pathlib, shutil, subprocess.run) or in "
                    "the job's setup step",
                    cell,
                    span=command.span,
                )
            elif cell.index not in reported_cells:
                reported_cells.add(cell.index)
                magic = shell_cell_magic(ctx.parsed(cell))
                yield self.report(
                    ctx,
                    f"`%%{magic.name}` cell runs shell commands (`{command.shown}`) that only "
                    "IPython can run; do it in Python (pathlib, shutil, subprocess.run) or in "
                    "the job's setup step",
                    cell,
                    span=(magic.line, magic.column, magic.line, magic.end_column),
                )


class TopLevelAwait(Rule):
    """
    ## What it does
    Finds ``await``, ``async for`` and ``async with`` outside any ``async def``.  They (and
    asynchronous comprehensions) are reported at the top level of a cell.

    ## Why it blocks production
    IPython's autoawait runs them in the kernel's event loop, but Python itself does not:
    the exported module or script fails with ``SyntaxError: 'await' outside function``.

    ## Example
    ```python
    response = await client.get(url)
    ```

    ## Use instead
    ```python
    import asyncio


    async def fetch(url):
        return await client.get(url)


    response = asyncio.run(fetch(url))
    ```

    ## Fix
    None: move the code into an ``async def`` and run it with ``asyncio.run``.
    """

    code = "NB407"
    name = "top-level-await"
    family = "environment"
    severity = Severity.WARNING

    def check(self, ctx):
        for index in ctx.indexes:
            if not _has_async(index):
                continue  # the common case: nothing asynchronous, no walk
            cell, parsed, tree = index.cell, index.parsed, index.parsed.tree
            stack: list[ast.AST] = list(reversed(tree.body))
            while stack:
                node = stack.pop()
                if isinstance(
                    node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.GeneratorExp)
                ):
                    continue  # their own scope (a generator is lazy)
                kind = _async_kind(node)
                if kind is None:
                    stack.extend(reversed(list(ast.iter_child_nodes(node))))
                    continue
                line, column, end_line, end_column = parsed.position(node)
                if end_line != line:  # a block: point at its first line
                    end_column = column + len(kind)
                yield self.report(
                    ctx,
                    f"`{kind}` at the top level of a cell works only under IPython's autoawait; "
                    "a script or exported module fails: put the code in an `async def` and run "
                    "it with `asyncio.run()`",
                    cell,
                    span=(line, column, line, end_column),
                )


def _has_async(index: CellIndex) -> bool:
    """Whether the cell holds any node :func:`_async_kind` names, at any depth."""
    by_type = index.by_type
    if ast.Await in by_type or ast.AsyncFor in by_type or ast.AsyncWith in by_type:
        return True
    return any(g.is_async for g in index.nodes(ast.comprehension))


def _async_kind(node: ast.AST) -> str | None:
    if isinstance(node, ast.Await):
        return "await"
    if isinstance(node, ast.AsyncFor):
        return "async for"
    if isinstance(node, ast.AsyncWith):
        return "async with"
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp)) and any(
        g.is_async for g in node.generators
    ):
        return "async for"
    return None
