"""Which expressions of a notebook hold a pandas DataFrame or Series, as far as its
assignments show, for rules about methods whose names other objects share too
(``list.append`` and ``DataFrame.append``).

An expression is a frame when pandas builds it (``pd.read_csv(...)``, ``pd.DataFrame(...)``,
``pd.concat(...)``, ...), when it indexes a frame (``df[cols]``, ``df.loc[...]``) or calls a
method that returns one (``df.dropna()``), and a name is one when every binding the
notebook makes of it, in any cell or function, is such an expression.  A name also bound
by a loop, an unpacking, a parameter, an import or a ``def`` is not: a miss is better than
a false alarm.  Worked out on demand, once per notebook, for the names a rule asks about.
"""

from __future__ import annotations

import ast
import functools

from nb2prod.linter.context import NotebookContext

_BUILDERS = frozenset(
    "pandas.DataFrame pandas.Series pandas.concat pandas.merge pandas.merge_asof "
    "pandas.get_dummies pandas.pivot_table pandas.crosstab pandas.melt pandas.json_normalize "
    "pandas.DataFrame.from_dict pandas.DataFrame.from_records".split()
)
#: Methods of a frame that return a frame (or a Series).
_FRAME_METHODS = frozenset(
    "copy drop dropna fillna ffill bfill head tail sort_values sort_index reset_index "
    "set_index rename merge join append query assign astype filter sample replace "
    "drop_duplicates reindex transpose apply map where mask abs round clip describe "
    "select_dtypes nlargest nsmallest interpolate".split()
)
_INDEXERS = frozenset({"loc", "iloc"})
#: Calls that build something other than a frame.
_OTHER_BUILDERS = frozenset(
    "list dict set tuple str bytes int float defaultdict OrderedDict Counter deque".split()
)
_LITERALS = (
    ast.List,
    ast.ListComp,
    ast.Dict,
    ast.DictComp,
    ast.Set,
    ast.SetComp,
    ast.Tuple,
    ast.Constant,
    ast.JoinedStr,
)
_UNKNOWN = None  # a binding that is not a plain assignment


def frames(ctx: NotebookContext) -> Frames:
    """The notebook's :class:`Frames` (one per notebook, shared)."""
    return ctx.shared(Frames)


class Frames:
    def __init__(self, ctx: NotebookContext):
        self._ctx = ctx
        self._memo: dict[str, bool] = {}
        self._visiting: set[str] = set()

    def is_frame(self, node: ast.expr) -> bool:
        """Whether ``node`` surely holds a DataFrame or Series."""
        return self._frame(node) is True

    def is_other(self, node: ast.expr) -> bool:
        """Whether ``node`` is a list, dict, string or the like, or a name bound to one."""
        if isinstance(node, ast.Name):
            return any(_other(value) for value in self._bindings.get(node.id, ()))
        return _other(node)

    def _frame(self, node: ast.expr) -> bool | None:
        """True, False, or None for a name whose value depends on itself (``df = df.append``)."""
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.Subscript):
            value = node.value
            if isinstance(value, ast.Attribute) and value.attr in _INDEXERS:
                value = value.value
            return self._frame(value)
        if isinstance(node, ast.Call):
            func = node.func
            qualified = self._ctx.qualified_name(func) or ""
            if qualified in _BUILDERS or qualified.startswith("pandas.read_"):
                return True
            if isinstance(func, ast.Attribute) and func.attr in _FRAME_METHODS:
                return self._frame(func.value)
        return False

    def _name(self, name: str) -> bool | None:
        if name in self._memo:
            return self._memo[name]
        if name in self._visiting:
            return None
        values = self._bindings.get(name)
        if not values or _UNKNOWN in values or name in self._ctx.imports:
            self._memo[name] = False
            return False
        self._visiting.add(name)
        results = [self._frame(value) for value in values if value is not None]
        self._visiting.discard(name)
        frame = all(r is not False for r in results) and any(r is True for r in results)
        self._memo[name] = frame
        return frame

    @functools.cached_property
    def _bindings(self) -> dict[str, list[ast.expr | None]]:
        """Name -> the values assigned to it (None for a binding of another kind)."""
        bound: dict[str, list[ast.expr | None]] = {}

        def add(target: ast.AST, value: ast.expr | None) -> None:
            if isinstance(target, ast.Name):
                bound.setdefault(target.id, []).append(value)
            else:  # an unpacking, or a target nested in one
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        bound.setdefault(node.id, []).append(_UNKNOWN)

        for index in self._ctx.indexes:
            for assign in index.nodes(ast.Assign):
                for target in assign.targets:
                    add(target, assign.value)
            for annotated in index.nodes(ast.AnnAssign):
                add(annotated.target, annotated.value)
            for walrus in index.nodes(ast.NamedExpr):
                add(walrus.target, walrus.value)
            targets: list[ast.expr] = [n.target for n in index.nodes(ast.AugAssign)]
            targets += [n.target for n in index.nodes(ast.For)]
            targets += [n.target for n in index.nodes(ast.AsyncFor)]
            targets += [n.target for n in index.nodes(ast.comprehension)]
            for target in targets:
                add(target, _UNKNOWN)
            for item in index.nodes(ast.withitem):
                if item.optional_vars is not None:
                    add(item.optional_vars, _UNKNOWN)
            for arg in index.nodes(ast.arg):
                bound.setdefault(arg.arg, []).append(_UNKNOWN)
            defined = [n.name for n in index.nodes(ast.FunctionDef)]
            defined += [n.name for n in index.nodes(ast.AsyncFunctionDef)]
            defined += [n.name for n in index.nodes(ast.ClassDef)]
            for name in defined:
                bound.setdefault(name, []).append(_UNKNOWN)
            for handler in index.nodes(ast.ExceptHandler):
                if handler.name:
                    bound.setdefault(handler.name, []).append(_UNKNOWN)
        return bound


def _other(node: ast.expr | None) -> bool:
    if isinstance(node, _LITERALS):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _OTHER_BUILDERS
    )
