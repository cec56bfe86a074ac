"""The capture rule: the notebook's answer is what its predict cells give *when they run*,
in the notebook's order, for the defaults and for every override case; it is the last
predict cell's final expression, whatever kind of expression that is.  Checked on
reductions of public notebooks (tests/public/) whose later cells rebind the model and the
example input, with a real papermill run; one test builds the package and verifies it."""

from __future__ import annotations

import joblib
import numpy as np
import pytest

from nb2prod.exporter.capture import run_and_capture
from nb2prod.exporter.plan import plan_export
from nb2prod.exporter.render import PackageSpec, notebook_module
from nb2prod.notebook import load_notebook

from ..conftest import code, write_notebook
from ..conftest import nb2prod_cli as run
from ..public import ols, precision_recall

THRESHOLD = {"threshold": 0.5}


def _capture(notebook, overrides=()):
    plan = plan_export(load_notebook(notebook))
    return plan, run_and_capture(plan, list(overrides), workdir=notebook.parent)


def _labels(model, rows, threshold):
    return (model.decision_function(rows) > threshold).astype(int)


@pytest.mark.parametrize(
    "predict", [precision_recall.PREDICT, precision_recall.PREDICT_EXPRESSION], ids=["name", "expr"]
)
def test_answers_are_captured_when_predict_runs_not_from_the_end_state(tmp_path, predict):
    notebook = precision_recall.precision_recall_export_notebook(tmp_path, predict)
    _plan, capture = _capture(notebook, [THRESHOLD])
    # The multi-label cells after predict rebind `X_test` (75 rows of 3 classes) and
    # `classifier` (a OneVsRestClassifier): neither may leak into the answers.
    rows = capture.inputs["X_test"]
    assert rows.shape == (50, 804)
    binary = joblib.load(tmp_path / "precision_recall.joblib")
    for case, threshold in zip(capture.cases, (0.0, 0.5)):
        expected = _labels(binary, rows, threshold)
        if predict == precision_recall.PREDICT_EXPRESSION:
            expected = expected + binary.decision_function(rows).round(3)
        assert case.output is not None, case.name
        np.testing.assert_array_equal(case.output, expected, err_msg=case.name)
    assert [case.name for case in capture.cases] == ["defaults", "threshold=0.5"]


def test_a_bare_expression_ending_predict_is_the_answer(tmp_path):
    notebook = ols.ols_export_notebook(tmp_path, predict=ols.PREDICT_EXPRESSION)
    _plan, capture = _capture(notebook)
    regr = joblib.load(tmp_path / "ols.joblib")
    expected = regr.predict(capture.inputs["batch"]).round(2)
    np.testing.assert_array_equal(capture.cases[0].output, expected)


def test_predict_cells_apart_see_the_state_of_their_own_moment(tmp_path):
    """Two predict cells with an untagged cell between them that rebinds what the second
    reads: each override case runs each predict cell where it stands."""
    notebook = write_notebook(
        tmp_path / "steps.ipynb",
        [
            code("scale = 2.0  # multiplier", tags=["parameters"]),
            code("offset = 1", tags=["nb2prod:load"]),
            code("values = [1, 2, 3]", tags=["nb2prod:example"]),
            code("scaled = [v * scale for v in values]", tags=["nb2prod:predict"]),
            code("offset = 100\nvalues = [0]"),
            code("[s + offset for s in scaled]", tags=["nb2prod:predict"]),
            code("offset = -5\nscaled = None\nscale = 0"),
            code("assert offset == -5 and scaled is None and scale == 0 and values == [0]"),
        ],
    )
    _plan, capture = _capture(notebook, [{"scale": 3.0}])
    assert capture.inputs == {"values": [1, 2, 3]}
    assert [case.output for case in capture.cases] == [[102.0, 104.0, 106.0], [103.0, 106.0, 109.0]]


def test_the_plan_notes_later_cells_that_rebind_what_the_package_reads(tmp_path):
    notebook = precision_recall.precision_recall_export_notebook(tmp_path)
    plan = plan_export(load_notebook(notebook))
    cells = load_notebook(notebook).cells
    later, predict = cells[8], cells[7]
    notes = "\n".join(plan.notes)
    for name in ("classifier", "X_test"):
        assert f"{later.label} rebinds `{name}`" in notes, notes
    assert f"{predict.label} (predict)" in notes
    assert f"(id {later.id})" in notes and f"(id {predict.id})" in notes
    assert "`y_score`" not in notes  # the package never reads it
    quiet = plan_export(load_notebook(ols.ols_export_notebook(tmp_path / "ols")))
    assert quiet.notes == []


@pytest.mark.parametrize(
    "last_line",
    [
        "(proba > threshold).astype(int) + proba.round(3)",
        "np.round(proba * threshold, 2)",
        "proba[proba > threshold]",
    ],
)
def test_the_package_returns_the_final_expression(tmp_path, last_line):
    notebook = write_notebook(
        tmp_path / "nb.ipynb",
        [
            code("import numpy as np", tags=["nb2prod:export"]),
            code("threshold = 0.5", tags=["parameters"]),
            code("x = np.array([0.2, 0.7])", tags=["nb2prod:example"]),
            code(f"proba = x * 1.0\n{last_line}", tags=["nb2prod:predict"]),
        ],
    )
    plan = plan_export(load_notebook(notebook))
    module = notebook_module(plan, PackageSpec("nb", "0.1.0", "nb.ipynb", [], []))
    assert f"    return {last_line}\n" in module
    namespace: dict = {}
    exec(compile(module, "_notebook.py", "exec"), namespace)  # noqa: S102 - generated here
    answer = namespace["_nb2prod_predict"](np.array([0.2, 0.7]), threshold=0.5)
    assert answer is not None


def test_a_public_notebook_whose_later_cells_rebind_exports_and_verifies(tmp_path):
    """The whole path on the reduced scikit-learn example: export, a fresh venv, the
    package's answers and its generated (golden) tests, defaults and an override."""
    notebook = precision_recall.precision_recall_export_notebook(
        tmp_path, precision_recall.PREDICT_EXPRESSION
    )
    out = tmp_path / "pr"
    result = run("export", notebook, "-o", out, "--verify", "-p", "threshold", "0.5", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    for line in (
        "PASS  predict, defaults",
        "PASS  predict, threshold=0.5",
        "PASS  generated tests",
    ):
        assert line in result.stdout
    assert "rebinds `classifier`" in result.stderr


def test_a_package_without_runtime_parameters_has_clean_generated_tests(tmp_path):
    """ruff's notes are about code copied from the notebook; nb2prod's own files, such as
    tests/test_params.py of a package with build parameters only, give none."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'lab'\n")
    notebook = ols.ols_export_notebook(tmp_path / "nb")
    done = run("export", notebook, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "tests/test_params.py" not in done.stderr
    assert "as info" not in (notebook.parent / "build/plot_ols/tests/test_params.py").read_text()
