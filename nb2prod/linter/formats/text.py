"""The ``text`` report: findings grouped by notebook with code frames, blockers first, then
a summary.  Info findings are counted in one line unless asked for (``--show-info``)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable

from nb2prod.credentials import redact_text
from nb2prod.credentials.notebooks import cell_secrets, mask_keeping_length
from nb2prod.linter.engine import LintReport
from nb2prod.linter.formats.sources import ReportSources
from nb2prod.linter.rule import Finding
from nb2prod.notebook import Cell

_TAB_SIZE = 4
#: Longer source lines are shown as a window around the flagged columns.
_FRAME_WIDTH = 120
#: Longer spans show their first and last lines around an ellipsis.
_FRAME_LINES = 5
#: Rules whose flagged span in the source is a credential (NB502's is in an output).
_SECRET_IN_SOURCE = frozenset({"NB501", "NB503"})
_SEVERITY_COLORS = {"error": "red", "warning": "yellow", "info": "cyan"}


def render_text(
    report: LintReport,
    sources: ReportSources | None = None,
    *,
    color: bool = False,
    show_info: bool = False,
) -> str:
    """Findings grouped by file, each with a code frame, then a summary line.

    In each file errors and warnings come first, in document order; info findings follow
    with ``show_info``, else one line counts them for the whole run.
    """
    sources = sources or ReportSources()
    style = styler(color)
    findings = report.findings
    by_path: dict[str, list[Finding]] = {}
    for finding in shown_findings(findings, show_info):
        by_path.setdefault(finding.path, []).append(finding)
    unexplained = _unexplained_errors(report)
    blocks: list[str] = []
    for path in _ordered_paths(report, by_path, unexplained):
        lines = [style(printable(path), bold=True, underline=True)]
        for finding in by_path.get(path, []):
            lines += finding_block(finding, sources, style)
        if path in unexplained:
            lines.append(
                "  " + style("error:", fg="red", bold=True) + " " + printable(unexplained[path])
            )
        blocks.append("\n".join(lines))
    hidden = None if show_info else hidden_info_note(findings)
    if hidden:
        blocks.append(style(hidden, fg=_SEVERITY_COLORS["info"]))
    blocks.append(_summary(report, unexplained, style))
    return "\n\n".join(blocks) + "\n"


def shown_findings(findings: list[Finding], show_info: bool) -> list[Finding]:
    """``findings`` (in report order) as the text report lists them: in each file errors and
    warnings first, then info findings, only with ``show_info``."""
    if not show_info:
        return [f for f in findings if f.severity != "info"]
    # A stable sort: each file stays together, in its order, with its info findings last.
    paths = {path: rank for rank, path in enumerate(dict.fromkeys(f.path for f in findings))}
    return sorted(findings, key=lambda f: (paths[f.path], f.severity == "info"))


def hidden_info_note(findings: list[Finding]) -> str | None:
    """``+ 37 info findings hidden (NB704 ×30, NB002 ×7); --show-info to list them``, or
    None when there is no info finding."""
    counts = Counter(f.code for f in findings if f.severity == "info")
    total = sum(counts.values())
    if not total:
        return None
    by_code = ", ".join(
        f"{code} ×{count}" for code, count in sorted(counts.items(), key=lambda c: (-c[1], c[0]))
    )
    them = "them" if total > 1 else "it"
    return f"+ {_plural(total, 'info finding')} hidden ({by_code}); --show-info to list {them}"


_EFFECTS = {"bold": 1, "dim": 2, "underline": 4}
_ANSI = {"red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36, "white": 37}


def styler(color: bool) -> Callable[..., str]:
    """``style(text, fg=COLOR, bold=True, ...)``: ANSI colours and effects (bold, dim,
    underline) for a terminal, else the text itself."""
    if not color:
        return lambda text, **_: text

    def style(text: str, fg: str | None = None, **effects: bool) -> str:
        codes = ([_ANSI[fg]] if fg else []) + [_EFFECTS[e] for e, on in effects.items() if on]
        return "".join(f"\x1b[{code}m" for code in codes) + text + "\x1b[0m" if codes else text

    return style


def _unexplained_errors(report: LintReport) -> dict[str, str]:
    """Files in error whose error no NB003 finding tells (NB003 ignored, a failed fix)."""
    return {
        r.path: r.error or "error"
        for r in report.files
        if r.status == "error" and not any(f.code == "NB003" for f in r.findings)
    }


def _ordered_paths(report: LintReport, by_path: dict, unexplained: dict) -> list[str]:
    paths = list(by_path)
    paths += [r.path for r in report.files if r.path in unexplained and r.path not in by_path]
    return paths


def finding_block(finding: Finding, sources: ReportSources, style) -> list[str]:
    """The header line of one finding, its code frame and its fix hint."""
    color = _SEVERITY_COLORS.get(finding.severity, "white")
    if finding.cell is None:
        where = "notebook"
    else:
        where = f"cell {finding.cell}"
        if finding.cell_id:
            where += f" [id {printable(finding.cell_id)}]"
        if finding.line is not None:
            where += f" {finding.line}:{finding.column or 1}"
    header = (
        f"  {style(where + ':', bold=True)} {style(finding.code, fg=color, bold=True)} "
        f"{style(finding.severity, fg=color)} {style('(' + finding.name + ')', dim=True)} "
        f"{printable(finding.message)}"
    )
    lines = [header]
    cell = sources.cell(finding)
    if cell is not None:
        lines += _frame(finding, cell, style, color)
    if finding.fix:
        gutter = " " * (_gutter_width(finding, cell) + 3)
        lines.append(
            f"{gutter}{style('=', fg='blue', bold=True)} fix: {printable(finding.fix)} (--fix)"
        )
    return lines


def _gutter_width(finding: Finding, cell: Cell | None) -> int:
    """Width of the line numbers of the frame (the last line shown is the widest)."""
    if cell is None:
        return 1
    return len(str(min(max(finding.end_line or 1, finding.line or 1, 1), len(cell.lines))))


def _frame(finding: Finding, cell: Cell, style, color: str) -> list[str]:
    """Source lines of the finding with a caret underline, clamped to the cell."""
    source = cell.lines
    first = min(max(finding.line or 1, 1), len(source))
    last = min(max(finding.end_line or first, first), len(source))
    clamped = first != (finding.line or 1)
    numbers: list[int | None] = list(range(first, last + 1))
    if len(numbers) > _FRAME_LINES:
        numbers = numbers[:2] + [None] + numbers[-2:]
    width = _gutter_width(finding, cell)
    blank = " " * (width + 3)
    bar = style("|", fg="blue", bold=True)
    out = [f"{blank}{bar}"]
    for number in numbers:
        if number is None:
            out.append(style("...".rjust(width + 2), fg="blue", bold=True))
            continue
        text = source[number - 1]
        start = (finding.column or 1) if number == first and not clamped else _indent_column(text)
        end = (
            finding.end_column
            if number == last and finding.end_line == last and not clamped
            else None
        )
        end = end if end is not None else len(text) + 1
        if finding.code in _SECRET_IN_SOURCE:  # the flagged span is the credential itself
            text = text[: start - 1] + "*" * max(0, end - start) + text[end - 1 :]
        # Any other credential on the line: another finding's (a frame quotes the whole
        # line), the cell's literals under secret names, cut-short tokens.
        text = mask_keeping_length(text, cell_secrets(cell.source))
        text = redact_text(text, keep_length=True)
        shown, caret_at, caret_len = _window(text, start, end)
        gutter = style(f"{number:>{width}}", fg="blue", bold=True)
        out.append(f"  {gutter} {bar} {shown}".rstrip())
        if text.strip() or number in (first, last):
            carets = style("^" * caret_len, fg=color, bold=True)
            out.append(f"{blank}{bar} {' ' * caret_at}{carets}")
    return out


def _indent_column(text: str) -> int:
    return len(text) - len(text.lstrip()) + 1


def _window(text: str, start: int, end: int) -> tuple[str, int, int]:
    """``text`` as displayed, the display column and width of the caret for ``[start, end)``.

    Tabs expand to the next tab stop, wide (CJK, emoji) characters take two columns,
    combining marks none, control characters are shown escaped; lines wider than
    _FRAME_WIDTH show a window around the flagged columns between ellipses.
    """
    pieces = [_display_char(ch) for ch in text]
    columns = [0]
    for piece, char in zip(pieces, text, strict=True):
        columns.append(columns[-1] + _width(piece, char, columns[-1]))
    pieces = [p if p != "\t" else " " * (columns[i + 1] - columns[i]) for i, p in enumerate(pieces)]
    start = min(max(start, 1), len(text) + 1)
    end = min(max(end, start), len(text) + 1)
    caret_from, caret_to = columns[start - 1], columns[end - 1]
    caret_len = max(1, caret_to - caret_from)
    if columns[-1] <= _FRAME_WIDTH:
        return "".join(pieces), caret_from, caret_len
    # Some context before the carets; near the end of the line, fill the window backwards.
    left = max(0, min(caret_from - _FRAME_WIDTH // 3, columns[-1] - _FRAME_WIDTH))
    right = left + _FRAME_WIDTH
    kept = [i for i in range(len(text)) if columns[i] >= left and columns[i + 1] <= right]
    if not kept:
        return "…", 0, 1
    first, last = kept[0], kept[-1]
    lead, trail = first > 0, last < len(text) - 1
    shown = ("…" if lead else "") + "".join(pieces[first : last + 1]) + ("…" if trail else "")
    origin = columns[first] - (1 if lead else 0)  # display column of the first shown character
    caret_from = min(max(caret_from, columns[first]), columns[last + 1])
    caret_to = min(caret_to, columns[last + 1]) if trail else caret_to
    return shown, caret_from - origin, max(1, caret_to - caret_from)


def _display_char(char: str) -> str:
    if char == "\t":
        return "\t"
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
        return char.encode("unicode_escape").decode("ascii")
    return char


def _width(piece: str, char: str, column: int) -> int:
    if piece == "\t":
        return _TAB_SIZE - column % _TAB_SIZE
    if piece != char:
        return len(piece)  # an escaped control character
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def printable(text: str) -> str:
    """``text`` with control characters escaped, so it cannot drive the terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else _display_char(ch) for ch in text)


def _summary(report: LintReport, unexplained: dict[str, str], style) -> str:
    """The last line: counts by severity, notebooks affected, fixes made and available."""
    fixed = f"Fixed {_plural(report.fixed, 'problem')}. " if report.fixed else ""
    findings = report.findings
    total = len(report.files)
    notebooks = _plural(total, "notebook")
    if not findings:
        if not total:
            return fixed + "No notebooks to check."
        if unexplained:
            broken = _plural(len(unexplained), "notebook")
            return f"{fixed}No problems found, but {broken} in error (see above)."
        return style(f"{fixed}All checks passed ({notebooks}).", fg="green", bold=True)
    counts = Counter(f.severity for f in findings)
    parts = [
        f"{counts[severity]} {severity}{'' if counts[severity] == 1 or severity == 'info' else 's'}"
        for severity in ("error", "warning", "info")
        if counts[severity]
    ]
    affected = len({f.path for f in findings})
    where = notebooks if total == 1 else f"{affected} of {notebooks}"
    line = f"{fixed}Found {_plural(len(findings), 'problem')} ({', '.join(parts)}) in {where}"
    fixable = sum(1 for f in findings if f.fix)
    line += f"; {fixable} fixable with --fix." if fixable else "."
    worst = "error" if counts["error"] else "warning" if counts["warning"] else "info"
    return style(line, fg=_SEVERITY_COLORS[worst], bold=True)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
