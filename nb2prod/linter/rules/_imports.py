"""The imports a notebook makes, the modules it writes itself and the folders its project
spans, for the dependency rules."""

from __future__ import annotations

import ast
import functools
import os
from collections.abc import Sequence
from pathlib import Path

from nb2prod.config import real_folder
from nb2prod.dependencies.distributions import (
    NAMESPACE_ROOTS,
    PLATFORM_MODULES,
    import_key,
    is_stdlib,
)
from nb2prod.linter.context import CellIndex, NotebookContext
from nb2prod.notebook import Cell


def first_imports(ctx: NotebookContext) -> dict[str, tuple[Cell, ast.AST]]:
    """Import key -> (cell, node) of its first unguarded absolute import, in document order."""
    found: dict[str, tuple[Cell, ast.AST]] = {}
    for index in ctx.indexes:
        cell = index.cell
        for statement in unguarded_imports(index):
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    found.setdefault(import_key(alias.name), (cell, alias))
            elif statement.module and not statement.level:
                module = statement.module
                if module.split(".")[0] in NAMESPACE_ROOTS:
                    keys = [
                        import_key(module if a.name == "*" else f"{module}.{a.name}")
                        for a in statement.names
                    ]
                else:
                    keys = [import_key(module)]
                for key in keys:
                    found.setdefault(key, (cell, statement))
    return found


_TRY = (ast.Try, getattr(ast, "TryStar", ast.Try))
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def unguarded_imports(index: CellIndex) -> list[ast.Import | ast.ImportFrom]:
    """Import statements at any depth, except optional ones (``try: import x`` /
    ``except ImportError``, ``if TYPE_CHECKING:``), in source order."""
    imports: list[ast.Import | ast.ImportFrom] = [*index.nodes(ast.Import)]
    imports_from: list[ast.Import | ast.ImportFrom] = [*index.nodes(ast.ImportFrom)]
    if imports and imports_from:  # statements never overlap: their starts give source order
        imports = sorted([*imports, *imports_from], key=lambda s: (s.lineno, s.col_offset))
    else:
        imports = imports or imports_from
    return [statement for statement in imports if not _guarded(statement, index.parents)]


def _guarded(statement: ast.stmt, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether a ``try``/``except ImportError`` or ``if TYPE_CHECKING:`` makes it optional."""
    child: ast.AST = statement
    parent = parents.get(statement)
    while parent is not None:
        if isinstance(parent, _TRY):
            # The guarded parts: the ``try`` body, when a handler lets the notebook go on
            # without the module, and the handlers (``except ImportError: import fallback``
            # is optional too); ``else``/``finally`` always run.
            handlers = [h for h in parent.handlers if catches_import_error(h)]
            tried = {m for s in parent.body for m in imported_modules(s)}
            if (
                _in(child, parent.handlers)
                and handlers
                and not (imported_modules(statement) & tried)
            ):
                return True
            if _in(child, parent.body) and any(_goes_on_without(h, tried) for h in handlers):
                return True
        elif isinstance(parent, ast.If) and _in(child, parent.body):
            if _is_type_checking(parent.test):
                return True
        child, parent = parent, parents.get(parent)
    return False


_BINDS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Import, ast.ImportFrom, ast.FunctionDef)


def _goes_on_without(handler: ast.ExceptHandler, modules: set[str]) -> bool:
    """Whether the notebook can do without ``modules`` after this handler: it binds a
    fallback or a flag (``HAS_LGB = False``).  A handler that only prints, passes or
    installs leaves the imported names undefined for the cells that use them, and one that
    imports the same module again (after ``%pip install``) shows the notebook needs it."""
    return any(
        isinstance(node, _BINDS) and not (imported_modules(node) & modules)
        for node in ast.walk(handler)
    )


def imported_modules(node: ast.AST) -> set[str]:
    """Modules an import statement imports (relative imports left out); empty for others."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return {node.module}
    return set()


def _in(node: ast.AST, nodes: Sequence[ast.AST]) -> bool:
    return any(item is node for item in nodes)


def catches_import_error(handler: ast.ExceptHandler) -> bool:
    """Whether an ``except`` clause catches a failed import (``ImportError``,
    ``ModuleNotFoundError``, ``Exception`` or a bare ``except:``)."""
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(getattr(t, "id", getattr(t, "attr", None)) in _IMPORT_ERRORS for t in types)


def _is_type_checking(test: ast.expr) -> bool:
    return getattr(test, "id", getattr(test, "attr", None)) == "TYPE_CHECKING"


def exempt(key: str, known: set[str]) -> bool:
    top = key.split(".")[0]
    platform = any(key == m or key.startswith(m + ".") for m in PLATFORM_MODULES)
    return is_stdlib(key) or platform or top in known or key in known


def project_folders(ctx: NotebookContext) -> list[Path]:
    """The notebook's folder and its parents up to the project root (last)."""
    folder = os.path.dirname(os.path.abspath(ctx.notebook.path))
    return list(_folders_up_to(folder, Path(ctx.project_root)))


def relative_path(path: Path, root: Path) -> str:
    """``path`` as the project shows it: relative to ``root`` when it is inside."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


@functools.lru_cache(maxsize=256)
def _folders_up_to(notebook_folder: str, root: Path) -> tuple[Path, ...]:
    """Many notebooks share a folder: its chain of folders is worked out once."""
    folder = real_folder(notebook_folder)
    folders = [folder]
    if root in folder.parents:
        for parent in folder.parents:
            folders.append(parent)
            if parent == root:
                break
    elif folder != root:
        folders.append(root)
    return tuple(folders)


def written_modules(ctx: NotebookContext) -> set[str]:
    """Modules the notebook writes itself with ``%%writefile helpers.py``."""
    names = set()
    for _cell, escape in ctx.escapes():
        if escape.kind == "cell_magic" and escape.name == "writefile":
            words = [w for w in escape.args.split() if not w.startswith("-")]
            path = Path(words[0]) if words else None
            if path is not None and path.suffix == ".py":
                names.add(path.parent.name if path.stem == "__init__" else path.stem)
    return names
