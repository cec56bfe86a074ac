"""Reference statistics: data, not rows; every kind of column; a versioned format."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from nb2prod.drift.problems import DriftInputError
from nb2prod.drift.reference import (
    MAX_CATEGORIES,
    STATS_FORMAT,
    check_statistics,
    reference_statistics,
)


def test_statistics_are_json_of_a_fixed_size_whatever_the_rows(many_tumours):
    small = json.dumps(reference_statistics(many_tumours.iloc[:1500]))
    large = json.dumps(reference_statistics(many_tumours))
    assert json.loads(large)["format"] == STATS_FORMAT == 1
    assert json.loads(large)["rows"] == 5000
    # the summary of 5,000 rows is no larger than that of 1,500: no rows are stored
    assert abs(len(large) - len(small)) < 0.05 * len(small)
    first_row = many_tumours.iloc[0]
    assert not any(repr(float(v)) in large for v in first_row.iloc[1:5])


def test_a_numeric_column_has_its_counts_bins_and_sketch(patients):
    stats = reference_statistics(patients)
    bmi = stats["columns"]["bmi"]
    assert bmi["kind"] == "numeric" and bmi["nulls"] == 12 and bmi["count"] == 430
    assert bmi["min"] == patients["bmi"].min() and bmi["max"] == patients["bmi"].max()
    assert bmi["mean"] == pytest.approx(patients["bmi"].mean())
    assert len(bmi["sketch"]["quantiles"]) == 101 and sum(bmi["bins"]["counts"]) == 430
    assert bmi["sketch"]["cdf"][-1] == 1.0
    assert bmi["sketch"]["quantiles"][50] == pytest.approx(patients["bmi"].median())


def test_few_values_make_a_category_column_text_or_number(patients):
    stats = reference_statistics(patients)
    sex, band = stats["columns"]["sex"], stats["columns"]["band"]
    assert sex["kind"] == "categorical" and sex["values"] == "number"
    assert sorted(v for v, _ in sex["categories"]) == [1.0, 2.0]
    assert band["values"] == "text" and {v for v, _ in band["categories"]} == {"low", "mid", "high"}
    assert sum(n for _, n in band["categories"]) == len(patients)


def test_categories_past_the_cap_are_lumped_and_dates_are_other():
    frame = pd.DataFrame(
        {
            "code": [f"c{i % 80}" for i in range(800)],
            "when": pd.date_range("2024-01-01", periods=800, freq="h"),
            "ok": [True, False] * 400,
        }
    )
    stats = reference_statistics(frame)["columns"]
    assert len(stats["code"]["categories"]) == MAX_CATEGORIES
    assert stats["code"]["other"] == 800 - 10 * MAX_CATEGORIES and stats["code"]["unique"] == 80
    assert stats["when"]["kind"] == "other"
    assert stats["ok"]["kind"] == "categorical" and stats["ok"]["values"] == "text"


def test_no_rows_duplicate_columns_and_other_formats_are_refused(patients):
    with pytest.raises(DriftInputError, match="no rows"):
        reference_statistics(patients.iloc[:0])
    with pytest.raises(DriftInputError, match="duplicate columns: age"):
        reference_statistics(pd.concat([patients[["age"]], patients[["age"]]], axis=1))
    stats = reference_statistics(patients.iloc[:50])
    with pytest.raises(DriftInputError, match="format 2; this nb2prod reads format 1"):
        check_statistics({**stats, "format": 2}, "s.json")
    with pytest.raises(DriftInputError, match="not reference statistics"):
        check_statistics({"rows": 3}, "s.json")


def test_infinities_count_as_nulls():
    values = np.r_[np.arange(20.0), np.inf, -np.inf, np.nan]
    column = reference_statistics(pd.DataFrame({"x": values}))["columns"]["x"]
    assert (column["count"], column["nulls"], column["max"]) == (20, 3, 19.0)
