"""IPython-aware parsing of cell source that keeps every line number in place.

IPython syntax (``%magic``, ``%%cell`` magics, ``!shell``, ``x = !cmd``, ``obj?``,
automagic such as ``cd data`` or ``pip install x``) is not Python, and IPython's own
transformer folds cell-magic bodies into string literals and shifts lines.  Here each
escape line is replaced by ``pass`` (or ``x = None`` for ``x = !cmd``) at the same
indentation, so ``ast`` parses the cell and every node keeps its line; each escape is
recorded as an :class:`Escape` for the rules.  IPython's transformer is imported only
when masking alone cannot make a cell parse (it costs ~0.1 s), to tell valid IPython
from a real syntax error.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field

from nb2prod.ipython_source import IPYTHON_TRANSFORMS, as_ipython_runs_it
from nb2prod.lexing import LexState, comment_start

#: Cell magics whose body is Python code run in the user namespace.
PYTHON_CELL_MAGICS = frozenset(
    {
        "time",
        "timeit",
        "capture",
        "prun",
        "debug",
        "python",
        "python3",
        "pypy",
        "ipytest",
        "nb2prod",
        "memit",
        "mprun",
        "snakeviz",
        "scalene",
        "heat",
        "cython_inline",
    }
)
#: Cell magics whose body is shell commands.
SHELL_CELL_MAGICS = frozenset({"bash", "sh", "script", "system", "zsh"})

#: Line magics and shell aliases IPython runs without ``%`` (automagic), as a first word.
AUTOMAGICS = frozenset(
    """alias alias_magic autoawait autocall automagic autosave bookmark cd clear colors conda
    config connect_info debug dhist dirs doctest_mode edit env gui hist history killbgscripts
    load load_ext loadpy logoff logon logstart logstate logstop lsmagic macro magic mamba
    matplotlib micromamba notebook page pastebin pdb pdef pdoc pfile pinfo pinfo2 pip popd
    pprint precision prun psearch psource pushd pwd pycat pylab quickref recall rehashx
    reload_ext rerun reset reset_selective run save sc set_env store sx system tb time timeit
    unalias unload_ext who who_ls whos xdel xmode uv cat cp ldir lf lk ll ls lx mkdir mv rm
    rmdir man more less""".split()
)
#: Automagics that IPython defines as aliases of shell commands.
SHELL_ALIASES = frozenset("cat cp ldir lf lk ll ls lx mkdir mv rm rmdir man more less".split())
#: Automagics that are commands even alone on a line (others alone are just names).
BARE_AUTOMAGICS = frozenset(
    {"pwd", "ls", "ll", "who", "whos", "lsmagic", "dhist", "dirs", "popd", "quickref"}
)

#: Databricks' per-cell language lines (``%sql`` ...), which act as cell magics there.
_DATABRICKS_LANGUAGE = re.compile(r"%(?:sql|scala|r|md|md-sandbox|sh|fs|python)\s*$")

_FLAGS = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


def _word_trie(words: frozenset[str]) -> str:
    """A regex matching any of ``words``, as a prefix tree: ``re`` tries a flat
    alternation word by word at every line, a tree one character at a time."""
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(char) + emit(node[char]) for char in sorted(node) if char]
        if not branches:
            return ""
        ends_here = "" in node
        body = branches[0] if len(branches) == 1 and not ends_here else f"(?:{'|'.join(branches)})"
        return body + ("?" if ends_here else "")

    return emit(tree)


#: Lines that may hold an IPython escape (``!``, ``%``, ``?``).
_ESCAPE_LINE = re.compile(r"^[ \t]*(?:[%!?]|\w+[ \t]*=[ \t]*[!%])|\?[ \t]*$", re.M)
#: Lines that may be an automagic (``pip install x``, ``ls``).
_AUTOMAGIC_START = re.compile(
    rf"^[ \t]*(?:(?:{_word_trie(AUTOMAGICS)})\b(?![ \t]*(?:[=(\[.,:)]|$))"
    rf"|(?:{_word_trie(BARE_AUTOMAGICS)})[ \t]*$)",
    re.M,
)


def _may_hold_ipython(text: str) -> bool:
    """Whether a line of ``text`` may hold IPython syntax; cells without one are parsed as
    plain Python.  The escape scan runs only where an escape character is (most cells
    have none): it is half the cost of this check on a corpus."""
    if ("%" in text or "!" in text or "?" in text) and _ESCAPE_LINE.search(text):
        return True
    return _AUTOMAGIC_START.search(text) is not None


_ASSIGN_ESCAPE = re.compile(r"([A-Za-z_]\w*(?:[ \t]*,[ \t]*[A-Za-z_]\w*)*)[ \t]*=[ \t]*([!%])")
_AUTOMAGIC_LINE = re.compile(r"([A-Za-z_]\w*)(?:([ \t]+)(.*))?$")
_PYTHON_AFTER_NAME = re.compile(r"(?:=(?!=)|[+\-*/%@&|^<>]=|\*\*=|//=|>>=|<<=|[(\[,:)])")


@dataclass(frozen=True)
class Escape:
    """One piece of IPython syntax found in a cell.

    ``kind`` is ``line_magic``, ``cell_magic``, ``shell`` or ``help``; ``name`` is the
    magic name (``pip`` for ``%pip``) or, for shell commands, the command word
    (``pip`` for ``!pip install x``); ``args`` is the rest of the command.  Lines and
    columns are 1-based in the cell's source; ``end_column`` is exclusive.
    """

    kind: str
    name: str
    args: str
    line: int
    column: int
    end_column: int
    target: str | None = None
    automagic: bool = False

    @property
    def is_shell(self) -> bool:
        """True for ``!cmd``, ``%%bash`` bodies and the ``%system``/``%sx`` magics."""
        return self.kind == "shell" or (self.kind == "line_magic" and self.name in ("system", "sx"))


@dataclass(frozen=True)
class SyntaxProblem:
    """A real syntax error: 1-based line and column within the cell."""

    line: int
    column: int
    message: str


@dataclass
class ParsedCell:
    """The result of parsing one cell's source."""

    source: str
    tree: ast.Module | None = None
    escapes: list[Escape] = field(default_factory=list)
    error: SyntaxProblem | None = None
    cell_magic: str | None = None
    shifts: list[int] = field(default_factory=list)  # columns removed by IPython's dedent

    @property
    def python(self) -> bool:
        """True when the cell's text is Python (possibly under a Python-bodied magic)."""
        return self.cell_magic is None or self.cell_magic in PYTHON_CELL_MAGICS

    @functools.cached_property
    def lines(self) -> list[str]:
        return self.source.split("\n")

    def position(self, node: ast.AST) -> tuple[int, int, int, int]:
        """1-based ``(line, column, end_line, end_column)`` of ``node`` in the cell."""
        lines = self.lines
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        column = self._column(lines, line, getattr(node, "col_offset", 0))
        end_column = self._column(lines, end_line, getattr(node, "end_col_offset", None))
        return line, column, end_line, end_column

    def _column(self, lines: list[str], line: int, byte_offset: int | None) -> int:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        shift = self.shifts[line - 1] if 0 < line <= len(self.shifts) else 0
        if byte_offset is None:
            return len(text) + 1
        body = text[shift:]
        if not body.isascii():  # ast columns count UTF-8 bytes
            byte_offset = len(body.encode("utf-8")[:byte_offset].decode("utf-8", "ignore"))
        return shift + byte_offset + 1


def parse_cell(source: str, *, databricks: bool = False) -> ParsedCell:
    """Parse a code cell's source as IPython; never raises.

    ``databricks``: the notebook comes from Databricks, where a first line such as
    ``%sql`` or ``%scala`` sets the language of the whole cell, like a cell magic.
    """
    try:
        return _parse(source, databricks)
    except (RecursionError, MemoryError):
        # CPython cannot compile it either ("maximum recursion depth exceeded during
        # compilation"), so this is a real error of the cell, not of nb2prod.
        problem = SyntaxProblem(1, 1, "too deeply nested for Python to compile")
        return ParsedCell(source=source, error=problem)


def _parse(source: str, databricks: bool) -> ParsedCell:
    parsed = ParsedCell(source=source)
    body = source.lstrip("\n")
    if body[:1] not in (" ", "\t", "%", "") and not _may_hold_ipython(source):
        # The common case: plain Python, no indentation to strip, no IPython syntax.
        try:
            parsed.tree = compile(source, "<cell>", "exec", _FLAGS)
            return parsed
        except (SyntaxError, ValueError):
            pass  # maybe IPython syntax the quick scan did not see: the full path decides
    lines = source.split("\n")
    first = next((i for i, text in enumerate(lines) if text.strip()), None)
    if first is None:
        parsed.tree = ast.Module(body=[], type_ignores=[])
        return parsed
    head = lines[first].lstrip()
    if head.startswith("%%") or (databricks and _DATABRICKS_LANGUAGE.match(head)):
        if not _cell_magic(parsed, lines, first):
            return parsed  # a non-Python cell magic: nothing to parse as Python
        lines = [""] * (first + 1) + lines[first + 1 :]
    lines, parsed.shifts = _dedent(lines)
    code = "\n".join(lines)
    if not _may_hold_ipython(code):
        try:
            parsed.tree = compile(code, "<cell>", "exec", _FLAGS)
            return parsed
        except (SyntaxError, ValueError):
            pass  # maybe IPython syntax the quick scan did not see; mask anyway
    masked = _mask(lines, parsed)
    try:
        parsed.tree = compile("\n".join(masked), "<cell>", "exec", _FLAGS)
    except (SyntaxError, ValueError) as exc:
        _fallback(parsed, "\n".join(lines), masked, exc)
    return parsed


# --------------------------------------------------------------------------- tree walks


#: Fields that hold names, numbers or flags, or the Load/Store/operator singletons.
_LEAF_FIELDS = frozenset(
    {
        "id",
        "arg",
        "attr",
        "name",
        "kind",
        "type_comment",
        "module",
        "level",
        "conversion",
        "is_async",
        "asname",
        "tag",
        "rest",
        "kwd_attrs",
        "simple",
        "lineno",
        "ctx",
        "op",
    }
)


@functools.cache
def child_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    """The fields of AST node type ``kind`` that can hold child nodes, in source order.

    Tree walks run on every node of every cell; skipping fields that never hold a
    node (names, flags, the shared Load/Store singletons) makes them markedly faster.
    """
    leaves = set(_LEAF_FIELDS)
    if kind is ast.Constant or kind is ast.MatchSingleton:
        leaves.add("value")
    if kind is ast.Global or kind is ast.Nonlocal:
        leaves.add("names")
    return tuple(name for name in kind._fields if name not in leaves)


# --------------------------------------------------------------------------- cell magics


def _cell_magic(parsed: ParsedCell, lines: list[str], first: int) -> bool:
    """Record the ``%%magic`` on line ``first``; return True when its body is Python."""
    text = lines[first]
    column = len(text) - len(text.lstrip())
    name, _, args = text.strip().lstrip("%").partition(" ")
    args = args.strip()
    parsed.cell_magic = name
    target = None
    if name == "capture":  # %%capture [--no-stdout ...] [name]
        words = [w for w in args.split() if not w.startswith("-")]
        target = words[0] if words and words[0].isidentifier() else None
    parsed.escapes.append(
        Escape("cell_magic", name, args, first + 1, column + 1, len(text) + 1, target)
    )
    if name in PYTHON_CELL_MAGICS:
        return True
    script = args.split()[0] if args.split() else ""
    if name in SHELL_CELL_MAGICS and (name != "script" or script in ("bash", "sh", "zsh")):
        for number, body in enumerate(lines[first + 1 :], start=first + 2):
            command = body.strip()
            if command and not command.startswith("#"):
                parsed.escapes.append(_shell(command, number, len(body) - len(body.lstrip()), body))
    return False


def _shell(command: str, line: int, column0: int, text: str, target: str | None = None) -> Escape:
    word, _, args = command.strip().partition(" ")
    return Escape(
        "shell", word.rsplit("/", 1)[-1], args.strip(), line, column0 + 1, len(text) + 1, target
    )


# --------------------------------------------------------------------------- masking


def _dedent(lines: list[str]) -> tuple[list[str], list[int]]:
    """IPython strips the first code line's indentation from every line that has it."""
    first = next((text for text in lines if text.strip()), "")
    indent = first[: len(first) - len(first.lstrip())]
    if not indent:
        return lines, [0] * len(lines)
    shifts = [len(indent) if text.startswith(indent) else 0 for text in lines]
    return [text[shift:] for text, shift in zip(lines, shifts)], shifts


def _mask(lines: list[str], parsed: ParsedCell) -> list[str]:
    """Replace IPython escape lines by same-indent Python, recording each escape."""
    masked = list(lines)
    state = LexState()
    continuing = False  # inside a backslash-continued escape
    for index, text in enumerate(lines):
        if continuing:
            masked[index] = ""
            continuing = text.rstrip().endswith("\\")
            continue
        if state.at_statement_start:
            escape, replacement = _classify(text, index + 1, parsed.shifts[index])
            if escape is not None:
                parsed.escapes.append(escape)
                masked[index] = replacement
                continuing = text.rstrip().endswith("\\")
                continue
        state.feed(text)
    return masked


def _classify(text: str, line: int, shift: int) -> tuple[Escape | None, str]:
    """The escape on a statement-start ``text`` and its Python stand-in, or ``(None, "")``."""
    body = text.lstrip()
    indent = text[: len(text) - len(body)]
    column0 = shift + len(indent)
    end = shift + len(text) + 1
    pass_line = indent + "pass"
    if not body or body.startswith("#"):
        return None, ""
    if body.startswith("!"):
        return _shell(body.lstrip("!"), line, column0, " " * shift + text), pass_line
    if body.startswith("%"):
        name, _, args = body.lstrip("%").partition(" ")
        return Escape("line_magic", name, args.strip(), line, column0 + 1, end), pass_line
    if body.startswith("?"):
        return Escape("help", "", body.strip("? \t"), line, column0 + 1, end), pass_line
    assign = _ASSIGN_ESCAPE.match(body)
    if assign:
        target, sign = assign.group(1), assign.group(2)
        rest = body[assign.end() :]
        stand_in = f"{indent}{target} = None"
        if sign == "!":
            return _shell(rest, line, column0, " " * shift + text, target), stand_in
        name, _, args = rest.lstrip("%").partition(" ")
        return Escape("line_magic", name, args.strip(), line, column0 + 1, end, target), stand_in
    if body.rstrip().endswith("?") and not _has_comment(body):
        return Escape(
            "help", "", body.rstrip().rstrip("?").strip(), line, column0 + 1, end
        ), pass_line
    word = _AUTOMAGIC_LINE.match(body)
    if word and word.group(1) in AUTOMAGICS:
        name, space, rest = word.group(1), word.group(2), (word.group(3) or "").strip()
        bare = not rest and name in BARE_AUTOMAGICS
        if bare or (space and rest and not _PYTHON_AFTER_NAME.match(rest)):
            kind = "shell" if name in SHELL_ALIASES else "line_magic"
            return Escape(kind, name, rest, line, column0 + 1, end, automagic=True), pass_line
    return None, ""


def _has_comment(text: str) -> bool:
    return comment_start(text) is not None


# --------------------------------------------------------------------------- fallback


def _fallback(parsed: ParsedCell, code: str, masked: list[str], error: Exception) -> None:
    """Masking left a syntax error: ask IPython whether the cell is valid IPython."""
    tree = None
    if _ipython_may_fix(code.split("\n"), getattr(error, "lineno", None)):
        try:
            transformed = as_ipython_runs_it(code)
            tree = compile(transformed, "<cell>", "exec", _FLAGS)
        except Exception:  # SyntaxError, RuntimeError (IPython's transformer loop)
            tree = None
    if tree is not None:
        # Valid IPython.  Positions are only trustworthy if no line moved.
        if transformed.count("\n") == code.count("\n") + (0 if code.endswith("\n") else 1):
            parsed.tree = tree
        return
    # compile() also raises ValueError (a NUL byte, a lone surrogate), without a position.
    line = max(1, min(getattr(error, "lineno", None) or 1, len(masked)))
    offset = getattr(error, "offset", None) or 1
    column = offset + (parsed.shifts[line - 1] if line <= len(parsed.shifts) else 0)
    message = getattr(error, "msg", None) or str(error) or "invalid syntax"
    parsed.error = SyntaxProblem(line, column, message)
    parsed.tree = _partial_tree(masked, line)


def _ipython_may_fix(lines: list[str], error_line: int | None) -> bool:
    """False when IPython would run the erroneous line as it is: no IPython syntax on it or
    before it, and it is a statement on its own line (a ``?`` ending a later line of the
    same statement turns the whole statement into a help request).  Prose typed into a
    code cell is the common case; asking IPython costs its import in every lint worker."""
    if error_line is None or not 0 < error_line <= len(lines):
        return True
    if IPYTHON_TRANSFORMS.search("\n".join(lines[:error_line])):
        return True
    state = LexState()
    for text in lines[: error_line - 1]:
        state.feed(text)
    if not state.at_statement_start:
        return True
    state.feed(lines[error_line - 1])
    return not state.at_statement_start


def _partial_tree(masked: list[str], error_line: int) -> ast.Module | None:
    """Parse what surrounds a syntax error so the other checks still see that code."""
    body: list[ast.stmt] = []
    try:
        body += compile("\n".join(masked[: error_line - 1]), "<cell>", "exec", _FLAGS).body
    except (SyntaxError, ValueError):
        pass
    attempts = 0
    for start in range(error_line, len(masked)):
        text = masked[start]
        if not text or text[0].isspace() or text.startswith("#"):
            continue
        attempts += 1
        try:
            rest = "\n" * start + "\n".join(masked[start:])
            body += compile(rest, "<cell>", "exec", _FLAGS).body
            break
        except (SyntaxError, ValueError):
            if attempts >= 20:
                break
    return ast.Module(body=body, type_ignores=[]) if body else None
