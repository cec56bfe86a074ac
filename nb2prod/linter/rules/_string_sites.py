"""Where a notebook's string literals stand and how they are used (as a path, a route, a
pattern, an environment default), for the path rules."""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import cast

from nb2prod.linter.context import CellIndex, NotebookContext
from nb2prod.linter.rules import _io
from nb2prod.linter.rules._path_text import (
    PLACEHOLDER,
    LocalPath,
    local_path,
    may_be_local_path,
)
from nb2prod.notebook import Cell


@dataclass(frozen=True)
class StringSite:
    """A string literal (or f-string) of a cell that may be a path, with what it flows into."""

    cell: Cell
    node: ast.expr
    path: LocalPath
    flows_into_io: bool  # an argument of a path/IO call, or assigned to a name that is one
    env_default: bool  # the default of os.getenv / os.environ.get


#: Methods whose first argument is a web route, not a path (``@app.get("/health")``).
ROUTE_METHODS = frozenset(
    "route get post put patch delete head options websocket api_route add_url_rule "
    "add_api_route add_route add_websocket_route add_api_websocket_route mount url_for "
    "redirect".split()
)
#: Methods that compare against a prefix rather than use the location.
COMPARE_METHODS = frozenset({"startswith", "endswith", "removeprefix", "removesuffix"})
WEB_MODULES = frozenset(
    "flask fastapi starlette django aiohttp bottle tornado quart sanic litestar falcon "
    "requests httpx urllib3 gradio streamlit".split()
)
ENV_GETTERS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})


def string_sites(ctx: NotebookContext) -> list[StringSite]:
    """Path-like string literals outside the parameters cell, docstrings, regexes and routes."""
    return ctx.shared(_string_sites)


def _string_sites(ctx: NotebookContext) -> list[StringSite]:
    path_names = _PathNames(ctx)
    return [
        site
        for index in ctx.indexes
        if not ctx.is_parameters(index.cell)
        for site in _cell_sites(ctx, index, path_names)
    ]


class _PathNames:
    """:func:`_names_used_as_paths`, worked out when a path is first assigned to a name."""

    def __init__(self, ctx: NotebookContext) -> None:
        self.ctx = ctx

    @functools.cached_property
    def names(self) -> set[str]:
        return _names_used_as_paths(self.ctx)


#: How SQLAlchemy URLs of file databases start (``sqlite:////srv/x.db`` names ``/srv/x.db``).
DATABASE_URL_STARTS = ("sqlite", "duckdb")


def _cell_sites(ctx, index: CellIndex, path_names: _PathNames) -> Iterator[StringSite]:
    for node in index.nodes(ast.Constant, ast.JoinedStr):
        if isinstance(node, ast.Constant) and not (
            may_be_local_path(node.value)
            or (isinstance(node.value, str) and node.value.startswith(DATABASE_URL_STARTS))
        ):
            continue  # nearly every constant: no parent to look up
        text = _string_text(node, index.parents)
        if text is None:
            continue
        path, in_url = local_path(text), False
        if path is None and text.startswith(DATABASE_URL_STARTS):
            database = _io.database_url_path(text)
            path, in_url = (local_path(database) if database else None), True
        if path is None:
            continue
        usage = _usage(ctx, node, index.parents, path_names)
        if usage is not None and (usage[0] or not in_url):  # a URL: only one a database opens
            yield StringSite(index.cell, node, path, *usage)


def _string_text(node: ast.AST, parents: dict) -> str | None:
    """The text of a str literal or f-string (fields as {…}); None for other nodes."""
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, str):
            return None
        return None if isinstance(parents.get(node), ast.JoinedStr) else node.value
    if isinstance(node, ast.JoinedStr) and not isinstance(parents.get(node), ast.FormattedValue):
        # An f-string's literal parts are str constants.
        return "".join(
            cast(str, v.value) if isinstance(v, ast.Constant) else PLACEHOLDER for v in node.values
        )
    return None


def _usage(ctx, node: ast.expr, parents: dict, path_names: _PathNames) -> tuple[bool, bool] | None:
    """``(flows_into_io, env_default)`` for a string, or None when it is not used as a path."""
    child, parent, keyword, direct = _climb(node, parents)
    if isinstance(parent, ast.Expr) and direct:
        return None  # a docstring, or a string used as a comment
    if isinstance(parent, ast.Compare):
        return None  # compared with, not used: `if cwd.startswith(...)`-style detection
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and child is parent.value:
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        return bool(names and names & path_names.names), False
    if not isinstance(parent, ast.Call) or child is parent.func:
        return False, False
    qualified = ctx.qualified_name(parent.func)
    method = parent.func.attr if isinstance(parent.func, ast.Attribute) else None
    callee = method or (qualified.rsplit(".", 1)[-1] if qualified else None)
    takes_paths = _io.takes_paths(qualified, parent.func)
    index = next((i for i, arg in enumerate(parent.args) if arg is child), None)
    if _is_regex_call(qualified, parent.func) or method in COMPARE_METHODS:
        return None
    route_argument = direct and (index == 0 or keyword in ("path", "rule", "location"))
    if (
        callee in ROUTE_METHODS
        and route_argument
        and not takes_paths
        and _on_web_app(ctx, parent.func)
    ):
        return None
    env_default = qualified in ENV_GETTERS and (index == 1 or keyword == "default")
    return takes_paths, env_default


def _climb(node: ast.AST, parents: dict) -> tuple[ast.AST, ast.AST | None, str | None, bool]:
    """Up through keywords and expression operators to the node that uses the string."""
    child, parent, keyword, direct = node, parents.get(node), None, True
    while isinstance(parent, (ast.keyword, ast.BinOp, ast.IfExp)):
        if isinstance(parent, ast.keyword):
            keyword = parent.arg
        else:
            direct = False
        child, parent = parent, parents.get(parent)
    return child, parent, keyword, direct


def _on_web_app(ctx: NotebookContext, func: ast.expr) -> bool:
    """True unless the callee comes from an imported module that is not a web framework.

    ``app.get("/health")`` (``app`` a notebook variable) and ``flask.redirect("/login")`` are
    routes; ``drive.mount("/content/drive")`` (``google.colab.drive``) is not.
    """
    root = func
    while isinstance(root, ast.Attribute):
        root = root.value
    if isinstance(root, ast.Call):
        return _on_web_app(ctx, root.func)  # FastAPI().get(...), APIRouter(prefix=...).post(...)
    if not isinstance(root, ast.Name) or root.id not in ctx.imports:
        return True
    return ctx.imports[root.id].split(".")[0] in WEB_MODULES


def _is_regex_call(qualified: str | None, func: ast.expr) -> bool:
    if qualified and qualified.split(".")[0] in ("re", "regex"):
        return True
    # pandas' .str.contains / .str.extract / ... take regular expressions
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Attribute)
        and (func.value.attr == "str")
    )


def _names_used_as_paths(ctx: NotebookContext) -> set[str]:
    """Names passed (alone or inside a path expression) to calls that take paths."""
    names: set[str] = set()
    for _cell, _parsed, call, qualified in ctx.calls():
        if not _io.takes_paths(qualified, call.func):
            continue
        values = [*call.args, *(k.value for k in call.keywords)]
        for operand in _path_operands(values, ctx.qualified_name):
            if isinstance(operand, ast.Name):
                names.add(operand.id)
    return names


def _path_operands(values: list[ast.expr], qualify: Callable) -> Iterator[ast.expr]:
    """The leaves of path expressions: through ``+``, ``/``, f-strings and path builders."""
    stack = list(values)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinOp):
            stack += [node.left, node.right]
        elif isinstance(node, ast.JoinedStr):
            stack += [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
        elif isinstance(node, ast.Starred):
            stack.append(node.value)
        elif isinstance(node, ast.Call) and qualify(node.func) in _io.PATH_BUILDERS:
            stack += [*node.args, *(k.value for k in node.keywords)]
        else:
            yield node


def shown_text(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_code(node: ast.AST, limit: int = 60) -> str:
    """Source text of an expression for a message, cut to ``limit`` characters."""
    try:
        text = ast.unparse(node)
    except RecursionError:  # a pathologically deep expression
        return "..."
    return text if len(text) <= limit else text[: limit - 3] + "..."
