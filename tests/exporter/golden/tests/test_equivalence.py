"""The package gives the notebook's answers: inputs and outputs captured when nb2prod ran
the notebook (tests/golden/cases.pkl), compared as ``nb2prod verify`` compares them."""

import pickle
from pathlib import Path

import pytest
from _compare import differences

import orders

GOLDEN = pickle.loads((Path(__file__).parent / "golden" / "cases.pkl").read_bytes())


@pytest.mark.parametrize(
    "case", GOLDEN["cases"], ids=[case["name"] for case in GOLDEN["cases"]]
)
def test_predict_gives_the_notebooks_answer(case):
    actual = orders.predict(*GOLDEN["inputs"].values(), **case["params"])
    assert differences(case["output"], actual) == []
