"""A public notebook nobody here wrote, reduced: "Visualization with Seaborn" from the first
edition of Jake VanderPlas' Python Data Science Handbook
(notebooks_v1/04.14-Visualization-With-Seaborn.ipynb, code under the MIT license,
https://github.com/jakevdp/PythonDataScienceHandbook/blob/master/notebooks_v1/04.14-Visualization-With-Seaborn.ipynb),
written in 2016 for Matplotlib 1.5 and seaborn 0.7.

Kept as they are, in their order: the imports, the two-column frame of normal draws with its
``plt.hist(..., normed=True)`` histograms and KDE plots, the joint plots called with their
columns and frame as positional arguments, the tips data with its ``factorplot`` box plot,
the marathon data (read from the file the book downloads, times converted), and the
violin and regression plots of the split fraction.  Cut: the markdown, the pair and facet
grids, the planets data, most plots of each section.  Matplotlib 3.2 removed ``normed``
and seaborn 0.12 ``factorplot`` and positional data: run today, the notebook fails at the
first histogram.
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook

NOTEBOOK = "04.14-Visualization-With-Seaborn.ipynb"

CELLS = [
    """\
import matplotlib.pyplot as plt
plt.style.use('classic')
%matplotlib inline
import numpy as np
import pandas as pd""",
    "import seaborn as sns\nsns.set()",
    """\
data = np.random.multivariate_normal([0, 0], [[5, 2], [2, 2]], size=2000)
data = pd.DataFrame(data, columns=['x', 'y'])

for col in 'xy':
    plt.hist(data[col], normed=True, alpha=0.5)""",
    """\
for col in 'xy':
    sns.kdeplot(data[col], shade=True)""",
    """\
with sns.axes_style('white'):
    sns.jointplot("x", "y", data, kind='kde');""",
    "tips = sns.load_dataset('tips')\ntips.head()",
    """\
with sns.axes_style(style='ticks'):
    g = sns.factorplot("day", "total_bill", "sex", data=tips, kind="box")
    g.set_axis_labels("Day", "Total Bill");""",
    """\
with sns.axes_style('white'):
    sns.jointplot("total_bill", "tip", data=tips, kind='hex')""",
    """\
import datetime

def convert_time(s):
    h, m, s = map(int, s.split(':'))
    return datetime.timedelta(hours=h, minutes=m, seconds=s)

data = pd.read_csv('marathon-data.csv',
                   converters={'split':convert_time, 'final':convert_time})
data.head()""",
    """\
data['split_sec'] = data['split'].astype(int) / 1E9
data['final_sec'] = data['final'].astype(int) / 1E9
data.head()""",
    """\
data['split_frac'] = 1 - 2 * data['split_sec'] / data['final_sec']
data.head()""",
    """\
sns.violinplot("gender", "split_frac", data=data,
               palette=["lightblue", "lightpink"]);""",
    """\
g = sns.lmplot('final_sec', 'split_frac', col='gender', data=data,
               markers=".", scatter_kws=dict(color='c'))
g.map(plt.axhline, y=0.1, color="k", ls=":");""",
]


def seaborn_v1_notebook(folder: Path) -> Path:
    """The reduced notebook, as saved after a top-to-bottom run."""
    cells = [code(source, count=n) for n, source in enumerate(CELLS, 1)]
    return write_notebook(folder / NOTEBOOK, cells)
