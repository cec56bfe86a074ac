"""Execution-state rules NB101–NB108 on real notebooks."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from nb2prod.cli import main

from ..conftest import code, codes, error, markdown, result, stream

# --------------------------------------------------------------------------- NB101


def test_never_executed_notebook_is_one_notebook_level_finding(lint_cells):
    findings = lint_cells(
        [markdown("# Sales"), code("import pandas as pd"), code("df = pd.read_csv('x.csv')")],
        select=["NB101"],
    )
    assert codes(findings) == ["NB101"]
    (finding,) = findings
    assert finding.cell is None and finding.line is None
    assert "never executed" in finding.message and "2 code cell" in finding.message
    assert finding.severity == "error"


def test_explore_profile_makes_execution_findings_info(lint_cells):
    findings = lint_cells([code("x = 1")], select=["NB101"], profile="explore")
    assert [f.severity for f in findings] == ["info"]


@pytest.mark.parametrize(
    "cells",
    [
        [markdown("only prose")],  # no code cells at all
        [code(""), code("   \n")],  # only empty code cells
        [code("x = 1"), code("y = 2", count=1)],  # one cell ran
        [code("x = 1", outputs=[stream("hi\n")])],  # outputs, count stripped: it ran
    ],
)
def test_never_executed_negatives(lint_cells, cells):
    assert lint_cells(cells, select=["NB101"]) == []


# --------------------------------------------------------------------------- NB102


def test_skipped_cell_between_executed_cells(lint_cells):
    findings = lint_cells(
        [code("df = load()", count=1), code("df = df.dropna()"), code("fit(df)", count=2)],
        select=["NB102"],
    )
    assert codes(findings) == ["NB102"]
    (finding,) = findings
    assert finding.cell == 2 and finding.line == 1
    assert "cell 2 was never run" in finding.message and "cell 3 (In [2])" in finding.message


def test_skipped_first_cell_before_executed_cells_is_reported(lint_cells):
    findings = lint_cells([code("!pip install x"), code("import x", count=1)], select=["NB102"])
    assert [f.cell for f in findings] == [1]


@pytest.mark.parametrize(
    "cells",
    [
        # the unexecuted tail is work in progress, not a skipped cell
        [code("a = 1", count=1), code("b = 2"), code("c = 3")],
        # empty and whitespace-only cells
        [code("a = 1", count=1), code(""), code("  \n"), code("c = 3", count=2)],
        # cells papermill is told to skip
        [code("a = 1", count=1), code("slow()", tags=["skip-execution"]), code("c", count=2)],
        # markdown cells in between have no counts
        [code("a = 1", count=1), markdown("text"), code("c = 3", count=2)],
    ],
)
def test_skipped_cell_negatives(lint_cells, cells):
    assert lint_cells(cells, select=["NB102"]) == []


# --------------------------------------------------------------------------- NB103


def test_out_of_order_names_both_cells(lint_cells):
    findings = lint_cells(
        [code("a = 1", count=1), code("b = 2", count=3), code("c = 3", count=2)],
        select=["NB103"],
    )
    assert codes(findings) == ["NB103"]
    (finding,) = findings
    assert finding.cell == 3
    assert "cell 3 (In [2]) ran before cell 2 (In [3])" in finding.message
    assert "Restart & Run All" in finding.message


def test_a_region_below_a_higher_count_is_one_finding(lint_cells):
    findings = lint_cells(
        [
            code("a = 1", count=1),
            code("b = 2", count=5),
            code("c = 3", count=2),
            code("d = 4", count=3),
            code("e = 5", count=6),
        ],
        select=["NB103"],
    )
    assert [f.cell for f in findings] == [3]
    (finding,) = findings
    assert "2 executed cells, cell 3 (In [2]) to cell 4 (In [3])," in finding.message
    assert "ran before cell 2 (In [5])" in finding.message


def test_one_rerun_cell_is_one_finding_not_one_per_later_cell(lint_cells):
    cells = [code(f"v{i} = {i}", count=i) for i in range(1, 10)]
    cells[1] = code("df = load()", count=10)  # re-run after all the others
    findings = lint_cells(cells, select=["NB103"])
    assert [f.cell for f in findings] == [3]
    assert "7 executed cells, cell 3 (In [3]) to cell 9 (In [9])," in findings[0].message


def test_each_region_is_reported_once(lint_cells):
    findings = lint_cells(
        [
            code("a = 1", count=4),
            code("b = 2", count=1),
            code("c = 3", count=5),
            code("d = 4", count=9),
            code("e = 5", count=6),
            code("f = 6", count=7),
        ],
        select=["NB103"],
    )
    assert [f.cell for f in findings] == [2, 5]
    assert "cell 2 (In [1]) ran before cell 1 (In [4])" in findings[0].message
    assert "2 executed cells, cell 5 (In [6]) to cell 6 (In [7])," in findings[1].message


def test_display_only_cells_do_not_count(lint_cells):
    findings = lint_cells(
        [
            code("X = load()", count=1),
            code("X.shape", count=7),  # re-run: shows a value, changes nothing
            code("y = X[:, 0]", count=3),
            code('X["a"][-1:], y.dtype, 3', count=8),
            code("df.head()", count=4),  # a call may have effects: it counts
            code("z = 1", count=2),
        ],
        select=["NB103"],
    )
    assert [f.cell for f in findings] == [6]
    assert "cell 6 (In [2]) ran before cell 5 (In [4])" in findings[0].message


def test_public_sklearn_iris_harmless_shape_rerun(tmp_path):
    import nb2prod

    from ..public.sklearn_iris_dataset_nb103 import iris_dataset_notebook

    harmless = iris_dataset_notebook(tmp_path / "harmless")
    assert nb2prod.lint(harmless, select=["NB103"], isolated=True).findings == []
    data_rerun = iris_dataset_notebook(tmp_path / "data_rerun", data_count=7)
    report = nb2prod.lint(data_rerun, select=["NB103"], isolated=True)
    assert [f.cell for f in report.findings] == [4]
    assert "2 executed cells, cell 4 (In [4]) to cell 5 (In [5])," in report.findings[0].message


@pytest.mark.parametrize(
    "cells",
    [
        [code("a", count=1), code("b", count=4), code("c", count=9)],  # gaps are NB104's
        [code("a", count=1), code("b"), code("c", count=2)],  # unexecuted cells are skipped
        [code("a", count=3), code("", count=1), code("c", count=4)],  # empty cells do not count
        # display-only cells: names, attributes, subscripts, constants, comments
        [code("a = 1", count=1), code("a.shape  # again", count=9), code("b = 2", count=2)],
        [code("a = 1", count=1), code("# note", count=9), code("b = 2", count=2)],
        [code("a = 1", count=3), code("a[0]\nb", count=1), code("c = 2", count=4)],
    ],
)
def test_out_of_order_negatives(lint_cells, cells):
    assert lint_cells(cells, select=["NB103"]) == []


# --------------------------------------------------------------------------- NB106


def test_error_output_is_reported_with_a_fix(lint_cells):
    findings = lint_cells(
        [
            code("x = 1", count=1),
            code("df['price']", count=2, outputs=[error("KeyError", "'price'")]),
        ],
        select=["NB106"],
    )
    assert codes(findings) == ["NB106"]
    (finding,) = findings
    assert finding.cell == 2
    assert "KeyError: 'price'" in finding.message and "cell 2 (In [2])" in finding.message
    assert finding.fix == "remove the saved error output"
    assert finding.edits


def test_no_error_output_no_finding(lint_cells):
    cells = [code("print(1)", count=1, outputs=[stream("1\n"), stream("warn\n", "stderr")])]
    assert lint_cells(cells, select=["NB106"]) == []


def test_cell_meant_to_fail_is_not_reported(lint_cells):
    cells = [
        code("1 / 0", count=1, tags=["raises-exception"], outputs=[error("ZeroDivisionError")])
    ]
    assert lint_cells(cells, select=["NB106"]) == []


def _notebook_with_error(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        code(
            "print('start')\n1 / 0",
            count=1,
            outputs=[stream("start\n"), error("ZeroDivisionError", "division by zero")],
        ),
        code("x = 2\nx", count=2, outputs=[result("2", 2)]),
        code("raise ValueError('boom')", count=3, outputs=[error()]),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / "pyproject.toml").touch()
    nbformat.write(nb, str(path))
    return nb


def _without_errors(nb: dict) -> dict:
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if "outputs" in cell:
            cell["outputs"] = [o for o in cell["outputs"] if o["output_type"] != "error"]
    return nb


def test_fix_removes_only_the_error_outputs_byte_for_byte(tmp_path):
    path = tmp_path / "nb.ipynb"
    nb = _notebook_with_error(path)
    expected_path = tmp_path / "expected.ipynb"
    nbformat.write(_without_errors(nb), str(expected_path))

    run = CliRunner().invoke(main, ["lint", "--fix", "--select", "NB106", str(path)])

    assert run.exit_code == 0, run.output
    assert path.read_bytes() == expected_path.read_bytes()
    fixed = nbformat.read(str(path), as_version=4)
    assert fixed.cells[0].outputs[0]["text"] == "start\n"
    assert fixed.cells[2].outputs == []


def test_fix_keeps_indentation_key_order_and_missing_trailing_newline(tmp_path):
    (tmp_path / "pyproject.toml").touch()
    document = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"language_info": {"name": "python"}},
        "cells": [
            {
                "id": "a1",
                "cell_type": "code",
                "source": ["y = 1\n", "1 / 0"],
                "execution_count": 1,
                "metadata": {},
                "outputs": [
                    {
                        "output_type": "error",
                        "ename": "ZeroDivisionError",
                        "evalue": "x",
                        "traceback": ["ZeroDivisionError: x"],
                    },
                    {"output_type": "stream", "name": "stdout", "text": ["ok\n"]},
                ],
            }
        ],
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")  # no trailing newline

    nb2prod = Path(sys.executable).parent / "nb2prod"  # the installed console script
    run = subprocess.run(
        [str(nb2prod), "lint", "--fix", "--select", "NB106", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )

    assert run.returncode == 0, run.stdout + run.stderr

    expected = copy.deepcopy(document)
    expected["cells"][0]["outputs"] = expected["cells"][0]["outputs"][1:]
    assert path.read_text(encoding="utf-8") == json.dumps(expected, indent=2)


def test_diff_shows_the_fix_and_changes_nothing(tmp_path):
    path = tmp_path / "nb.ipynb"
    _notebook_with_error(path)
    before = path.read_bytes()

    run = CliRunner().invoke(main, ["lint", "--diff", "--select", "NB106", str(path)])

    assert run.exit_code == 1
    assert path.read_bytes() == before
    removed = [
        line
        for line in run.output.splitlines()
        if line.startswith("-") and not line.startswith("---")
    ]
    assert any("ZeroDivisionError" in line for line in removed)
    assert not any(line.startswith("+") and "start" in line for line in run.output.splitlines())


# --------------------------------------------------------------------------- NB107


def test_name_used_before_the_cell_that_assigns_it(lint_cells):
    findings = lint_cells(
        [
            code("print(df.shape)", count=7),
            code("import pandas as pd"),
            code("df = pd.DataFrame()", count=3),
        ],
        select=["NB107"],
    )
    assert codes(findings) == ["NB107"]
    (finding,) = findings
    assert (finding.cell, finding.line, finding.column, finding.end_column) == (1, 1, 7, 9)
    assert (
        "`df` is used here (cell 1 (In [7])) but first assigned in cell 3 (In [3])"
        in finding.message
    )
    assert "move the assignment up" in finding.message


def test_use_before_assignment_in_the_same_cell(lint_cells):
    findings = lint_cells([code("print(total)\ntotal = 0")], select=["NB107"])
    (finding,) = findings
    assert finding.line == 1
    assert (
        "line 1" in finding.message
        and "line 2" in finding.message
        and "same cell" in finding.message
    )


def test_use_after_del(lint_cells):
    findings = lint_cells(
        [code("tmp = load()"), code("del tmp"), code("tmp.head()")], select=["NB107"]
    )
    (finding,) = findings
    assert finding.cell == 3 and "`del tmp` in cell 2" in finding.message


def test_each_name_is_reported_once(lint_cells):
    findings = lint_cells(
        [code("df.head()"), code("df.describe()"), code("df = 1")], select=["NB107"]
    )
    assert [f.cell for f in findings] == [1]


def test_unguarded_read_in_a_loop_before_assignment_is_reported(lint_cells):
    findings = lint_cells(
        [
            code("for x in range(3):\n    print(best)\n    best = x"),
            code("for x in range(3):\n    total += x"),
        ],
        select=["NB107"],
    )
    assert [(f.cell, f.line) for f in findings] == [(1, 2), (2, 2)]


@pytest.mark.parametrize(
    "cells",
    [
        # late binding: the function reads `df` only when called, after cell 2
        [code("def summary():\n    return df.describe()"), code("df = load()"), code("summary()")],
        # a value carried to the next loop iteration, read only after the first one
        [code("for i in range(3):\n    if i > 0:\n        print(prev)\n    prev = i")],
        [code("for i in range(3):\n    delta = i - prev if i else 0\n    prev = i")],
        # guarded by NameError
        [code("try:\n    model\nexcept NameError:\n    model = None")],
        # never defined anywhere: NB108's business, or a plain bug
        [code("print(undefined_thing)")],
        # builtins and IPython names
        [code("display(len([]))\nget_ipython()")],
        # a star import makes any name possible, from its own cell on
        [code("from numpy import *"), code("print(pi)"), code("pi = 3")],
        [code("from numpy import *\nprint(pi)"), code("pi = 3")],
        [code("%pylab inline"), code("plot(x)"), code("def plot(v):\n    pass")],
    ],
)
def test_use_before_define_negatives(lint_cells, cells):
    assert lint_cells(cells, select=["NB107"]) == []


# --------------------------------------------------------------------------- NB108


def test_undefined_name_in_a_cell_with_output(lint_cells):
    findings = lint_cells(
        [
            code("import numpy as np", count=1),
            code("accuracy = score(model)\naccuracy", count=12, outputs=[result("0.93", 12)]),
        ],
        select=["NB108"],
    )
    assert [(f.code, f.cell, f.line) for f in findings] == [("NB108", 2, 1), ("NB108", 2, 1)]
    names = sorted(f.message.split("`")[1] for f in findings)
    assert names == ["model", "score"]
    assert "cell 2 (In [12])" in findings[0].message and "deleted cell" in findings[0].message


def test_undefined_name_reported_once(lint_cells):
    findings = lint_cells(
        [
            code("model.fit(X)", count=1, outputs=[stream("ok\n")]),
            code("model.predict(X)", count=2, outputs=[result("1", 2)]),
        ],
        select=["NB108"],
    )
    assert sorted((f.cell, f.message.split("`")[1]) for f in findings) == [(1, "X"), (1, "model")]


@pytest.mark.parametrize(
    "cells",
    [
        # no saved output: a bug the user will hit, not evidence of hidden state
        [code("print(model)", count=1)],
        # only an error output: it failed
        [code("print(model)", count=1, outputs=[error("AttributeError", "x")])],
        # it failed on this very name
        [
            code(
                "print('a')\nprint(model)",
                count=1,
                outputs=[stream("a\n"), error("NameError", "name 'model' is not defined")],
            )
        ],
        # names a star import, %pylab or %run brings in
        [code("from pylab import *\nplot(sin(x))", count=1, outputs=[result("[<Line2D>]")])],
        [code("%pylab inline", count=1), code("hist(x)", count=2, outputs=[result("(...)")])],
        [code("%run helpers.py\nmodel.fit()", count=1, outputs=[stream("ok\n")])],
        # names a hosted platform defines (Databricks)
        [code("spark.read.table('t').count()", count=1, outputs=[result("3")])],
        # defined in a later cell: NB107's business
        [code("print(df)", count=2, outputs=[stream("x\n")]), code("df = 1", count=1)],
    ],
)
def test_undefined_name_negatives(lint_cells, cells):
    assert lint_cells(cells, select=["NB108"]) == []
