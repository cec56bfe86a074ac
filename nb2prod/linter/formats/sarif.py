"""The ``sarif`` report: SARIF 2.1.0 for code scanning, located on the .ipynb lines."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path, PurePath

from nb2prod import __version__
from nb2prod.linter.engine import LintReport
from nb2prod.linter.formats.sources import ReportSources
from nb2prod.linter.rule import Finding

#: The repository, used when the installed metadata names no GitHub URL.
DEFAULT_REPOSITORY = "https://github.com/nb2prod/nb2prod"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(report: LintReport, sources: ReportSources | None = None) -> str:
    """A SARIF 2.1.0 log with one run, for GitHub code scanning and other SARIF viewers."""
    from nb2prod.linter.rule import all_rules

    sources = sources or ReportSources()
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
    from nb2prod.linter import docs

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


def _sarif_result(finding: Finding, index: dict, sources: ReportSources, seen: Counter) -> dict:
    result: dict = {"ruleId": finding.code}
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    result["level"] = SARIF_LEVELS.get(finding.severity, "warning")
    result["message"] = {"text": located_message(finding)}
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


def _sarif_location(finding: Finding, sources: ReportSources) -> dict:
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


def _fingerprint(finding: Finding, sources: ReportSources, seen: Counter) -> str:
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


def located_message(finding: Finding) -> str:
    """The message prefixed with its place in the notebook (``cell 3, line 2: ...``)."""
    if finding.cell is None:
        return finding.message
    if finding.line is None:
        return f"cell {finding.cell}: {finding.message}"
    return f"cell {finding.cell}, line {finding.line}: {finding.message}"
