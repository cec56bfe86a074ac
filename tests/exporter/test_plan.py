"""Static export planning (nb2prod/exporter/plan.py)."""

from __future__ import annotations

import pytest

from nb2prod.exporter.plan import ExportRefusal, plan_export
from nb2prod.notebook import load_notebook
from nb2prod.roles import RoleError

from ..conftest import code, markdown, write_notebook


def _plan(tmp_path, *cells):
    return plan_export(load_notebook(write_notebook(tmp_path / "nb.ipynb", list(cells))))


def _refusal(tmp_path, *cells) -> ExportRefusal:
    with pytest.raises(ExportRefusal) as info:
        _plan(tmp_path, *cells)
    assert info.value.exit_code == 2
    return info.value


CHURN = [
    markdown("# Churn model"),
    code(
        "model_path = 'artifacts/model.joblib'  # where training saved the model\n"
        "threshold = 0.5  # churn probability cut-off",
        tags=["parameters"],
    ),
    code(
        "import joblib\nimport numpy as np\n\nFEATURES = ['age', 'tenure']\n\n"
        "def prepare(rows):\n    return np.asarray([[r[f] for f in FEATURES] for r in rows])\n\n"
        "def score(model, rows):\n    return model.predict_proba(prepare(rows))[:, 1]",
        tags=["nb2prod:export"],
    ),
    code("train_df = load_training_data()\nfit_and_save(train_df, model_path)"),
    code("%%nb2prod load\nmodel = joblib.load(model_path)"),
    code("#| nb2prod: example\nrows = [{'age': 40, 'tenure': 3}]"),
    code("probabilities = score(model, rows)\nprobabilities > threshold", tags=["nb2prod:predict"]),
]


def test_a_well_tagged_notebook(tmp_path):
    plan = _plan(tmp_path, *CHURN)
    assert plan.inputs == ["rows"]
    assert plan.output == "probabilities > threshold"
    assert plan.runtime_params == ["threshold"] and plan.build_params == ["model_path"]
    assert [c.number for c in plan.role("export")] == [3]
    assert [c.number for c in plan.role("load")] == [5]
    assert [s.name for s in plan.parameters] == ["model_path", "threshold"]


def test_a_name_from_an_untagged_cell_is_refused_with_the_fix(tmp_path):
    cells = [
        *CHURN[:6],
        code("scaler = fit_scaler(train_df)", count=7),  # cell 7, not tagged
        code("score(model, scaler.transform(rows))", tags=["nb2prod:predict"]),
    ]
    refusal = _refusal(tmp_path, *cells)
    assert "needs `scaler`" in refusal.message and "cell 8" in refusal.message
    assert "(predict)" in refusal.message and "it is assigned in cell 7" in refusal.message
    assert "tag cell 7" in refusal.hint and "`nb2prod:export`" in refusal.hint


def test_functions_are_followed_transitively_and_late_binding_counts(tmp_path):
    refusal = _refusal(
        tmp_path,
        code(
            "def clean(x):\n    return x * SCALE\n\ndef score(x):\n    return clean(x) + 1",
            tags=["nb2prod:export"],
        ),
        code("SCALE = 3"),
        code("x = 2", tags=["nb2prod:example"]),
        code("score(x)", tags=["nb2prod:predict"]),
    )
    assert "needs `SCALE`" in refusal.message and "cell 1 (" in refusal.message
    assert "tag cell 2" in refusal.hint


def test_unused_functions_may_refer_to_training_only_names(tmp_path):
    plan = _plan(
        tmp_path,
        code(
            "def retrain():\n    return fit(train_df)\n\ndef double(x):\n    return 2 * x",
            tags=["nb2prod:export"],
        ),
        code("value = 21", tags=["nb2prod:example"]),
        code("double(value)", tags=["nb2prod:predict"]),
    )
    assert plan.inputs == ["value"] and plan.output == "double(value)"


def test_names_defined_nowhere(tmp_path):
    refusal = _refusal(
        tmp_path,
        code("x = 1", tags=["nb2prod:example"]),
        code("x + offset", tags=["nb2prod:predict"]),
    )
    assert "needs `offset`, which no cell of the notebook defines" in refusal.message


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        (
            code("!pip install joblib\nimport joblib", tags=["nb2prod:export"]),
            "`!pip install joblib`",
        ),
        (code("%matplotlib inline\nx = 1", tags=["nb2prod:load"]), "`%matplotlib inline`"),
        (code("from math import *", tags=["nb2prod:export"]), "`from math import *`"),
        (code("x = (", tags=["nb2prod:export"]), "syntax error"),
        (  # IPython's autocall: no escape, yet no Python (it was a traceback)
            code("def f(v):\n    return v\n\n/print 1", tags=["nb2prod:export"]),
            "`/print 1` is not Python",
        ),
    ],
)
def test_code_that_a_package_cannot_hold_is_refused(tmp_path, cell, words):
    refusal = _refusal(
        tmp_path, cell, code("v = 1", tags=["nb2prod:example"]), code("v", tags=["nb2prod:predict"])
    )
    assert words in refusal.message and "cell 1" in refusal.message


def test_no_predict_cell_and_unreadable_roles(tmp_path):
    assert "no predict cell" in _refusal(tmp_path, code("x = 1", tags=["nb2prod:export"])).message
    with pytest.raises(RoleError):
        _plan(tmp_path, code("x = 1", tags=["nb2prod:predict", "nb2prod:export"]))


def test_the_last_predict_cell_must_end_with_an_expression(tmp_path):
    refusal = _refusal(
        tmp_path,
        code("x = 1", tags=["nb2prod:example"]),
        code("y = x + 1", tags=["nb2prod:predict"]),
    )
    assert "does not end with an expression" in refusal.message


def test_imports_and_aliases_in_export_cells_provide_names(tmp_path):
    plan = _plan(
        tmp_path,
        code("import numpy as np\nfrom statistics import mean as average", tags=["nb2prod:export"]),
        code("values = [1.0, 2.0]", tags=["nb2prod:example"]),
        code("np.asarray(values).sum() + average(values)", tags=["nb2prod:predict"]),
    )
    assert plan.inputs == ["values"] and plan.runtime_params == []


def test_constants_and_aliases_from_export_cells_are_provided(tmp_path):
    plan = _plan(
        tmp_path,
        code(
            "RATE = 0.2\n\ndef tax(x):\n    return x * RATE\n\nvat = tax\nimport math as m",
            tags=["nb2prod:export"],
        ),
        code("price = 10.0", tags=["nb2prod:example"]),
        code("m.floor(vat(price))", tags=["nb2prod:predict"]),
    )
    assert plan.inputs == ["price"] and plan.output == "m.floor(vat(price))"


def test_load_cells_bind_module_globals_and_parameters_split(tmp_path):
    plan = _plan(tmp_path, *CHURN)
    assert plan.load_names == ["model"]
    assert plan.package_params == ["model_path"]  # build parameters the code reads


def test_a_runtime_parameter_read_inside_an_exported_function_is_refused(tmp_path):
    refusal = _refusal(
        tmp_path,
        code("threshold = 0.5", tags=["parameters"]),
        code("def decide(p):\n    return p > threshold", tags=["nb2prod:export"]),
        code("p = 0.7", tags=["nb2prod:example"]),
        code("decide(p) and p > threshold", tags=["nb2prod:predict"]),
    )
    assert "`decide` in cell 2" in refusal.message and "`threshold`" in refusal.message
    assert "pass `threshold` to it as an argument" in refusal.hint


def test_export_cells_cannot_use_load_results_at_import_time(tmp_path):
    refusal = _refusal(
        tmp_path,
        code("model = object()", tags=["nb2prod:load"]),
        code("kind = type(model).__name__", tags=["nb2prod:export"]),
        code("x = 1", tags=["nb2prod:example"]),
        code("(kind, x)", tags=["nb2prod:predict"]),
    )
    assert "uses `model` from a load cell when the package is imported" in refusal.message


def test_annotated_names_in_load_cells_are_refused(tmp_path):
    refusal = _refusal(
        tmp_path,
        code("size: int = 3", tags=["nb2prod:load"]),
        code("x = 1", tags=["nb2prod:example"]),
        code("x + size", tags=["nb2prod:predict"]),
    )
    assert "annotation on `size`" in refusal.message and "`size = ...`" in refusal.hint


def test_secret_build_parameters_never_go_into_the_package(tmp_path):
    refusal = _refusal(
        tmp_path,
        code("api_token = 'ghp_" + "a1B2" * 9 + "'", tags=["parameters"]),
        code("client = {'token': api_token}", tags=["nb2prod:load"]),
        code("x = 1", tags=["nb2prod:example"]),
        code("(client, x)", tags=["nb2prod:predict"]),
    )
    assert "`api_token` looks like a credential" in refusal.message
    assert 'os.environ["API_TOKEN"]' in refusal.hint
    # An unused secret-looking parameter is fine: it never reaches the package.
    _plan(
        tmp_path,
        code("api_token = 'ghp_" + "a1B2" * 9 + "'", tags=["parameters"]),
        code("x = 1", tags=["nb2prod:example"]),
        code("x", tags=["nb2prod:predict"]),
    )


def test_a_parameter_assigned_in_two_parameters_cells_takes_the_later_value(tmp_path):
    plan = _plan(
        tmp_path,
        code("x = 1", tags=["parameters"]),
        code("x = 2  # the second cell wins", tags=["parameters"]),
        code("y = 3", tags=["nb2prod:example"]),
        code("x + y", tags=["nb2prod:predict"]),
    )
    assert [(s.name, s.default) for s in plan.parameters] == [("x", 2)]
    assert plan.runtime_params == ["x"]
