"""Environment rule NB401: third-party imports the project's dependency files do not declare."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple

from nb2prod.dependencies.declared import (
    Declarations,
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
from nb2prod.dependencies.optional import OptionalGroup, declared_where, optional_only
from nb2prod.linter.context import NotebookContext
from nb2prod.linter.rule import Rule, Severity
from nb2prod.linter.rules._commands import commands
from nb2prod.linter.rules._imports import (
    exempt,
    first_imports,
    project_folders,
    relative_path,
    written_modules,
)


class UndeclaredImport(Rule):
    """
    ## What it does
    Finds third-party imports that the project's dependency files do not declare.  Those
    files are pyproject.toml (``[project]``, Poetry, ``[dependency-groups]``),
    requirements*.txt, environment.yml, Pipfile, setup.cfg and setup.py, in the notebook's
    folder and each folder up to the project root.  Standard-library modules and the
    project's own modules (a ``.py`` file or package next to the notebook, at the project
    root or under ``src/``) are never reported; each module is reported once, at its first
    import.  Without any dependency file, the notebook gets one finding, at its first
    third-party import, naming every module to declare (all of them, never "and N more").
    A module whose distribution is declared only in optional extras or dependency groups
    (``[project.optional-dependencies]``, ``[dependency-groups]``, Poetry groups,
    ``extras_require`` of setup.cfg) is reported too, unless the ``extras`` option names
    one of them: a job's environment built from the required dependencies lacks it.
    ``extras`` lists the extras and groups the job's environment installs (as
    ``pip install '.[notebooks]'`` or ``uv sync --group docs`` do); names compare
    normalised (``Dev_Tools`` is ``dev-tools``).

    ## Why it blocks production
    The job's environment is built from the declared dependencies.  A package that is only
    installed on the author's machine makes the job fail with ``ModuleNotFoundError``.

    ## Example
    ```python
    from sklearn.ensemble import RandomForestClassifier  # requirements.txt: pandas
    ```

    ```python
    import mlflow  # pyproject.toml: [project.optional-dependencies] tracking = ["mlflow"]
    ```

    ## Use instead
    ```text
    # requirements.txt
    pandas==2.2.2
    scikit-learn==1.5.0
    ```

    ```toml
    # pyproject.toml, when the job runs `pip install '.[tracking]'`
    [tool.nb2prod.lint]
    extras = ["tracking"]
    ```

    ## Fix
    None: add the distribution to the dependency file (or, for an optional one, name its
    extra or group in the ``extras`` option when the job installs it).  Modules the rule
    cannot see as your own (or that the job's runtime provides) go in the
    ``known-first-party`` option.
    """

    code = "NB401"
    name = "undeclared-import"
    family = "environment"
    severity = Severity.WARNING
    options = {"known-first-party": [], "extras": []}

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
        first_party = first_party_keys(local, own)
        imported = {
            key: where
            for key, where in imported.items()
            if key.split(".")[0] not in written and key not in first_party
        }
        if not imported:
            return
        declared = declared_dependencies(folders)
        if not declared.files:  # one fact, one finding: at the first third-party import
            cell, node = next(iter(imported.values()))
            yield self.report(ctx, _no_file_message(list(imported), root), cell, node=node)
            return
        installs = {normalize(str(name)) for name in ctx.option(self.code, "extras")}
        installed: dict[str, int] | None = None  # computed only for a message
        optional: _Optional | None = None  # read only when a module is declared
        for key, (cell, node) in imported.items():
            if declared_provider(key, declared.names):
                optional = _optional(declared) if optional is None else optional
                groups = _only_optional(key, optional)
                if groups and not any(normalize(g.name) in installs for g in groups):
                    yield self.report(ctx, _optional_message(key, groups), cell, node=node)
                continue
            installed = _runtime_installs(ctx) if installed is None else installed
            yield self.report(
                ctx, _undeclared_message(key, declared, root, installed), cell, node=node
            )


class _Optional(NamedTuple):
    required: frozenset[str]  # distributions declared as required
    groups: dict[str, tuple[OptionalGroup, ...]]  # declared only optionally -> where


def _optional(declared: Declarations) -> _Optional:
    groups = optional_only(declared.files)
    return _Optional(declared.names - groups.keys() if groups else declared.names, groups)


def _only_optional(key: str, optional: _Optional) -> tuple[OptionalGroup, ...]:
    """The optional extras and groups that declare ``key``'s distribution when only they
    do (none when a required dependency provides it)."""
    if not optional.groups or declared_provider(key, optional.required):
        return ()
    return next(
        (
            optional.groups[normalize(d)]
            for d in likely_distributions(key)
            if normalize(d) in optional.groups
        ),
        (),
    )


def _optional_message(key: str, groups: tuple[OptionalGroup, ...]) -> str:
    where = declared_where(groups)
    return (
        f"`{key}` is declared only in {where}, which an environment built from the required "
        "dependencies lacks; install it for the job (or make it a required dependency); if "
        f"the job's environment installs the {groups[0].kind} `{groups[0].name}`, say so with "
        f'`extras = ["{groups[0].name}"]` in [tool.nb2prod.lint]'
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
    files = _listed_files(declared.files, root)
    return (
        f"{named} is imported{runtime} but not declared in {files}; add {distribution} there "
        "so the job's environment installs it"
    )


def _no_file_message(keys: list[str], root: Path) -> str:
    """Every module is named, however many (tools match findings to modules by name)."""
    named = []
    for key in keys:
        distribution = best_distribution(key)
        named.append(f"`{key}`" if distribution == key else f"`{key}` ({distribution})")
    modules = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    verb, them, versions = (
        ("is", "it", "the version") if len(named) == 1 else ("are", "them", "the versions")
    )
    return (
        f"{modules} {verb} imported but no dependency file found in {root}; create "
        f"requirements.txt (or [project] dependencies in pyproject.toml) declaring {them} at "
        f"{versions} you tested with (`pip freeze` shows {them}) so the job's environment "
        f"installs {them}"
    )


@functools.lru_cache(maxsize=256)
def _listed_files(files: tuple[Path, ...], root: Path) -> str:
    """The dependency files for a message (the same for every import of a notebook)."""
    return ", ".join(relative_path(path, root) for path in files)
