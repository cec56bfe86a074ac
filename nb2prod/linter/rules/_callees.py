"""What a notebook calls, summed up once per notebook and shared by the rules.

Most rules look for a few known callees (``os.chdir``, ``breakpoint``, ``df.to_csv``) and
most notebooks call none of them: such a rule first asks :func:`callees` whether any call
can match, and only then goes through the calls one by one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from nb2prod.linter.context import NotebookContext


@dataclass(frozen=True)
class Callees:
    """The callees of a notebook's calls (``ctx.calls()``)."""

    #: Qualified names, as ``ctx.calls()`` gives them (``os.chdir``).
    qualified: frozenset[str]
    #: Last names as written: ``to_csv`` in ``df.to_csv``, ``cd`` in ``cd()``.
    written: frozenset[str]

    def any_qualified(self, names: Iterable[str]) -> bool:
        return not self.qualified.isdisjoint(names)

    def any_qualified_prefix(self, prefixes: tuple[str, ...]) -> bool:
        return any(name.startswith(prefixes) for name in self.qualified)

    def any_written(self, names: Iterable[str]) -> bool:
        return not self.written.isdisjoint(names)


def callees(ctx: NotebookContext) -> Callees:
    """The notebook's :class:`Callees` (computed once per notebook)."""
    return ctx.shared(_callees)


def _callees(ctx: NotebookContext) -> Callees:
    calls = ctx.calls()
    qualified = frozenset([name for _cell, _parsed, _call, name in calls if name is not None])
    funcs = [call.func for _cell, _parsed, call, _name in calls]
    written = frozenset(
        [f.attr for f in funcs if isinstance(f, ast.Attribute)]
        + [f.id for f in funcs if isinstance(f, ast.Name)]
    )
    return Callees(qualified, written)
