"""Cell source as package code: the role marker dropped, bodies indented into functions, and
the predict cell's trailing expression turned into ``return``.

Text is moved, never re-printed from the AST, so the user's comments and layout survive;
lines inside multi-line strings are never re-indented, because that would change the string.
"""

from __future__ import annotations

import ast
import io
import tokenize

from nb2prod.notebook import Cell
from nb2prod.roles import role_marks


def cell_code(cell: Cell) -> str:
    """The cell's source without the role marker line (``%%nb2prod ROLE``, ``#| nb2prod:``),
    which is blanked rather than removed so line numbers still match the cell."""
    lines = list(cell.lines)
    marked = {mark.text for mark in role_marks(cell) if mark.where != "tag"}
    for number, line in enumerate(lines):
        if line.strip():
            if line.strip() in marked:
                lines[number] = ""
            break
    return "\n".join(lines).strip("\n").rstrip() + "\n" if any(s.strip() for s in lines) else ""


def with_return(source: str, tree: ast.Module) -> str:
    """``source`` with its last statement, an expression, returned; ``tree`` is its parse
    with the same line numbers."""
    last = tree.body[-1]
    lines = source.split("\n")
    row = last.lineno - 1
    lines[row] = lines[row][: last.col_offset] + "return " + lines[row][last.col_offset :]
    return "\n".join(lines)


def indented(source: str, prefix: str = "    ") -> str:
    """``source`` indented by ``prefix`` except lines that continue a multi-line string."""
    keep = _string_continuation_lines(source)
    return "\n".join(
        prefix + line if line.strip() and number not in keep else line
        for number, line in enumerate(source.split("\n"), start=1)
    )


def _string_continuation_lines(source: str) -> set[int]:
    """1-based numbers of lines that start inside a string token."""
    inside: set[int] = set()
    fstring_starts: list[int] = []  # Python 3.12+ tokenizes f-strings in parts
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            kind = tokenize.tok_name.get(token.type, "")
            if token.type == tokenize.STRING:
                inside.update(range(token.start[0] + 1, token.end[0] + 1))
            elif kind == "FSTRING_START":
                fstring_starts.append(token.start[0])
            elif kind == "FSTRING_END" and fstring_starts:
                inside.update(range(fstring_starts.pop() + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):  # parsed earlier, so this is not expected
        pass
    return inside
