"""A public notebook nobody here wrote, reduced, in its own project: "Timeseries
Forecasting" of tsfresh 0.21.2 (notebooks/05 Timeseries Forecasting.ipynb, MIT license,
https://github.com/blue-yonder/tsfresh), which reads Apple's stock prices through
pandas-datareader's Stooq source.

Kept as they are: the imports cell (``pandas_datareader.data`` imported under ``try``), the
cell reading the prices (``web.DataReader("AAPL", 'stooq')["High"]``) and the plot after
it.  Cut: the markdown and the feature extraction that follows.  Beside it, the project's
setup.cfg reduced to its metadata and the ``testing`` extra its notebooks install, which
declares ``pandas-datareader>=0.5.0``.  pandas-datareader 0.11.0 dropped its securities
sources: run headless in a new environment, the notebook stops at the second cell with
``NotImplementedError: data_source='stooq' is not implemented``.
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_files, write_notebook

NOTEBOOK = "notebooks/05 Timeseries Forecasting.ipynb"

CELLS = [
    """\
%matplotlib inline

import numpy as np
import pandas as pd
import matplotlib.pylab as plt

from tsfresh import extract_features, select_features
from tsfresh.utilities.dataframe_functions import roll_time_series, make_forecasting_frame
from tsfresh.utilities.dataframe_functions import impute

try:
    import pandas_datareader.data as web
except ImportError:
    print("You need to install the pandas_datareader. Run pip install pandas_datareader.")

from sklearn.linear_model import LinearRegression""",
    """\
df = web.DataReader("AAPL", 'stooq')["High"]
df.head()""",
    """\
plt.figure(figsize=(15, 6))
df.plot(ax=plt.gca())
plt.show()""",
]

SETUP_CFG = """\
[metadata]
name = tsfresh

[options]
packages = find:
install_requires =
    pandas>=0.25.0
    scikit-learn>=0.22.0

[options.extras_require]
testing =
    pandas-datareader>=0.5.0
    pytest>=4.4.0
"""


def forecasting_project(folder: Path, setup_cfg: str = SETUP_CFG) -> Path:
    """The reduced project in ``folder``; returns the notebook's path."""
    write_files(folder, {"setup.cfg": setup_cfg, "pyproject.toml": "[build-system]\n"})
    return write_notebook(folder / NOTEBOOK, [code(cell) for cell in CELLS])
