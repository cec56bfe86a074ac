"""Drift tests: scikit-learn's bundled datasets (no download), split into a reference and
batches, and a categorical table built from them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="session")
def tumours() -> pd.DataFrame:
    """The breast cancer data (569 rows, 30 float columns) in a random order: the file's
    own order is not random (its first rows differ from its last)."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True).data
    return data.sample(frac=1, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def patients() -> pd.DataFrame:
    """The diabetes data in its original units (442 rows; ``sex`` has 2 values) with
    ``progression`` banded into a text column ``band`` and a few nulls in ``bmi``."""
    from sklearn.datasets import load_diabetes

    loaded = load_diabetes(as_frame=True, scaled=False)
    data = loaded.data.copy()
    data["band"] = pd.cut(loaded.target, [0, 100, 200, 400], labels=["low", "mid", "high"])
    data["band"] = data["band"].astype(str)
    data.loc[::40, "bmi"] = np.nan
    return data.sample(frac=1, random_state=1).reset_index(drop=True)


@pytest.fixture(scope="session")
def many_tumours(tumours) -> pd.DataFrame:
    """5,000 rows drawn from the breast cancer data with a little noise: a reference
    large enough (> 1,000 rows) for the distance tests."""
    rng = np.random.default_rng(7)
    rows = tumours.sample(5000, replace=True, random_state=2).reset_index(drop=True)
    noise = rng.normal(0, 0.02, rows.shape) * tumours.std().to_numpy()
    return rows + noise
