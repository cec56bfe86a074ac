"""A public notebook nobody here wrote, reduced: scikit-learn's "Permutation Importance with
Multicollinear or Correlated Features" example
(https://github.com/scikit-learn/scikit-learn/blob/main/examples/inspection/plot_permutation_importance_multicollinear.py,
BSD-3-Clause).  Its opening is kept as it is: the bundled breast cancer data as arrays, the
split, the random forest and its baseline accuracy.  Cut: the permutation importances, the
clustering of correlated features and every plot.

The export variant is what a user adds to serve the forest and watch its inputs: the model
saved and loaded, a few test rows as the example, a predict cell, and a reference cell
ending with the training data, ``X_train`` (a NumPy array: its columns are 0..29), spelled
as a tag, a ``%%nb2prod reference`` magic or a ``#| nb2prod: reference`` comment.
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook

NOTEBOOK = "plot_permutation_importance_multicollinear.ipynb"

IMPORTS = """\
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split"""
DATA = """\
X, y = load_breast_cancer(return_X_y=True, as_frame=False)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=42)"""
FIT = """\
clf = RandomForestClassifier(n_estimators=100, random_state=42)
clf.fit(X_train, y_train)
print(f"Baseline accuracy on test data: {clf.score(X_test, y_test):.2}")"""

PARAMETERS = 'model_path = "forest.joblib"  # where the fit saves the model, the package loads it'
SAVE = """\
import joblib

joblib.dump(clf, model_path)"""
LOAD = """\
import joblib

clf = joblib.load(model_path)"""
EXAMPLE = "rows = X_test[:5]"
PREDICT = "clf.predict(rows)"
#: The reference cell's body; how its role is written is the caller's choice.
REFERENCE = "X_train"
SPELLINGS = {
    "tag": (REFERENCE, ["nb2prod:reference"]),
    "magic": (f"%%nb2prod reference\n{REFERENCE}", []),
    "comment": (f"#| nb2prod: reference\n{REFERENCE}", []),
}


def permutation_importance_notebook(folder: Path, reference: str | None = "tag") -> Path:
    """The example with the cells an export reads; ``reference``: how the reference cell
    is marked (``tag``, ``magic``, ``comment``), or None for no reference cell."""
    cells = [
        code(IMPORTS),
        code(PARAMETERS, tags=["parameters"]),
        code(DATA),
        code(FIT),
        code(SAVE),
    ]
    if reference is not None:
        source, tags = SPELLINGS[reference]
        cells.append(code(source, tags=tags))
    cells += [
        code(LOAD, tags=["nb2prod:load"]),
        code(EXAMPLE, tags=["nb2prod:example"]),
        code(PREDICT, tags=["nb2prod:predict"]),
    ]
    return write_notebook(folder / NOTEBOOK, cells)
