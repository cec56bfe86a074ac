"""A public notebook nobody here wrote, reduced: scikit-learn's "Precision-Recall" example
(examples/model_selection/plot_precision_recall.py, BSD-3-Clause), as a notebook with one
cell per section.  Its binary part (iris' first two classes with 800 noisy features, a
LinearSVC) and its multi-label part (label_binarize, a new split, a OneVsRestClassifier
refit into the same name `classifier`) are as they are; the plots and the iso-F1 curves
are left out, and the average precisions stay as metrics.

The export variant is what a user adds to serve the binary classifier: a decision
threshold as a parameter, the fitted model saved and loaded, the source's own split cell
as the example (its `X_test` is predict's input) and a predict cell right after the binary
part.  The multi-label cells then rebind both `classifier` and `X_test`, so the notebook's
end state is not what the predict cell saw."""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook

NOTEBOOK = "plot_precision_recall.ipynb"

PARAMETERS = """\
threshold = 0.0  # decision_function above it is class 1
model_path = "precision_recall.joblib"  # where the fit saves the model, the package loads it"""
DATA = """\
from sklearn import svm, datasets
from sklearn.model_selection import train_test_split
import numpy as np

iris = datasets.load_iris()
X = iris.data
y = iris.target

# Add noisy features
random_state = np.random.RandomState(0)
n_samples, n_features = X.shape
X = np.c_[X, random_state.randn(n_samples, 200 * n_features)]"""
SPLIT = """\
# Limit to the two first classes, and split into training and test
X_train, X_test, y_train, y_test = train_test_split(X[y < 2], y[y < 2],
                                                    test_size=.5,
                                                    random_state=random_state)"""
FIT = """\
# Create a simple classifier
classifier = svm.LinearSVC(random_state=random_state)
classifier.fit(X_train, y_train)
y_score = classifier.decision_function(X_test)"""
AVERAGE_PRECISION = """\
from sklearn.metrics import average_precision_score
average_precision = average_precision_score(y_test, y_score)"""
MULTI_LABEL = """\
from sklearn.preprocessing import label_binarize

# Use label_binarize to be multi-label like settings
Y = label_binarize(y, classes=[0, 1, 2])
n_classes = Y.shape[1]

# Split into training and test
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=.5,
                                                    random_state=random_state)

# We use OneVsRestClassifier for multi-label prediction
from sklearn.multiclass import OneVsRestClassifier

# Run classifier
classifier = OneVsRestClassifier(svm.LinearSVC(random_state=random_state))
classifier.fit(X_train, Y_train)
y_score = classifier.decision_function(X_test)"""
MICRO_AVERAGE = """\
average_precision_micro = average_precision_score(Y_test, y_score, average="micro")"""

SAVE = """\
import joblib

joblib.dump(classifier, model_path)"""
LOAD = """\
import joblib

classifier = joblib.load(model_path)"""
#: The predict cell ends with a name ...
PREDICT = """\
scores = classifier.decision_function(X_test)
labels = (scores > threshold).astype(int)
labels"""
#: ... or with an expression (the capture rule's other half).
PREDICT_EXPRESSION = """\
scores = classifier.decision_function(X_test)
(scores > threshold).astype(int) + scores.round(3)"""


def precision_recall_export_notebook(folder: Path, predict: str = PREDICT) -> Path:
    """The example with the cells an export reads; the multi-label part after predict."""
    return write_notebook(
        folder / NOTEBOOK,
        [
            code(PARAMETERS, tags=["parameters"]),
            code(DATA),
            code(SPLIT, tags=["nb2prod:example"]),
            code(FIT),
            code(AVERAGE_PRECISION, tags=["nb2prod:metrics"]),
            code(SAVE),
            code(LOAD, tags=["nb2prod:load"]),
            code(predict, tags=["nb2prod:predict"]),
            code(MULTI_LABEL),
            code(MICRO_AVERAGE, tags=["nb2prod:metrics"]),
        ],
    )
