"""The parameters cell as typed specs (nb2prod/parameters.py)."""

from __future__ import annotations

import pytest

from nb2prod.notebook import load_notebook
from nb2prod.parameters import ParameterError, ParamSpec, parameter_specs

from .conftest import code, write_notebook


def _cell(tmp_path, source):
    notebook = load_notebook(
        write_notebook(tmp_path / "nb.ipynb", [code(source, tags=["parameters"])])
    )
    return notebook.cells[0]


def test_types_defaults_and_help(tmp_path):
    cell = _cell(
        tmp_path,
        "# Parameters\n"
        "threshold = 0.5  # probability above which a customer churns\n"
        "n_estimators: int = 200\n"
        "learning_rate: float = 1  # an int default is fine for a float\n"
        "model_path = 'artifacts/model.joblib'\n"
        "use_gpu = False\n"
        "columns = ('age', 'tenure')  # a tuple becomes a list\n"
        "mapping = {'a': 1}\n"
        "cutoff = None\n"
        "label: str = 'churn # not a comment'\n",
    )
    specs = {spec.name: spec for spec in parameter_specs(cell)}
    assert specs["threshold"] == ParamSpec(
        "threshold", "float", 0.5, "probability above which a customer churns", 2
    )
    assert [(s.name, s.type) for s in specs.values()] == [
        ("threshold", "float"),
        ("n_estimators", "int"),
        ("learning_rate", "float"),
        ("model_path", "str"),
        ("use_gpu", "bool"),
        ("columns", "list"),
        ("mapping", "dict"),
        ("cutoff", "None"),
        ("label", "str"),
    ]
    assert specs["columns"].default == ["age", "tenure"] and specs["label"].help is None
    assert specs["learning_rate"].help == "an int default is fine for a float"


def test_the_last_assignment_wins_and_other_statements_are_ignored(tmp_path):
    cell = _cell(tmp_path, "import os\nx = 1\nprint(x)\nx = 2\n")
    assert [(s.name, s.default, s.line) for s in parameter_specs(cell)] == [("x", 2, 4)]


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("data_dir = os.path.join('a', 'b')", "`data_dir` is not a literal value"),
        ("n: int = 'ten'", "`n: int` does not fit its default 'ten'"),
        ("ids = {1, 2}", "`ids` has no parameter type"),
        ("x = (", "does not parse"),
    ],
)
def test_parameters_that_cannot_be_typed_are_refused(tmp_path, source, words):
    with pytest.raises(ParameterError) as info:
        parameter_specs(_cell(tmp_path, source))
    assert words in info.value.message and "cell 1" in info.value.message
