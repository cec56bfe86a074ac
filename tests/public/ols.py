"""A public notebook nobody here wrote, reduced: scikit-learn's "Ordinary Least Squares"
example (examples/linear_model/plot_ols.py, BSD-3-Clause).  Its data, split and fit are as
they are, its plots left out, the held-out row count made a parameter and the scores
metrics.  The export variant saves the fitted model and adds the load, example and predict
cells an inference package needs; its predict cell ends with a name, or (PREDICT_EXPRESSION)
with the bare expression `regr.predict(batch).round(2)`.  The CSV variant reads the same
data from `../data/diabetes.csv`, relative to the notebook's folder, as notebooks kept in a
`notebooks/` folder beside a `data/` one do."""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook

NOTEBOOK = "plot_ols.ipynb"

IMPORTS = """\
import numpy as np
from sklearn import datasets, linear_model
from sklearn.metrics import mean_squared_error, r2_score"""
PARAMETERS = "test_rows = 20  # rows held out for testing"
DATA = """\
diabetes_X, diabetes_y = datasets.load_diabetes(return_X_y=True)
diabetes_X = diabetes_X[:, np.newaxis, 2]
diabetes_X_train = diabetes_X[:-test_rows]
diabetes_X_test = diabetes_X[-test_rows:]
diabetes_y_train = diabetes_y[:-test_rows]
diabetes_y_test = diabetes_y[-test_rows:]"""
FIT = """\
regr = linear_model.LinearRegression()
regr.fit(diabetes_X_train, diabetes_y_train)
diabetes_y_pred = regr.predict(diabetes_X_test)
mse = mean_squared_error(diabetes_y_test, diabetes_y_pred)
r2 = r2_score(diabetes_y_test, diabetes_y_pred)"""


def ols_notebook(folder: Path) -> Path:
    return write_notebook(
        folder / NOTEBOOK,
        [
            code(IMPORTS),
            code(PARAMETERS, tags=["parameters"]),
            code(DATA),
            code(FIT, tags=["nb2prod:metrics"]),
        ],
    )


PREDICT = """\
predictions = regr.predict(batch).round(2)
predictions"""
PREDICT_EXPRESSION = "regr.predict(batch).round(2)"
MODEL_PATH = 'model_path = "ols.joblib"  # where the fit saves the model, the package loads it'
SAVE = """\
import joblib

joblib.dump(regr, model_path)"""
LOAD = """\
import joblib

regr = joblib.load(model_path)"""


def ols_export_notebook(folder: Path, predict: str = PREDICT, data: str = DATA) -> Path:
    """The notebook with the cells an export reads: the fitted model saved, then loaded,
    an example batch and the predict cell."""
    return write_notebook(
        folder / NOTEBOOK,
        [
            code(IMPORTS),
            code(f"{PARAMETERS}\n{MODEL_PATH}", tags=["parameters"]),
            code(data),
            code(FIT, tags=["nb2prod:metrics"]),
            code(SAVE),
            code(LOAD, tags=["nb2prod:load"]),
            code("batch = diabetes_X_test[:5]", tags=["nb2prod:example"]),
            code(predict, tags=["nb2prod:predict"]),
        ],
    )


DATA_CSV = """\
import pandas as pd

diabetes = pd.read_csv("../data/diabetes.csv")
diabetes_X = diabetes.drop(columns="target").to_numpy()
diabetes_y = diabetes["target"].to_numpy()
""" + DATA.split("\n", 1)[1]


def ols_csv_project(root: Path) -> Path:
    """``root/data/diabetes.csv`` and ``root/notebooks/plot_ols.ipynb`` reading it as
    ``../data/diabetes.csv``; returns the notebook."""
    from sklearn.datasets import load_diabetes

    (root / "data").mkdir(parents=True, exist_ok=True)
    load_diabetes(as_frame=True).frame.to_csv(root / "data" / "diabetes.csv", index=False)
    return ols_export_notebook(root / "notebooks", data=DATA_CSV)


OUTPUT_DIR_PARAMETERS = """\
test_rows = 20  # rows held out for testing
output_dir = "models"  # where the fit writes its files
model_path = "models/ols.joblib"  # the model the fit saves and the package loads"""
SAVE_IN_OUTPUT_DIR = """\
import os

import joblib

os.makedirs(output_dir, exist_ok=True)
joblib.dump(regr, model_path)"""


def ols_output_dir_notebook(folder: Path) -> Path:
    """The export variant writing its model into an `output_dir` parameter's folder, as a
    notebook run as a job whose files are kept (`nb2prod run` logs what it writes there)."""
    return write_notebook(
        folder / NOTEBOOK,
        [
            code(IMPORTS),
            code(OUTPUT_DIR_PARAMETERS, tags=["parameters"]),
            code(DATA),
            code(FIT, tags=["nb2prod:metrics"]),
            code(SAVE_IN_OUTPUT_DIR),
            code(LOAD, tags=["nb2prod:load"]),
            code("batch = diabetes_X_test[:5]", tags=["nb2prod:example"]),
            code(PREDICT, tags=["nb2prod:predict"]),
        ],
    )
