"""The notebook as a top-to-bottom run makes its calls (:class:`RandomnessRun`), for the
reproducibility rules: cells in document order, each call after its arguments, and the body
of a notebook function where it is called, so ``set_seed(42)`` seeds exactly what its body
seeds.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nb2prod.linter.rules._callees import callees
from nb2prod.linter.rules._random_calls import (
    DRAW_PREFIXES,
    RANDOM_STATE_PREFIXES,
    SEED_CALLS,
    SEED_HELPERS,
    SEEDABLE,
    callee_name,
    has_seed_argument,
    may_draw,
    may_need_state,
)
from nb2prod.notebook import Cell

# --------------------------------------------------------------------------- the run model


@dataclass(frozen=True)
class CallEvent:
    """A call as a top-to-bottom run makes it.

    ``cell`` holds ``call``; ``seeded`` are the libraries seeded before it runs; ``via`` is
    the module-level call of a notebook function whose body made it (else None);
    ``executed`` is False for calls in functions the notebook never calls (they are
    visited with the seeds of the moment the function was defined).
    """

    cell: Cell
    call: ast.Call
    qualified: str | None
    seeded: frozenset[str]
    via: tuple[Cell, ast.Call, str] | None
    executed: bool


_FunctionDef = (ast.FunctionDef, ast.AsyncFunctionDef)
_Function = ast.FunctionDef | ast.AsyncFunctionDef
_MAX_DEPTH = 20  # calls of notebook functions followed inside each other


def _relevant_nodes(ctx, seeds: Callable[[ast.Call, str | None], frozenset[str]]) -> set[ast.AST]:
    """Nodes whose subtree holds something the run reacts to.  That is a call that may
    draw, lack a ``random_state``, seed (``seeds`` says which) or run a notebook function
    or class, a definition, or a name that may refer to a notebook function (a callback).
    The run skips every other subtree: its calls would change nothing and be reported by
    neither rule."""
    relevant: set[ast.AST] = set()

    def mark(node: ast.AST | None, parents: dict[ast.AST, ast.AST]) -> None:
        while node is not None and node not in relevant:
            relevant.add(node)
            node = parents.get(node)

    definitions = [n for index in ctx.indexes for n in index.nodes(*_FunctionDef, ast.ClassDef)]
    callable_names = {n.name for n in definitions}
    function_names = {n.name for n in definitions if not isinstance(n, ast.ClassDef)}
    for index in ctx.indexes:
        parents = index.parents
        for node in index.nodes(*_FunctionDef, ast.ClassDef):
            mark(node, parents)
        if function_names:
            for node in index.nodes(ast.Name):
                if node.id in function_names:
                    mark(node, parents)
    for cell, _parsed, call, qualified in ctx.calls():
        func = call.func
        if (
            (isinstance(func, ast.Name) and func.id in callable_names)
            or may_draw(call, qualified)
            or may_need_state(call, qualified)
            or seeds(call, qualified)
        ):
            mark(call, ctx.index(cell).parents)
    return relevant


def _child_nodes(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))``, without its generator overhead."""
    children = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            children += [item for item in value if isinstance(item, ast.AST)]
        elif isinstance(value, ast.AST):
            children.append(value)
    return children


class RandomnessRun:
    """The calls of a top-to-bottom run, each with the libraries seeded before it.

    Only the calls that matter are recorded (draws, calls that may lack a
    ``random_state``, seeds, calls of notebook functions and classes, and the calls around
    them): subtrees without one are skipped (:func:`_relevant_nodes`).

    The walk is one explicit stack of work items (no recursion: generated cells nest
    ``elif`` chains and expressions thousands deep).  Items are ``(action, cell, node,
    extra)``; a function body that is followed ends with a ``return`` item that restores
    the state of the caller.
    """

    def __init__(self, ctx, seed_functions: tuple[str, ...]) -> None:
        self.seed_functions = frozenset(seed_functions)
        self.seeded: set[str] = set()
        self.events: list[CallEvent] = []
        self.functions: dict[str, tuple[Cell, _Function]] = {}  # name -> (cell, def)
        self.classes: dict[str, tuple[Cell, _Function | None]] = {}  # name -> (cell, __init__)
        self.deferred: list[tuple[Cell, _Function, frozenset[str]]] = []  # bodies not yet run
        self.followed: set[int] = set()  # ids of function defs whose body ran
        self.active: list[int] = []  # ids of function defs being run (recursion guard)
        self.effects: dict[tuple[int, frozenset[str]], frozenset[str]] = {}
        self.callees: set[int] = set()  # ids of the `func` nodes of calls
        self.via: tuple[Cell, ast.Call, str] | None = None
        self.executed = True
        self.stack: list[tuple] = []
        self.relevant = _relevant_nodes(ctx, self._seeds)
        # Not kept after the run: the cache maps each context weakly to its run.
        self._qualify = ctx.qualified_name
        try:
            self._run(ctx)
        finally:
            del self._qualify

    def _run(self, ctx) -> None:
        for cell, _parsed, tree in ctx.trees():
            self._walk([("body", cell, tree.body, True)])
        # Functions never called still hold code (NB602 reports it): visit each with the
        # seeds of when it was defined, once.
        self.executed, self.via = False, None
        position = 0
        while position < len(self.deferred):  # the list grows with nested definitions
            cell, function, seeded = self.deferred[position]
            position += 1
            if id(function) not in self.followed:
                self.followed.add(id(function))
                self.seeded = set(seeded)
                self._walk([("body", cell, function.body, False)])

    def _walk(self, items: list[tuple]) -> None:
        actions: dict[str, Callable[[Cell, Any, Any], None]] = {
            "body": self._do_body,
            "statement": self._do_statement,
            "define": self._do_define,
            "define_class": self._do_define_class,
            "expression": self._do_expression,
            "call": self._do_call,
            "return": self._do_return,
        }
        stack = self.stack = items
        while stack:
            action, cell, node, extra = stack.pop()
            actions[action](cell, node, extra)

    def _push(self, *items: tuple) -> None:
        """Schedule ``items`` to run in the order given."""
        self.stack.extend(reversed(items))

    # -- statements
    def _do_body(self, cell: Cell, body: list[ast.stmt], module: bool) -> None:
        relevant = self.relevant
        self._push(*[("statement", cell, s, module) for s in body if s in relevant])

    def _do_statement(self, cell: Cell, node: ast.AST, module: bool) -> None:
        relevant = self.relevant
        if isinstance(node, _FunctionDef):
            args = node.args
            parts: list[ast.AST] = [
                *node.decorator_list,
                *args.defaults,
                *[d for d in args.kw_defaults if d],
            ]
            self._push(
                *[("expression", cell, p, None) for p in parts if p in relevant],
                ("define", cell, node, module),
            )
        elif isinstance(node, ast.ClassDef):
            parts = [*node.decorator_list, *node.bases, *node.keywords]
            self._push(
                *[self._item(cell, p, module) for p in parts if p in relevant],
                ("body", cell, node.body, False),  # a class body runs at once
                ("define_class", cell, node, module),
            )
        else:
            children = _child_nodes(node)
            self._push(*[self._item(cell, c, module) for c in children if c in relevant])

    @staticmethod
    def _item(cell: Cell, node: ast.AST, module: bool) -> tuple:
        if isinstance(node, ast.expr):
            return ("expression", cell, node, None)
        return ("statement", cell, node, module)  # statements, handlers, with-items, keywords

    def _do_define(self, cell: Cell, function: _Function, module: bool) -> None:
        if module:
            self.functions[function.name] = (cell, function)
        self.deferred.append((cell, function, frozenset(self.seeded)))

    def _do_define_class(self, cell: Cell, klass: ast.ClassDef, module: bool) -> None:
        if module:
            init = next(
                (s for s in klass.body if isinstance(s, _FunctionDef) and s.name == "__init__"),
                None,
            )
            self.functions.pop(klass.name, None)
            self.classes[klass.name] = (cell, init)

    # -- expressions, in evaluation order: a call runs after its callee and arguments
    def _do_expression(self, cell: Cell, node: ast.AST, _extra) -> None:
        relevant = self.relevant
        if isinstance(node, ast.Lambda):
            if node.body in relevant:
                self._push(("expression", cell, node.body, None))  # assume it runs where written
            return
        if isinstance(node, ast.Constant):
            return
        # Operators (``Load``, ``+``, ``==``) are never relevant: they are left out too.
        children = [("expression", cell, c, None) for c in _child_nodes(node) if c in relevant]
        if isinstance(node, ast.Call):
            self.callees.add(id(node.func))
            self._push(*children, ("call", cell, node, None))
            return
        if isinstance(node, ast.Name) and id(node) not in self.callees:
            self._reference(node)  # a notebook function passed as a callback runs there
        self._push(*children)

    def _reference(self, name: ast.Name) -> None:
        if isinstance(name.ctx, ast.Load) and name.id in self.functions:
            cell, function = self.functions[name.id]
            self._follow(cell, function, name.id, None)

    def _do_call(self, cell: Cell, call: ast.Call, _extra) -> None:
        qualified = self._qualify(call.func)
        self.events.append(
            CallEvent(cell, call, qualified, frozenset(self.seeded), self.via, self.executed)
        )
        self.seeded |= self._seeds(call, qualified)
        if isinstance(call.func, ast.Name):
            name = call.func.id
            if name in self.functions:
                self._follow(*self.functions[name], name, (cell, call, name))
            elif name in self.classes:
                class_cell, init = self.classes[name]
                if init is not None:
                    self._follow(class_cell, init, name, (cell, call, name))

    def _follow(self, cell: Cell, function: _Function, name: str, call_site) -> None:
        """Run a notebook function's body where it is called (``call_site``: the call)."""
        key = (id(function), frozenset(self.seeded))
        if key in self.effects:  # same function, same seeds: same outcome, already reported
            self.seeded |= self.effects[key]
            return
        if id(function) in self.active or len(self.active) >= _MAX_DEPTH:
            return
        self.followed.add(id(function))
        caller = (self.via, key, frozenset(self.seeded))
        if self.via is None and call_site is not None:
            self.via = call_site
        self.active.append(id(function))
        self._push(("body", cell, function.body, False), ("return", cell, function, caller))

    def _do_return(self, _cell: Cell, _function: ast.AST, caller) -> None:
        via, key, before = caller
        self.active.pop()
        self.via = via
        self.effects[key] = frozenset(self.seeded) - before

    # -- seeds
    def _seeds(self, call: ast.Call, qualified: str | None) -> frozenset[str]:
        """The global generators ``call`` seeds."""
        last = callee_name(call)
        if last in self.seed_functions or (qualified and qualified in self.seed_functions):
            return SEEDABLE
        if qualified is None:
            return frozenset()  # a notebook's own seed helper is followed into instead
        if qualified in SEED_CALLS:
            seeds = SEED_CALLS[qualified]
        elif last in SEED_HELPERS and not qualified.startswith(("tensorflow.", "numpy.")):
            seeds = SEEDABLE
        else:
            return frozenset()
        # `random.seed()` with no argument seeds from the clock, which fixes nothing.
        return seeds if has_seed_argument(call) else frozenset()


def any_draw(ctx) -> bool:
    """Whether any call of the notebook draws at random (:func:`random_draw`)."""
    if not callees(ctx).any_qualified_prefix(DRAW_PREFIXES):
        return False
    return any(may_draw(call, qualified) for _c, _p, call, qualified in ctx.calls())


def any_missing_state(ctx) -> bool:
    """Whether any call of the notebook lacks a ``random_state`` (:func:`needs_random_state`)."""
    called = callees(ctx)
    if not (called.any_qualified_prefix(RANDOM_STATE_PREFIXES) or "sample" in called.written):
        return False
    return any(may_need_state(call, qualified) for _c, _p, call, qualified in ctx.calls())


def randomness_run(ctx) -> RandomnessRun:
    """The run model of ``ctx``'s notebook, computed once for both rules."""
    return ctx.shared(_randomness_run)


def _randomness_run(ctx) -> RandomnessRun:
    # Both rules read the one `seed-functions` option of [tool.nb2prod.lint].
    value = ctx.option("NB601", "seed-functions") or []
    return RandomnessRun(ctx, tuple(v for v in value if isinstance(v, str)))
