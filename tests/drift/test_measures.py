"""The measures computed from statistics, against scipy's exact values on the rows
(docs/drift.md states these tolerances)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import chisquare, ks_2samp, wasserstein_distance

from nb2prod.drift import measures
from nb2prod.drift.reference import SKETCH_POINTS, reference_statistics


@pytest.fixture(scope="module")
def pairs(tumours, many_tumours):
    """(label, [(column statistics, reference values, batch values, cells)]) of real data
    split in two, shifted and not; computed once for the tests below."""
    from sklearn.datasets import load_digits

    digits = load_digits(as_frame=True).data.astype(float).sample(frac=1, random_state=0)
    scale = tumours.std()
    splits = {
        "tumours, two halves": (tumours.iloc[:300], tumours.iloc[300:]),
        "tumours x 1.1": (tumours.iloc[:300], tumours.iloc[300:] * 1.1),
        "5,000 tumours, two parts": (many_tumours.iloc[:3000], many_tumours.iloc[3000:]),
        "5,000 tumours + 0.3 sd": (
            many_tumours.iloc[:3000],
            many_tumours.iloc[3000:] + 0.3 * scale,
        ),
        "digits (whole numbers, ties)": (digits.iloc[:1200], digits.iloc[1200:]),
        "digits + 1": (digits.iloc[:1200], digits.iloc[1200:] + 1),
    }
    return [(label, list(_numeric_pairs(*split))) for label, split in splits.items()]


def _numeric_pairs(reference, batch):
    stats = reference_statistics(reference)
    for name, column in stats["columns"].items():
        if column["kind"] == "numeric":
            a, b = reference[name].to_numpy(float), batch[name].to_numpy(float)
            yield column, a, b, measures.numeric_cells(column, b)


def test_ks_from_the_sketch_is_at_most_one_step_below_scipys_exact_statistic(pairs):
    step = 1 / (SKETCH_POINTS - 1)
    checked = 0
    for label, columns in pairs:
        for column, a, b, cells in columns:
            exact = ks_2samp(a, b, method="asymp").statistic  # the same D, faster
            approximate = measures.ks_statistic(column, cells)
            assert exact - step - 1 / len(a) <= approximate <= exact + 1e-12, label
            checked += 1
    assert checked > 150


def test_wasserstein_from_the_sketch_is_within_0_025_below_scipys_exact_distance(pairs):
    worst = 0.0
    for label, columns in pairs:
        for column, a, b, cells in columns:
            exact = wasserstein_distance(a, b) / max(a.std(), measures.MIN_NORM)
            approximate = measures.wasserstein_normed(column, cells)
            assert exact - 0.025 <= approximate <= exact + 1e-9, label
            worst = max(worst, exact - approximate)
    assert worst > 0  # the approximation is one: the test would see it drift


def test_the_ks_p_value_is_scipys_asymptotic_one(tumours):
    a, b = tumours["mean area"].iloc[:300].to_numpy(), tumours["mean area"].iloc[300:].to_numpy()
    exact = ks_2samp(a, b, method="asymp")
    assert measures.ks_p_value(exact.statistic, len(a), len(b)) == pytest.approx(exact.pvalue)


def test_category_tests_are_scipys_on_the_counts():
    reference = np.array([50.0, 30.0, 20.0])
    batch = np.array([20.0, 30.0, 50.0])
    statistic, p_value = measures.chi_squared_p_value(reference, batch)
    expected = chisquare(batch, reference * batch.sum() / reference.sum())
    assert (statistic, p_value) == pytest.approx((expected.statistic, expected.pvalue))
    assert measures.jensen_shannon(reference, batch) == pytest.approx(
        jensenshannon(reference, batch)
    )
    assert measures.jensen_shannon(reference, reference * 3) == pytest.approx(0.0, abs=1e-9)


def test_psi_is_the_usual_sum_with_empty_bins_floored():
    reference, batch = np.array([25, 25, 25, 25]), np.array([10, 20, 30, 40])
    p, q = reference / 100, batch / 100
    assert measures.psi(reference, batch) == pytest.approx(float(((q - p) * np.log(q / p)).sum()))
    floored = measures.psi([50, 50, 0], [40, 40, 20])
    p, q = np.array([0.5, 0.5, 0.0001]), np.array([0.4, 0.4, 0.2])
    assert floored == pytest.approx(float(((q - p) * np.log(q / p)).sum()))


def test_batch_counts_in_the_psi_bins_are_exact(many_tumours):
    stats = reference_statistics(many_tumours.iloc[:3000])
    column = stats["columns"]["mean radius"]
    values = many_tumours["mean radius"].iloc[3000:].to_numpy()
    edges = np.asarray(column["bins"]["edges"])
    expected = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    cells = measures.numeric_cells(column, values)
    assert measures.numeric_bins(column, cells, values).tolist() == expected.tolist()
    assert sum(column["bins"]["counts"]) == 3000 and len(edges) == 9


@pytest.mark.parametrize("seed", [0, 1])
def test_place_is_numpys_searchsorted(seed, many_tumours):
    rng = np.random.default_rng(seed)
    values = np.concatenate(
        [many_tumours["mean area"].to_numpy(), rng.normal(600, 400, 150_000), [-1e308, 1e308]]
    )
    points = np.unique(np.quantile(values[:3000], np.linspace(0, 1, 101)))
    values = np.concatenate([values, points, points[:7]])  # ties at every point
    for some in (points, points[:1], points[:64], points[:65]):
        expected = np.searchsorted(some, values, side="right")
        assert (measures.place(some, values) == expected).all()
    assert len(measures.place(points, values[:0])) == 0
