"""A public notebook nobody here wrote, reduced: "Hyperparameters and Model Validation" from
the first edition of Jake VanderPlas' Python Data Science Handbook
(notebooks_v1/05.03-Hyperparameters-and-Model-Validation.ipynb, code under the MIT license,
https://github.com/jakevdp/PythonDataScienceHandbook/blob/master/notebooks_v1/05.03-Hyperparameters-and-Model-Validation.ipynb),
written in 2016 for scikit-learn 0.18.

Kept as they are, in their order: loading iris, the nearest-neighbours model, the holdout
split, cross-validation and leave-one-out (imported from ``sklearn.cross_validation``), the
polynomial regression pipeline, its data, the validation curve and the learning curves
(from ``sklearn.learning_curve``) and the grid search (from ``sklearn.grid_search``).  Cut:
the markdown, the plots but one, the second dataset.  scikit-learn 0.20 removed all three
modules: run today, the notebook stops at its first split.
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook

NOTEBOOK = "05.03-Hyperparameters-and-Model-Validation.ipynb"

CELLS = [
    "from sklearn.datasets import load_iris\niris = load_iris()\nX = iris.data\ny = iris.target",
    "from sklearn.neighbors import KNeighborsClassifier\nmodel = KNeighborsClassifier(n_neighbors=1)",
    "from sklearn.metrics import accuracy_score",
    """\
from sklearn.cross_validation import train_test_split
# split the data with 50% in each set
X1, X2, y1, y2 = train_test_split(X, y, random_state=0,
                                  train_size=0.5)

# fit the model on one set of data
model.fit(X1, y1)

# evaluate the model on the second set of data
y2_model = model.predict(X2)
accuracy_score(y2, y2_model)""",
    "from sklearn.cross_validation import cross_val_score\ncross_val_score(model, X, y, cv=5)",
    """\
from sklearn.cross_validation import LeaveOneOut
scores = cross_val_score(model, X, y, cv=LeaveOneOut(len(X)))
scores""",
    """\
from sklearn.preprocessing import PolynomialFeatures
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

def PolynomialRegression(degree=2, **kwargs):
    return make_pipeline(PolynomialFeatures(degree),
                         LinearRegression(**kwargs))""",
    """\
import numpy as np

def make_data(N, err=1.0, rseed=1):
    # randomly sample the data
    rng = np.random.RandomState(rseed)
    X = rng.rand(N, 1) ** 2
    y = 10 - 1. / (X.ravel() + 0.1)
    if err > 0:
        y += err * rng.randn(N)
    return X, y

X, y = make_data(40)""",
    """\
%matplotlib inline
import matplotlib.pyplot as plt
import seaborn; seaborn.set()  # plot formatting""",
    """\
from sklearn.learning_curve import validation_curve
degree = np.arange(0, 21)
train_score, val_score = validation_curve(PolynomialRegression(), X, y,
                                          'polynomialfeatures__degree', degree, cv=7)

plt.plot(degree, np.median(train_score, 1), color='blue', label='training score')
plt.plot(degree, np.median(val_score, 1), color='red', label='validation score')
plt.legend(loc='best')""",
    """\
from sklearn.learning_curve import learning_curve

N, train_lc, val_lc = learning_curve(PolynomialRegression(2),
                                     X, y, cv=7,
                                     train_sizes=np.linspace(0.3, 1, 25))""",
    """\
from sklearn.grid_search import GridSearchCV

param_grid = {'polynomialfeatures__degree': np.arange(21),
              'linearregression__fit_intercept': [True, False],
              'linearregression__normalize': [True, False]}

grid = GridSearchCV(PolynomialRegression(), param_grid, cv=7)""",
    "grid.fit(X, y);",
    "grid.best_params_",
]


def model_validation_notebook(folder: Path) -> Path:
    """The reduced notebook, as saved after a top-to-bottom run."""
    cells = [code(source, count=n) for n, source in enumerate(CELLS, 1)]
    return write_notebook(folder / NOTEBOOK, cells)
