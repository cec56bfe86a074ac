"""Which imports come late, for NB704: after the notebook's setup, once its work has begun.

The *setup* is everything before the first statement that does work: imports, magics and
installs (masked as ``pass``), the ``parameters`` cell, settings (names assigned literals,
paths or environment values; ``pd.options...``, ``plt.rcParams[...]``, ``os.environ[...]``
assigned), calls of imported modules' functions on their own line (``warnings.filterwarnings``,
``sns.set_theme()``, ``np.random.seed(0)``, ``print(tf.__version__)``), function and class
definitions, and ``if``/``with``/``try`` blocks of those.  The work begins with anything
else, typically ``df = pd.read_csv(...)``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from nb2prod.linter.context import PARAMETERS_TAG, CellIndex, NotebookContext
from nb2prod.notebook import Cell

#: Exceptions whose handler makes a ``try: import x`` an optional-dependency fallback.
_IMPORT_FALLBACK_ERRORS = frozenset(
    {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
)
#: Calls whose result is a setting, not work (paths, environment values, the device).
_SETTING_CALLS = frozenset(
    """pathlib.Path os.getenv os.environ.get os.getcwd os.cpu_count multiprocessing.cpu_count
    torch.device torch.cuda.is_available logging.getLogger dict list tuple set range int
    float str bool len print""".split()
)
_BLOCKS = (ast.If, ast.With, ast.For, ast.While, ast.Try, getattr(ast, "TryStar", ast.Try))


@dataclass(frozen=True)
class LateImport:
    """An import statement after the setup: ``modules`` it imports, ``names`` it binds."""

    cell: Cell
    node: ast.Import | ast.ImportFrom
    modules: tuple[str, ...]
    names: tuple[str, ...]


@dataclass(frozen=True)
class LateImports:
    """Where the notebook's work begins (None: it is all setup) and the imports after it."""

    work: Cell | None
    imports: list[LateImport]


def late_imports(ctx: NotebookContext) -> LateImports:
    """The imports at module level after the setup, except optional-import fallbacks and
    imports of exactly what the setup already imported."""
    top: set[tuple[str, str]] = set()  # (bound name, what it is) of the setup's imports
    work: Cell | None = None
    late: list[LateImport] = []
    names = ctx.names
    for index in ctx.indexes:  # the cells with Python, in order
        cell = index.cell
        if work is not None and not (names[cell.index].imports or names[cell.index].star_imports):
            continue  # no import the cell runs itself (only ones in functions, if any)
        body = index.parsed.tree.body  # type: ignore[union-attr]
        after = 0  # the line the work begins on in this cell
        if work is None:
            tags = cell.tags
            if PARAMETERS_TAG in tags or "injected-parameters" in tags:
                for statement in body:  # settings: what follows is at the top
                    top.update(_bindings(statement))
                continue
            for statement in body:
                if isinstance(statement, (ast.Import, ast.ImportFrom)):
                    top.update(_pairs(statement))  # the usual first statements, quickly
                elif _is_setup(ctx, statement, index):
                    top.update(_bindings(statement))
                else:
                    work, after = cell, statement.lineno
                    break
            else:
                continue
        found = index.by_type.get(ast.Import, []) + index.by_type.get(ast.ImportFrom, [])
        if not found:
            continue
        imports = cast("list[ast.Import | ast.ImportFrom]", found)
        for node in sorted(imports, key=lambda n: (n.lineno, n.col_offset)):
            if node.lineno < after or not _at_module_level(node, index.parents):
                continue
            pairs = list(_pairs(node))
            if pairs and set(pairs) <= top:
                continue  # imported again: nothing new
            modules = tuple(dict.fromkeys(_imported_modules(node)))
            late.append(LateImport(cell, node, modules, tuple(n for n, _ in pairs)))
    return LateImports(work, late)


def _at_module_level(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Run by the cell itself: not in a function, a conditional or loop block, or the
    guarded part of an optional-import fallback (``try`` blocks around it are fine)."""
    parent = parents.get(node)
    while isinstance(parent, ast.Try) and node in parent.body:
        if _is_import_fallback(parent):
            return False
        node, parent = parent, parents.get(parent)
    return isinstance(parent, ast.Module)


def _is_import_fallback(node: ast.Try) -> bool:
    for handler in node.handlers:
        if handler.type is None:
            return True
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for kind in kinds:
            name = kind.attr if isinstance(kind, ast.Attribute) else getattr(kind, "id", None)
            if name in _IMPORT_FALLBACK_ERRORS:
                return True
    return False


def _imported_modules(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return ["." * (node.level or 0) + (node.module or "")]


def _bindings(statement: ast.stmt) -> Iterator[tuple[str, str]]:
    """What the imports of a setup statement bind at module level (in its blocks too)."""
    stack = [statement]  # no recursion: generated cells nest `elif` chains 1,000s deep
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield from _pairs(node)
        elif isinstance(node, _BLOCKS):
            stack.extend(inner for block in _blocks(node) for inner in reversed(block))


def _pairs(node: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, str]]:
    """``(bound name, dotted name of what it is)`` for each name an import binds."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.asname or alias.name.split(".")[0], alias.name
    else:
        module = "." * (node.level or 0) + (node.module or "")
        for alias in node.names:
            yield alias.asname or alias.name, f"{module}.{alias.name}"


def _blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    return [
        getattr(statement, "body", []),
        getattr(statement, "orelse", []),
        getattr(statement, "finalbody", []),
        *[handler.body for handler in getattr(statement, "handlers", [])],
    ]


# --------------------------------------------------------------------------- setup


def _is_setup(ctx: NotebookContext, statement: ast.stmt, index: CellIndex) -> bool:
    """Whether a statement does no work (its blocks included)."""
    stack = [statement]  # no recursion: generated cells nest `elif` chains 1,000s deep
    while stack:
        node = stack.pop()
        if isinstance(node, _BLOCKS):
            stack.extend(inner for block in _blocks(node) for inner in block)
        elif not _sets_up(ctx, node, index):
            return False
    return True


def _sets_up(ctx: NotebookContext, statement: ast.stmt, index: CellIndex) -> bool:
    if isinstance(
        statement,
        (ast.Import, ast.ImportFrom, ast.Pass, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef),
    ):
        return True
    if isinstance(statement, ast.Expr):
        if isinstance(statement.value, ast.Call):
            return _configures(ctx, statement.value)
        # a note, a version shown
        return isinstance(statement.value, (ast.Constant, ast.Name, ast.Attribute))
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if not all(_setting_target(ctx, t) for t in targets):
            return False
        value = statement.value
        if value is None or isinstance(value, (ast.Constant, ast.Name, ast.Attribute)):
            return True
        return _static(ctx, statement, index)
    return False


def _module_root(ctx: NotebookContext, node: ast.AST) -> bool:
    """Whether an attribute or item chain starts from an imported module (``os.environ``)."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return isinstance(node, ast.Name) and node.id in ctx.imports


def _configures(ctx: NotebookContext, call: ast.Call) -> bool:
    """A call of an imported module's function on its own line (``sns.set_theme()``)."""
    func: ast.AST = call.func
    while isinstance(func, (ast.Attribute, ast.Call, ast.Subscript)):
        func = func.func if isinstance(func, ast.Call) else func.value
    if not isinstance(func, ast.Name):
        return False
    return func.id in ctx.imports or ctx.qualified_name(call.func) in ("print", "display")


def _setting_target(ctx: NotebookContext, target: ast.AST) -> bool:
    if isinstance(target, ast.Name):
        return True
    if isinstance(target, (ast.Tuple, ast.List)):
        return all(_setting_target(ctx, t) for t in target.elts)
    if isinstance(target, ast.Starred):
        return _setting_target(ctx, target.value)
    return _module_root(ctx, target)  # pd.options..., plt.rcParams[...], os.environ[...]


def _static(ctx: NotebookContext, statement: ast.stmt, index: CellIndex) -> bool:
    """Whether an assignment's value is a setting: literals, names, arithmetic, and only
    the calls that make paths and environment values (``Path("data") / "raw"``,
    ``os.getenv("KEY")``).  The cell's calls on the statement's lines are checked (no walk
    through a long literal)."""
    first, last = statement.lineno, statement.end_lineno or statement.lineno
    for node in index.nodes(ast.Lambda, ast.Await):
        if first <= node.lineno <= last:
            return False
    for call in index.nodes(ast.Call):
        if first <= call.lineno <= last and not _setting_call(ctx, call):
            return False
    return True


def _setting_call(ctx: NotebookContext, call: ast.Call) -> bool:
    qualified = ctx.qualified_name(call.func)
    if qualified is None:  # `Path(...).resolve()`: the call it is made on is checked too
        return isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Call)
    return qualified in _SETTING_CALLS or qualified.startswith("os.path.")
