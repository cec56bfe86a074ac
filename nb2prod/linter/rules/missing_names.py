"""NB409 (environment family): names a notebook imports that the module's code, as the job
gets it, does not define (the project's own modules, or a library at the version the
project gets), and modules the project's own package lacks.  The modules are read as
source, never imported (:mod:`_module_source`)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from nb2prod.linter.rule import Rule, Severity
from nb2prod.linter.rules._module_source import ModuleSource
from nb2prod.linter.rules._project_modules import ProjectModules, dotted_imports, from_imports


class NoNameInModule(Rule):
    """
    ## What it does
    Finds ``from module import name`` where the module's code does not define ``name``,
    and imports of a module the project's own package no longer has (``import pkg.old``
    or ``from pkg.old import x`` with no ``pkg/old.py``).  The module is read as source,
    not imported: the project's own modules (next to the
    notebook, at the project root or under ``src/``) as they are now, and an installed
    library at the version installed where nb2prod runs, unless the project's dependency
    files pin it to releases without that version.  A name counts as defined when the
    module's top level binds it in any way (a definition, an assignment, an import, a star
    import followed into its module) or when it is a submodule.  Modules that make names
    at run time (a module ``__getattr__``, lazy loaders, ``globals()``), compiled modules
    and imports guarded by ``try``/``except ImportError`` are never reported.  What it
    reads of an installed module is kept in nb2prod's user cache (``~/.cache/nb2prod``,
    one small file per module, named after its path, size and modification time), so a
    library is read once per machine.

    ## Why it blocks production
    The notebook was written against another version of the code: a function renamed or
    removed in a refactor of the project, or in a later release of the library.  The job
    fails with ``ImportError: cannot import name`` at that cell, after every cell before it
    has run.  NB408 names the removed APIs of the common libraries with the release that
    removed them and their replacement; this rule catches every other such import.

    ## Example
    ```python
    # tsfresh/feature_extraction/settings.py no longer defines get_combiner_functions
    from tsfresh.feature_extraction.settings import get_combiner_functions
    ```

    ## Use instead
    ```python
    from tsfresh.feature_extraction.settings import ComprehensiveFCParameters
    ```

    ## Fix
    None: import the name from where the code defines it now, or pin the library to a
    release that has it in the project's dependency file.
    """

    code = "NB409"
    name = "no-name-in-module"
    family = "environment"
    severity = Severity.ERROR

    def check(self, ctx):
        statements, dotted = from_imports(ctx), dotted_imports(ctx)
        if not statements and not dotted:
            return
        sources = ProjectModules(ctx)
        for cell, alias in dotted:
            gap = sources.missing(alias.name)
            if gap is not None:
                yield self.report(ctx, _no_module(gap), cell, node=alias)
        for cell, statement in statements:
            assert statement.module is not None
            gap = sources.missing(statement.module)
            if gap is not None:
                yield self.report(ctx, _no_module(gap), cell, node=statement)
                continue
            for alias, module, basis in _missing(sources, statement):
                message = (
                    f"`{alias.name}` is not defined in `{module.name}` ({basis}), so this "
                    "import fails with ImportError; import it from where the code defines "
                    "it now, or pin a release that has it"
                )
                yield self.report(ctx, message, cell, node=alias)


def _no_module(gap: str) -> str:
    return (
        f"{gap}, so this import fails with ModuleNotFoundError; import it from where the "
        "code is now"
    )


def _missing(
    sources: ProjectModules, statement: ast.ImportFrom
) -> Iterator[tuple[ast.alias, ModuleSource, str]]:
    assert statement.module is not None
    module = sources.find(statement.module)
    names = module.names() if module is not None else None
    if module is None or names is None:
        return
    missing = [
        alias
        for alias in statement.names
        if alias.name != "*" and alias.name not in names and not module.has_submodule(alias.name)
    ]
    basis = sources.basis(module) if missing else None  # pins are read only for a finding
    if basis is not None:
        for alias in missing:
            yield alias, module, basis
