"""Lint report formats: ``text`` (terminal), ``json``, ``sarif``, ``github``, ``junit``.

Every format locates a finding twice: in the cell (``cell 3``, line and column inside
the cell, as the Jupyter UI counts) and in the ``.ipynb`` file (``ipynb_line`` and a
physical column), so CI annotations and code-scanning alerts land on the JSON line
that holds the flagged source text.  The report carries only findings; code frames and
physical columns come from re-reading the notebooks, lazily, once per file, and a file
that cannot be re-read only loses its frame.  ``docs/output-formats.md`` documents
every format; the JSON and SARIF shapes are a stable contract.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path, PurePath

from nb2prod import __version__
from nb2prod.errors import UsageError
from nb2prod.lint.engine import FileResult, LintReport
from nb2prod.lint.rule import REGISTRY, Finding
from nb2prod.notebook import Cell, Notebook, load_notebook

FORMATS = ("text", "json", "sarif", "github", "junit")

#: The repository, used when the installed metadata names no GitHub URL.
DEFAULT_REPOSITORY = "https://github.com/nb2prod/nb2prod"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render(report: LintReport, fmt: str, *, color: bool = False) -> str:
    """``report`` as text in format ``fmt`` (one of FORMATS); ``color`` only affects ``text``."""
    renderers: dict[str, Callable[[LintReport, _Sources], str]] = {
        "json": lambda r, _s: render_json(r),
        "sarif": render_sarif,
        "github": render_github,
        "junit": render_junit,
        "text": lambda r, s: render_text(r, s, color=color),
    }
    if fmt not in renderers:
        raise UsageError(f"unknown report format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    return renderers[fmt](report, _Sources())


# --------------------------------------------------------------------------- sources


class _Sources:
    """The notebooks behind a report, re-read on demand (for frames and physical columns)."""

    def __init__(self) -> None:
        self._notebooks: dict[str, Notebook | None] = {}
        self._line_starts: dict[str, list[int]] = {}

    def notebook(self, path: str) -> Notebook | None:
        if path not in self._notebooks:
            try:
                self._notebooks[path] = load_notebook(path)
            except Exception:  # a missing frame must never cost the report
                self._notebooks[path] = None
        return self._notebooks[path]

    def cell(self, finding: Finding) -> Cell | None:
        """The finding's cell, if the file still holds it (same id when there is one)."""
        if finding.cell is None:
            return None
        notebook = self.notebook(finding.path)
        if notebook is None or not 0 < finding.cell <= len(notebook.cells):
            return None
        cell = notebook.cells[finding.cell - 1]
        if finding.cell_id and cell.id != finding.cell_id:
            return None  # the file changed since it was linted
        return cell

    def physical(self, finding: Finding, end: bool = False) -> tuple[int, int] | None:
        """``(line, column)`` in the .ipynb file of the finding's start (or end), 1-based."""
        cell = self.cell(finding)
        if cell is None or finding.line is None:
            return None
        notebook = self.notebook(finding.path)
        line, column = (
            (finding.end_line, finding.end_column) if end else (finding.line, finding.column)
        )
        line = min(max(line or finding.line, 1), len(cell.lines))
        row = cell.lines[line - 1]
        offset = notebook.raw_offset(cell, line, min(max(column or 1, 1), len(row) + 1))
        if offset is None:
            return None
        if finding.path not in self._line_starts:
            starts = [0] + [m.end() for m in re.finditer("\n", notebook.text)]
            self._line_starts[finding.path] = starts
        physical_line = bisect.bisect_right(self._line_starts[finding.path], offset)
        if physical_line != cell.ipynb_line(line):
            return None  # never report a column the model disagrees with
        return physical_line, offset - self._line_starts[finding.path][physical_line - 1] + 1

    def ipynb_span(self, finding: Finding) -> tuple[int, int | None, int, int | None]:
        """``(line, column, end_line, end_column)`` of the finding in the .ipynb file.

        Lines come from the finding (``ipynb_line``; 1 for notebook-level findings);
        columns are None when the file cannot be re-read or does not match any more.
        """
        line = max(finding.ipynb_line or 1, 1)
        cell = self.cell(finding)
        if cell is None:
            return line, None, line, None
        end_line = max(cell.ipynb_line(finding.end_line or finding.line or 1) or line, line)
        start, end = self.physical(finding), self.physical(finding, end=True)
        column = start[1] if start and start[0] == line else None
        end_ok = column is not None and end is not None and end[0] == end_line and end > start
        return line, column, end_line, end[1] if end_ok else None


# --------------------------------------------------------------------------- json


def render_json(report: LintReport) -> str:
    """``{"version": 1, "findings": [...], "files": [...]}`` (ARCHITECTURE §4.2)."""
    document = {
        "version": 1,
        "findings": [f.to_json() for f in report.findings],
        "files": [r.to_json() for r in report.files],
    }
    return json.dumps(document, indent=2) + "\n"


# --------------------------------------------------------------------------- text

_TAB_SIZE = 4
#: Longer source lines are shown as a window around the flagged columns.
_FRAME_WIDTH = 120
#: Longer spans show their first and last lines around an ellipsis.
_FRAME_LINES = 5
_SEVERITY_COLORS = {"error": "red", "warning": "yellow", "info": "cyan"}


def render_text(report: LintReport, sources: _Sources | None = None, *, color: bool = False) -> str:
    """Findings grouped by file, each with a code frame, then a summary line."""
    sources = sources or _Sources()
    style = _styler(color)
    by_path: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_path.setdefault(finding.path, []).append(finding)
    unexplained = _unexplained_errors(report)
    blocks: list[str] = []
    for path in _ordered_paths(report, by_path, unexplained):
        lines = [style(_printable(path), bold=True, underline=True)]
        for finding in by_path.get(path, []):
            lines += _finding_block(finding, sources, style)
        if path in unexplained:
            lines.append(
                "  " + style("error:", fg="red", bold=True) + " " + _printable(unexplained[path])
            )
        blocks.append("\n".join(lines))
    blocks.append(_summary(report, unexplained, style))
    return "\n\n".join(blocks) + "\n"


def _styler(color: bool) -> Callable[..., str]:
    if not color:
        return lambda text, **_: text
    import click

    return click.style


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


def _finding_block(finding: Finding, sources: _Sources, style) -> list[str]:
    """The header line of one finding, its code frame and its fix hint."""
    color = _SEVERITY_COLORS.get(finding.severity, "white")
    if finding.cell is None:
        where = "notebook"
    else:
        where = f"cell {finding.cell}"
        if finding.cell_id:
            where += f" [id {_printable(finding.cell_id)}]"
        if finding.line is not None:
            where += f" {finding.line}:{finding.column or 1}"
    header = (
        f"  {style(where + ':', bold=True)} {style(finding.code, fg=color, bold=True)} "
        f"{style(finding.severity, fg=color)} {style('(' + finding.name + ')', dim=True)} "
        f"{_printable(finding.message)}"
    )
    lines = [header]
    cell = sources.cell(finding)
    if cell is not None:
        lines += _frame(finding, cell, style, color)
    if finding.fix:
        gutter = " " * (_gutter_width(finding, cell) + 3)
        lines.append(
            f"{gutter}{style('=', fg='blue', bold=True)} fix: {_printable(finding.fix)} (--fix)"
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
    numbers = list(range(first, last + 1))
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
        if REGISTRY[finding.code].family == "secrets":  # never print the credential itself
            text = text[: start - 1] + "*" * max(0, end - start) + text[end - 1 :]
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


def _printable(text: str) -> str:
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


# --------------------------------------------------------------------------- sarif


def render_sarif(report: LintReport, sources: _Sources | None = None) -> str:
    """A SARIF 2.1.0 log with one run, for GitHub code scanning and other SARIF viewers."""
    from nb2prod.lint.rule import all_rules

    sources = sources or _Sources()
    rules = all_rules()
    index = {rule.code: i for i, rule in enumerate(rules)}
    repository, rules_url = project_urls()
    seen: Counter[str] = Counter()
    results = [_sarif_result(f, index, sources, seen) for f in report.findings]
    run = {
        "tool": {
            "driver": {
                "name": "nb2prod",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": repository,
                "rules": [_sarif_rule(rule, rules_url) for rule in rules],
            }
        },
        "invocations": [_sarif_invocation(report)],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"


def _sarif_rule(rule, rules_url: str) -> dict:
    from nb2prod.lint import docs

    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": _doc_section(rule.doc(), "What it does") or rule.summary()},
        "help": {"text": rule.doc(), "markdown": docs.rule_markdown(rule)},
        "helpUri": f"{rules_url}{rule.code}.md",
        "defaultConfiguration": {"level": SARIF_LEVELS[rule.severity.value]},
        "properties": {"tags": ["nb2prod", rule.family]},
    }


def _doc_section(doc: str, title: str) -> str:
    """The text of section ``## title`` of a rule docstring, as one paragraph."""
    match = re.search(rf"^## {re.escape(title)}\s*\n(.*?)(?=^## |\Z)", doc, re.S | re.M)
    return " ".join(match.group(1).split()) if match else ""


def _sarif_result(finding: Finding, index: dict, sources: _Sources, seen: Counter) -> dict:
    result: dict = {"ruleId": finding.code}
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    result["level"] = SARIF_LEVELS.get(finding.severity, "warning")
    result["message"] = {"text": _located_message(finding)}
    result["locations"] = [_sarif_location(finding, sources)]
    result["partialFingerprints"] = {"nb2prodFinding/v1": _fingerprint(finding, sources, seen)}
    if finding.cell is not None:
        result["properties"] = {
            "cell": finding.cell,
            "cell_id": finding.cell_id,
            "line": finding.line,
            "column": finding.column,
            "end_line": finding.end_line,
            "end_column": finding.end_column,
        }
    return result


def _sarif_location(finding: Finding, sources: _Sources) -> dict:
    """The .ipynb region of the finding (physical lines and columns) and its cell."""
    line, column, end_line, end_column = sources.ipynb_span(finding)
    region: dict = {"startLine": line}
    if finding.cell is not None:
        region["endLine"] = end_line
        if column is not None:
            region["startColumn"] = column
        if end_column is not None:
            region["endColumn"] = end_column
    location: dict = {
        "physicalLocation": {"artifactLocation": artifact_location(finding.path), "region": region}
    }
    if finding.cell is not None:
        cell = f"cell {finding.cell}"
        location["logicalLocations"] = [
            {"name": cell, "fullyQualifiedName": f"{finding.path}:{cell}", "kind": "module"}
        ]
    return location


def _sarif_invocation(report: LintReport) -> dict:
    invocation: dict = {"executionSuccessful": True}
    notes = [
        {
            "level": "error",
            "message": {"text": f"{r.path}: {r.error or 'cannot be checked'}"},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_location(r.path)}}],
        }
        for r in report.files
        if r.status == "error"
    ]
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation


def artifact_location(path: str) -> dict:
    """A SARIF artifactLocation: relative to ``%SRCROOT%`` (the working folder) when possible."""
    from urllib.parse import quote

    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(PurePath(path).as_posix(), safe="/"), "uriBaseId": "%SRCROOT%"}


def _fingerprint(finding: Finding, sources: _Sources, seen: Counter) -> str:
    """Stable across cell moves and edits elsewhere: rule, file, cell id, flagged source line."""
    import hashlib

    cell = sources.cell(finding)
    text = ""
    if cell is not None and finding.line:
        lines = cell.lines
        text = " ".join(lines[min(max(finding.line, 1), len(lines)) - 1].split())
    elif finding.cell is None:
        text = finding.message
    key = "\0".join([finding.code, finding.path, finding.cell_id or "", text])
    seen[key] += 1
    return hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()[:32]


def project_urls() -> tuple[str, str]:
    """``(repository URL, base URL of docs/rules/)`` from the project URLs of the metadata."""
    try:
        from importlib.metadata import metadata

        entries = metadata("nb2prod").get_all("Project-URL") or []
    except Exception:  # not installed (running from a source tree)
        entries = []
    pattern = re.compile(
        r"https://github\.com/([^/\s]+)/([^/\s]+?)(?:\.git)?(?:/(?:tree|blob)/([^/\s]+).*)?/?$"
    )
    for entry in entries:
        match = pattern.match(entry.partition(",")[2].strip())
        if match:
            repository = f"https://github.com/{match[1]}/{match[2]}"
            return repository, f"{repository}/blob/{match[3] or 'main'}/docs/rules/"
    return DEFAULT_REPOSITORY, f"{DEFAULT_REPOSITORY}/blob/main/docs/rules/"


def _located_message(finding: Finding) -> str:
    """The message prefixed with its place in the notebook (``cell 3, line 2: ...``)."""
    if finding.cell is None:
        return finding.message
    if finding.line is None:
        return f"cell {finding.cell}: {finding.message}"
    return f"cell {finding.cell}, line {finding.line}: {finding.message}"


# --------------------------------------------------------------------------- github

_GITHUB_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render_github(report: LintReport, sources: _Sources | None = None) -> str:
    """GitHub Actions workflow commands: one annotation per finding, on its .ipynb line."""
    sources = sources or _Sources()
    lines = []
    for finding in report.findings:
        line, column, end_line, end_column = sources.ipynb_span(finding)
        properties = {"file": finding.path, "line": line}
        if finding.cell is not None:
            extra = {"col": column, "endLine": end_line, "endColumn": end_column}
            properties |= {key: value for key, value in extra.items() if value is not None}
        properties["title"] = f"{finding.code} {finding.name}"
        command = _GITHUB_COMMANDS.get(finding.severity, "warning")
        fields = ",".join(
            f"{key}={_escape_property(str(value))}" for key, value in properties.items()
        )
        lines.append(f"::{command} {fields}::{_escape_data(_located_message(finding))}")
    return "".join(line + "\n" for line in lines)


def _escape_data(text: str) -> str:
    """Escape a workflow command message (as @actions/core's ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """Escape a workflow command property value (as @actions/core's ``escapeProperty``)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


# --------------------------------------------------------------------------- junit

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render_junit(report: LintReport, sources: _Sources | None = None) -> str:
    """JUnit XML: a test suite per notebook, a failed test case per finding, a passing
    test case for a clean notebook."""
    import xml.etree.ElementTree as ET

    sources = sources or _Sources()
    root = ET.Element("testsuites", name="nb2prod")
    by_path: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_path.setdefault(finding.path, []).append(finding)
    totals: Counter[str] = Counter()
    for result in _junit_files(report, by_path):
        suite = ET.SubElement(root, "testsuite", name=_xml(result.path))
        totals.update(_junit_suite(suite, result, by_path.get(result.path, []), sources))
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(totals[key]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _junit_suite(suite, result: FileResult, findings: list[Finding], sources: _Sources) -> dict:
    """Fill the test suite of one file; return its counts (also set on the suite)."""
    import xml.etree.ElementTree as ET

    path = _xml(result.path)
    names: Counter[str] = Counter()
    for finding in findings:
        name = _junit_name(finding)
        names[name] += 1
        if names[name] > 1:  # CI tools merge test cases of the same name
            name += f" ({names[name]})"
        case = ET.SubElement(suite, "testcase", classname=path, name=_xml(name), file=path)
        case.set("line", str(max(finding.ipynb_line or 1, 1)))
        failure = ET.SubElement(case, "failure", message=_xml(finding.message), type=finding.code)
        failure.text = _xml(_junit_details(finding, sources))
    skipped = not findings and result.status == "skipped"
    if not findings:  # a passing (or skipped) test case, so CI lists the notebook
        case = ET.SubElement(suite, "testcase", classname=path, name="nb2prod lint", file=path)
        if skipped:
            ET.SubElement(case, "skipped", message="not a Python notebook")
    counts = {
        "tests": len(findings) or 1,
        "failures": len(findings),
        "errors": 0,
        "skipped": int(skipped),
    }
    for key, value in counts.items():
        suite.set(key, str(value))
    return counts


def _junit_files(report: LintReport, by_path: dict[str, list[Finding]]) -> list[FileResult]:
    """Every file of the report, plus a stand-in for findings of a path with no file entry."""
    files = list(report.files)
    known = {r.path for r in files}
    files += [FileResult(path) for path in by_path if path not in known]
    return files


def _junit_name(finding: Finding) -> str:
    if finding.cell is None:
        return f"notebook: {finding.code}"
    return f"cell {finding.cell} line {finding.line}: {finding.code}"


def _junit_details(finding: Finding, sources: _Sources) -> str:
    """The finding as the text format shows it: header, code frame, fix."""
    block = _finding_block(finding, sources, _styler(False))
    return "\n".join(line[2:] if line.startswith("  ") else line for line in block)


def _xml(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (ElementTree escapes the rest)."""
    return _XML_ILLEGAL.sub("\ufffd", text)
