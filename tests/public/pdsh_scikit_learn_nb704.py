"""A public notebook nobody here wrote, reduced: "Introducing Scikit-Learn" from Jake
VanderPlas' Python Data Science Handbook (notebooks/05.02-Introducing-Scikit-Learn.ipynb,
code under the MIT license,
https://github.com/jakevdp/PythonDataScienceHandbook/blob/master/notebooks/05.02-Introducing-Scikit-Learn.ipynb).

Kept as they are, in their order: the cell loading iris with seaborn, the pair plot (which
imports seaborn again), the features and target, the linear-regression example's data,
import and model, the train/test split, the Gaussian naive Bayes fit, its accuracy, and the later
accuracy cell that imports ``accuracy_score`` again.  Cut: the markdown, the digits and
PCA/GMM parts and every other plot.  Each cell imports what it uses where it uses it, as
data scientists do: ten import statements after the work has begun, which NB704 reported
one by one.
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook

NOTEBOOK = "05.02-Introducing-Scikit-Learn.ipynb"

CELLS = [
    "import seaborn as sns\niris = sns.load_dataset('iris')\niris.head()",
    "%matplotlib inline\nimport seaborn as sns\nsns.pairplot(iris, hue='species', height=1.5);",
    "X_iris = iris.drop('species', axis=1)\nX_iris.shape",
    "y_iris = iris['species']\ny_iris.shape",
    """\
import matplotlib.pyplot as plt
import numpy as np

rng = np.random.RandomState(42)
x = 10 * rng.rand(50)
y = 2 * x - 1 + rng.randn(50)
plt.scatter(x, y);""",
    "from sklearn.linear_model import LinearRegression",
    "model = LinearRegression(fit_intercept=True)\nmodel",
    """\
from sklearn.model_selection import train_test_split
Xtrain, Xtest, ytrain, ytest = train_test_split(X_iris, y_iris,
                                                random_state=1)""",
    """\
from sklearn.naive_bayes import GaussianNB # 1. choose model class
model = GaussianNB()                       # 2. instantiate model
model.fit(Xtrain, ytrain)                  # 3. fit model to data
y_model = model.predict(Xtest)             # 4. predict on new data""",
    "from sklearn.metrics import accuracy_score\naccuracy_score(ytest, y_model)",
    "from sklearn.metrics import accuracy_score\naccuracy_score(ytest, y_model)",
]


def scikit_learn_notebook(folder: Path) -> Path:
    """The reduced notebook, as saved after a top-to-bottom run."""
    cells = [code(source, count=n) for n, source in enumerate(CELLS, 1)]
    return write_notebook(folder / NOTEBOOK, cells)
