"""Where credentials can stand in a notebook's code, for the secrets rules: which spans are
string literals or statements, ``user:password@`` in URLs, literals bound to names (variables,
keyword arguments, defaults, ``os.environ`` entries) and lines of configuration files the
notebook writes."""

from __future__ import annotations

import ast
import bisect
import functools
import re
from collections.abc import Iterable, Iterator
from typing import TypeGuard, cast

from nb2prod.credentials import (
    SECRET_NAME_HINT,
    UrlCredential,
    find_url_credentials,
)
from nb2prod.linter.context import NotebookContext, walk_in_order
from nb2prod.notebook import Cell
from nb2prod.syntax import parse_cell


class CellText:
    """One code cell's source with offset <-> (line, column) conversion."""

    def __init__(self, cell: Cell) -> None:
        self.cell = cell
        self.text = cell.source

    @functools.cached_property
    def _starts(self) -> list[int]:  # only cells with a finding need it
        return [0] + [m.end() for m in re.finditer("\n", self.text)]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based ``(line, column)`` of character ``offset``."""
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1

    def span(self, start: int, end: int) -> tuple[int, int, int, int]:
        return (*self.position(start), *self.position(end))


def _string_spans(ctx: NotebookContext, cell: Cell) -> list[tuple[int, int, int, int]]:
    """Spans of the cell's string literals (an f-string counts as one literal)."""
    index = ctx.index(cell)
    if index is None:  # no parsed Python
        return []
    parsed = index.parsed
    spans = []
    inside_fstring: set[int] = set()
    for node in index.order:
        if isinstance(node, ast.JoinedStr):
            inside_fstring.update(id(child) for child in ast.walk(node) if child is not node)
            spans.append(parsed.position(node))
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            if id(node) not in inside_fstring:
                spans.append(parsed.position(node))
    return spans


def _inside(position: tuple[int, int], span: tuple[int, int, int, int]) -> bool:
    return span[:2] <= position < span[2:]


def url_credentials_in_code(
    ctx: NotebookContext, cell: Cell, text: CellText
) -> list[UrlCredential]:
    """URL credentials standing in string literals, IPython escapes (``%sql``, ``!git``),
    shell or SQL cell-magic bodies, and the unparsable lines of a broken cell."""
    found = find_url_credentials(text.text)
    if not found:
        return []
    parsed = ctx.parsed(cell)
    if cell.language not in (None, "python"):
        return []
    escape_lines = {e.line for e in parsed.escapes if e.kind != "cell_magic"}
    foreign_body = not parsed.python  # %%bash, %%sql...: every body line is a command
    strings = _string_spans(ctx, cell)
    covered = _statement_lines(parsed.tree) if parsed.error else None
    kept = []
    for credential in found:
        line, column = text.position(credential.start)
        line_text = cell.lines[line - 1]
        if line_text.lstrip().startswith("#"):
            continue
        if (
            foreign_body
            or line in escape_lines
            or any(_inside((line, column), span) for span in strings)
            or (covered is not None and line not in covered and _quoted(line_text, column))
        ):
            kept.append(credential)
    return kept


def _statement_lines(tree: ast.Module | None) -> set[int]:
    lines: set[int] = set()
    for statement in tree.body if tree is not None else ():
        lines.update(range(statement.lineno, (statement.end_lineno or statement.lineno) + 1))
    return lines


def _quoted(line_text: str, column: int) -> bool:
    """On a line Python could not parse: does a quote open before ``column``, outside a comment?"""
    before = line_text[: column - 1]
    quote = min((i for i in (before.find('"'), before.find("'")) if i >= 0), default=-1)
    return quote >= 0 and "#" not in before[:quote]


# --------------------------------------------------------------------------- literals bound to names


_SECRET_NAME_WORDS = ("pass", "secret", "token", "credential", "key", "auth")


def may_name_secret(source: str) -> bool:
    """``SECRET_NAME_HINT.search(source)``; for ASCII text (nearly every cell) the same
    test by lower-casing, several times faster than a case-insensitive regex."""
    if source.isascii():  # no non-ASCII letter that folds onto an ASCII one
        lowered = source.lower()
        return any(map(lowered.__contains__, _SECRET_NAME_WORDS))
    return SECRET_NAME_HINT.search(source) is not None


def overlaps(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in others)


def spans_overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[:2] < b[2:] and b[:2] < a[2:]


def literal_text(node: ast.Constant) -> str:
    value = node.value  # str or bytes: a literal of _is_literal
    return value.decode("latin-1") if isinstance(value, bytes) else cast(str, value)


def _is_literal(node: ast.AST | None) -> TypeGuard[ast.Constant]:
    return isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))


#: Calls that bind their second argument to the name given by the first.
_SETTERS = frozenset({"os.environ.setdefault", "os.putenv"})
#: Classes called as ``(user, password)``.
_BASIC_AUTH = frozenset({"HTTPBasicAuth", "HTTPDigestAuth", "HTTPProxyAuth", "BasicAuth"})


def named_literals(nodes: Iterable[ast.AST], qualify) -> Iterator[tuple[str, ast.Constant]]:
    """``(name, literal)`` for every string literal bound to a name: assignment targets,
    attribute and subscript stores, keyword arguments, dict keys, parameter defaults and
    ``os.environ.setdefault("NAME", "value")``.  ``nodes``: a tree's nodes in source order."""
    for node in nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                yield from _bound(target, node.value)
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            yield from _bound(node.target, node.value)
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg and _is_literal(keyword.value):
                    yield keyword.arg, keyword.value
                if keyword.arg == "auth" and _literal_pair(keyword.value):
                    password = cast(ast.Constant, keyword.value.elts[1])  # a literal pair
                    yield "password", password  # requests: auth=(user, password)
            args = node.args
            if len(args) == 2 and _is_literal(args[0]) and _is_literal(args[1]):
                callee = qualify(node.func) or ""
                if isinstance(args[0].value, str) and callee in _SETTERS:
                    yield args[0].value, args[1]
                elif callee.rsplit(".", 1)[-1] in _BASIC_AUTH:
                    yield "password", args[1]
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if _is_literal(key) and isinstance(key.value, str) and _is_literal(value):
                    yield key.value, value
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield from _defaults(node.args)


def _literal_pair(node: ast.AST) -> TypeGuard[ast.Tuple]:
    return isinstance(node, ast.Tuple) and len(node.elts) == 2 and all(map(_is_literal, node.elts))


def _bound(target: ast.AST, value: ast.AST) -> Iterator[tuple[str, ast.Constant]]:
    if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
        if len(target.elts) == len(value.elts):
            for sub_target, sub_value in zip(target.elts, value.elts):
                yield from _bound(sub_target, sub_value)
        return
    if not _is_literal(value):
        return
    if isinstance(target, ast.Name):
        yield target.id, value
    elif isinstance(target, ast.Attribute):
        yield target.attr, value
    elif isinstance(target, ast.Subscript) and _is_literal(target.slice):
        if isinstance(target.slice.value, str):
            yield target.slice.value, value


def _defaults(args: ast.arguments) -> Iterator[tuple[str, ast.Constant]]:
    positional = args.posonlyargs + args.args
    for arg, default in zip(positional[len(positional) - len(args.defaults) :], args.defaults):
        if _is_literal(default):
            yield arg.arg, default
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
        if _is_literal(kw_default):
            yield arg.arg, kw_default


#: ``NAME=value`` (also after ``export`` or as ``--flag=value``) in shell lines, and the
#: ``NAME value`` form of ``%set_env``.
_ENV_ASSIGNMENT = re.compile(
    r"(?:^|\s)(?:export\s+|--?)?(?P<name>[A-Za-z_][\w-]*)(?P<sep>=|\s+(?=\S))"
    r"(?P<quote>[\"']?)(?P<value>[^\s\"']+)(?P=quote)"
)


def env_assignments(cell: Cell, parsed) -> Iterator[tuple[str, str, tuple[int, int, int, int]]]:
    """``%env NAME=value``, ``%set_env NAME value`` and ``export NAME=value`` in shell lines."""
    for escape in parsed.escapes:
        if not (
            escape.is_shell or (escape.kind == "line_magic" and escape.name in ("env", "set_env"))
        ):
            continue
        line_text = cell.lines[escape.line - 1] if escape.line <= len(cell.lines) else ""
        start = escape.column - 1
        if escape.kind == "line_magic":  # skip past the magic's name
            start = line_text.find(escape.name, start) + len(escape.name)
        for match in _ENV_ASSIGNMENT.finditer(line_text, start):
            if escape.is_shell and match.group("sep") != "=":
                continue  # a shell command's arguments, not an assignment
            if match.group("value").startswith(("$", "`", "%")):
                continue  # expanded by the shell or IPython at run time
            span = (escape.line, match.start("value") + 1, escape.line, match.end("value") + 1)
            yield match.group("name"), match.group("value"), span


#: ``NAME=value``, ``name: value``, ``"name": "value"`` lines of config and .env files.
_CONFIG_LINE = re.compile(
    r"\s*(?:export\s+)?[\"']?(?P<name>[A-Za-z_][\w.-]*)[\"']?\s*[=:]\s*"
    r"(?P<quote>[\"']?)(?P<value>[^\s\"'#,]+)(?P=quote)\s*,?\s*(?:#.*)?$"
)


def written_file_assignments(
    cell: Cell, parsed
) -> Iterator[tuple[str, str, tuple[int, int, int, int]]]:
    """Secrets in the file a ``%%writefile`` cell creates: Python for ``.py`` files, else
    ``NAME=value`` config lines (``.env``, ``.ini``, YAML, JSON)."""
    magic = next((e for e in parsed.escapes if e.kind == "cell_magic"), None)
    if magic is None or magic.name not in ("writefile", "file") or not magic.args.split():
        return
    offset = magic.line  # cell line of the body's line 0
    if magic.args.split()[-1].endswith(".py"):
        body = parse_cell("\n".join(cell.lines[offset:]))
        nodes = walk_in_order(body.tree or ast.Module(body=[], type_ignores=[]))
        for name, node in named_literals(nodes, lambda _: None):
            line, column, end_line, end_column = body.position(node)
            yield name, literal_text(node), (line + offset, column, end_line + offset, end_column)
        return
    for number, text in enumerate(cell.lines[offset:], start=offset + 1):
        match = _CONFIG_LINE.match(text)
        if match:
            span = (number, match.start("value") + 1, number, match.end("value") + 1)
            yield match.group("name"), match.group("value"), span
