"""A public notebook nobody here wrote, reduced: scikit-learn's "Recognizing hand-written
digits" example (examples/classification/plot_digits_classification.py, BSD-3-Clause,
https://github.com/scikit-learn/scikit-learn/blob/main/examples/classification/plot_digits_classification.py).

Kept as they are: the bundled digits data, the flattening, the SVC and the unshuffled
split, the fit and the prediction, the classification report.  Cut: every plot (the four
training and four predicted images, the confusion-matrix figure) and matplotlib with them.
Changed: the classifier's ``gamma`` and the split's ``test_size`` are a papermill
``parameters`` cell; the fit cell is ``%%nb2prod track`` and computes the accuracy it logs,
with ``--log gamma`` as a user would write it.
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook

NOTEBOOK = "plot_digits_classification.ipynb"

IMPORTS = """\
%load_ext nb2prod
# Import datasets, classifiers and performance metrics
from sklearn import datasets, metrics, svm
from sklearn.model_selection import train_test_split"""
PARAMETERS = """\
gamma = 0.001  # the support vector classifier's kernel coefficient
test_size = 0.5  # the share of the digits held out for testing"""
DATA = """\
digits = datasets.load_digits()

# flatten the images
n_samples = len(digits.images)
data = digits.images.reshape((n_samples, -1))"""
FIT = """\
%%nb2prod track --log accuracy gamma
# Create a classifier: a support vector classifier
clf = svm.SVC(gamma=gamma)

# Split data into 50% train and 50% test subsets
X_train, X_test, y_train, y_test = train_test_split(
    data, digits.target, test_size=test_size, shuffle=False
)

# Learn the digits on the train subset
clf.fit(X_train, y_train)

# Predict the value of the digit on the test subset
predicted = clf.predict(X_test)
accuracy = metrics.accuracy_score(y_test, predicted)"""
REPORT = """\
print(
    f"Classification report for classifier {clf}:\\n"
    f"{metrics.classification_report(y_test, predicted)}\\n"
)"""


def digits_notebook(folder: Path, *, tagged: bool = True) -> Path:
    """The notebook; ``tagged=False`` leaves its parameters cell untagged (papermill then
    injects at the top)."""
    return write_notebook(
        folder / NOTEBOOK,
        [
            code(IMPORTS),
            code(PARAMETERS, tags=["parameters"] if tagged else []),
            code(DATA),
            code(FIT),
            code(REPORT),
        ],
    )
