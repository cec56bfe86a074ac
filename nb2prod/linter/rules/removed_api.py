"""NB408 (environment family): APIs the installed or declared libraries removed.  The
table of removals is data (``removed_apis.toml``, loaded by :mod:`_removed_apis`); this
module finds their uses and judges them against the project's versions."""

from __future__ import annotations

import ast
import functools
import operator
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from nb2prod.dependencies.declared import declared_dependencies
from nb2prod.linter.context import CellIndex, NotebookContext
from nb2prod.linter.rule import Rule, Severity
from nb2prod.linter.rules._callees import callees
from nb2prod.linter.rules._frames import frames
from nb2prod.linter.rules._imports import project_folders, relative_path
from nb2prod.linter.rules._removed_apis import Distribution, RemovedApi, Table, table
from nb2prod.linter.rules._string_sites import shown_code as _shown
from nb2prod.notebook import Cell

_ATTR = operator.attrgetter("attr")


class RemovedApiUse(Rule):
    """
    ## What it does
    Finds uses of APIs that pandas, NumPy, scikit-learn, Matplotlib, seaborn, TensorFlow,
    Keras, pandas-datareader or TA-Lib removed, such as ``df.append()`` or
    ``from sklearn.cross_validation import``.
    Others are ``df.ix[...]``, ``df.iteritems()``, ``np.float``, ``np.NaN``,
    ``load_boston()``, ``plt.hist(..., normed=True)``, ``plt.style.use("seaborn")``,
    ``sns.factorplot()``, ``sns.countplot("col", data=df)``, ``tf.Session()``,
    ``model.predict_classes()``, ``Adam(lr=...)`` and the securities sources
    pandas-datareader 0.11 dropped (``web.DataReader("F", "stooq")``,
    ``pdr.get_data_yahoo()``), and TA-Lib's streaming values, which 0.8.1 turned into
    handles, used as numbers (``stream.RSI(close) > 70``): the table
    ``nb2prod/linter/rules/removed_apis.toml`` lists them all, each with the release that
    removed it and what to use instead.
    Methods whose names other objects share are reported only where the notebook shows
    the object is a DataFrame (``df.append()`` after ``df = pd.read_csv(...)``, never
    ``rows.append()`` on a list), and only libraries the notebook imports are looked at.

    A use is judged against the version the project gets.  When its dependency files
    (pyproject.toml, requirements*.txt, environment.yml, Pipfile, setup.cfg, setup.py)
    admit only releases without the API (``pandas==2.2.2``, ``pandas>=2``) it is reported,
    and when they admit only releases that still have it (``pandas==1.5.3``, ``pandas<2``)
    it is not; ``-r``/``-c`` includes are followed, lock files are not read.  Otherwise
    the version installed where nb2prod runs decides; when the library is neither pinned
    nor installed it is reported, because a new environment installs the newest release.
    Names a release brought back (``np.bool`` is gone from NumPy 1.24 to 1.26 only) are
    reported only for the releases without them.

    ## Why it blocks production
    The notebook ran once, with the library its author had then.  A job built from the
    project's dependencies gets another release, where the call fails with an
    ``AttributeError``, ``ImportError`` or ``TypeError`` in the middle of the run: the
    largest group of failures of old notebooks run headless.

    ## Example
    ```python
    from sklearn.cross_validation import train_test_split

    train = pd.read_csv("train.csv")
    full = train.append(test, ignore_index=True)
    X = full.drop("Survived", 1).as_matrix()
    ```

    ## Use instead
    ```python
    from sklearn.model_selection import train_test_split

    train = pd.read_csv("train.csv")
    full = pd.concat([train, test], ignore_index=True)
    X = full.drop(columns="Survived").to_numpy()
    ```

    ## Fix
    None: use what the message names instead, or pin the library to a release that still
    has the API (``pandas<2``) in the project's dependency file.
    """

    code = "NB408"
    name = "removed-api"
    family = "environment"
    severity = Severity.ERROR

    def check(self, ctx):
        full = table()
        imported = _imported_distributions(ctx, full)
        if not imported:
            return  # no library of the table: nothing is walked
        view = full.for_distributions(imported)
        versions = _Versions(ctx)
        for use in _uses(ctx, view, imported):
            distribution = view.distributions[use.distribution]
            removed = use.api.removed[use.distribution]
            basis = versions.basis(distribution, removed, use.api.restored.get(use.distribution))
            if basis is None:
                continue
            message = (
                f"{use.what} was removed in {distribution.shown} {removed} ({basis}); "
                f"{use.api.replacement(use.name)}"
            )
            yield self.report(ctx, message, use.cell, node=use.node)


class _Use(NamedTuple):
    cell: Cell
    node: ast.AST
    api: RemovedApi
    name: str  # the matched name, method, keyword or value
    what: str  # how the message names the use
    distribution: str


def _imported_distributions(ctx: NotebookContext, full: Table) -> frozenset[str]:
    roots = {origin.partition(".")[0] for origin in ctx.imports.values()}
    return frozenset(full.by_module[root] for root in roots if root in full.by_module)


def _uses(ctx: NotebookContext, view: Table, imported: frozenset[str]) -> list[_Use]:
    uses: list[_Use] = []
    for index in ctx.indexes:
        by_type = index.by_type
        if view.names and (ast.Import in by_type or ast.ImportFrom in by_type):
            uses += _imports(index, view)
        attributes = by_type.get(ast.Attribute)
        if attributes and not view.attributes.isdisjoint(map(_ATTR, attributes)):
            uses += _attributes(ctx, index, view, imported)
    if view.module_calls or (view.calls and not callees(ctx).written.isdisjoint(view.calls)):
        uses += _calls(ctx, view, imported)
    return uses


# --------------------------------------------------------------------------- names and methods


def _imports(index: CellIndex, view: Table) -> Iterator[_Use]:
    """``import sklearn.cross_validation``, ``from sklearn.externals import joblib``."""
    for imported in index.nodes(ast.Import):
        for alias in imported.names:
            found = _lookup(view, alias.name)
            if found:
                yield _name_use(index.cell, alias, view, *found)
    for statement in index.nodes(ast.ImportFrom):
        module = statement.module
        if not module or statement.level:
            continue
        found = _lookup(view, module)
        for alias in statement.names if not found else ():
            found = _lookup(view, f"{module}.{alias.name}")
            if found:
                break
        if found:
            yield _name_use(index.cell, statement, view, *found)


def _lookup(view: Table, dotted: str) -> tuple[RemovedApi, str] | None:
    """The entry for ``dotted`` or the module it is in (``a.b.c``, ``a.b``, ``a``)."""
    while dotted:
        api = view.names.get(dotted)
        if api is not None:
            return api, dotted
        dotted = dotted.rpartition(".")[0]
    return None


def _name_use(cell: Cell, node: ast.AST, view: Table, api: RemovedApi, name: str) -> _Use:
    distribution = view.by_module[name.partition(".")[0]]
    what = api.what.format(written=name, name=name.rpartition(".")[2], callee=name)
    return _Use(cell, node, api, name, what, distribution)


def _attributes(
    ctx: NotebookContext, index: CellIndex, view: Table, imported: frozenset[str]
) -> Iterator[_Use]:
    wanted = view.attributes
    for node in [n for n in index.nodes(ast.Attribute) if n.attr in wanted]:
        attr = node.attr
        root = _root(node)
        module_alias = root is not None and root.id in ctx.imports
        if module_alias:
            qualified = ctx.qualified_name(node)
            api = view.names.get(qualified or "")
            if api is not None and qualified:
                what = api.what.format(written=_shown(node), name=attr, callee=_shown(node))
                distribution = view.by_module[qualified.partition(".")[0]]
                yield _Use(index.cell, node, api, qualified, what, distribution)
            continue
        for api in view.subscripts.get(attr, ()):
            parent = index.parents.get(node)
            if not (isinstance(parent, ast.Subscript) and parent.value is node):
                continue
            reached = _method_distribution(api, imported)
            if reached is not None and _receiver_fits(ctx, api, node.value):
                what = api.what.format(written=_shown(node), name=attr, callee=_shown(node))
                yield _Use(index.cell, node, api, attr, what, reached)
                break


def _receiver_fits(ctx: NotebookContext, api: RemovedApi, receiver: ast.expr) -> bool:
    if api.receiver == "frame":
        return frames(ctx).is_frame(receiver)
    return not frames(ctx).is_other(receiver)


def _method_distribution(api: RemovedApi, imported: frozenset[str]) -> str | None:
    """The distribution a method is reached through: the first of the entry's that the
    notebook imports (standalone Keras before TensorFlow's)."""
    return next((d for d in api.removed if d in imported), None)


def _root(node: ast.expr) -> ast.Name | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node if isinstance(node, ast.Name) else None


# --------------------------------------------------------------------------- calls


def _calls(ctx: NotebookContext, view: Table, imported: frozenset[str]) -> Iterator[_Use]:
    """Keywords, values, positional arguments and results of the table's callees and
    methods."""
    for cell, _parsed, call, qualified in ctx.calls():
        func = call.func
        if isinstance(func, ast.Attribute):
            written = func.attr
        elif isinstance(func, ast.Name):
            written = func.id
        else:
            continue
        apis = view.calls.get(written, ())
        if view.module_calls and qualified is not None:
            apis = [*apis, *view.module_calls.get(qualified.rpartition(".")[0], ())]
        for api in apis:
            if api.kind == "result":
                found = _used_as_returned(call, ctx.index(cell))
            else:
                found = _argument(call, api)
            if found is None:
                continue
            distribution = _call_distribution(ctx, view, api, call, qualified, imported)
            if distribution is not None:
                node, name = found
                callee = _shown(func)
                what = api.what.format(written=callee, name=name, callee=callee)
                yield _Use(cell, node, api, name, what, distribution)


def _argument(call: ast.Call, api: RemovedApi) -> tuple[ast.AST, str] | None:
    """The argument (or the method) that uses the removed API, and the name to look its
    replacement up by."""
    if api.kind == "method":
        func = call.func
        return (func, func.attr) if isinstance(func, ast.Attribute) else None
    if api.kind == "keyword":
        keyword = next((k for k in call.keywords if k.arg in api.names), None)
        return (keyword, keyword.arg) if keyword is not None and keyword.arg else None
    if api.kind == "value":
        value = _given(call, *api.argument)
        values = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
        for item in values:
            if isinstance(item, ast.Constant) and isinstance(item.value, str):
                if item.value in api.names:
                    return item, item.value
        return None
    if any(isinstance(a, ast.Starred) for a in call.args):
        return None
    given = len(call.args)
    with_data = api.data_keyword and any(k.arg == api.data_keyword for k in call.keywords)
    if given > api.max_positional:
        return call.args[api.max_positional], ""  # the first argument past the allowed
    if with_data and given:
        return call.args[0], ""
    return None


def _used_as_returned(call: ast.Call, index: CellIndex | None) -> tuple[ast.AST, str] | None:
    """The call when its value is used right away as a number or a sequence: an operand of
    arithmetic or of a comparison, or unpacked.  (Kept in a name first, it is not followed.)"""
    parent = index.parents.get(call) if index is not None else None
    if isinstance(parent, (ast.BinOp, ast.UnaryOp, ast.Compare)):
        return call, ""
    if isinstance(parent, ast.Assign) and parent.value is call:
        if any(isinstance(target, (ast.Tuple, ast.List)) for target in parent.targets):
            return call, ""
    return None


def _given(call: ast.Call, position: int, keyword: str | None) -> ast.expr | None:
    """The argument at ``position``, or given as ``keyword``; None when neither is."""
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if keyword and k.arg == keyword), None)


def _call_distribution(
    ctx: NotebookContext,
    view: Table,
    api: RemovedApi,
    call: ast.Call,
    qualified: str | None,
    imported: frozenset[str],
) -> str | None:
    if qualified is not None and (
        qualified in api.callees or f"{qualified.rpartition('.')[0]}.*" in api.callees
    ):
        return view.by_module.get(qualified.partition(".")[0])
    func = call.func
    methods = api.names if api.kind == "method" else api.methods
    if not (isinstance(func, ast.Attribute) and func.attr in methods):
        return None
    root = _root(func.value)
    if root is not None and root.id in ctx.imports:
        return None  # a module's function (``pd.concat``): matched by ``callees`` only
    if not _receiver_fits(ctx, api, func.value):
        return None
    return _method_distribution(api, imported)


# --------------------------------------------------------------------------- versions


class _Versions:
    """Which release of a distribution the project gets, judged once per notebook."""

    def __init__(self, ctx: NotebookContext):
        self._ctx = ctx
        self._judged: dict[tuple[str, str, str | None], str | None] = {}

    @functools.cached_property
    def _files(self) -> tuple[Path, ...]:
        return declared_dependencies(project_folders(self._ctx)).files

    def basis(self, distribution: Distribution, removed: str, restored: str | None) -> str | None:
        """Why the release the project gets lacks the API (for the message), or None when
        it has it."""
        key = (distribution.name, removed, restored)
        if key not in self._judged:
            self._judged[key] = self._judge(distribution, removed, restored)
        return self._judged[key]

    def _judge(self, distribution: Distribution, removed: str, restored: str | None):
        from nb2prod.dependencies.pins import (  # packaging loads only for a finding
            Range,
            declared_pins,
            installed_version,
            parse_version,
        )

        gone = parse_version(removed)
        back = parse_version(restored) if restored else None
        if gone is None:
            return None
        pins = declared_pins(self._files, distribution.installs)
        if pins:
            allowed = functools.reduce(Range.narrowed, (p.range for p in pins), Range())
            if allowed.below(gone) or (back is not None and allowed.at_or_above(back)):
                return None
            if allowed.at_or_above(gone) and (back is None or allowed.below(back)):
                pin = next(p for p in pins if p.range.low == allowed.low)
                return f"{relative_path(pin.path, self._ctx.project_root)}: {pin.text}"
        version = installed_version(distribution.installs)
        if version is not None:
            if version >= gone and (back is None or version < back):
                return f"{distribution.name} {version} is installed here"
            return None
        if back is not None:
            return None
        return (
            f"{distribution.name} is neither pinned nor installed here: a new environment "
            "gets a later release"
        )
