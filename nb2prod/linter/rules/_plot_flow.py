"""Where a value goes: whether a random draw only feeds plots and display, for the
reproducibility rules (jitter added to a scatter plot, random colours, a few rows sampled
to be shown change no result a job produces).

From the value, the expression around it is followed (arithmetic, indexing, f-strings,
NumPy, pandas and builtin functions, methods of the value itself), then the names it is
assigned to (every use up to the next assignment, across cells, and in the notebook
functions that read them), the objects an item or attribute assignment puts it into
(``df["jitter"] = ...``) and the lists it is appended to.  The value is *only shown* when
every way it goes ends in a plotting call (matplotlib, seaborn, plotly, bokeh, altair,
holoviews, plotnine, ...; a method of a figure or axes the notebook made; pandas'
``.plot``), in a display (``print``, ``display``, an expression statement such as a cell's
last line), and at least one does.  Anything else counts as a result: a call of another
library or of a notebook function, a method of another object, a file written, a loop
over it, a condition, a return value, a value never used.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from nb2prod.flow import free_names, is_builtin
from nb2prod.linter.context import CellIndex, NotebookContext
from nb2prod.notebook import Cell

#: Top-level modules whose calls only draw (their results are figures, not results).
PLOT_LIBRARIES = frozenset(
    """matplotlib mpl_toolkits pylab seaborn plotly bokeh altair holoviews hvplot geoviews
    plotnine pygal folium panel bqplot""".split()
)
#: Name parts that mark a plotting library's data sets (``sns.load_dataset``, ``px.data``).
_DATA_PARTS = frozenset({"data", "datasets", "sampledata", "load_dataset", "get_dataset_names"})
#: Accessors whose calls plot (``df.plot.scatter(...)``, ``df.hvplot(...)``).
_PLOT_ACCESSORS = frozenset({"plot", "hvplot"})
#: Methods that plot whatever the object is (pandas' ``df.hist()``, ``df.boxplot()``).
_PLOT_METHODS = frozenset({"hist", "boxplot"})
#: Libraries whose functions compute a new value from their arguments and nothing else.
_PASS_THROUGH = frozenset({"numpy", "pandas", "math", "statistics", "cmath"})
_UNSAFE_BUILTINS = frozenset(
    {"exec", "eval", "open", "setattr", "delattr", "compile", "__import__", "globals", "vars"}
)
#: Methods that keep state in the object they are called on (a model that learns).
_STATEFUL = frozenset(
    """fit fit_transform fit_predict fit_resample partial_fit backward step train compile
    register_buffer register_parameter load_state_dict""".split()
)
_PANDAS_WRITERS = frozenset(
    """to_csv to_parquet to_pickle to_sql to_excel to_json to_hdf to_feather to_stata to_orc
    to_clipboard to_gbq to_xml tofile""".split()
)
#: pandas methods that return a new frame made with their arguments (``df.assign(x=...)``).
_PURE_METHODS = frozenset(
    "assign where mask fillna merge join reindex clip combine combine_first isin".split()
)
#: Methods that put their argument into the object they are called on.
_INTO = frozenset({"append", "extend", "insert", "add", "update", "appendleft"})
_CARRIERS = (
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.Starred,
    ast.JoinedStr,
    ast.FormattedValue,
    ast.keyword,
    ast.Slice,
)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_BUDGET = 400  # uses followed per draw before giving up (and reporting)


def only_shown(ctx: NotebookContext, cell: Cell, call: ast.Call) -> bool:
    """True when everything ``call`` (in ``cell``) returns only reaches plots and display."""
    flows = ctx.shared(_Flows)
    if id(call) not in flows.verdicts:
        index = ctx.index(cell)
        flows.verdicts[id(call)] = index is not None and flows.only_shown(index, call)
    return flows.verdicts[id(call)]


def _writes(name: str) -> bool:
    return name in _PANDAS_WRITERS or name.startswith(("save", "write", "dump"))


def _chain(node: ast.AST) -> tuple[ast.Name | None, list[str]]:
    """The name a callee chain starts from and the attribute names along it
    (``sns.load_dataset("x").head`` -> ``sns``, ``[load_dataset, head]``)."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return (node if isinstance(node, ast.Name) else None), parts[::-1]


@dataclass
class _Flows:
    """The notebook's plot objects and names, worked out once for every draw asked about."""

    ctx: NotebookContext
    verdicts: dict[int, bool] = field(default_factory=dict)
    positions: dict[int, int] = field(default_factory=dict)  # id(cell index) -> position
    _plot_objects: set[str] | None = None
    _names: dict[str, list[tuple[int, CellIndex, ast.Name]]] | None = None
    _free: dict[int, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.positions = {id(index): n for n, index in enumerate(self.ctx.indexes)}

    @property
    def plot_objects(self) -> set[str]:
        """Names of the figures, axes and charts the notebook made (worked out when first
        needed, and only when it imports a plotting library)."""
        if self._plot_objects is None:
            self._plot_objects = set()
            roots = {origin.split(".", 1)[0] for origin in self.ctx.imports.values()}
            if not roots.isdisjoint(PLOT_LIBRARIES):
                self._find_plot_objects()
        return self._plot_objects

    # -- plotting calls and the figures and axes they make
    def is_plot_call(self, func: ast.AST) -> bool:
        root, parts = _chain(func)
        if not _PLOT_ACCESSORS.isdisjoint(parts):
            return True
        if root is None:
            return False
        imports = self.ctx.imports
        if root.id in imports:
            dotted = [*imports[root.id].split("."), *parts]
            last = dotted[-1]
            if dotted[0] in PLOT_LIBRARIES:
                return _DATA_PARTS.isdisjoint(dotted) and not (
                    last.startswith(("load_", "get_")) or last in ("imread", "imsave")
                )
            # Plots of other libraries: sklearn's plot_tree, pandas.plotting, statsmodels'
            # graphics, lightgbm's plot_importance, *Display.from_predictions.
            return (
                "plot" in last.lower()
                or not {"plotting", "graphics"}.isdisjoint(dotted)
                or any(part.endswith("Display") for part in dotted)
            )
        if root.id in self.plot_objects:
            return True
        return bool(parts) and parts[-1] in _PLOT_METHODS

    def _find_plot_objects(self) -> None:
        """Names assigned only figures, axes and charts (``fig, ax = plt.subplots()``,
        ``for ax in axes.flat``), so that ``ax.scatter(...)`` is known to plot."""
        found: set[str] = set()
        self._plot_objects = found  # grows as the assignments are read, in order
        other: set[str] = set()
        for index in self.ctx.indexes:
            for node in index.nodes(ast.Assign, ast.For):
                if isinstance(node, ast.Assign):
                    targets = [(t, node.value) for t in node.targets]
                elif isinstance(node, ast.For):
                    targets = list(self._loop_targets(node.target, node.iter))
                for target, value in targets:
                    names = _stored_names(target)
                    if names:
                        plotted = isinstance(value, ast.Call) and self.is_plot_call(value.func)
                        plotted = plotted or self._plot_rooted(value)
                        (found if plotted else other).update(names)
        found -= other

    def _plot_rooted(self, node: ast.AST | None) -> bool:
        root, _parts = _chain(node) if node is not None else (None, [])
        return root is not None and root.id in self.plot_objects

    def _loop_targets(self, target: ast.expr, iterated: ast.expr) -> Iterator[tuple]:
        """``(target, what it takes its items from)``: ``for i, ax in enumerate(axes)``
        pairs ``ax`` with ``axes``, ``zip(axes, names)`` pairs each target with its list."""
        call = iterated if isinstance(iterated, ast.Call) else None
        name = call.func.id if call is not None and isinstance(call.func, ast.Name) else None
        if isinstance(target, ast.Tuple) and call is not None and name in ("enumerate", "zip"):
            sources = [None, *call.args[:1]] if name == "enumerate" else list(call.args)
            if len(sources) == len(target.elts):
                yield from zip(target.elts, sources)
                return
        yield target, iterated

    # -- following a value
    def only_shown(self, index: CellIndex, call: ast.Call) -> bool:
        func = call.func
        last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if last == "shuffle" or last.endswith("_"):
            return False  # it draws into its argument, whatever it returns
        walk = _Walk(self)
        return walk.run(index, call)

    def names(self) -> dict[str, list[tuple[int, CellIndex, ast.Name]]]:
        """Every ``Name`` node of the notebook by name, in document order."""
        if self._names is None:
            self._names = {}
            for position, index in enumerate(self.ctx.indexes):
                for node in index.nodes(ast.Name):
                    self._names.setdefault(node.id, []).append((position, index, node))
        return self._names

    def free_in(self, function: ast.AST) -> set[str]:
        if id(function) not in self._free:
            self._free[id(function)] = free_names(function)  # type: ignore[arg-type]
        return self._free[id(function)]


class _Walk:
    """One question: does this value reach only plots and display?  A worklist of
    ``(cell index, node whose value is the draw's)``; any other way out ends it."""

    def __init__(self, flows: _Flows) -> None:
        self.flows = flows
        self.ctx = flows.ctx
        self.shown = False  # a plot or a display was reached
        self.work: list[tuple[CellIndex, ast.AST]] = []
        self.followed: set[tuple[int, str]] = set()

    def run(self, index: CellIndex, node: ast.AST) -> bool:
        self.work.append((index, node))
        budget = _BUDGET
        while self.work:
            budget -= 1
            if budget < 0 or not self._value(*self.work.pop()):
                return False
        return self.shown

    def _value(self, index: CellIndex, node: ast.AST) -> bool:
        """Follow the value of ``node`` up its expression to where it ends."""
        parents = index.parents
        child = node
        while True:
            parent = parents.get(child)
            if isinstance(parent, _CARRIERS):
                if isinstance(parent, ast.IfExp) and child is parent.test:
                    return False  # it decides what is computed
                child = parent
            elif isinstance(parent, ast.Subscript):
                if not isinstance(parent.ctx, ast.Load):
                    # `data[rand] = x` puts it into `data`; `tainted[i] = x` changes only it.
                    return child is not parent.slice or self._into(index, parent)
                child = parent
            elif isinstance(parent, ast.Attribute):
                if not isinstance(parent.ctx, ast.Load):
                    return True  # `tainted.attr = x` changes only the drawn value
                if parent.attr in _PLOT_ACCESSORS:
                    self.shown = True
                    return True
                call = parents.get(parent)
                if isinstance(call, ast.Call) and call.func is parent:  # a method of the value
                    if parent.attr in _PLOT_METHODS:
                        self.shown = True
                        return True
                    if parent.attr in _INTO:
                        return True  # it stays in the value, whose uses are followed
                    if parent.attr in _STATEFUL or _writes(parent.attr):
                        return False
                    child = call
                else:
                    child = parent
            elif isinstance(parent, ast.Call):
                if child is parent.func:
                    return False
                verdict = self._argument(parent)
                if verdict == "shown":
                    self.shown = True
                    return True
                if verdict == "into":
                    return self._into(index, parent.func)
                if verdict != "pass":
                    return False
                child = parent
            elif isinstance(parent, ast.comprehension):
                # `[f(v) for v in drawn]`: the items are drawn; what the comprehension
                # makes of them is only computed, or plotted.
                outer = parents.get(parent)
                if child is not parent.iter or not self._computes(outer):
                    return False
                child = outer  # type: ignore[assignment]
            elif isinstance(parent, _COMPREHENSIONS):
                if child not in (getattr(parent, "elt", None), getattr(parent, "key", None)):
                    if child is not getattr(parent, "value", None):
                        return False
                child = parent
            elif isinstance(parent, ast.Expr):
                self.shown = True  # shown as the cell's result, or dropped
                return True
            elif isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                if child is not parent.value:
                    return False
                targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
                return all(self._assigned(index, parent, target) for target in targets)
            else:
                return False  # a loop, a condition, a return, a lambda, ...

    def _computes(self, comprehension: ast.AST | None) -> bool:
        """Whether a comprehension only computes (or plots) its items: every call in it
        passes its arguments through or shows them."""
        if not isinstance(comprehension, _COMPREHENSIONS):
            return False
        return all(
            not isinstance(node, ast.Call) or self._argument(node) in ("pass", "shown")
            for node in ast.walk(comprehension)
        )

    def _argument(self, call: ast.Call) -> str:
        """What a call does with an argument: ``shown``, ``pass`` (returns a value computed
        from it), ``into`` (stores it in the object), or ``stop`` (anything else)."""
        func = call.func
        if self.flows.is_plot_call(func):
            return "shown"
        qualified = self.ctx.qualified_name(func)
        if qualified is not None:
            if qualified in ("print", "display", "pprint.pprint") or qualified.startswith(
                "IPython.display."
            ):
                return "shown"
            last = qualified.rsplit(".", 1)[-1]
            if _writes(last):
                return "stop"
            if qualified.split(".", 1)[0] in _PASS_THROUGH:
                return "pass"
            if "." not in qualified and is_builtin(qualified):
                return "stop" if qualified in _UNSAFE_BUILTINS else "pass"
            return "stop"
        if isinstance(func, ast.Attribute) and func.attr in _INTO:
            return "into"
        if isinstance(func, ast.Attribute) and func.attr in _PURE_METHODS:
            return "pass"
        return "stop"

    def _into(self, index: CellIndex, target: ast.AST) -> bool:
        """The value goes into the object ``target`` starts from: follow that object."""
        root, _parts = _chain(target)
        if root is None:
            return False
        if root.id in self.ctx.imports:  # `plt.rcParams[...] = ...`
            module = self.ctx.imports[root.id].split(".")[0]
            self.shown = self.shown or module in PLOT_LIBRARIES
            return module in PLOT_LIBRARIES
        if root.id in self.flows.plot_objects:  # `hist.sample = ...`, `ax.title = ...`
            self.shown = True
            return True
        return self._follow(index, _statement(root, index.parents), root.id)

    def _assigned(self, index: CellIndex, statement: ast.stmt, target: ast.AST) -> bool:
        if isinstance(target, ast.Name):
            return self._follow(index, statement, target.id)
        if isinstance(target, ast.Starred):
            return self._assigned(index, statement, target.value)
        if isinstance(target, (ast.Tuple, ast.List)):
            return all(self._assigned(index, statement, t) for t in target.elts)
        if isinstance(target, (ast.Subscript, ast.Attribute)):
            return self._into(index, target)
        return False

    # -- names
    def _follow(self, index: CellIndex, statement: ast.stmt | None, name: str) -> bool:
        """Queue every use of ``name`` as ``statement`` binds it: the reads after it up to
        the next assignment (from the start of a loop around it), and the reads in
        functions that see it."""
        if statement is None:
            return False
        key = (id(statement), name)
        if key in self.followed:
            return True
        self.followed.add(key)
        scope, loop = _scope_and_loop(statement, index.parents)
        if isinstance(scope, ast.ClassDef) or _declares_global(scope, name):
            return False
        position = self.flows.positions[id(index)]
        last = loop or statement
        end = (position, last.end_lineno or 0, last.end_col_offset or 0)
        start = (position, loop.lineno, loop.col_offset) if loop is not None else end
        if scope is None:
            occurrences = self.flows.names().get(name, [])
        else:
            occurrences = [
                (position, index, n)
                for n in ast.walk(scope)
                if isinstance(n, ast.Name) and n.id == name
            ]
        rebound: tuple[int, int, int] | None = None
        ordered = sorted(occurrences, key=lambda o: (o[0], o[2].lineno, o[2].col_offset))
        for at, other, node in ordered:
            kind = self._occurrence(other, node, scope)
            if kind == "skip":
                continue
            if kind == "deferred":  # read by a function body whenever it is called
                if isinstance(node.ctx, ast.Load):
                    self.work.append((other, node))
                continue
            place = (at, node.lineno, node.col_offset)
            if place < start or (rebound is not None and place > rebound):
                continue
            if isinstance(node.ctx, ast.Load):
                self.work.append((other, node))
            elif isinstance(node.ctx, ast.Store) and rebound is None and place > end:
                rebinding = _statement(node, other.parents)
                if rebinding is not None and not isinstance(rebinding, ast.AugAssign):
                    rebound = (at, rebinding.end_lineno or 0, rebinding.end_col_offset or 0)
        return True

    def _occurrence(self, index: CellIndex, node: ast.Name, scope: ast.AST | None) -> str:
        """``here`` for a use in ``scope`` itself, ``deferred`` for a read in a function
        nested in it that sees the name, ``skip`` for another variable of the same name."""
        parents = index.parents
        below: ast.AST | None = None
        child: ast.AST = node
        parent = parents.get(node)
        function: ast.AST | None = None
        while parent is not None and parent is not scope:
            if isinstance(parent, _FUNCTIONS):
                function = parent
            elif isinstance(parent, ast.Lambda):
                if node.id in {a.arg for a in ast.walk(parent.args) if isinstance(a, ast.arg)}:
                    return "skip"
            elif isinstance(parent, _COMPREHENSIONS):
                first = parent.generators[0]
                outside = child is first and below is first.iter  # evaluated outside it
                if not outside and node.id in _targets(parent.generators):
                    return "skip"
            elif isinstance(parent, ast.ClassDef) and function is None:
                if not isinstance(node.ctx, ast.Load):
                    return "skip"  # a class attribute of that name
            below, child, parent = child, parent, parents.get(parent)
        if function is None:
            return "here"
        return "deferred" if node.id in self.flows.free_in(function) else "skip"


def _targets(generators: list[ast.comprehension]) -> set[str]:
    return {n.id for g in generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}


def _declares_global(scope: ast.AST | None, name: str) -> bool:
    if scope is None:
        return False
    return any(isinstance(n, ast.Global) and name in n.names for n in ast.walk(scope))


def _stored_names(target: ast.AST) -> list[str]:
    """The names an assignment target binds (``fig, (ax1, ax2)`` -> fig, ax1, ax2)."""
    names: list[str] = []
    stack = [target]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, (ast.Tuple, ast.List)):
            stack.extend(node.elts)
        elif isinstance(node, ast.Starred):
            stack.append(node.value)
    return names


def _statement(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> ast.stmt | None:
    while node is not None and not isinstance(node, ast.stmt):
        node = parents.get(node)  # type: ignore[assignment]
    return node


def _scope_and_loop(
    statement: ast.stmt, parents: dict[ast.AST, ast.AST]
) -> tuple[ast.AST | None, ast.stmt | None]:
    """The function holding ``statement`` (None at module level, or the class) and the
    outermost loop around it inside that scope (its uses may come before it)."""
    loop: ast.stmt | None = None
    node = parents.get(statement)
    while node is not None and not isinstance(node, ast.Module):
        if isinstance(node, (*_FUNCTIONS, ast.ClassDef, ast.Lambda)):
            return node, loop
        if isinstance(node, _LOOPS):
            loop = node
        node = parents.get(node)
    return None, loop
