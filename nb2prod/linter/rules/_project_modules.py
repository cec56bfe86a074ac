"""The modules a notebook imports from, as its job gets them: the project's own modules
as they are now, or an installed library at the release the project gets.  Shared by the
rules that read what an import names (NB409, NB410)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from nb2prod.dependencies.declared import declared_dependencies
from nb2prod.dependencies.distributions import installed_distributions, is_stdlib
from nb2prod.linter.context import NotebookContext
from nb2prod.linter.rules._imports import project_folders, unguarded_imports, written_modules
from nb2prod.linter.rules._module_source import ModuleSource, find_module, installed_roots
from nb2prod.notebook import Cell


def from_imports(ctx: NotebookContext) -> list[tuple[Cell, ast.ImportFrom]]:
    """``from module import names`` statements whose failure would stop the notebook: not
    guarded by ``except ImportError``, not relative, not of the standard library or of a
    module the notebook writes itself."""
    written = written_modules(ctx)
    return [
        (index.cell, statement)
        for index in ctx.indexes
        for statement in unguarded_imports(index)
        if isinstance(statement, ast.ImportFrom)
        and statement.module
        and not statement.level
        and not is_stdlib(statement.module)
        and statement.module.split(".")[0] not in written
    ]


class ProjectModules:
    """Modules as the notebook's job gets them, looked up once per notebook."""

    def __init__(self, ctx: NotebookContext):
        folders = project_folders(ctx)
        self._project = (*folders, folders[-1] / "src")
        self._root = folders[-1]
        self._folders = folders
        self._found: dict[str, tuple[ModuleSource, str] | None] = {}

    def find(self, dotted: str) -> tuple[ModuleSource, str] | None:
        """The module's source and what it is (for the message), or None when it cannot
        be read or is not the code the project gets."""
        if dotted not in self._found:
            self._found[dotted] = self._find(dotted)
        return self._found[dotted]

    def _find(self, dotted: str) -> tuple[ModuleSource, str] | None:
        own = find_module(dotted, self._project)
        if own is not None:
            return own, f"{_relative(own.path, self._root)} in this project"
        top = dotted.split(".")[0]
        if any(
            (folder / top).exists() or (folder / f"{top}.py").exists() for folder in self._project
        ):
            return None  # the project's own module, not readable as source
        installed = find_module(dotted, installed_roots())
        if installed is None:
            return None
        release = self._release(top)
        return (installed, f"{release} installed here") if release else None

    def _release(self, top: str) -> str | None:
        """``scikit-learn 1.5.2`` when the project gets the release installed here: none
        of its pins excludes it."""
        from nb2prod.dependencies.pins import Range, declared_pins, installed_version

        distributions = tuple(installed_distributions(top))
        version = installed_version(distributions) if distributions else None
        if version is None:
            return None
        pins = declared_pins(self._files, distributions)
        allowed = functools.reduce(Range.narrowed, (pin.range for pin in pins), Range())
        return f"{distributions[0]} {version}" if allowed.contains(version) else None

    @functools.cached_property
    def _files(self) -> tuple[Path, ...]:
        return declared_dependencies(self._folders).files


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
