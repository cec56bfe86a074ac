"""A public notebook nobody here wrote, reduced: scikit-learn's "The Iris Dataset" example
(examples/datasets/plot_iris_dataset.py, BSD-3-Clause,
https://github.com/scikit-learn/scikit-learn/blob/main/examples/datasets/plot_iris_dataset.py).

Kept as they are: loading the bundled iris data, the first two features as ``X``, the
targets as ``y``, the axis ranges of the scatter plot and the three-component PCA.  Cut:
both figures and matplotlib with them.  Added: a cell that only shows ``X.shape``, with the
execution counts of an interactive session that ran the notebook top to bottom (In [1] to
In [5]) and then ran that cell once more (In [6]): a harmless re-run, not hidden state
(NB103 must not report it).
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, result, write_notebook

NOTEBOOK = "plot_iris_dataset.ipynb"

IMPORTS = """\
from sklearn import datasets
from sklearn.decomposition import PCA"""
DATA = """\
# import some data to play with
iris = datasets.load_iris()
X = iris.data[:, :2]  # we only take the first two features.
y = iris.target"""
SHAPE = "X.shape"
RANGES = """\
x_min, x_max = X[:, 0].min() - 0.5, X[:, 0].max() + 0.5
y_min, y_max = X[:, 1].min() - 0.5, X[:, 1].max() + 0.5"""
PCA_CELL = "X_reduced = PCA(n_components=3).fit_transform(iris.data)"


def iris_dataset_notebook(folder: Path, *, data_count: int = 2) -> Path:
    """The example as saved after the session above; ``data_count`` is the data cell's
    execution count (7: it was run again at the end, which does change state)."""
    return write_notebook(
        folder / NOTEBOOK,
        [
            code(IMPORTS, count=1),
            code(DATA, count=data_count),
            code(SHAPE, count=6, outputs=[result("(150, 2)", 6)]),
            code(RANGES, count=4),
            code(PCA_CELL, count=5),
        ],
    )
