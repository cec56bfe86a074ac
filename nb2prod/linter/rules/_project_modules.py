"""The modules a notebook imports from, as its job gets them: the project's own modules
as they are now, or an installed library at the release the project gets.  Shared by the
rules that read what an import names (NB409, NB410)."""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterator
from typing import Any

from nb2prod.dependencies.declared import (
    Declarations,
    declared_dependencies,
    normalize,
)
from nb2prod.dependencies.distributions import (
    installed_distributions,
    installed_requirements,
    is_stdlib,
)
from nb2prod.linter.context import NotebookContext
from nb2prod.linter.rules._imports import (
    project_folders,
    relative_path,
    unguarded_imports,
    written_modules,
)
from nb2prod.linter.rules._module_source import (
    Missing,
    ModuleSource,
    find_module,
    installed_roots,
    locate,
    stands_in,
)
from nb2prod.notebook import Cell


def from_imports(ctx: NotebookContext) -> list[tuple[Cell, ast.ImportFrom]]:
    """``from module import names`` statements whose failure would stop the notebook: not
    guarded by ``except ImportError``, not relative, not of the standard library or of a
    module the notebook writes itself."""
    found = [
        (cell, statement)
        for cell, statement in _imports(ctx, ast.ImportFrom)
        if isinstance(statement, ast.ImportFrom) and statement.module and not statement.level
    ]
    return _checked(ctx, found, lambda statement: statement.module or "")


def dotted_imports(ctx: NotebookContext) -> list[tuple[Cell, ast.alias]]:
    """``import package.module`` names, on the same terms as :func:`from_imports`."""
    found = [
        (cell, alias)
        for cell, statement in _imports(ctx, ast.Import)
        if isinstance(statement, ast.Import)
        for alias in statement.names
        if "." in alias.name
    ]
    return _checked(ctx, found, lambda alias: alias.name)


def _imports(
    ctx: NotebookContext, kind: type
) -> Iterator[tuple[Cell, ast.Import | ast.ImportFrom]]:
    for index in ctx.indexes:
        if kind in index.by_type:
            for statement in unguarded_imports(index):
                if isinstance(statement, kind):
                    yield index.cell, statement


def _checked(ctx: NotebookContext, found: list, module_of: Callable[[Any], str]) -> list:
    """``found`` without the standard library's modules and those the notebook writes."""
    found = [(cell, item) for cell, item in found if not is_stdlib(module_of(item))]
    if not found:
        return found
    written = written_modules(ctx)
    return [(cell, item) for cell, item in found if module_of(item).split(".")[0] not in written]


class ProjectModules:
    """Modules as the notebook's job gets them, looked up once per notebook."""

    def __init__(self, ctx: NotebookContext):
        folders = project_folders(ctx)
        self._project = (*folders, folders[-1] / "src")
        self._root = folders[-1]
        self._folders = folders
        self._found: dict[str, ModuleSource | Missing | None] = {}

    def find(self, dotted: str) -> ModuleSource | None:
        """The module's source: the project's own, else the installed one; None when it
        cannot be read (compiled, a namespace package, missing)."""
        found = self._lookup(dotted)
        return found if isinstance(found, ModuleSource) else None

    def missing(self, dotted: str) -> str | None:
        """What the project's own package lacks of ``dotted``, for a message
        (```pkg.old`` is not a module of this project: pkg/ has no old.py or old/``); None
        when the module is there, or is not the project's."""
        found = self._lookup(dotted)
        if not isinstance(found, Missing):
            return None
        name = found.dotted.rpartition(".")[2]
        return (
            f"`{found.dotted}` is not a module of this project "
            f"({relative_path(found.folder, self._root)}/ has no {name}.py or {name}/)"
        )

    def _lookup(self, dotted: str) -> ModuleSource | Missing | None:
        """Looked up once per notebook: the project's own module when its package is
        there (whatever it lacks), else the installed one."""
        if dotted not in self._found:
            top = dotted.split(".")[0]
            own = next((f for f in self._project if stands_in(f, top)), None)
            self._found[dotted] = locate(dotted, own) if own else _installed_module(dotted)
        return self._found[dotted]

    def basis(self, module: ModuleSource) -> str | None:
        """What the module's code is, for a message (``settings.py in this project``,
        ``scikit-learn 1.5.2 installed here``); None for an installed release the project's
        dependency files exclude, whose code the job does not get."""
        if module.root in self._project:
            return f"{relative_path(module.path, self._root)} in this project"
        from nb2prod.dependencies.pins import Range, declared_pins, installed_version

        distributions = tuple(installed_distributions(module.name.split(".")[0]))
        version = installed_version(distributions) if distributions else None
        if version is None:
            return None
        pins = declared_pins(self.declared.files, distributions)
        allowed = functools.reduce(Range.narrowed, (pin.range for pin in pins), Range())
        return f"{distributions[0]} {version} installed here" if allowed.contains(version) else None

    def depends_on(self, module: ModuleSource, distribution: str) -> bool:
        """Whether the library ``module`` belongs to requires ``distribution``: the
        project's dependency files for its own modules, the installed metadata otherwise."""
        if module.root in self._project:
            return normalize(distribution) in self.declared.names
        providers = installed_distributions(module.name.split(".")[0])
        return any(normalize(distribution) in installed_requirements(p) for p in providers)

    @functools.cached_property
    def declared(self) -> Declarations:
        """The project's dependency files and what they declare."""
        return declared_dependencies(self._folders)


@functools.lru_cache(maxsize=1024)
def _installed_module(dotted: str) -> ModuleSource | None:
    """Installed modules are the same for every notebook of a lint: looked up once."""
    return find_module(dotted, installed_roots())
