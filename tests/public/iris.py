"""A public notebook nobody here wrote, reduced: scikit-learn's "Plot different SVM
classifiers in the iris dataset" example
(https://github.com/scikit-learn/scikit-learn/blob/main/examples/svm/plot_iris_svc.py,
BSD-3-Clause).  Its data comes from ``datasets.load_iris()``, bundled with scikit-learn:
nothing is downloaded.  The plots are left out."""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook

NOTEBOOK = "plot_iris_svc.ipynb"

IMPORTS = "from sklearn import datasets, svm"
PARAMETERS = "C = 1.0  # SVM regularization parameter"
FIT = """\
iris = datasets.load_iris()
X = iris.data[:, :2]
y = iris.target
models = [svm.SVC(kernel="linear", C=C), svm.LinearSVC(C=C, max_iter=10000)]
models = [clf.fit(X, y) for clf in models]"""


def iris_notebook(folder: Path) -> Path:
    return write_notebook(
        folder / NOTEBOOK, [code(IMPORTS), code(PARAMETERS, tags=["parameters"]), code(FIT)]
    )
