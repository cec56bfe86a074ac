"""A public notebook nobody here wrote, reduced: "Visualization with Seaborn" from Jake
VanderPlas' Python Data Science Handbook (notebooks/04.14-Visualization-With-Seaborn.ipynb,
code under the MIT license,
https://github.com/jakevdp/PythonDataScienceHandbook/blob/master/notebooks/04.14-Visualization-With-Seaborn.ipynb).

Kept as they are: the imports and ``sns.set()``, the cell that draws 2000 points from a
bivariate normal with NumPy's unseeded global generator, wraps them in a DataFrame (under
the same name) and plots both histograms, the two KDE plots of that frame, and the iris pair
plot.  Cut: the markdown, the tips, planets and marathon sections.  The draw only ever feeds
plots, so no result of a job depends on it: NB601 reported it as unseeded randomness.

``with_fit`` adds a cell of our own that fits a mixture model to the drawn frame: then a
result does depend on the draw, and it must be reported again.
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook

NOTEBOOK = "04.14-Visualization-With-Seaborn.ipynb"

CELLS = [
    """\
%matplotlib inline
import matplotlib.pyplot as plt
import seaborn as sns
import numpy as np
import pandas as pd

sns.set()  # seaborn's method to set its chart style""",
    """\
data = np.random.multivariate_normal([0, 0], [[5, 2], [2, 2]], size=2000)
data = pd.DataFrame(data, columns=['x', 'y'])

for col in 'xy':
    plt.hist(data[col], density=True, alpha=0.5)""",
    "sns.kdeplot(data=data, shade=True);",
    "sns.kdeplot(data=data, x='x', y='y');",
    'iris = sns.load_dataset("iris")\niris.head()',
    "sns.pairplot(iris, hue='species', height=2.5);",
]
FIT = """\
from sklearn.mixture import GaussianMixture
gmm = GaussianMixture(n_components=2, random_state=0).fit(data)"""


def seaborn_notebook(folder: Path, *, with_fit: bool = False) -> Path:
    """The reduced notebook, as saved after a top-to-bottom run."""
    sources = [*CELLS, FIT] if with_fit else CELLS
    cells = [code(source, count=n) for n, source in enumerate(sources, 1)]
    return write_notebook(folder / NOTEBOOK, cells)
