"""check_drift on real data: an unshifted sample does not drift, a shifted batch does,
with Evidently's tests for each size of reference; a batch that does not fit is bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from nb2prod.drift.check import BadBatch, check_drift
from nb2prod.drift.reference import reference_statistics


def test_an_unshifted_sample_does_not_drift_with_a_small_reference(tumours):
    report = check_drift(reference_statistics(tumours.iloc[:300]), tumours.iloc[300:])
    assert report.regime == "small" and not report.drift
    assert {c.test for c in report.columns} == {"ks"}
    assert report.share_drifted < 0.2
    assert all(c.threshold == 0.05 and c.psi is not None for c in report.columns)


def test_a_shifted_batch_drifts_column_by_column(tumours):
    stats = reference_statistics(tumours.iloc[:300])
    batch = tumours.iloc[300:].copy()
    shifted = list(batch.columns[:20])
    batch[shifted] = batch[shifted] * 1.25
    report = check_drift(stats, batch)
    assert report.drift and report.share_drifted >= 0.5
    assert {c.column for c in report.drifted} >= set(shifted[:15])
    assert all(c.score < 0.05 for c in report.drifted)
    assert max(c.psi for c in report.drifted) > 0.2


def test_a_large_reference_uses_wasserstein_and_a_shift_crosses_0_1(many_tumours, tumours):
    stats = reference_statistics(many_tumours.iloc[:3000])
    same = check_drift(stats, many_tumours.iloc[3000:])
    assert same.regime == "large" and not same.drift
    assert {c.test for c in same.columns} == {"wasserstein"}
    assert max(c.score for c in same.columns) < 0.1
    moved = check_drift(stats, many_tumours.iloc[3000:] + 0.3 * tumours.std())
    assert moved.drift and all(0.2 < c.score < 0.45 for c in moved.columns)
    assert json.loads(json.dumps(moved.to_json()))["columns"][0]["drift"] is True


def test_categorical_columns_use_chi_squared_or_jensen_shannon(patients):
    small = check_drift(reference_statistics(patients.iloc[:250]), patients.iloc[250:])
    by_name = {c.column: c for c in small.columns}
    assert by_name["sex"].test == by_name["band"].test == "chi_squared"
    assert not by_name["band"].drift
    only_high = patients.iloc[250:].copy()
    only_high["band"] = "high"
    drifted = {
        c.column: c
        for c in check_drift(reference_statistics(patients.iloc[:250]), only_high).columns
    }
    assert drifted["band"].drift and drifted["band"].score < 1e-6
    bigger = pd.concat([patients] * 3, ignore_index=True)
    large = {c.column: c for c in check_drift(reference_statistics(bigger), only_high).columns}
    assert large["band"].test == "jensen_shannon" and large["band"].drift
    assert large["sex"].test == "jensen_shannon" and not large["sex"].drift


def test_a_value_the_reference_never_had_is_drift_and_named(patients):
    batch = patients.iloc[250:].copy()
    batch.loc[batch.index[:60], "band"] = "extreme"
    report = check_drift(reference_statistics(patients.iloc[:250]), batch)
    result = {c.column: c for c in report.columns}
    assert result["band"].drift and result["band"].note == "new value: extreme"
    assert result["band"].statistic == float("inf") and result["band"].score == 0.0
    column = next(c for c in report.to_json()["columns"] if c["column"] == "band")
    assert column["statistic"] is None and column["drift"] is True
    json.loads(json.dumps(report.to_json()), parse_constant=lambda name: pytest.fail(name))


def test_nulls_are_reported_and_left_out_of_the_tests(patients):
    batch = patients.iloc[250:].copy()
    batch.loc[batch.index[::2], "bmi"] = np.nan
    report = check_drift(reference_statistics(patients.iloc[:250]), batch)
    bmi = next(c for c in report.columns if c.column == "bmi")
    assert bmi.reference_nulls == pytest.approx(patients["bmi"].iloc[:250].isna().mean())
    assert bmi.batch_nulls == pytest.approx(batch["bmi"].isna().mean())
    assert bmi.test == "ks" and not bmi.drift  # the other half is still the same data
    assert report.to_json()["columns"][2]["batch_null_share"] == bmi.batch_nulls


def test_missing_extra_and_mistyped_columns_are_bad_input_named_at_once(patients):
    stats = reference_statistics(patients.iloc[:250])
    batch = patients.iloc[250:].drop(columns=["age", "s1"]).assign(notes="x")
    batch["bmi"] = batch["bmi"].astype(object)
    batch.loc[batch.index[3], "bmi"] = "tall"
    with pytest.raises(BadBatch, match=r"missing columns age, s1; extra column notes") as raised:
        check_drift(stats, batch)
    assert raised.value.exit_code == 2
    with pytest.raises(BadBatch, match=r"column bmi holds text \('tall'\)"):
        check_drift(stats, batch.drop(columns=["notes"]).assign(age=1, s1=2))
    with pytest.raises(BadBatch, match="no rows"):
        check_drift(stats, patients.iloc[:0])


def test_numbers_as_text_and_whole_floats_as_categories_are_read_as_the_reference(patients):
    stats = reference_statistics(
        patients.iloc[:250].assign(ward=lambda f: (f["s4"].round() % 3).astype(int).astype(str))
    )
    assert stats["columns"]["ward"]["values"] == "text"
    batch = patients.iloc[250:].assign(ward=lambda f: (f["s4"].round() % 3).astype(float))
    batch.loc[batch.index[:5], "ward"] = np.nan  # a CSV reads the codes as floats then
    batch["age"] = batch["age"].astype(str)  # and a column of numbers as text
    report = check_drift(stats, batch)
    ward = next(c for c in report.columns if c.column == "ward")
    assert not report.drift and ward.test == "chi_squared" and not ward.drift and not ward.note


def test_the_table_and_json_show_every_column_and_the_verdict(patients):
    report = check_drift(reference_statistics(patients.iloc[:250]), patients.iloc[250:])
    table = report.table()
    assert table.splitlines()[0].split() == [
        "column",
        "test",
        "statistic",
        "threshold",
        "PSI",
        "verdict",
    ]
    assert "NO DRIFT:" in table and "band" in table and "p<0.05" in table
    data = report.to_json()
    assert data["verdict"] == "no drift" and data["columns_tested"] == len(patients.columns)
    assert set(data["columns"][0]) >= {
        "column",
        "test",
        "statistic",
        "p_value",
        "threshold",
        "drift",
        "psi",
    }
