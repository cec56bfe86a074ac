"""NB410 (environment family): soft dependencies of the estimators a notebook uses that
the job's environment lacks.  Libraries built on scikit-base (sktime, skpro and others)
declare them in each class's ``_tags``; the class is read as source, never imported."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from nb2prod.dependencies.declared import (
    Declarations,
    normalize,
    requirement_name,
)
from nb2prod.dependencies.optional import declared_where, optional_only
from nb2prod.linter.context import NotebookContext
from nb2prod.linter.rule import Rule, Severity
from nb2prod.linter.rules._module_source import ModuleSource
from nb2prod.linter.rules._project_modules import ProjectModules, from_imports
from nb2prod.notebook import Cell

_TAG = "python_dependencies"
#: How many base classes up a tag is looked for.
_BASE_DEPTH = 4


class UndeclaredSoftDependency(Rule):
    """
    ## What it does
    Finds estimators whose soft dependencies the job's environment lacks.  Libraries built
    on scikit-base (sktime, skpro, …) do not install every package their estimators need:
    each class names its own in ``_tags = {"python_dependencies": [...]}``, and creating it
    without them raises ``ModuleNotFoundError``.  For each class the notebook imports, the
    rule reads that tag from the class's source (following re-exports, never importing the
    library) and reports each package that the project's dependency files do not declare,
    or declare only in an optional extra that NB401's ``extras`` option does not name.
    Without any dependency file, the packages installed where nb2prod runs decide.  One
    finding per missing package, at the first use of a class that needs it.

    ## Why it blocks production
    The import succeeds, so nothing looks wrong until the estimator is created: the job
    fails in the middle of its run with "SignatureTransformer requires package 'esig' to
    be present in the python environment".  The library's own dependencies don't bring
    the package in, so only the project's dependency files can.

    ## Example
    ```python
    from sktime.transformations.signature_based import SignatureTransformer

    signatures = SignatureTransformer(depth=3)  # requirements.txt: sktime
    ```

    ## Use instead
    ```text
    # requirements.txt
    sktime==1.2.0
    esig==1.0.0
    ```

    ## Fix
    None: declare the package the message names in the project's dependency file.
    """

    code = "NB410"
    name = "undeclared-soft-dependency"
    family = "environment"
    severity = Severity.WARNING

    def check(self, ctx):
        statements = from_imports(ctx)
        if not statements:
            return
        modules = ProjectModules(ctx)
        needs = _needs(ctx, statements, modules)
        if not needs:
            return
        judge = _Availability(ctx, modules.declared)
        for need in needs.values():
            gap = judge.gap(need.alternatives)
            if gap is None:
                continue
            classes = ", ".join(f"`{name}`" for name in need.classes)
            verb = "needs" if len(need.classes) == 1 else "need"
            message = (
                f"{classes} ({need.library}) {verb} `{need.shown}` (its {_TAG} tag), which "
                f"{gap}; without it, creating the estimator raises ModuleNotFoundError"
            )
            cell, node = need.first_use
            yield self.report(ctx, message, cell, node=node)


@dataclass
class _Need:
    """A soft dependency (any one of ``alternatives``) and the classes that need it."""

    alternatives: tuple[str, ...]  # distribution names, normalised
    shown: str  # as the tag spells the first alternative
    library: str
    qualified: list[str] = field(default_factory=list)  # the classes, with their modules
    uses: list[tuple[Cell, ast.AST]] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return list(dict.fromkeys(name.rpartition(".")[2] for name in self.qualified))

    @property
    def first_use(self) -> tuple[Cell, ast.AST]:
        return min(self.uses, key=lambda use: (use[0].number, getattr(use[1], "lineno", 0)))


def _needs(
    ctx: NotebookContext,
    statements: list[tuple[Cell, ast.ImportFrom]],
    modules: ProjectModules,
) -> dict[tuple[str, ...], _Need]:
    """Soft dependencies of the imported classes and where each class is first used."""
    needs: dict[tuple[str, ...], _Need] = {}
    imported: dict[str, tuple[Cell, ast.AST]] = {}  # qualified class -> its import
    for cell, statement in statements:
        assert statement.module is not None
        module = modules.find(statement.module)
        if module is None or not modules.depends_on(module, "scikit-base"):
            continue  # only scikit-base classes carry the tag: no other class is read
        for alias in statement.names:
            definition = module.class_definition(alias.name)
            if definition is None:
                continue
            qualified = f"{statement.module}.{alias.name}"
            for alternatives, shown in _soft_dependencies(*definition):
                library = module.name.split(".")[0]
                need = needs.setdefault(alternatives, _Need(alternatives, shown, library))
                if qualified not in need.qualified:
                    need.qualified.append(qualified)
                imported.setdefault(qualified, (cell, alias))
    if needs:  # calls are resolved only for a notebook that uses such a class
        uses = _first_uses(ctx, set(imported))
        for need in needs.values():
            need.uses = [uses.get(q) or imported[q] for q in need.qualified]
    return needs


def _first_uses(ctx: NotebookContext, wanted: set[str]) -> dict[str, tuple[Cell, ast.AST]]:
    uses: dict[str, tuple[Cell, ast.AST]] = {}
    for cell, _parsed, call, qualified in ctx.calls():
        if qualified in wanted:
            uses.setdefault(qualified, (cell, call))
    return uses


def _soft_dependencies(
    module: ModuleSource, definition: ast.ClassDef, depth: int = 0
) -> Iterator[tuple[tuple[str, ...], str]]:
    """(alternatives, first as written) for each entry of the class's tag: a string, or a
    list of strings of which any one will do.  A class without the tag inherits it from
    the first base that has it (scikit-base merges ``_tags`` along the bases)."""
    value = _tag(definition)
    if value is None:
        for base in definition.bases if depth < _BASE_DEPTH else ():
            found = module.class_definition(base.id) if isinstance(base, ast.Name) else None
            if found is not None and found[1] is not definition:
                inherited = list(_soft_dependencies(*found, depth + 1))
                if inherited:
                    yield from inherited
                    return
        return
    entries = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
    for entry in entries:
        options = entry.elts if isinstance(entry, (ast.List, ast.Tuple)) else [entry]
        written = [o.value for o in options if isinstance(o, ast.Constant)]
        names = [requirement_name(w) for w in written if isinstance(w, str)]
        if names and all(names):
            yield tuple(normalize(n) for n in names if n), str(names[0])


def _tag(definition: ast.ClassDef) -> ast.expr | None:
    """The value of ``_tags["python_dependencies"]`` in the class's own body."""
    for statement in definition.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Dict):
            if any(getattr(t, "id", None) == "_tags" for t in statement.targets):
                pairs = zip(statement.value.keys, statement.value.values)
                return next((v for k, v in pairs if getattr(k, "value", None) == _TAG), None)
    return None


class _Availability:
    """Whether the job's environment has a distribution: declared as required, or in an
    extra the job installs (NB401's ``extras``); installed here when nothing is declared."""

    def __init__(self, ctx: NotebookContext, declared: Declarations):
        self._declared = declared
        self._installs = {normalize(str(e)) for e in ctx.option("NB401", "extras")}
        self._optional = optional_only(self._declared.files) if self._declared.files else {}

    def gap(self, alternatives: tuple[str, ...]) -> str | None:
        """Why none of ``alternatives`` is there (for the message), None when one is."""
        if not self._declared.files:
            from nb2prod.dependencies.pins import installed_version

            if any(installed_version((name,)) is not None for name in alternatives):
                return None
            return "is not installed here, and the project has no dependency file"
        gaps = [self._gap(name) for name in alternatives]
        return None if None in gaps else gaps[0]

    def _gap(self, name: str) -> str | None:
        if name not in self._declared.names:
            files = ", ".join(path.name for path in self._declared.files)
            return f"the project's dependency files ({files}) do not declare"
        groups = self._optional.get(name, ())
        if groups and not any(normalize(g.name) in self._installs for g in groups):
            return (
                f"is declared only in {declared_where(groups)}, which the job's environment lacks "
                "(NB401's `extras` option names the extras it installs)"
            )
        return None
