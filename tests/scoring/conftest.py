"""Batch scoring tests: real packages exported from the example notebooks, once per test
session (per xdist worker), and input files made from scikit-learn's own data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..conftest import nb2prod_cli

EXAMPLES = Path(__file__).parents[2] / "example_notebooks"


def export_example(root: Path, notebook: str, name: str, *extra: str) -> Path:
    """``nb2prod export`` of an example notebook copied into a project of its own."""
    project = root / f"{name}-project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    shutil.copy(EXAMPLES / notebook, project / notebook)
    out = root / name
    done = nb2prod_cli("export", notebook, "--name", name, "-o", out, *extra, cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="session")
def classifier(tmp_path_factory) -> Path:
    """The breast cancer classifier (scikit-learn, a DataFrame in, a DataFrame out, a
    ``threshold`` runtime parameter), exported as package ``bc_scorer``."""
    return export_example(
        tmp_path_factory.mktemp("classifier"), "breast_cancer_classifier.ipynb", "bc_scorer"
    )


@pytest.fixture(scope="session")
def tumours(tmp_path_factory):
    """The classifier's input: 120 rows of the breast cancer data, as a DataFrame."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True).data
    return data.sample(120, replace=True, random_state=3).reset_index(drop=True)


@pytest.fixture(scope="session")
def quotes(tmp_path_factory) -> Path:
    """The shipping quotes package (pure Python, records in, a list out), ``quote_scorer``."""
    return export_example(
        tmp_path_factory.mktemp("quotes"), "shipping_quotes.ipynb", "quote_scorer"
    )


def parcels(rows: int, *, bad_zone_at: int | None = None):
    """A DataFrame of parcels the quotes package prices; ``bad_zone_at`` puts a zone it
    does not know in that (0-based) row."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(rows)
    zones = rng.choice(["domestic", "europe", "world"], rows).astype(object)
    if bad_zone_at is not None:
        zones[bad_zone_at] = "mars"
    return pd.DataFrame(
        {
            "weight_kg": np.round(rng.uniform(0.1, 30, rows), 2),
            "length_cm": rng.integers(5, 80, rows),
            "width_cm": rng.integers(5, 60, rows),
            "height_cm": rng.integers(5, 40, rows),
            "zone": zones,
        }
    )
