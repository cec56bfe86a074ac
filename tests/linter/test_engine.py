"""The engine: discovery, isolation of bad files, suppressions, profiles, parallelism."""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from nb2prod.config import LintOverrides, lint_settings
from nb2prod.errors import ConfigError, NotebookReadError, UsageError
from nb2prod.linter.engine import discover, display_path, lint_file, lint_paths

from ..conftest import code, codes, write_notebook


def test_directories_are_walked_skipping_checkpoints_git_and_virtualenvs(tmp_path):
    for relative in [
        "a.ipynb",
        "sub/b.ipynb",
        ".ipynb_checkpoints/a-checkpoint.ipynb",
        ".git/x.ipynb",
        "env/lib/c.ipynb",
        "node_modules/d.ipynb",
        "notes.txt",
    ]:
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("{}")
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr")
    found = [os.path.relpath(p, tmp_path) for p in discover([str(tmp_path)])]
    assert found == ["a.ipynb", os.path.join("sub", "b.ipynb")]


def test_one_bad_file_never_stops_the_run(tmp_path):
    (tmp_path / "pyproject.toml").touch()
    write_notebook(tmp_path / "good.ipynb", ["x = (\n"])
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    (tmp_path / "old.ipynb").write_text('{"nbformat": 2, "worksheets": []}')
    report = lint_paths([str(tmp_path)], LintOverrides(select=("NB0",)), jobs=1)
    by_file = {os.path.basename(r.path): r for r in report.files}
    assert by_file["broken.ipynb"].status == "error" and codes(
        by_file["broken.ipynb"].findings
    ) == ["NB003"]
    assert "truncated" in by_file["broken.ipynb"].findings[0].message
    assert codes(by_file["old.ipynb"].findings) == ["NB003"]
    assert codes(by_file["good.ipynb"].findings) == ["NB001"]
    nb003 = by_file["broken.ipynb"].findings[0]
    assert nb003.cell is None and nb003.line is None


def test_parallel_and_serial_runs_agree(tmp_path):
    (tmp_path / "pyproject.toml").touch()
    for i in range(6):
        write_notebook(tmp_path / f"n{i}.ipynb", [f"x{i} = (", "# nb2prod: noqa"])
    only = LintOverrides(select=("NB001", "NB009"))
    serial = lint_paths([str(tmp_path)], only, jobs=1)
    parallel = lint_paths([str(tmp_path)], only, jobs=2)
    assert [f.to_json() for f in serial.findings] == [f.to_json() for f in parallel.findings]
    assert len(serial.findings) == 12


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_bad_configuration_found_late_in_the_walk_still_stops_the_run(tmp_path, jobs):
    """Workers start while the walk goes on: a configuration error in the last folder it
    reaches is still the run's answer, not a report without that folder."""
    (tmp_path / "pyproject.toml").touch()
    for i in range(8):
        write_notebook(tmp_path / "a" / f"n{i}.ipynb", ["x = 1"])
    late = tmp_path / "z"
    write_notebook(late / "last.ipynb", ["x = 1"])
    (late / "pyproject.toml").write_text('[tool.nb2prod.lint]\nselct = ["NB001"]\n')
    with pytest.raises(ConfigError, match="selct"):
        lint_paths([str(tmp_path)], jobs=jobs)


def test_a_missing_path_stops_the_run_before_any_notebook_is_read(tmp_path, monkeypatch):
    write_notebook(tmp_path / "a.ipynb", ["x = 1"])
    read = []
    monkeypatch.setattr("nb2prod.linter.engine.load_notebook", read.append)
    with pytest.raises(UsageError, match="nope.ipynb: no such file or folder"):
        lint_paths([str(tmp_path / "a.ipynb"), str(tmp_path / "nope.ipynb")], jobs=1)
    assert read == []


def test_non_python_notebooks_are_skipped_with_an_info(lint_cells):
    findings = lint_cells(
        ["x <- 1"],
        metadata={"kernelspec": {"name": "ir", "language": "R"}, "language_info": {"name": "R"}},
    )
    assert codes(findings) == ["NB002"] and findings[0].severity == "info"
    assert "'r'" in findings[0].message


def test_cells_marked_as_another_language_are_skipped(lint_cells):
    cell = code("SELECT * FROM t WHERE (", vscode={"languageId": "sql"})
    assert lint_cells([cell], select=["NB001"]) == []


def test_line_noqa_with_and_without_codes(lint_cells):
    findings = lint_cells(
        [
            "a = (  # nb2prod: noqa",
            "b = (  # nb2prod: noqa: NB001",
            "c = (  # nb2prod: noqa: NB003",
            "d = (  # NB2PROD: NOQA: unparsable-cell",
        ],
        select=["NB001", "NB009"],
    )
    assert [(f.code, f.cell) for f in findings] == [("NB001", 3), ("NB009", 3)]
    assert "NB003 reported nothing" in findings[1].message


def test_cell_tag_suppressions(lint_cells):
    findings = lint_cells(
        [
            code("a = (", tags=["nb2prod:noqa"]),
            code("b = (", tags=["nb2prod:noqa=NB001,NB201"]),
            code("ok = 1", tags=["nb2prod:noqa"]),
        ],
        select=["NB001", "NB009"],
    )
    assert [(f.code, f.cell) for f in findings] == [("NB009", 2), ("NB009", 3)]
    assert "cell tag" in findings[0].message and "NB201" in findings[0].message


def test_unused_noqa_reports_unknown_codes(lint_cells):
    findings = lint_cells(["x = 1  # nb2prod: noqa: NB777"], select=["NB009"])
    assert codes(findings) == ["NB009"] and "NB777 (unknown rule)" in findings[0].message
    assert (findings[0].line, findings[0].column) == (1, 8)


def test_ipynb_line_points_at_the_flagged_text(lint_cells):
    findings = lint_cells(["import os\n\nvalue = (\n"], select=["NB001"])
    raw = (lint_cells.folder / "nb.ipynb").read_text().split("\n")
    assert "value = (" in raw[findings[0].ipynb_line - 1]


def test_selected_rule_crash_becomes_nb000_and_other_rules_still_run(tmp_path, monkeypatch):
    from nb2prod.linter.rules.notebook import UnparsableCell

    def explode(self, ctx):
        raise RuntimeError("kaboom")
        yield  # pragma: no cover

    monkeypatch.setattr(UnparsableCell, "check", explode)
    (tmp_path / "pyproject.toml").touch()
    path = write_notebook(tmp_path / "nb.ipynb", ["x = 1  # nb2prod: noqa: NB777"])
    settings = lint_settings(str(path), LintOverrides(select=("NB000", "NB001", "NB009")))
    findings = lint_file(str(path), settings).findings
    assert sorted(codes(findings)) == ["NB000", "NB009"]
    assert "RuntimeError: kaboom" in next(f.message for f in findings if f.code == "NB000")


def test_a_notebook_changed_on_disk_is_not_overwritten_by_fix(tmp_path):
    from nb2prod.linter.engine import _replace_if_unchanged
    from nb2prod.notebook import load_notebook

    path = write_notebook(tmp_path / "nb.ipynb", ["x = 1"])
    notebook = load_notebook(path)
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[0].source = "x = 2  # edited meanwhile"
    nbformat.write(nb, str(path))
    before = path.read_bytes()
    with pytest.raises(NotebookReadError, match="changed on disk"):
        _replace_if_unchanged(notebook, notebook.text.replace("x = 1", "x = 3"))
    assert path.read_bytes() == before
    assert json.loads(before)["cells"][0]["source"] == ["x = 2  # edited meanwhile"]


def _bang_pip_notebook(folder):
    (folder / "pyproject.toml").touch()
    return write_notebook(folder / "target.ipynb", [code("!pip install pandas==2.2.3", count=1)])


def test_fix_through_a_symlink_rewrites_the_target_and_keeps_the_link(tmp_path):
    target = _bang_pip_notebook(tmp_path)
    link = tmp_path / "link.ipynb"
    link.symlink_to(target.name)
    report = lint_paths([str(link)], LintOverrides(select=("NB406",)), fix="fix", jobs=1)
    assert report.fixed == 1 and link.is_symlink()
    assert "%pip install pandas" in target.read_text()


def test_fix_keeps_the_notebooks_mode_and_leaves_no_temporary_file(tmp_path):
    target = _bang_pip_notebook(tmp_path)
    target.chmod(0o640)
    report = lint_paths([str(target)], LintOverrides(select=("NB406",)), fix="fix", jobs=1)
    assert report.fixed == 1 and "%pip install pandas" in target.read_text()
    assert target.stat().st_mode & 0o7777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml", "target.ipynb"]


def test_fix_refuses_a_read_only_notebook_and_leaves_nothing_behind(tmp_path):
    target = _bang_pip_notebook(tmp_path)
    before = target.read_bytes()
    target.chmod(0o444)
    report = lint_paths([str(target)], LintOverrides(select=("NB406",)), fix="fix", jobs=1)
    assert report.files[0].status == "error" and "read-only" in report.files[0].error
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml", "target.ipynb"]


@pytest.mark.parametrize(
    "given",
    ["a.ipynb", "./a.ipynb", "x/../a.ipynb", "sub//b.ipynb", "../{here}/a.ipynb", "../x.ipynb"],
)
def test_reports_show_paths_relative_to_the_working_folder_when_below_it(
    tmp_path, monkeypatch, given
):
    here = tmp_path / "project"
    here.mkdir()
    monkeypatch.chdir(here)
    path = given.format(here=here.name)
    expected = os.path.relpath(path)
    if expected.startswith(".."):
        expected = os.path.abspath(path)
    assert display_path(path) == expected
    assert display_path(os.path.abspath(path)) == expected
