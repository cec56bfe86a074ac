"""CI reports: ``github`` workflow annotations and ``junit`` XML."""

from __future__ import annotations

import re
from collections import Counter

from nb2prod.linter.engine import FileResult, LintReport
from nb2prod.linter.formats.sarif import located_message
from nb2prod.linter.formats.sources import ReportSources
from nb2prod.linter.formats.text import finding_block, styler
from nb2prod.linter.rule import Finding

_GITHUB_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render_github(report: LintReport, sources: ReportSources | None = None) -> str:
    """GitHub Actions workflow commands: one annotation per finding, on its .ipynb line."""
    sources = sources or ReportSources()
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
        lines.append(f"::{command} {fields}::{_escape_data(located_message(finding))}")
    return "".join(line + "\n" for line in lines)


def _escape_data(text: str) -> str:
    """Escape a workflow command message (as @actions/core's ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """Escape a workflow command property value (as @actions/core's ``escapeProperty``)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render_junit(report: LintReport, sources: ReportSources | None = None) -> str:
    """JUnit XML: a test suite per notebook, a failed test case per error or warning, a
    passing test case (the finding in its ``system-out``) per info finding, a passing test
    case for a clean notebook."""
    import xml.etree.ElementTree as ET

    sources = sources or ReportSources()
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


def _junit_suite(
    suite, result: FileResult, findings: list[Finding], sources: ReportSources
) -> dict:
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
        if finding.severity == "info":  # a note, not a failure: it never fails a run
            ET.SubElement(case, "system-out").text = _xml(_junit_details(finding, sources))
            continue
        failure = ET.SubElement(case, "failure", message=_xml(finding.message), type=finding.code)
        failure.text = _xml(_junit_details(finding, sources))
    skipped = not findings and result.status == "skipped"
    if not findings:  # a passing (or skipped) test case, so CI lists the notebook
        case = ET.SubElement(suite, "testcase", classname=path, name="nb2prod lint", file=path)
        if skipped:
            ET.SubElement(case, "skipped", message="not a Python notebook")
    counts = {
        "tests": len(findings) or 1,
        "failures": sum(f.severity != "info" for f in findings),
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


def _junit_details(finding: Finding, sources: ReportSources) -> str:
    """The finding as the text format shows it: header, code frame, fix."""
    block = finding_block(finding, sources, styler(False))
    return "\n".join(line[2:] if line.startswith("  ") else line for line in block)


def _xml(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (ElementTree escapes the rest)."""
    return _XML_ILLEGAL.sub("\ufffd", text)
