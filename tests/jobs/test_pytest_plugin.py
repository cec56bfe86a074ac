"""``pytest --nb2prod``: notebooks collected as tests, run by papermill, failures shown with
the failing cell's source and traceback (through pytest's own pytester)."""

from __future__ import annotations

import pytest

from ..conftest import code, write_notebook


def test_notebooks_become_tests_with_parameter_sets(pytester):
    root = pytester.path
    (root / "pyproject.toml").write_text(
        "[tool.nb2prod.test]\ntimeout = 120\n"
        "[tool.nb2prod.test.parameters]\n"
        '"nbs/divide.ipynb" = [{divisor = 2}, {divisor = 0}]\n'
    )
    write_notebook(
        root / "nbs" / "divide.ipynb",
        [
            code("divisor = 1  # what to divide by", tags=["parameters"]),
            code("numbers = [4, 8]\nhalves = [n / divisor for n in numbers]"),
        ],
    )
    write_notebook(root / "nbs" / "ok.ipynb", [code("x = 1 + 1")])
    write_notebook(root / "nbs" / ".ipynb_checkpoints" / "ok-checkpoint.ipynb", [code("1/0")])

    without = pytester.runpytest_subprocess("nbs")
    without.assert_outcomes()  # the plugin does nothing without --nb2prod

    result = pytester.runpytest_subprocess("--nb2prod", "nbs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*divide.ipynb [[]divisor=0[]]*",
            "the notebook failed in cell 2*ZeroDivisionError: division by zero",
            "failing cell:",
            "   2 | halves = [n / divisor for n in numbers]",
            "*ZeroDivisionError*",
        ]
    )
    assert "ok-checkpoint" not in result.stdout.str()


def _divide(root):
    return write_notebook(
        root / "nbs" / "divide.ipynb",
        [
            code("divisor = 1  # what to divide by", tags=["parameters"]),
            code("halves = [n / divisor for n in [4, 8]]"),
        ],
    )


def test_failure_headings_name_the_notebook(pytester):
    root = pytester.path
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    for name in ("first", "second"):
        write_notebook(root / "nbs" / f"{name}.ipynb", [code("1 / 0")])
    result = pytester.runpytest_subprocess("--nb2prod", "nbs", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        ["*_ first.ipynb [[]defaults[]] _*", "*_ second.ipynb [[]defaults[]] _*"]
    )
    assert "notebook defaults" not in result.stdout.str()


def test_a_wrong_parameter_name_is_one_clear_line(pytester):
    root = pytester.path
    (root / "pyproject.toml").write_text(
        '[tool.nb2prod.test.parameters]\n"nbs/divide.ipynb" = [{divisr = 2}, {divisr = 3}]\n'
    )
    _divide(root)
    result = pytester.runpytest_subprocess("--nb2prod", "nbs", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        ["unknown parameter divisr", "  hint: the parameters cell defines: divisor"]
    )
    out = result.stdout.str()
    assert "Traceback" not in out and "nb2prod/jobs/runner.py" not in out
    assert len(out.splitlines()) < 40, out


@pytest.mark.parametrize(
    ("test_table", "words"),
    [
        (
            "timout = 5\n",
            "unknown key(s) timout (valid keys: exclude, parameters, sequences, timeout)",
        ),
        ('exclude = ["nbs/old_*.ipynb"]\n', "exclude: 'nbs/old_*.ipynb' matches no notebook*"),
        (
            'sequences = [["nbs/train.ipynb", "nbs/divide.ipynb"]]\n',
            "sequences: 'nbs/train.ipynb' is no notebook (*notebooks: nbs/divide.ipynb)",
        ),
        ('sequences = [["nbs/divide.ipynb"]]\n', "fewer than two notebooks*"),
        ("timeout = 'long'\n", "`timeout` must be a number of seconds, not 'long'"),
        (
            '[tool.nb2prod.test.parameters]\n"nbs/divde.ipynb" = [{divisor = 2}]\n',
            "'nbs/divde.ipynb' matches no notebook (*notebooks: nbs/divide.ipynb)",
        ),
    ],
)
def test_test_settings_are_validated(pytester, test_table, words):
    root = pytester.path
    (root / "pyproject.toml").write_text("[tool.nb2prod.test]\n" + test_table)
    _divide(root)
    result = pytester.runpytest_subprocess("--nb2prod", "nbs", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED  # nothing ran
    result.stdout.fnmatch_lines([f"*pyproject.toml [[]tool.nb2prod.test[]]*{words}"])
    assert "Traceback" not in result.stdout.str() and "pytest_plugin.py" not in result.stdout.str()


def test_excluded_notebooks_are_skipped_and_sequences_run_in_their_order(pytester):
    """train writes the file evaluate reads: collected by name, evaluate would run first."""
    root = pytester.path
    (root / "pyproject.toml").write_text(
        "[tool.nb2prod.test]\n"
        'exclude = ["nbs/explore_*.ipynb"]\n'
        'sequences = [["nbs/train.ipynb", "nbs/evaluate.ipynb"]]\n'
    )
    write_notebook(root / "nbs" / "explore_data.ipynb", [code("1 / 0")])
    write_notebook(root / "nbs" / "train.ipynb", [code("open('model.txt', 'w').write('2')")])
    write_notebook(
        root / "nbs" / "evaluate.ipynb", [code("assert open('model.txt').read() == '2'")]
    )
    write_notebook(root / "nbs" / "a_first.ipynb", [code("x = 1")])
    result = pytester.runpytest_subprocess(
        "--nb2prod", "nbs", "-p", "no:cacheprovider", "-v", "-rs"
    )
    result.assert_outcomes(passed=3, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*a_first.ipynb::defaults PASSED*",
            "*train.ipynb::defaults PASSED*",
            "*evaluate.ipynb::defaults PASSED*",
            "*explore_data.ipynb::excluded SKIPPED*",
            "*explore_data.ipynb: excluded by pyproject.toml [[]tool.nb2prod.test[]] exclude",
        ]
    )
