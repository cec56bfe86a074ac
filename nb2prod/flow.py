"""Which module-level names each cell binds and reads, and how names flow across cells.

A cell's *reads* are the names it needs from the notebook namespace when it runs:
names loaded at module level (including class bodies, comprehensions, default
arguments and decorators, which run immediately) before the cell itself binds them.
Names loaded inside function and lambda bodies are *deferred*: they are looked up
when the function is called (late binding), so they never make a cell depend on a
later one; export uses them to follow the functions a predict cell calls.
"""

from __future__ import annotations

import ast
import builtins
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from nb2prod.syntax import Escape, ParsedCell, child_fields

#: Names every IPython kernel defines.
IPYTHON_NAMES = frozenset(
    {
        "display",
        "get_ipython",
        "In",
        "Out",
        "_",
        "__",
        "___",
        "_i",
        "_ii",
        "_iii",
        "_ih",
        "_oh",
        "_dh",
        "exit",
        "quit",
        "__file__",
        "__session__",
        "__vsc_ipynb_file__",
    }
)
_IPYTHON_HISTORY = re.compile(r"_i?\d+$")
_BUILTINS = frozenset(dir(builtins)) | IPYTHON_NAMES | {"__name__", "__doc__", "__builtins__"}


def is_builtin(name: str) -> bool:
    """True for Python builtins and the names an IPython kernel predefines."""
    return name in _BUILTINS or bool(_IPYTHON_HISTORY.match(name))


#: A node whose body runs later: a function or lambda, or a class (whose methods do).
Scope = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda


@dataclass
class CellNames:
    """Module-scope names of one cell, in the order the cell runs them."""

    defines: dict[str, ast.AST] = field(default_factory=dict)  # name -> first binding node
    reads: dict[str, ast.Name] = field(default_factory=dict)  # name -> first free read
    deletes: dict[str, ast.AST] = field(default_factory=dict)  # names still deleted at the end
    #: def/class name -> the nodes whose bodies run later (``<lambda>`` for lambdas).
    scopes: dict[str, list[Scope]] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)  # bound name -> dotted origin
    star_imports: list[str] = field(default_factory=list)
    opaque: bool = False  # binds names nb2prod cannot see (%run, unparsable code, %%sql -o)

    @functools.cached_property
    def deferred(self) -> dict[str, set[str]]:
        """def/class name -> the global names its bodies read when they run (late-bound).

        Worked out on demand: export needs it, the linter does not.
        """
        return {name: set().union(*map(free_names, nodes)) for name, nodes in self.scopes.items()}


def cell_names(parsed: ParsedCell) -> CellNames:
    """Names bound and read at module scope by a parsed cell."""
    names = CellNames()
    if parsed.tree is None or parsed.error is not None or not parsed.python:
        names.opaque = True
    for escape in parsed.escapes:
        _escape_names(escape, names)
    if parsed.tree is not None:
        try:
            _ModuleScope(names, "global" in parsed.source).run(parsed.tree.body)
        except RecursionError:  # valid but very deeply nested code: give up on this cell
            names.reads.clear()
            names.opaque = True
    return names


def _escape_names(escape: Escape, names: CellNames) -> None:
    if escape.target:  # x = !cmd, x = %magic, %%capture x
        for target in escape.target.split(","):
            names.defines.setdefault(
                target.strip(), ast.Name(id=target.strip(), lineno=escape.line)
            )
    if escape.kind == "line_magic" and escape.name in ("run", "load", "loadpy", "recall"):
        names.opaque = True
    if (
        escape.kind == "line_magic"
        and escape.name == "pylab"
        and "--no-import-all" not in escape.args
    ):
        names.star_imports.append("pylab")  # %pylab star-imports numpy and matplotlib
    if escape.kind == "line_magic" and escape.name == "store" and "-r" in escape.args.split():
        stored = [w for w in escape.args.split() if not w.startswith("-")]
        if not stored:
            names.opaque = True
        for name in stored:
            names.defines.setdefault(name, ast.Name(id=name, lineno=escape.line))


_DISPATCH: dict[type, dict[type, Callable]] = {}


class _ModuleScope(ast.NodeVisitor):
    """Walks module-level statements in execution order, binding and reading names."""

    def __init__(self, names: CellNames, may_declare_globals: bool = True) -> None:
        self.names = names
        self.may_declare_globals = may_declare_globals  # "global" appears in the source
        self.bound: set[str] = set()  # bound so far in this cell
        self.guarded = 0  # inside `try: ... except NameError:`, where a missing name is expected
        self._methods = _DISPATCH.setdefault(type(self), {})

    def run(self, body: Sequence[ast.stmt]) -> None:
        for statement in body:
            self.visit(statement)

    # ast.NodeVisitor's dispatch builds a method name per node; this walk runs on every
    # node of every cell, so dispatch through a per-class table, straight from the
    # parent's loop, and skip the shared Load/Store/operator singletons.
    def visit(self, node: ast.AST) -> None:
        kind = type(node)
        (self._methods.get(kind) or self._method(kind))(self, node)

    def _method(self, kind: type) -> Callable:
        method = getattr(type(self), "visit_" + kind.__name__, _ModuleScope.generic_visit)
        self._methods[kind] = method
        return method

    def generic_visit(self, node: ast.AST) -> None:
        methods = self._methods
        kind: type = type(node)  # not type[AST], which mypy finds unhashable (mypy#11470)
        for name in child_fields(kind):
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        (methods.get(type(item)) or self._method(type(item)))(self, item)
            elif isinstance(value, ast.AST):
                (methods.get(type(value)) or self._method(type(value)))(self, value)

    # -- names
    def read(self, node: ast.Name) -> None:
        if not self.guarded and node.id not in self.bound and node.id not in self.names.reads:
            self.names.reads[node.id] = node

    def bind(self, name: str, node: ast.AST) -> None:
        self.bound.add(name)
        self.names.defines.setdefault(name, node)
        self.names.deletes.pop(name, None)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.read(node)
        elif isinstance(node.ctx, ast.Store):
            self.bind(node.id, node)
        else:  # Del
            self.read(node)
            self.bound.discard(node.id)
            self.names.deletes[node.id] = node

    # -- statements whose parts run in an order other than the field order
    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self.read(ast.Name(id=node.target.id, ctx=ast.Load(), **_loc(node.target)))
        self.visit(node.target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.annotation)  # module-level annotations are evaluated
        if node.value is not None or not isinstance(node.target, ast.Name):
            self.visit(node.target)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self.bind(node.target.id, node.target)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self.visit(node.target)
        self.run(node.body)
        self.run(node.orelse)

    visit_AsyncFor = visit_For

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        module = getattr(node, "module", None) or ""
        for alias in node.names:
            if alias.name == "*":
                self.names.star_imports.append(module)
                continue
            if isinstance(node, ast.Import):
                bound = alias.asname or alias.name.split(".")[0]
                origin = alias.name if alias.asname else bound
            else:
                bound = alias.asname or alias.name
                prefix = "." * (node.level or 0) + module
                origin = f"{prefix}.{alias.name}" if prefix else alias.name
            self.names.imports[bound] = origin
            self.bind(bound, node)

    visit_ImportFrom = visit_Import

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._signature(node.args, node.returns)
        self.names.scopes[node.name] = [node]
        if self.may_declare_globals:  # a function that assigns a `global` binds it when run
            for name in _scope_names(node)[1]:
                self.bind(name, node)
        self.bind(node.name, node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._signature(node.args, None)
        self.names.scopes.setdefault("<lambda>", []).append(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for part in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(part)
        class_scope = _ClassScope(self)
        class_scope.run(node.body)
        self.names.scopes[node.name] = class_scope.methods
        self.bind(node.name, node)

    def _signature(self, args: ast.arguments, returns: ast.expr | None) -> None:
        for default in (*args.defaults, *[d for d in args.kw_defaults if d is not None]):
            self.visit(default)
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None and arg.annotation is not None:
                self.visit(arg.annotation)
        if returns is not None:
            self.visit(returns)

    def _comprehension(self, node, parts: Iterable[ast.AST]) -> None:
        generators = node.generators
        self.visit(generators[0].iter)  # the only part evaluated in the enclosing scope
        local = {n.id for g in generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
        for part in (
            *[g.iter for g in generators[1:]],
            *[c for g in generators for c in g.ifs],
            *parts,
        ):
            for child in ast.walk(part):
                if isinstance(child, ast.NamedExpr):
                    self.bind(child.target.id, child.target)
                elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
                    if child.id not in local:
                        self.read(child)
                elif isinstance(child, ast.Lambda):
                    self.visit_Lambda(child)

    def visit_ListComp(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp) -> None:
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, [node.key, node.value])

    def visit_Try(self, node: ast.Try) -> None:
        guarded = any(_catches_name_error(handler.type) for handler in node.handlers)
        self.guarded += guarded
        self.run(node.body)
        self.guarded -= guarded
        for part in (*node.handlers, *node.orelse, *node.finalbody):
            self.visit(part)

    visit_TryStar = visit_Try

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self.bind(node.name, node)
        self.run(node.body)

    def visit_Global(self, node: ast.Global) -> None:  # no effect at module level
        return

    def visit_Constant(self, node: ast.Constant) -> None:  # binds and reads nothing
        return

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:  # as visit_Global
        return

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.pattern is not None:
            self.visit(node.pattern)
        if node.name:
            self.bind(node.name, node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.bind(node.name, node)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        self.generic_visit(node)
        if node.rest:
            self.bind(node.rest, node)


class _ClassScope(_ModuleScope):
    """A class body runs at once; its names stay in the class, methods are deferred."""

    def __init__(self, outer: _ModuleScope) -> None:
        super().__init__(CellNames(), outer.may_declare_globals)
        self.outer = outer
        self.methods: list[Scope] = []

    def read(self, node: ast.Name) -> None:
        if node.id not in self.bound:
            self.outer.read(node)

    def bind(self, name: str, node: ast.AST) -> None:
        self.bound.add(name)

    def visit_FunctionDef(self, node) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._signature(node.args, node.returns)
        self.methods.append(node)
        self.bind(node.name, node)

    visit_AsyncFunctionDef = visit_FunctionDef


def _catches_name_error(kind: ast.expr | None) -> bool:
    if kind is None:
        return True
    names = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(
        isinstance(n, ast.Name) and n.id in ("NameError", "Exception", "BaseException")
        for n in names
    )


def _loc(node: ast.AST) -> dict:
    return {k: getattr(node, k) for k in ("lineno", "col_offset", "end_lineno", "end_col_offset")}


def free_names(scope: Scope) -> set[str]:
    """Global names a function, lambda or class body reads when it runs (late-bound)."""
    return _scope_names(scope)[0]


def _scope_names(scope: Scope) -> tuple[set[str], set[str]]:
    """``(free names, globals it assigns)`` of a function, lambda or class body.

    A name declared ``global`` and assigned is bound in the notebook when the function
    runs.  One pass over the body, nested scopes included.
    """
    local: set[str] = set()
    loads: set[str] = set()
    nested: set[str] = set()
    declared_global: set[str] = set()
    stored: set[str] = set()  # every Store, nested scopes included (for `global`)
    nested_globals: set[str] = set()
    arguments = getattr(scope, "args", None)
    if isinstance(arguments, ast.arguments):
        for arg in (
            *arguments.posonlyargs,
            *arguments.args,
            *arguments.kwonlyargs,
            arguments.vararg,
            arguments.kwarg,
        ):
            if arg is not None:
                local.add(arg.arg)
    stack: list[ast.AST] = list(scope.body) if isinstance(scope.body, list) else [scope.body]
    while stack:
        node = stack.pop()
        # Tests of the exact type: faster than isinstance() on every node; each branch
        # tells mypy which node type the test established (cast).
        kind: type = type(node)  # not type[AST], which mypy finds unhashable (mypy#11470)
        if kind in _SCOPES:
            inner = cast(Scope, node)
            if not isinstance(inner, ast.Lambda):
                local.add(inner.name)
                stack.extend(inner.decorator_list)
            if isinstance(inner, ast.ClassDef):
                stack.extend([*inner.bases, *inner.keywords])
            else:
                stack.extend([*inner.args.defaults, *[d for d in inner.args.kw_defaults if d]])
            free, assigned = _scope_names(inner)
            nested |= free
            nested_globals |= assigned
            continue
        if kind is ast.Name:
            name_node = cast(ast.Name, node)
            if type(name_node.ctx) is ast.Load:
                loads.add(name_node.id)
            else:
                local.add(name_node.id)
                stored.add(name_node.id)
            continue
        if kind is ast.Global or kind is ast.Nonlocal:
            declared_global.update(cast("ast.Global | ast.Nonlocal", node).names)
        elif kind is ast.Import or kind is ast.ImportFrom:
            for alias in cast("ast.Import | ast.ImportFrom", node).names:
                if alias.name != "*":
                    local.add(alias.asname or alias.name.split(".")[0])
        elif kind is ast.ExceptHandler or kind is ast.MatchAs or kind is ast.MatchStar:
            handler = cast("ast.ExceptHandler | ast.MatchAs | ast.MatchStar", node)
            if handler.name:
                local.add(handler.name)
        for field_name in child_fields(kind):
            value = getattr(node, field_name, None)
            if type(value) is list:
                stack.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)
    global_assigned = (declared_global & stored) | nested_globals
    local -= declared_global
    free = {name for name in (loads | nested) - local if not is_builtin(name)}
    return free, global_assigned


_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda})


# --------------------------------------------------------------------------- across cells


@dataclass(frozen=True)
class NameProblem:
    """A read that fails when the notebook runs top to bottom in a fresh kernel.

    ``kind`` is ``later`` (first bound in a later cell, or later in the same cell), ``deleted`` (removed by ``del``
    in an earlier cell and not bound again) or ``undefined`` (bound nowhere).
    ``other`` is the index of the cell that binds or deletes it, where there is one.
    """

    kind: str
    cell: int
    name: str
    node: ast.Name
    other: int | None = None


def name_problems(cells: Sequence[tuple[int, CellNames]]) -> list[NameProblem]:
    """Reads that fail top to bottom; ``cells`` are ``(cell index, names)`` in document order."""
    first_binding: dict[str, int] = {}
    for index, names in cells:
        for name in names.defines:
            first_binding.setdefault(name, index)
    live: set[str] = set()
    deleted_in: dict[str, int] = {}
    unknown_namespace = False  # after a star import, %run or unparsable code: anything may exist
    problems: list[NameProblem] = []
    for index, names in cells:
        # A star import, %run or unparsable code in this very cell may bind anything it reads.
        unknown_here = bool(names.star_imports) or names.opaque
        for name, node in names.reads.items():
            if name in live or is_builtin(name) or unknown_here:
                continue
            if name in deleted_in:
                problems.append(NameProblem("deleted", index, name, node, deleted_in[name]))
            elif unknown_namespace:  # an earlier star import or %run may have bound it
                continue
            elif name in first_binding:  # a later cell, or later in this very cell
                problems.append(NameProblem("later", index, name, node, first_binding[name]))
            else:
                problems.append(NameProblem("undefined", index, name, node))
        live |= set(names.defines)
        for name in names.defines:
            deleted_in.pop(name, None)
        for name in names.deletes:
            live.discard(name)
            deleted_in[name] = index
        unknown_namespace = unknown_namespace or unknown_here
    return problems
