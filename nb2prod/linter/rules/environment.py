"""Environment rules: shell escapes, runtime installs, top-level await, undeclared imports."""

from __future__ import annotations

import ast
import functools
import os
import re
from pathlib import Path

from nb2prod.linter import dependencies as deps
from nb2prod.linter.context import CellIndex, NotebookContext
from nb2prod.linter.edits import replace_in_line
from nb2prod.linter.installs import InstallCommand, shell_segments
from nb2prod.linter.rule import Rule, Severity
from nb2prod.linter.rules._commands import Command, commands, shell_cell_magic
from nb2prod.notebook import Cell

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
    return any(g.is_async for g in by_type.get(ast.comprehension, ()))


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
            key: where for key, where in _first_imports(ctx).items() if not _exempt(key, known)
        }
        if not imported:
            return  # no third-party import: no file is read, importlib is not loaded
        folders = _project_folders(ctx)
        root = folders[-1]
        written = _written_modules(ctx)
        own = [*folders, root / "src"]
        local = [key for key in imported if key.split(".")[0] not in written]
        stamps: deps.Stamps = {}  # each folder's modification time, read once
        first_party = deps.first_party_keys(local, own, stamps)
        imported = {
            key: where
            for key, where in imported.items()
            if key.split(".")[0] not in written and key not in first_party
        }
        if not imported:
            return
        declared = deps.declared_dependencies(folders, stamps)
        installed: dict[str, int] | None = None  # computed only for a message
        for key, (cell, node) in imported.items():
            if deps.declared_provider(key, declared.names):
                continue
            installed = _runtime_installs(ctx) if installed is None else installed
            yield self.report(
                ctx, _undeclared_message(key, declared, root, installed), cell, node=node
            )


def _first_imports(ctx: NotebookContext) -> dict[str, tuple[Cell, ast.AST]]:
    """Import key -> (cell, node) of its first unguarded absolute import, in document order."""
    found: dict[str, tuple[Cell, ast.AST]] = {}
    for index in ctx.indexes:
        cell = index.cell
        for statement in _unguarded_imports(index):
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    found.setdefault(deps.import_key(alias.name), (cell, alias))
            elif statement.module and not statement.level:
                module = statement.module
                if module.split(".")[0] in deps.NAMESPACE_ROOTS:
                    keys = [
                        deps.import_key(module if a.name == "*" else f"{module}.{a.name}")
                        for a in statement.names
                    ]
                else:
                    keys = [deps.import_key(module)]
                for key in keys:
                    found.setdefault(key, (cell, statement))
    return found


_TRY = (ast.Try, getattr(ast, "TryStar", ast.Try))
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def _unguarded_imports(index: CellIndex) -> list[ast.Import | ast.ImportFrom]:
    """Import statements at any depth, except optional ones (``try: import x`` /
    ``except ImportError``, ``if TYPE_CHECKING:``), in source order."""
    imports = index.by_type.get(ast.Import, [])
    imports_from = index.by_type.get(ast.ImportFrom, [])
    if imports and imports_from:  # statements never overlap: their starts give source order
        imports = sorted([*imports, *imports_from], key=lambda s: (s.lineno, s.col_offset))
    else:
        imports = imports or imports_from
    return [statement for statement in imports if not _guarded(statement, index.parents)]


def _guarded(statement: ast.stmt, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether a ``try``/``except ImportError`` or ``if TYPE_CHECKING:`` makes it optional."""
    child, parent = statement, parents.get(statement)
    while parent is not None:
        if isinstance(parent, _TRY):
            # The guarded parts: the ``try`` body and the handlers (``except ImportError:
            # import fallback`` is optional too); ``else``/``finally`` always run.
            if _in(child, parent.body) or _in(child, parent.handlers):
                if any(_catches_import_error(h) for h in parent.handlers):
                    return True
        elif isinstance(parent, ast.If) and _in(child, parent.body):
            if _is_type_checking(parent.test):
                return True
        child, parent = parent, parents.get(parent)
    return False


def _in(node: ast.AST, nodes: list[ast.AST]) -> bool:
    return any(item is node for item in nodes)


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(getattr(t, "id", getattr(t, "attr", None)) in _IMPORT_ERRORS for t in types)


def _is_type_checking(test: ast.expr) -> bool:
    return getattr(test, "id", getattr(test, "attr", None)) == "TYPE_CHECKING"


def _exempt(key: str, known: set[str]) -> bool:
    top = key.split(".")[0]
    platform = any(key == m or key.startswith(m + ".") for m in deps.PLATFORM_MODULES)
    return deps.is_stdlib(key) or platform or top in known or key in known


def _project_folders(ctx: NotebookContext) -> list[Path]:
    """The notebook's folder and its parents up to the project root (last)."""
    folder = os.path.dirname(os.path.abspath(ctx.notebook.path))
    return list(_folders_up_to(folder, Path(ctx.project_root)))


@functools.lru_cache(maxsize=256)
def _folders_up_to(notebook_folder: str, root: Path) -> tuple[Path, ...]:
    """Many notebooks share a folder: its chain of folders is worked out once."""
    folder = _real_folder(notebook_folder)
    folders = [folder]
    if root in folder.parents:
        for parent in folder.parents:
            folders.append(parent)
            if parent == root:
                break
    elif folder != root:
        folders.append(root)
    return tuple(folders)


@functools.lru_cache(maxsize=256)
def _real_folder(folder: str) -> Path:
    return Path(os.path.realpath(folder))  # as the project root is found (symlinks resolved)


def _written_modules(ctx: NotebookContext) -> set[str]:
    """Modules the notebook writes itself with ``%%writefile helpers.py``."""
    names = set()
    for _cell, escape in ctx.escapes():
        if escape.kind == "cell_magic" and escape.name == "writefile":
            words = [w for w in escape.args.split() if not w.startswith("-")]
            path = Path(words[0]) if words else None
            if path is not None and path.suffix == ".py":
                names.add(path.parent.name if path.stem == "__init__" else path.stem)
    return names


def _runtime_installs(ctx: NotebookContext) -> dict[str, int]:
    """Normalised name -> number of the cell that installs it at runtime."""
    installed: dict[str, int] = {}
    for command in commands(ctx):
        for install in command.installs:
            if install.python and install.action == "install":
                for package in install.packages:
                    name = deps.requirement_name(package.split("::")[-1])
                    if name:
                        installed.setdefault(deps.normalize(name), command.cell.number)
    return installed


def _undeclared_message(
    key: str, declared: deps.Declarations, root: Path, installed: dict[str, int]
) -> str:
    distribution = deps.best_distribution(key)
    named = f"`{key}`" if distribution == key else f"`{key}` ({distribution})"
    cells = [
        installed[deps.normalize(d)]
        for d in deps.likely_distributions(key)
        if deps.normalize(d) in installed
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
                example = deps.requirement_name(unpinned[0].split("::")[-1]) or "name"
                pin = "=" if install.tool == "conda" else "=="
                yield self.report(
                    ctx,
                    f"unpinned install of {_listing(unpinned)} (`{install.label}`); pin exact "
                    f"versions ({example}{pin}<version>) so every run installs the same packages",
                    command.cell,
                    span=command.span,
                )
