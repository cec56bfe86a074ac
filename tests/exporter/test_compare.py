"""How answers are compared (nb2prod/exporter/compare.py, shipped as tests/_compare.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nb2prod.exporter.compare import differences


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        (1, 1),
        ("a", "a"),
        (True, True),
        (None, None),
        (0.1 + 0.2, 0.3),
        (1.0, 1.0 + 1e-9),
        (float("nan"), float("nan")),
        ([1, {"a": 2.0}], [1, {"a": 2.0 + 1e-12}]),
        (np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-8])),
        (np.float64(0.5), np.float64(0.5)),
        (pd.Series([1, 2], name="y"), pd.Series([1, 2], name="y")),
        (pd.DataFrame({"p": [0.1, 0.2]}), pd.DataFrame({"p": [0.1, 0.2 + 1e-9]})),
    ],
)
def test_equal_answers(expected, actual):
    assert differences(expected, actual) == []


@pytest.mark.parametrize(
    ("expected", "actual", "words"),
    [
        (1, 2, "notebook 1, package 2"),
        (True, 1, "the notebook gave bool"),
        (1.0, 1.001, "notebook 1.0, package 1.001"),
        ("a", "b", "notebook 'a', package 'b'"),
        ([1, 2], [1, 2, 3], "notebook has 2 items, package 3"),
        ({"a": 1}, {"b": 1}, "keys"),
        (np.array([1.0, 2.0]), np.array([1.0, 2.1]), "output[1]: notebook"),
        (np.array([1, 2]), np.array([[1, 2]]), "shape"),
        (pd.Series([1, 2], name="y"), pd.Series([1, 2], name="z"), ".name"),
        (pd.DataFrame({"p": [1, 2]}), pd.DataFrame({"q": [1, 2]}), ".columns"),
        (
            pd.DataFrame({"p": [0.5, 0.6]}, index=[10, 11]),
            pd.DataFrame({"p": [0.5, 0.7]}, index=[10, 11]),
            "output['p'][11]: notebook",
        ),
        (pd.DataFrame({"p": [1]}), [1], "the notebook gave pandas"),
    ],
)
def test_different_answers_say_where_and_how(expected, actual, words):
    found = differences(expected, actual)
    assert found and words in "\n".join(found)


def test_long_differences_are_cut_short():
    found = differences(np.zeros(100), np.ones(100))
    assert len(found) == 6 and "95 more" in found[-1]
