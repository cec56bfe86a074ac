"""Environment rules: shell escapes, runtime installs, top-level await, undeclared imports."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

from nb2prod.dependencies.declared import (
    Declarations,
    Stamps,
    declared_dependencies,
    normalize,
    requirement_name,
)
from nb2prod.dependencies.distributions import (
    best_distribution,
    declared_provider,
    first_party_keys,
    likely_distributions,
)
from nb2prod.linter.context import CellIndex, NotebookContext
from nb2prod.linter.edits import replace_in_line
from nb2prod.linter.installs import InstallCommand, shell_segments
from nb2prod.linter.rule import Rule, Severity
from nb2prod.linter.rules._commands import Command, commands, shell_cell_magic
from nb2prod.linter.rules._imports import exempt, first_imports, project_folders, written_modules

#: The ``!pip`` prefixes the NB406 fix rewrites to ``%pip``.
_FIXABLE_PIP = re.compile(r"!\s*(?:pip3?|python3?\s+-m\s+pip)(?=\s|$)")
#: Executables that resolve ``pip`` through PATH (not ``{sys.executable} -m pip``).
_PATH_PIP = re.compile(r"(?:pip|python)(?:\d+(?:\.\d+)?)?")


def _listing(items, limit: int = 5) -> str:
    items = list(dict.fromkeys(items))
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


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


class RuntimePackageInstall(Rule):
    """
    ## What it does
    Finds packages installed or removed while the notebook runs.  These are ``%pip install``,
    ``!pip install``, ``!python -m pip install``, ``!uv pip install``, ``%conda install``,
    ``!mamba install``, ``!apt-get install``, automagic ``pip install x``, install lines of
    ``%%bash`` cells, ``subprocess.run([sys.executable, "-m", "pip", "install", ...])``, and
    ``pip uninstall``.  ``pip list``/``pip freeze`` are not installs.

    ## Why it blocks production
    Every run then depends on the package index being reachable and on whatever version
    it serves that day; installs in a running kernel may not even be imported until a
    restart.  A job's environment must be complete before the job starts.

    ## Example
    ```python
    %pip install lightgbm shap
    ```

    ## Use instead
    Declare the packages in the project's dependency file and build the environment from it:
    ```toml
    # pyproject.toml
    [project]
    dependencies = ["lightgbm==4.3.0", "shap==0.45.0"]
    ```

    ## Fix
    None: move the packages to requirements.txt / pyproject.toml (environment.yml for conda,
    the image for system packages) and delete the cell line.
    """

    code = "NB405"
    name = "runtime-package-install"
    family = "environment"
    severity = Severity.ERROR

    def check(self, ctx):
        for command in commands(ctx):
            for install in command.installs:
                yield self.report(ctx, _install_message(install), command.cell, span=command.span)


def _install_message(install: InstallCommand) -> str:
    named = [*install.packages, *(f"-r {name}" for name in install.files)]
    what = _listing(named) if named else "packages"
    them = "it" if len(named) == 1 else "them"
    how = f"`{install.label}`"
    if install.action == "uninstall":
        return (
            f"runtime uninstall of {what} ({how}); remove {them} from the project's dependency "
            "file and build the job's environment without them"
        )
    if not install.python:
        return (
            f"runtime install of system packages {what} ({how}); install {them} in the job's "
            "environment image (e.g. its Dockerfile) before the job runs"
        )
    where = (
        "(environment.yml)" if install.tool == "conda" else "(requirements.txt / pyproject.toml)"
    )
    return (
        f"runtime install of {what} ({how}); declare {them} in the project's dependency file "
        f"{where} and install {them} before the job runs"
    )


class BangPipInstall(Rule):
    """
    ## What it does
    Finds ``!pip install``, which installs into the first ``pip`` on the PATH.  That
    ``pip`` need not belong to the kernel's Python; ``!pip3``, ``!python -m pip`` and ``pip``
    lines of ``%%bash`` cells are reported too.

    ## Why it blocks production
    The package lands in another environment, so the import still fails, or works only on
    the machine where PATH happens to point at the kernel's environment.  ``%pip`` always
    installs into the running kernel's environment.

    ## Example
    ```python
    !pip install lightgbm
    ```

    ## Use instead
    ```python
    %pip install lightgbm
    ```
    (and, for production, declare the package instead of installing it at runtime: NB405).

    ## Fix
    Safe: ``!pip``, ``!pip3``, ``!python -m pip`` and ``!python3 -m pip`` at the start of a
    line become ``%pip``.  Not offered for ``!sudo pip``, chained commands, ``x = !pip``
    or ``%%bash`` cells.
    """

    code = "NB406"
    name = "bang-pip-install"
    family = "environment"
    severity = Severity.WARNING
    fix = "use %pip install"

    def check(self, ctx):
        for command in commands(ctx):
            if command.via not in ("bang", "capture", "system", "shell-cell"):
                continue
            install = next((i for i in command.installs if _runs_path_pip(i)), None)
            if install is None:
                continue
            edit = _percent_pip(ctx, command, install)
            where = " in a Python cell" if command.via == "shell-cell" else ""
            yield self.report(
                ctx,
                f"`{command.shown}` installs with the first `pip` on PATH, which may not be the "
                f"kernel's environment; use `%pip {install.subcommand}`{where}",
                command.cell,
                span=command.span,
                edits=(edit,) if edit else (),
            )


def _runs_path_pip(install: InstallCommand) -> bool:
    program = install.launcher[0].rsplit("/", 1)[-1]
    return install.tool == "pip" and program != "uv" and bool(_PATH_PIP.fullmatch(program))


def _percent_pip(ctx: NotebookContext, command: Command, install: InstallCommand):
    """The edit ``!pip`` -> ``%pip``, when it changes nothing else."""
    if command.bang is None or install.prefixed or len(shell_segments(command.text)) != 1:
        return None
    line = command.cell.lines[command.span[0] - 1]
    match = _FIXABLE_PIP.match(line, command.bang - 1)
    if match is None:
        return None
    return replace_in_line(
        ctx.notebook, command.cell, command.span[0], command.bang, match.end() + 1, "%pip"
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


class UndeclaredImport(Rule):
    """
    ## What it does
    Finds third-party imports that the project's dependency files do not declare.  Those
    files are pyproject.toml (``[project]``, Poetry, ``[dependency-groups]``),
    requirements*.txt, environment.yml, Pipfile, setup.cfg and setup.py, in the notebook's
    folder and each folder up to the project root.  Standard-library modules and the
    project's own modules (a ``.py`` file or package next to the notebook, at the project
    root or under ``src/``) are never reported; each module is reported once, at its first
    import.

    ## Why it blocks production
    The job's environment is built from the declared dependencies.  A package that is only
    installed on the author's machine makes the job fail with ``ModuleNotFoundError``.

    ## Example
    ```python
    from sklearn.ensemble import RandomForestClassifier  # requirements.txt: pandas
    ```

    ## Use instead
    ```text
    # requirements.txt
    pandas==2.2.2
    scikit-learn==1.5.0
    ```

    ## Fix
    None: add the distribution to the dependency file.  Modules the rule cannot see as your
    own (or that the job's runtime provides) go in the ``known-first-party`` option.
    """

    code = "NB401"
    name = "undeclared-import"
    family = "environment"
    severity = Severity.WARNING
    options = {"known-first-party": []}

    def check(self, ctx):
        known = {str(name) for name in ctx.option(self.code, "known-first-party")}
        imported = {
            key: where for key, where in first_imports(ctx).items() if not exempt(key, known)
        }
        if not imported:
            return  # no third-party import: no file is read, importlib is not loaded
        folders = project_folders(ctx)
        root = folders[-1]
        written = written_modules(ctx)
        own = [*folders, root / "src"]
        local = [key for key in imported if key.split(".")[0] not in written]
        stamps: Stamps = {}  # each folder's modification time, read once
        first_party = first_party_keys(local, own, stamps)
        imported = {
            key: where
            for key, where in imported.items()
            if key.split(".")[0] not in written and key not in first_party
        }
        if not imported:
            return
        declared = declared_dependencies(folders, stamps)
        installed: dict[str, int] | None = None  # computed only for a message
        for key, (cell, node) in imported.items():
            if declared_provider(key, declared.names):
                continue
            installed = _runtime_installs(ctx) if installed is None else installed
            yield self.report(
                ctx, _undeclared_message(key, declared, root, installed), cell, node=node
            )


def _runtime_installs(ctx: NotebookContext) -> dict[str, int]:
    """Normalised name -> number of the cell that installs it at runtime."""
    installed: dict[str, int] = {}
    for command in commands(ctx):
        for install in command.installs:
            if install.python and install.action == "install":
                for package in install.packages:
                    name = requirement_name(package.split("::")[-1])
                    if name:
                        installed.setdefault(normalize(name), command.cell.number)
    return installed


def _undeclared_message(
    key: str, declared: Declarations, root: Path, installed: dict[str, int]
) -> str:
    distribution = best_distribution(key)
    named = f"`{key}`" if distribution == key else f"`{key}` ({distribution})"
    cells = [
        installed[normalize(d)] for d in likely_distributions(key) if normalize(d) in installed
    ]
    runtime = f" (installed at runtime in cell {cells[0]})" if cells else ""
    if not declared.files:
        return (
            f"{named} is imported{runtime} but no dependency file found in {root}; "
            "declare it in pyproject.toml or requirements.txt"
        )
    files = _listed_files(declared.files, root)
    return (
        f"{named} is imported{runtime} but not declared in {files}; add {distribution} there "
        "so the job's environment installs it"
    )


@functools.lru_cache(maxsize=256)
def _listed_files(files: tuple[Path, ...], root: Path) -> str:
    """The dependency files for a message (the same for every import of a notebook)."""
    return ", ".join(_relative(path, root) for path in files)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


class UnpinnedInstall(Rule):
    """
    ## What it does
    Finds packages installed at runtime without an exact version (``==``/``===``).  For
    example ``%pip install pandas``, ``!pip install "numpy>=1.26"``, ``pip install -U torch``,
    ``%conda install scipy``.  Requirement files (``-r requirements.txt``), constraint
    files, local paths, ``-e .`` and VCS URLs at a commit are not reported.

    ## Why it blocks production
    Each run installs whatever version is newest that day, so the same notebook gives
    different results, or breaks, from one run to the next.

    ## Example
    ```python
    %pip install pandas "scikit-learn>=1.3"
    ```

    ## Use instead
    ```python
    %pip install pandas==2.2.2 scikit-learn==1.5.0
    ```
    (better still, declare them in the dependency file: NB405).

    ## Fix
    None: pin each package to the version you tested with (``pip freeze`` shows it).
    """

    code = "NB402"
    name = "unpinned-install"
    family = "environment"
    severity = Severity.WARNING

    def check(self, ctx):
        for command in commands(ctx):
            for install in command.installs:
                unpinned = install.unpinned()
                if not unpinned:
                    continue
                example = requirement_name(unpinned[0].split("::")[-1]) or "name"
                pin = "=" if install.tool == "conda" else "=="
                yield self.report(
                    ctx,
                    f"unpinned install of {_listing(unpinned)} (`{install.label}`); pin exact "
                    f"versions ({example}{pin}<version>) so every run installs the same packages",
                    command.cell,
                    span=command.span,
                )
