"""IPython magics a notebook uses, written as ``%name`` or called through
``get_ipython().run_line_magic(...)``, for the path and interactive rules."""

from __future__ import annotations

import ast
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from nb2prod.linter.context import NotebookContext
from nb2prod.linter.rules._callees import callees
from nb2prod.notebook import Cell


@dataclass(frozen=True)
class MagicUse:
    """A line or cell magic, written as ``%name args`` or ``get_ipython().run_line_magic(...)``."""

    cell: Cell
    kind: str  # "line_magic" or "cell_magic"
    name: str
    args: str | None  # None when the arguments are not a literal
    span: tuple[int, int, int, int]

    @property
    def shown(self) -> str:
        sign = "%%" if self.kind == "cell_magic" else "%"
        return f"{sign}{self.name} {self.args}".strip() if self.args else f"{sign}{self.name}"


def magic_uses(ctx: NotebookContext) -> list[MagicUse]:
    """Every magic of the notebook, from IPython syntax and from explicit API calls."""
    return ctx.shared(_magic_uses)


def _magic_uses(ctx: NotebookContext) -> list[MagicUse]:
    return list(_find_magic_uses(ctx))


def _find_magic_uses(ctx: NotebookContext) -> Iterator[MagicUse]:
    for cell, escape in ctx.escapes():
        if escape.kind in ("line_magic", "cell_magic"):
            span = (escape.line, escape.column, escape.line, escape.end_column)
            yield MagicUse(cell, escape.kind, escape.name, escape.args, span)
    if not callees(ctx).any_written(_MAGIC_METHODS):
        return
    for cell, parsed, call, _qualified in ctx.calls():
        use = _magic_call(call)
        if use is not None:
            yield MagicUse(cell, use[0], use[1], use[2], parsed.position(call))


#: Methods :func:`_magic_call` recognises.
_MAGIC_METHODS = ("run_line_magic", "run_cell_magic", "magic")


def _magic_call(call: ast.Call) -> tuple[str, str, str | None] | None:
    func = call.func
    if not isinstance(func, ast.Attribute) or not call.args:
        return None
    words = [
        a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
        for a in call.args
    ]
    if func.attr in ("run_line_magic", "run_cell_magic") and words[0]:
        kind = "line_magic" if func.attr == "run_line_magic" else "cell_magic"
        return (
            kind,
            words[0].lstrip("%"),
            words[1].strip() if len(words) > 1 and words[1] is not None else None,
        )
    receiver = func.value
    from_ipython = (
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Name)
        and (receiver.func.id == "get_ipython")
    )
    if func.attr == "magic" and from_ipython and words[0]:
        name, _, args = words[0].lstrip("%").partition(" ")
        return "line_magic", name, args.strip()
    return None


def command_words(args: str) -> list[str]:
    """A magic's arguments split like a shell would (tolerating unbalanced quotes)."""
    try:
        return shlex.split(args)
    except ValueError:
        return args.split()
