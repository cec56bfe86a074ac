"""A public notebook nobody here wrote, reduced: scikit-learn's "Partial Dependence and
Individual Conditional Expectation Plots" example
(https://github.com/scikit-learn/scikit-learn/blob/main/examples/inspection/plot_partial_dependence.py,
BSD-3-Clause), which opens with ``fetch_california_housing``.  Its download, split and fit
are kept, its plots left out.  The cached variant reads the same table from a CSV path given
in the ``parameters`` cell, as NB207 advises."""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook

NOTEBOOK = "plot_partial_dependence.ipynb"

IMPORTS = """\
from sklearn.datasets import fetch_california_housing
from sklearn.model_selection import train_test_split
from sklearn.ensemble import HistGradientBoostingRegressor"""
DATA = """\
X, y = fetch_california_housing(as_frame=True, return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.1, random_state=0)"""
CACHED_IMPORTS = """\
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import HistGradientBoostingRegressor"""
CACHED_PARAMETERS = 'housing_csv = "data/california_housing.csv"'
CACHED_DATA = """\
housing = pd.read_csv(housing_csv)
X, y = housing.drop(columns="MedHouseVal"), housing["MedHouseVal"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.1, random_state=0)"""
FIT = """\
model = HistGradientBoostingRegressor(max_iter=100, random_state=0)
model.fit(X_train, y_train)
score = model.score(X_test, y_test)"""


def housing_notebook(folder: Path) -> Path:
    return write_notebook(folder / NOTEBOOK, [code(IMPORTS), code(DATA), code(FIT)])


def housing_cached_notebook(folder: Path) -> Path:
    return write_notebook(
        folder / NOTEBOOK,
        [
            code(CACHED_IMPORTS),
            code(CACHED_PARAMETERS, tags=["parameters"]),
            code(CACHED_DATA),
            code(FIT),
        ],
    )
