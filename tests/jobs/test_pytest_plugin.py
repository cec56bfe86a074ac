"""``pytest --nb2prod``: notebooks collected as tests, run by papermill, failures shown with
the failing cell's source and traceback (through pytest's own pytester)."""

from __future__ import annotations

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
            "*notebook divisor=0*",
            "the notebook failed in cell 2*ZeroDivisionError: division by zero",
            "failing cell:",
            "   2 | halves = [n / divisor for n in numbers]",
            "*ZeroDivisionError*",
        ]
    )
    assert "ok-checkpoint" not in result.stdout.str()
