"""The input contract: inferred at export (contract.py), checked by the package
(input_check.py, shipped as ``_validation.py``) and shown (contract_text.py)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from nb2prod.exporter import contract_text
from nb2prod.exporter.contract import infer_contract
from nb2prod.exporter.input_check import InputError, InputWarning, checked


@pytest.fixture(scope="module")
def tumours() -> pd.DataFrame:
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(as_frame=True).data


def _problems(inputs, contract, **options) -> list[str]:
    with pytest.raises(InputError) as caught:
        checked(inputs, spec=contract, **options)
    assert isinstance(caught.value, ValueError)
    return caught.value.problems


def test_a_table_contract_takes_columns_and_dtypes_from_the_example_values_from_the_reference(
    tumours,
):
    contract = infer_contract({"X_new": tumours.head(8)}, tumours)
    json.dumps(contract, allow_nan=False)  # data, strict JSON
    table = contract["inputs"]["X_new"]
    assert table["kind"] == "dataframe" and table["source"] == "reference"
    assert table["rows_seen"] == 569
    assert [c["name"] for c in table["columns"]] == list(tumours.columns)
    radius = table["columns"][0]
    assert radius["dtype"] == "float64" and radius["nullable"] is False
    assert (radius["min"], radius["max"]) == (tumours["mean radius"].min(), 28.11)
    alone = infer_contract({"X_new": tumours.head(8)})["inputs"]["X_new"]
    assert alone["source"] == "example" and alone["rows_seen"] == 8
    assert alone["columns"][0]["max"] == tumours["mean radius"].head(8).max()


def test_categories_nulls_and_ints_are_inferred():
    frame = pd.DataFrame(
        {"band": ["low", "mid", None], "age": [30, 41, 52], "score": [0.5, np.nan, 1.0]}
    )
    columns = infer_contract({"rows": frame})["inputs"]["rows"]["columns"]
    band, age, score = columns
    assert band["type"] == "str" and band["categories"] == ["low", "mid"] and band["nullable"]
    assert age == {
        "name": "age",
        "dtype": "int64",
        "type": "int",
        "nullable": False,
        "source": "example",
        "min": 30,
        "max": 52,
    }
    assert score["nullable"] is True


def test_arrays_lists_and_scalars_keep_dtype_shape_and_element_types():
    contract = infer_contract(
        {
            "values": np.arange(12.0).reshape(3, 4),
            "order": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}],
            "weights": [1, 2.5],
            "limit": 3,
        }
    )["inputs"]
    assert contract["values"] == {
        "kind": "ndarray",
        "dtype": "float64",
        "type": "float",
        "shape": [None, 4],
        "nullable": False,
    }
    assert contract["order"]["items"]["keys"]["qty"] == {"kind": "scalar", "type": "int"}
    assert contract["weights"]["items"] == {"kind": "scalar", "type": "float"}
    assert contract["limit"] == {"kind": "scalar", "type": "int"}


def test_every_table_problem_is_listed_at_once(tumours):
    contract = infer_contract({"X_new": tumours.head(8)}, tumours)
    bad = tumours.head(5).drop(columns=["mean radius"]).assign(extra=1)
    bad["mean texture"] = bad["mean texture"].astype(object)
    bad.loc[2, "mean texture"] = "abc"
    bad.loc[3, "mean area"] = np.nan
    assert _problems({"X_new": bad}, contract) == [
        "X_new: missing columns: 'mean radius'",
        "X_new: unexpected columns: 'extra'",
        "X_new: column 'mean texture': expected numbers (float64); got 'abc' (row 2)",
        "X_new: column 'mean area': 1 null value(s) (rows 3); none were seen in the reference data",
    ]
    assert _problems({"X_new": tumours.head(0)}, contract) == ["X_new: the table has no rows"]
    array = _problems({"X_new": tumours.head(3).to_numpy()}, contract)
    assert array[0].startswith("X_new: expected a table (pandas DataFrame) with 30 columns")
    assert array[0].endswith("got numpy.ndarray")


def test_safe_conversions_are_made_on_a_copy(tumours):
    contract = infer_contract({"X_new": tumours.head(8)}, tumours)
    given = tumours.head(4)[list(reversed(tumours.columns))].copy()
    given["mean radius"] = given["mean radius"].astype(str)  # as text, from a file
    given["mean area"] = given["mean area"].round().astype("int64")
    before = given.copy()
    fixed = checked({"X_new": given}, spec=contract)["X_new"]
    assert list(fixed.columns) == list(tumours.columns)
    assert (fixed.dtypes == "float64").all()
    assert fixed["mean radius"].tolist() == tumours["mean radius"].head(4).tolist()
    pd.testing.assert_frame_equal(given, before)  # the caller's table untouched


def test_a_table_that_fits_is_checked_as_closely_the_second_time(tumours, monkeypatch):
    """What a table fitting the package's own contract needs is worked out once: the
    second call finds the same problems; contracts made for one call (a Series, a table
    missing a column, a contract passed in) leave nothing behind in the process."""
    from nb2prod.exporter import input_check

    contract = infer_contract({"X_new": tumours.head(8)}, tumours)
    monkeypatch.setattr(input_check, "_CONTRACT", contract)  # as read from _contract.json
    monkeypatch.setattr(input_check, "_LAYOUTS", {})
    shifted = tumours.head(5).copy()
    shifted.iloc[2, 0] = np.nan
    shifted.iloc[3, 1] = 1e6
    problems = []
    for _ in range(2):
        with pytest.raises(InputError) as raised:
            checked({"X_new": shifted}, strict=True)
        problems.append(raised.value.problems)
    assert problems[0] == problems[1] and len(problems[0]) == 2
    assert "column 'mean radius': 1 null value(s) (rows 2)" in problems[0][0]
    assert "column 'mean texture': 1 value(s) outside the range" in problems[0][1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        checked({"X_new": tumours.head(5)})  # fits: silent, twice
        checked({"X_new": tumours.tail(5)})
    assert len(input_check._LAYOUTS) == 1

    series = infer_contract({"radius": tumours["mean radius"].head(8)})
    for _ in range(20):
        checked({"radius": tumours["mean radius"].head(3)}, spec=series)
        _problems({"X_new": tumours.drop(columns="mean area").head(3)}, contract)
        _problems({"X_new": shifted}, infer_contract({"X_new": tumours.head(8)}, tumours))
    assert len(input_check._LAYOUTS) == 1


def test_unseen_values_warn_by_default_and_fail_when_strict():
    reference = pd.DataFrame({"band": ["low", "mid", "high"] * 3, "size": [1.0, 2.0, 3.0] * 3})
    contract = infer_contract({"rows": reference.head(2)}, reference)
    batch = pd.DataFrame({"band": ["low", "huge"], "size": [2.5, 9.0]})
    with pytest.warns(InputWarning) as warned:
        assert checked({"rows": batch}, spec=contract)["rows"] is batch
    message = str(warned[0].message)
    assert "column 'size': 1 value(s) outside the range 1 .. 3 seen in the reference" in message
    assert "9.0 (row 1)" in message
    assert "column 'band': categories not seen in the reference data: 'huge' (row 1)" in message
    strict = _problems({"rows": batch}, contract, strict=True)
    assert len(strict) == 2 and "outside the range" in strict[0] and "'huge'" in strict[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        checked({"rows": reference}, spec=contract)  # the reference itself: silent


def test_ranges_and_categories_of_the_example_input_alone_are_shown_not_checked():
    example = pd.DataFrame({"band": ["low", "mid"], "size": [1.0, 2.0]})
    contract = infer_contract({"rows": example})
    assert contract["inputs"]["rows"]["columns"][1]["max"] == 2.0
    batch = pd.DataFrame({"band": ["huge"], "size": [9.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        checked({"rows": batch}, spec=contract, strict=True)
    assert "not checked" in contract_text.table(contract).splitlines()[0]
    assert "null value(s)" in _problems({"rows": batch.assign(size=np.nan)}, contract)[0]


def test_array_problems(tumours):
    contract = infer_contract({"values": np.arange(12.0).reshape(3, 4)})
    assert _problems({"values": np.ones((2, 5))}, contract) == [
        "values: expected an array of shape (n, 4); got shape (2, 5)"
    ]
    assert _problems({"values": np.array([["a"] * 4])}, contract) == [
        "values: expected an array of float64; got <U1"
    ]
    assert _problems({"values": np.ones((0, 4))}, contract) == ["values: the array has no rows"]
    nan = np.ones((2, 4))
    nan[1, 2] = np.nan
    assert "1 NaN value(s)" in _problems({"values": nan}, contract)[0]
    fixed = checked({"values": [[1, 2, 3, 4]]}, spec=contract)["values"]
    assert fixed.dtype == np.float64 and fixed.shape == (1, 4)


def test_list_and_scalar_problems():
    contract = infer_contract({"order": [{"sku": "a", "qty": 2}], "limit": 3, "rate": 0.5})
    assert _problems({"order": [{"sku": 1}], "limit": "3", "rate": True}, contract) == [
        "order[0]: missing keys: 'qty'",
        "order[0]['sku']: expected str; got int 1",
        "limit: expected int; got str '3'",
        "rate: expected float; got bool True",
    ]
    assert _problems({"order": []}, contract) == ["order: the list is empty"]
    checked({"order": [{"sku": "b", "qty": 5}], "limit": 4, "rate": 1}, spec=contract)


def test_the_contract_in_words(tumours):
    contract = infer_contract({"X_new": tumours.head(8), "limit": 3}, tumours)
    table = contract_text.table(contract).splitlines()
    assert table[0] == (
        "X_new: a table (pandas DataFrame), 30 columns; values as seen in the reference data "
        "(569 rows)"
    )
    assert table[1].split() == ["column", "dtype", "nulls", "values"]
    assert table[2].split() == ["mean", "radius", "float64", "no", "6.981", "..", "28.11"]
    assert table[-1] == "limit: int"
    markdown = contract_text.markdown(contract)
    assert "| `mean radius` | float64 | no | 6.981 .. 28.11 |" in markdown
    assert contract_text.short(contract).startswith(
        "X_new: a table with columns mean radius (float64), mean texture (float64)"
    )
