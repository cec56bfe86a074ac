"""A public notebook nobody here wrote, reduced, in its own project: "compare runtimes of
feature calculators" of tsfresh 0.21.2 (notebooks/advanced/compare-runtimes-of-feature-
calculators.ipynb, MIT license, https://github.com/blue-yonder/tsfresh), written in 2017
for Python 2 and run from a checkout of tsfresh itself, whose package it imports.

Kept as they are, in their order: the imports cell (with ``from
tsfresh.feature_extraction.settings import get_combiner_functions,
get_simple_functions``), the drift-bifurcation data, the ComprehensiveFCParameters, the
loop timing each feature calculator, and the sort and first bar plot of the runtimes.
Cut: the markdown, the other plots and the percentages.  Beside it, the project as the
release has it, reduced: setup.py, setup.cfg (metadata, install_requires, two extras) and
pyproject.toml's build system; tsfresh/__init__.py, tsfresh/examples/__init__.py and
tsfresh/feature_extraction/__init__.py (their imports of the names the notebook uses);
and tsfresh/feature_extraction/settings.py with its imports, ``from_columns``,
``include_function``, ``PickableSettings`` and three parameter classes, bodies shortened.
The two functions the notebook imports were removed from settings.py long ago: run
headless from the release, the notebook stops at its first cell with ``ImportError:
cannot import name 'get_combiner_functions' from 'tsfresh.feature_extraction.settings'``.
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_files, write_notebook

NOTEBOOK = "notebooks/advanced/compare-runtimes-of-feature-calculators.ipynb"
SETTINGS = "tsfresh/feature_extraction/settings.py"

CELLS = [
    """\
from tsfresh.examples import load_driftbif
from tsfresh.feature_extraction import ComprehensiveFCParameters, extract_features
from tsfresh.feature_extraction.settings import get_combiner_functions, get_simple_functions
import pandas as pd
import pprint
import timeit
from tqdm import tqdm
import matplotlib.pylab as plt
import seaborn as sns""",
    """\
# load data
X, _ = load_driftbif(10, 1000)
X.drop("dimension", axis=1, inplace=True)
X.head()""",
    """\
# get all the parameters and respective functions
settings = ComprehensiveFCParameters()""",
    """\
# compare performance of tsfresh for simple feature calculator that are calculated individually
res  = pd.DataFrame()
n_ts = 20
l_ts = 1000
n_ti = 3

for f, param in tqdm(settings.items()):
    res.loc[f, "feature"] = f
    res.loc[f, "n_samp"] = n_ts
    res.loc[f, "length"] = l_ts

    fc_dict = {f:param}

    t = timeit.timeit(lambda : extract_features(timeseries_container=X,
                                                column_id="id",
                                                n_jobs=0,
                                                default_fc_parameters=fc_dict,
                                                disable_progressbar=True),
                      number=n_ti)
    n_fs = len(param) if param is not None else 1
    res.loc[f, "n_fs"] = n_fs
    res.loc[f, "t_abs"] = t * 1.0/n_fs
    res.loc[f, "t_1ts"] = t*1.0/(n_ts*n_fs)""",
    """\
res["feature"] = res.feature.astype(str)
res = res.sort_values(by="feature")""",
    """\
plt.figure(figsize=(6, 20))
sns.barplot(y="feature", x="t_abs", data=res)
plt.title("Runtime of 1 apply features for 1 time series of length 1000")
plt.show()""",
]
COUNTS = [1, 2, 3, 4, 6, 7]

FILES = {
    "setup.py": '''\
        # -*- coding: utf-8 -*-
        """
            Setup file for tsfresh.
            Use setup.cfg to configure your project.
        """
        from setuptools import setup

        if __name__ == "__main__":
            setup(use_pyscaffold=True)
        ''',
    "pyproject.toml": """\
        [build-system]
        requires = ["setuptools<70", "wheel", "pyscaffold>=3.3a0,<4"]
        build-backend = "setuptools.build_meta"
        """,
    "setup.cfg": """\
        [metadata]
        name = tsfresh
        summary = tsfresh extracts relevant characteristics from time series
        license = MIT
        home_page = https://github.com/blue-yonder/tsfresh

        [options]
        packages = find:
        install_requires =
        \trequests>=2.9.1
        \tnumpy >=1.15.1
        \tpandas>=0.25.0
        \tscipy>=1.14.0;python_version>='3.10'
        \tstatsmodels>=0.13
        \tscikit-learn>=0.22.0
        \ttqdm>=4.10.0
        \tstumpy>=1.11.1
        \tcloudpickle
        python_requires = >= 3.9

        [options.extras_require]
        dask =
        \tdask[dataframe]>=2.9.0
        \tdistributed>=2.11.0
        testing =
        \t%(dask)s
        \tmatplotlib>=3.7.0
        \tseaborn>=0.7.1
        """,
    "tsfresh/__init__.py": '''\
        """
        At the top level we export the three most important submodules of tsfresh
        """
        from importlib.metadata import version

        try:
            __version__ = version("tsfresh")
        except Exception:
            __version__ = "unknown"

        import logging
        from logging import NullHandler

        logging.getLogger(__name__).addHandler(NullHandler())

        from tsfresh.feature_extraction import extract_features  # noqa: E402
        ''',
    "tsfresh/examples/__init__.py": '''\
        """
        Module with exemplary data sets to play around with.
        """
        from .driftbif_simulation import load_driftbif
        ''',
    "tsfresh/feature_extraction/__init__.py": '''\
        """
        The :mod:`tsfresh.feature_extraction` module contains methods to extract the features from the time series
        """

        from tsfresh.feature_extraction.extraction import extract_features
        from tsfresh.feature_extraction.settings import (
            ComprehensiveFCParameters,
            EfficientFCParameters,
            MinimalFCParameters,
        )
        ''',
    SETTINGS: '''\
        # -*- coding: utf-8 -*-
        # This file as well as the whole tsfresh package are licenced under the MIT licence (see the LICENCE.txt)
        # Maximilian Christ (maximilianchrist.com), Blue Yonder Gmbh, 2016
        """
        This file contains methods/objects for controlling which features will be extracted when calling extract_features.
        """
        import logging
        from builtins import range
        from collections import UserDict
        from inspect import getfullargspec
        from itertools import product

        import cloudpickle
        import pandas as pd

        from tsfresh.feature_extraction import feature_calculators
        from tsfresh.utilities.string_manipulation import get_config_from_string

        _logger = logging.getLogger(__name__)


        def from_columns(columns, columns_to_ignore=None):
            """
            Creates a mapping from kind names to fc_parameters objects
            to extract only the features contained in the columns.
            """
            kind_to_fc_parameters = {}
            for col in columns:
                parts = col.split("__")
                kind, feature_name = parts[0], parts[1]
                config = get_config_from_string(parts)
                kind_to_fc_parameters.setdefault(kind, {})[feature_name] = [config] if config else None
            return kind_to_fc_parameters


        def include_function(func, exclusion_attr="input_type"):
            """Helper function for selecting specific subset of functions subject to an exclusion attribute
            and the availability of optional dependencies."""
            decision = (
                hasattr(func, "fctype")
                and not hasattr(func, exclusion_attr)
                and not (
                    hasattr(func, "dependency_available")
                    and getattr(func, "dependency_available") is False
                )
            )
            return decision


        class PickableSettings(UserDict):
            """Base object for all settings, which is a pickable dict."""

            def __getstate__(self):
                """Called on pickling. Encode the keys by cloudpickling them"""
                state = {cloudpickle.dumps(key): value for key, value in self.items()}
                return state

            def __setstate__(self, state):
                """Called on un-pickling. cloudunpickle the keys again"""
                state = {cloudpickle.loads(key): value for key, value in state.items()}
                self.__dict__.update(data=state)


        class ComprehensiveFCParameters(PickableSettings):
            """
            Create a new ComprehensiveFCParameters instance. You have to pass this instance to the
            extract_feature instance.
            """

            def __init__(self):
                name_to_param = {}

                for name, func in feature_calculators.__dict__.items():
                    if (
                        callable(func)
                        and hasattr(func, "fctype")
                        and len(getfullargspec(func).args) == 1
                    ):
                        name_to_param[name] = None

                name_to_param.update(
                    {
                        "c3": [{"lag": lag} for lag in range(1, 4)],
                        "fft_coefficient": [
                            {"coeff": k, "attr": a}
                            for a, k in product(["real", "imag", "abs", "angle"], range(100))
                        ],
                    }
                )
                super().__init__(name_to_param)


        class MinimalFCParameters(ComprehensiveFCParameters):
            """
            Only a small subset of calculators, those denoted by an attribute called "minimal".
            """

            def __init__(self):
                ComprehensiveFCParameters.__init__(self)

                for fname, f in feature_calculators.__dict__.items():
                    if fname in self and (
                        not hasattr(f, "minimal") or not getattr(f, "minimal")
                    ):
                        del self[fname]


        class EfficientFCParameters(ComprehensiveFCParameters):
            """
            The features with high computational costs are not calculated.
            """

            def __init__(self):
                ComprehensiveFCParameters.__init__(self)

                # drop all features with high computational costs
                for fname, f in feature_calculators.__dict__.items():
                    if fname in self and hasattr(f, "high_comp_cost"):
                        del self[fname]
        ''',
}


def tsfresh_project(folder: Path) -> Path:
    """The reduced project in ``folder`` and its notebook, as saved after a top-to-bottom
    run (returned)."""
    write_files(folder, FILES)
    cells = [code(source, count=n) for n, source in zip(COUNTS, CELLS)]
    return write_notebook(folder / NOTEBOOK, cells)
