"""The command lines a notebook runs, from every place IPython or Python runs one:
``!cmd``, ``!!cmd``, ``x = !cmd``, ``%system``/``%sx``, automagic shell aliases (``ls``),
``%pip``/``%conda`` (also automagic ``pip install``), the lines of ``%%bash``-like cells,
and ``subprocess``/``os.system`` calls with literal arguments.  Shared by the environment
rules; computed once per notebook.
"""

from __future__ import annotations

import ast
import functools
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from nb2prod.linter.context import NotebookContext
from nb2prod.linter.installs import InstallCommand, install_commands
from nb2prod.linter.rules._callees import callees
from nb2prod.notebook import Cell
from nb2prod.syntax import Escape, ParsedCell

#: Line magics that run a package manager (``%pip``, ``%conda``...; also their automagic form).
INSTALL_MAGICS = frozenset({"pip", "conda", "mamba", "micromamba", "uv"})
#: Cell magics whose body is shell commands; ``%%script`` only with a shell program.
SHELL_CELLS = frozenset({"bash", "sh", "zsh", "system"})
SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh"})
#: Python calls that run a command line.
SHELL_CALLS = frozenset(
    {
        "os.system",
        "os.popen",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
    }
)
_SHELL_CALL_NAMES = frozenset(name.rsplit(".", 1)[1] for name in SHELL_CALLS)
_SHELL_CALL_TEXT = re.compile(r"\b(?:" + "|".join(sorted(_SHELL_CALL_NAMES)) + r")\b")


@dataclass(frozen=True)
class Command:
    """A command line a cell runs.  ``via`` says how: ``bang`` (``!cmd``), ``capture``
    (``!!cmd``, ``x = !cmd``, ``%sx``), ``system`` (``%system``), ``alias`` (automagic
    ``ls``), ``magic`` (``%pip``, ``%conda``, automagic ``pip``), ``shell-cell`` (a line of a
    ``%%bash`` cell) or ``call`` (``subprocess.run``, ``os.system``); ``system`` covers
    ``get_ipython().system(...)`` too."""

    cell: Cell
    text: str
    shown: str
    span: tuple[int, int, int, int]
    via: str
    bang: int | None = None  # column of a lone leading "!" (where the NB406 fix may apply)

    @functools.cached_property
    def installs(self) -> list[InstallCommand]:
        """The package installs/removals among the command's parts."""
        return install_commands(self.text)


def commands(ctx: NotebookContext) -> list[Command]:
    """Every command line the notebook runs, in document order (computed once per notebook)."""
    return ctx.shared(_find_commands)


def _find_commands(ctx: NotebookContext) -> list[Command]:
    found: list[Command] = []
    for cell, parsed in ctx.python_cells():
        magic = shell_cell_magic(parsed)
        if magic is not None:
            found += _shell_cell_commands(cell, magic)
        else:
            escapes = (e for e in parsed.escapes if not _shadowed(ctx, e))
            found += filter(None, (_escape_command(cell, e) for e in escapes))
    found += _call_commands(ctx)
    found.sort(key=lambda c: (c.cell.index, c.span[:2]))
    return found


def _shadowed(ctx: NotebookContext, escape: Escape) -> bool:
    """An automagic word the notebook binds as a variable (``ls = [...]``) is no command:
    IPython tries automagic only for names missing from the user namespace."""
    return escape.automagic and (escape.name in ctx.user_names or escape.name in ctx.imports)


def shell_cell_magic(parsed: ParsedCell) -> Escape | None:
    """The ``%%bash``-like cell magic of a cell whose body is shell commands."""
    magic = parsed.escapes[0] if parsed.escapes else None
    if magic is None or magic.kind != "cell_magic":
        return None
    if magic.name in SHELL_CELLS:
        return magic
    if magic.name == "script":
        words = [w for w in magic.args.split() if not w.startswith("-")]
        return magic if words and words[0].rsplit("/", 1)[-1] in SHELLS else None
    return None


def _shell_cell_commands(cell: Cell, magic: Escape) -> Iterator[Command]:
    lines = cell.lines
    index = magic.line  # 0-based index of the first body line
    while index < len(lines):
        start, text = index, lines[index]
        while text.rstrip().endswith("\\") and index + 1 < len(lines):
            index += 1
            text = text.rstrip()[:-1] + " " + lines[index].strip()
        command = text.strip()
        if command and not command.startswith("#"):
            first = lines[start]
            column = len(first) - len(first.lstrip()) + 1
            span = (start + 1, column, start + 1, len(first) + 1)
            yield Command(cell, command, _shorten(first.strip()), span, "shell-cell")
        index += 1


def _escape_command(cell: Cell, escape: Escape) -> Command | None:
    lines = cell.lines
    line = lines[escape.line - 1] if 0 < escape.line <= len(lines) else ""
    span = (escape.line, escape.column, escape.line, escape.end_column)
    bang = None
    if escape.kind == "shell" and escape.automagic:
        via, text = "alias", line[escape.column - 1 :]
    elif escape.kind == "shell":
        position = line.find("!", escape.column - 1)
        if position < 0:
            return None
        double = line.startswith("!!", position)
        via = "capture" if double or escape.target else "bang"
        text = line[position + (2 if double else 1) :]
        bang = position + 1 if via == "bang" else None
    elif escape.kind == "line_magic" and escape.name in ("system", "sx"):
        via = "capture" if escape.target or escape.name == "sx" else "system"
        text = escape.args
    elif escape.kind == "line_magic" and escape.name in INSTALL_MAGICS:
        via, text = "magic", f"{escape.name} {escape.args}"
    else:
        return None
    index = escape.line - 1
    while text.rstrip().endswith("\\") and index + 1 < len(lines):  # continued on the next line
        index += 1
        text = text.rstrip()[:-1] + " " + lines[index].strip()
    if not text.strip():
        return None  # a lone "!" runs nothing
    return Command(cell, text.strip(), _shorten(line.strip()), span, via, bang)


def _call_commands(ctx: NotebookContext) -> Iterator[Command]:
    """``subprocess.run([sys.executable, "-m", "pip", "install", ...])``, ``os.system("...")``."""
    if not callees(ctx).any_written(_SHELL_CALL_NAMES):
        return
    for index in ctx.indexes:
        cell, parsed = index.cell, index.parsed
        candidates = [node for node in index.nodes(ast.Call) if _maybe_shell_call(node)]
        if not candidates or not _SHELL_CALL_TEXT.search(cell.source):
            continue
        for node in candidates:
            if ctx.qualified_name(node.func) in SHELL_CALLS or _ipython_system(node.func):
                command = _call_command(ctx, cell, parsed, node)
                if command is not None:
                    yield command


def _ipython_system(func: ast.expr) -> bool:
    """``get_ipython().system(...)`` / ``.getoutput(...)``: what ``!cmd`` turns into."""
    return (
        isinstance(func, ast.Attribute)
        and func.attr in ("system", "getoutput")
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "get_ipython"
    )


def _maybe_shell_call(node: ast.AST) -> bool:
    """A cheap test before resolving the callee (which needs the notebook's imports)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name in _SHELL_CALL_NAMES


def _call_command(
    ctx: NotebookContext, cell: Cell, parsed: ParsedCell, node: ast.Call
) -> Command | None:
    keywords = (k.value for k in node.keywords if k.arg in ("args", "cmd", "command"))
    argument = node.args[0] if node.args else next(keywords, None)
    text = _call_text(ctx, argument)
    if not text:
        return None
    via = "system" if _ipython_system(node.func) else "call"  # `!cmd` spelled out
    return Command(cell, text, _shorten(text), parsed.position(node), via)


def _call_text(ctx: NotebookContext, node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, (ast.List, ast.Tuple)) or not node.elts:
        return None
    words = []
    for element in node.elts:
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            words.append(shlex.quote(element.value))
        elif ctx.qualified_name(element) == "sys.executable":
            words.append("python")
        elif words:
            words.append(_placeholder(element))  # a variable: its version is unknown here
        else:
            return None  # the program itself is not known
    return " ".join(words)


def _placeholder(node: ast.expr) -> str:
    try:
        return "{" + ast.unparse(node) + "}"
    except RecursionError:  # a pathologically deep expression
        return "{...}"


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
