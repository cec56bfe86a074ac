"""Checked-in fixture notebooks (tests/fixtures/): every rule's positive and negative cases
with their expectations written in the notebooks, and notebook-format oddities run
through the real CLI.  tests/fixtures/README.md explains the expectation syntax;
tests/fixtures/make_fixtures.py rebuilds the notebooks."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from nb2prod.config import LintOverrides, lint_settings
from nb2prod.linter.engine import lint_file
from nb2prod.linter.rule import all_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RULES = FIXTURES / "rules"
KNOWN_GAPS = RULES / "known_gaps"
NOTEBOOKS = FIXTURES / "notebooks"
NB2PROD = Path(sys.executable).with_name("nb2prod")

#: Rules no notebook can provoke: NB000 is a crash of nb2prod itself; NB003 (unreadable
#: file) is checked on tests/fixtures/notebooks/ below.
NOT_IN_RULE_FIXTURES = {"NB000", "NB003"}

_EXPECT_COMMENT = re.compile(r"#\s*expect:\s*(NB\d{3}(?:\s*,\s*NB\d{3})*)\s*$")
_CODE_AT_LINE = re.compile(r"(NB\d{3})(?:@(\d+))?$")
_RULE_CODE = re.compile(r"NB\d{3}")


# --------------------------------------------------------------------------- expectations


@dataclasses.dataclass
class Fixture:
    """A rule fixture notebook and what it says must be reported."""

    path: Path
    code: str  # the rule the fixture is for
    select: tuple[str, ...]  # the rule plus any other rules the fixture asks for
    options: dict
    exact: Counter  # (code, cell, line)
    in_cell: Counter  # (code, cell): anywhere in that cell
    reason: str | None  # for known gaps: what the rule gets wrong
    document: dict

    @property
    def positives(self) -> int:
        return sum(self.exact.values()) + sum(self.in_cell.values())

    def unexpected_free_code_cells(self) -> int:
        """Code cells that expect nothing: each one is a negative case."""
        flagged = {cell for _code, cell, _line in self.exact} | {cell for _c, cell in self.in_cell}
        return sum(
            1
            for number, cell in enumerate(self.document["cells"], start=1)
            if cell.get("cell_type") == "code" and number not in flagged and _source(cell).strip()
        )


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _test_metadata(holder: dict) -> dict:
    return holder.get("metadata", {}).get("nb2prod-test", {})


def read_fixture(path: Path) -> Fixture:
    document = json.loads(path.read_text(encoding="utf-8"))
    relative = path.relative_to(RULES)
    code = _RULE_CODE.match(
        relative.parts[-1] if relative.parts[0] == "known_gaps" else relative.parts[0]
    )
    assert code, f"{relative}: fixture paths start with the rule code (NB201.ipynb, NB401/...)"
    settings = _test_metadata(document)
    exact: Counter = Counter()
    in_cell: Counter = Counter()
    for item in settings.get("expect", []):
        in_cell[(item, None)] += 1
    for number, cell in enumerate(document["cells"], start=1):
        if cell.get("cell_type") == "code":
            for line_number, text in enumerate(_source(cell).split("\n"), start=1):
                match = _EXPECT_COMMENT.search(text)
                if match:
                    for expected in match.group(1).split(","):
                        exact[(expected.strip(), number, line_number)] += 1
        for item in _test_metadata(cell).get("expect", []):
            match = _CODE_AT_LINE.match(item)
            assert match, f"{relative} cell {number}: bad expectation {item!r} (CODE or CODE@LINE)"
            if match.group(2):
                exact[(match.group(1), number, int(match.group(2)))] += 1
            else:
                in_cell[(match.group(1), number)] += 1
    select = (code.group(0), *settings.get("select", []))
    return Fixture(
        path,
        code.group(0),
        select,
        settings.get("options", {}),
        exact,
        in_cell,
        settings.get("reason"),
        document,
    )


def lint_fixture(fixture: Fixture):
    settings = lint_settings(str(fixture.path), LintOverrides(select=fixture.select, isolated=True))
    settings = dataclasses.replace(settings, options=dict(fixture.options))
    return lint_file(str(fixture.path), settings).findings


def compare(fixture: Fixture, findings) -> tuple[list[str], list[str]]:
    """``(unexpected findings, missing expectations)``, both as readable lines."""
    exact, in_cell = Counter(fixture.exact), Counter(fixture.in_cell)
    unmatched = []
    for finding in findings:
        key = (finding.code, finding.cell, finding.line)
        if exact[key] > 0:
            exact[key] -= 1
        else:
            unmatched.append(finding)
    unexpected = []
    for finding in unmatched:
        key = (finding.code, finding.cell)
        if in_cell[key] > 0:
            in_cell[key] -= 1
        else:
            unexpected.append(
                f"{finding.code} cell {finding.cell} line {finding.line}: {finding.message}"
            )
    missing = [
        f"{c} cell {cell} line {line}" for (c, cell, line), n in exact.items() for _ in range(n)
    ]
    missing += [
        f"{c} {'cell ' + str(cell) if cell else 'notebook-level'} (any line)"
        for (c, cell), n in in_cell.items()
        for _ in range(n)
    ]
    return unexpected, missing


def _fixture_paths(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


RULE_FIXTURES = [p for p in _fixture_paths(RULES) if KNOWN_GAPS not in p.parents]
GAP_FIXTURES = _fixture_paths(KNOWN_GAPS) if KNOWN_GAPS.is_dir() else []


def _id(path: Path) -> str:
    return path.relative_to(RULES).as_posix()


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=_id)
def test_rule_fixture(path):
    fixture = read_fixture(path)
    assert fixture.reason is None, "a fixture with a `reason` belongs in known_gaps/"
    unexpected, missing = compare(fixture, lint_fixture(fixture))
    assert not unexpected and not missing, (
        f"{_id(path)} (--select {','.join(fixture.select)})\n"
        + "".join(f"  unexpected: {line}\n" for line in unexpected)
        + "".join(f"  missing:    {line}\n" for line in missing)
    )


def test_known_gaps_are_still_gaps():
    """Each case in known_gaps/ says what a rule gets wrong today; once the rule is fixed
    this fails, so the case moves into the rule's own fixture (see make_fixtures.py)."""
    for path in GAP_FIXTURES:
        fixture = read_fixture(path)
        assert fixture.reason, f"{_id(path)}: a known gap says what the rule gets wrong"
        unexpected, missing = compare(fixture, lint_fixture(fixture))
        assert unexpected or missing, f"{_id(path)} is fixed: move it into rules/"


def test_every_rule_has_positive_and_negative_fixtures():
    fixtures = [read_fixture(p) for p in RULE_FIXTURES]
    problems = []
    for rule in all_rules():
        if rule.code in NOT_IN_RULE_FIXTURES:
            continue
        own = [f for f in fixtures if f.code == rule.code]
        if not own:
            problems.append(f"{rule.code}: no fixture in tests/fixtures/rules/")
            continue
        if not any(f.positives for f in own):
            problems.append(f"{rule.code}: no fixture expects a finding")
        if not any(f.unexpected_free_code_cells() for f in own):
            problems.append(f"{rule.code}: no negative case (a code cell that expects nothing)")
    assert not problems, "\n".join(problems)


def test_fixtures_are_built_by_make_fixtures():
    """The checked-in notebooks are exactly what make_fixtures.py writes (no hand edits)."""
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build_all()
    stale = [
        str(p.relative_to(FIXTURES))
        for p, data in built.items()
        if not p.is_file() or p.read_bytes() != data
    ]
    generated = set(built)
    unknown = [
        str(p.relative_to(FIXTURES))
        for folder in (RULES, NOTEBOOKS)
        for p in folder.rglob("*")
        if p.is_file() and p not in generated
    ]
    assert not stale and not unknown, (
        f"run `python tests/fixtures/make_fixtures.py`; stale: {stale}; not built by it: {unknown}"
    )


# --------------------------------------------------------------------------- notebook formats

#: File -> (status, words of the NB003 message or None).
FORMATS = {
    "v3_notebook.ipynb": ("ok", None),
    "v3_notebook_with_heading_cell.ipynb": ("ok", None),
    "v4_0_without_cell_ids.ipynb": ("ok", None),
    "databricks_export_without_metadata.ipynb": ("ok", None),
    "kernelspec_name_only.ipynb": ("ok", None),
    "r_kernel.ipynb": ("skipped", None),
    "julia_kernel.ipynb": ("skipped", None),
    "indent2_ascii.ipynb": ("ok", None),
    "crlf_line_endings.ipynb": ("ok", None),
    "ipython_syntax_zoo.ipynb": ("ok", None),
    "unreadable_not_json.ipynb": ("error", "not a notebook: an HTML page"),
    "unreadable_truncated.ipynb": ("error", "truncated notebook"),
    "unreadable_empty.ipynb": ("error", "empty file"),
    "unreadable_not_utf8.ipynb": ("error", "not UTF-8"),
    "unreadable_nbformat2.ipynb": ("error", "nbformat 2 is too old"),
    "unreadable_nbformat5.ipynb": ("error", "newer than nb2prod reads"),
    "unreadable_no_cells.ipynb": ("error", "'cells' is missing"),
}


def run_cli(*args: str, cwd: Path = NOTEBOOKS) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(NB2PROD), "lint", "--isolated", *args], capture_output=True, text=True, cwd=cwd
    )


@pytest.fixture(scope="module")
def folder_report():
    result = run_cli("--select", "ALL", "--format", "json", ".")
    return result, json.loads(result.stdout)


def test_every_format_fixture_is_listed():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(FORMATS)


def test_folder_gives_every_file_a_status(folder_report):
    result, report = folder_report
    assert result.returncode == 1, result.stderr
    statuses = {Path(f["path"]).name: f["status"] for f in report["files"]}
    assert sorted(statuses) == sorted(FORMATS)
    assert statuses == {name: status for name, (status, _words) in FORMATS.items()}


def test_unreadable_files_are_nb003_with_the_reason(folder_report):
    _result, report = folder_report
    by_file: dict[str, list[dict]] = {}
    for finding in report["findings"]:
        by_file.setdefault(Path(finding["path"]).name, []).append(finding)
    for name, (_status, words) in FORMATS.items():
        nb003 = [f for f in by_file.get(name, []) if f["code"] == "NB003"]
        if words is None:
            assert nb003 == [], name
            continue
        assert [f["code"] for f in by_file[name]] == ["NB003"], name
        assert words in nb003[0]["message"] and nb003[0]["cell"] is None, (name, nb003[0])
    errors = {Path(f["path"]).name: f["error"] for f in report["files"] if f["error"]}
    assert sorted(errors) == sorted(n for n, (_s, w) in FORMATS.items() if w)


def test_other_kernels_are_nb002_and_not_checked(folder_report):
    _result, report = folder_report
    for name in ("r_kernel.ipynb", "julia_kernel.ipynb"):
        findings = [f for f in report["findings"] if Path(f["path"]).name == name]
        assert [f["code"] for f in findings] == ["NB002"], name
        assert "not Python" in findings[0]["message"]


def test_no_internal_errors_and_the_zoo_parses(folder_report):
    _result, report = folder_report
    assert [f for f in report["findings"] if f["code"] == "NB000"] == []
    zoo = [f for f in report["findings"] if Path(f["path"]).name == "ipython_syntax_zoo.ipynb"]
    assert [f for f in zoo if f["code"] == "NB001"] == []
    # IPython syntax is still seen for what it is
    assert {"NB403", "NB405", "NB204", "NB407"} <= {f["code"] for f in zoo}


def _raw_lines(name: str) -> list[str]:
    return (NOTEBOOKS / name).read_bytes().decode("utf-8").splitlines()


def _flagged_text(finding: dict, document: dict) -> str | None:
    """The source text a one-line finding points at, or None for wider findings."""
    if finding["cell"] is None or finding["line"] != finding["end_line"]:
        return None
    cell = document["cells"][finding["cell"] - 1]
    line = _source(cell).replace("\r\n", "\n").split("\n")[finding["line"] - 1]
    return line[finding["column"] - 1 : finding["end_column"] - 1] or None


@pytest.mark.parametrize(
    "name",
    [
        "v4_0_without_cell_ids.ipynb",
        "indent2_ascii.ipynb",
        "crlf_line_endings.ipynb",
        "databricks_export_without_metadata.ipynb",
        "ipython_syntax_zoo.ipynb",
    ],
)
def test_ipynb_line_points_at_the_flagged_text(folder_report, name):
    _result, report = folder_report
    document = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    raw = _raw_lines(name)
    checked = 0
    for finding in report["findings"]:
        if Path(finding["path"]).name != name:
            continue
        text = _flagged_text(finding, document)
        if text is None:
            continue
        encoded = {json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
        assert any(e in raw[finding["ipynb_line"] - 1] for e in encoded), finding
        checked += 1
    assert checked, f"no one-line finding in {name}"


def _v3_findings_point_into_the_file(report, name):
    findings = [f for f in report["findings"] if Path(f["path"]).name == name]
    raw = _raw_lines(name)
    by_code = {f["code"]: f for f in findings}
    assert {"NB201", "NB301"} <= set(by_code), findings
    assert "/mnt/shared/sales/2023.csv" in raw[by_code["NB201"]["ipynb_line"] - 1]
    assert "input(" in raw[by_code["NB301"]["ipynb_line"] - 1]


def test_v3_notebook_findings_point_into_the_file(folder_report):
    _v3_findings_point_into_the_file(folder_report[1], "v3_notebook.ipynb")


def test_v3_notebook_with_heading_cells_is_upgraded(folder_report):
    _v3_findings_point_into_the_file(folder_report[1], "v3_notebook_with_heading_cell.ipynb")


def test_non_ascii_columns_in_an_indent2_ascii_notebook(folder_report):
    _result, report = folder_report
    (finding,) = [
        f
        for f in report["findings"]
        if Path(f["path"]).name == "indent2_ascii.ipynb" and f["code"] == "NB201"
    ]
    assert "/données/clients.csv" in finding["message"]
    assert "\\u00e9" in _raw_lines("indent2_ascii.ipynb")[finding["ipynb_line"] - 1]


@pytest.mark.parametrize("name", [n for n, (_s, words) in FORMATS.items() if words])
def test_single_unreadable_file_exits_2(name):
    result = run_cli(name)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "NB003" in result.stdout


def test_single_readable_file_exits_1_with_findings_0_without():
    assert run_cli("v3_notebook.ipynb").returncode == 1
    assert run_cli("--select", "NB001", "ipython_syntax_zoo.ipynb").returncode == 0
