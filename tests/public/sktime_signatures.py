"""A public notebook nobody here wrote, reduced, in its own project: "The Signature Method
with Sktime" of sktime 1.2.0 (docs/source/examples/transformation/signature_method.ipynb,
BSD-3-Clause license, https://github.com/sktime/sktime), run from a checkout of sktime
itself, whose package it imports.

Kept as they are, in their order: the scikit-learn and dataset imports, the GunPoint
data, the imports of ``SignatureClassifier`` and ``SignatureTransformer``, the
transformer's example with its random forest, and the randomised search over a
``SignatureClassifier()``.  Cut: the markdown (the theory of path signatures and the
parameter list).  Beside it, the project as the release has it, reduced: pyproject.toml's
``[project]`` with its required dependencies and four of its extras (``all_extras``,
``transformations`` with tsfresh, ``notebooks`` and ``mlflow``; none has esig), and the
package modules the notebook imports from: sktime/datasets/__init__.py,
sktime/transformations/__init__.py (with its module ``__getattr__``), the
``signature_based`` and ``feature_based`` packages re-exporting ``SignatureTransformer``
and ``SignatureClassifier`` from their private modules, whose classes keep their real
``_tags`` (``"python_dependencies": ["esig"]``) and constructors, docstrings and methods
cut.  esig is a soft dependency the notebook's environment (``pip install
'.[all_extras,notebooks]'``) does not install: run headless, the notebook fails at the cell
that creates the transformer with ``ModuleNotFoundError: SignatureTransformer requires
package 'esig' to be present in the python environment``.
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_files, write_notebook

NOTEBOOK = "docs/source/examples/transformation/signature_method.ipynb"

CELLS = [
    """\
# Some additional imports we will use
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score

from sktime.datasets import load_gunpoint""",
    """\
# Load an example dataset
train_x, train_y = load_gunpoint(split="train", return_X_y=True)
test_x, test_y = load_gunpoint(split="test", return_X_y=True)""",
    """\
from sktime.classification.feature_based import SignatureClassifier
from sktime.transformations.signature_based import SignatureTransformer""",
    """\
# First build a very simple signature transform module
signature_transform = SignatureTransformer(
    augmentation_list=("addtime",),
    window_name="global",
    window_depth=None,
    window_length=None,
    window_step=None,
    rescaling=None,
    sig_tfm="signature",
    depth=3,
)

# The simply transform the stream data
print(f"Raw data shape is: {train_x.shape}")
train_signature_x = signature_transform.fit_transform(train_x)
print(f"Signature shape is: {train_signature_x.shape}")""",
    """\
# Train
model = RandomForestClassifier()
model.fit(train_signature_x, train_y)

# Evaluate
test_signature_x = signature_transform.transform(test_x)
test_pred = model.predict(test_signature_x)
print(f"Accuracy: {accuracy_score(test_y, test_pred):.3f}%")""",
    """\
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold

# Some params
n_cv_splits = 5
n_gs_iter = 20

# Random forests found to perform very well in general
estimator = RandomForestClassifier()

# The grid to be passed to an sklearn gridsearch
signature_grid = {
    # Signature params
    "depth": [1, 2, 3, 4, 5],
    "window_name": ["dyadic"],
    "augmentation_list": [["basepoint", "addtime"]],
    "window_depth": [1, 2, 3, 4],
    "rescaling": ["post"],
    # Classifier and classifier params
    "estimator": [estimator],
    "estimator__n_estimators": [50, 100, 500],
    "estimator__max_depth": [2, 4, 6, 8, 12, 16, 24, 32, 45, 60],
}

# Initialise the estimator
estimator = SignatureClassifier()

# Run a random grid search and return the gs object
cv = StratifiedKFold(n_splits=n_cv_splits)
gs = RandomizedSearchCV(estimator, signature_grid, cv=n_cv_splits, n_iter=n_gs_iter)
gs.fit(train_x, train_y)

# Get the best classifier
best_classifier = gs.best_estimator_""",
]

#: The cells that create the two estimators (1-based) and the lines of those calls.
TRANSFORMER_CALL = (4, 2)
CLASSIFIER_CALL = (6, 25)

PYPROJECT = """\
[project]
name = "sktime"
version = "1.2.0"
description = "A unified framework for machine learning with time series"
license = { file = "LICENSE" }
requires-python = ">=3.10,<3.15"
# core dependencies of sktime
# this set should be kept minimal!
dependencies = [
  "joblib>=1.2.0,<1.7",  # required for parallel processing
  "numpy>=1.21,<2.6",  # required for framework layer and base class logic
  "packaging",  # for estimator specific dependency parsing
  "pandas<3.1.0,>=1.5",  # pandas is the main in-memory data container
  "scikit-base>=1.0.0,<1.2.0",  # base module for sklearn compatible base API
  "scikit-learn>=0.24,<1.10.0",  # required for estimators and framework layer
  "scipy<2.0.0,>=1.2",  # required for estimators and framework layer
]

[project.optional-dependencies]
# * estimator specific soft dependencies should be handled
#   via python_dependencies tag instead, do not add here
all_extras = [
  'cloudpickle',
  'holidays',
  'matplotlib!=3.9.1,>=3.3.2',
  'numba>=0.53,<0.68',
  'seaborn>=0.11',
  'statsmodels>=0.12.1',
]
transformations = [
  'numba>=0.53,<0.68',
  'pycatch22>=0.4,<0.4.6; python_version < "3.13"',
  'simdkalman',
  'statsmodels<0.16,>=0.12.1; python_version < "3.15"',
  'tsfresh<0.22,>=0.17; python_version < "3.12"',
]
mlflow = [
  "mlflow<4.0",
]
notebooks = [
  # needed for the blog post notebooks
  "matplotlib",
  "pmdarima",
  "seaborn",
  # needed for the examples
  "dtw-python",
  "prophet",
  "skpro>=2",
  "statsforecast",
  'numba<0.68',
]

[build-system]
build-backend = "setuptools.build_meta"
requires = [
  "setuptools>=78.1.1",
]
"""

_TRANSFORMER = '''\
"""Signature transformer."""

from sklearn.pipeline import Pipeline

from sktime.transformations.base import BaseTransformer
from sktime.transformations.signature_based._compute import (
    _WindowSignatureTransform,
)


class SignatureTransformer(BaseTransformer):
    """Transformation class from the signature method."""

    _tags = {
        # packaging info
        # --------------
        "authors": "jambo6",
        "maintainers": "jambo6",
        "python_dependencies": ["esig"],
        # estimator type
        # --------------
        "scitype:transform-input": "Series",
        "scitype:transform-output": "Primitives",
        "scitype:instancewise": True,  # is this an instance-wise transform?
        "X_inner_mtype": "numpy3D",  # which mtypes do _fit/_predict support for X?
        "y_inner_mtype": "None",  # which mtypes do _fit/_predict support for X?#
        "fit_is_empty": False,
    }

    def __init__(
        self,
        augmentation_list=("basepoint", "addtime"),
        window_name="dyadic",
        window_depth=3,
        window_length=None,
        window_step=None,
        rescaling=None,
        sig_tfm="signature",
        depth=4,
        backend="esig",
    ):
        self.augmentation_list = augmentation_list
        self.window_name = window_name
        self.window_depth = window_depth
        self.window_length = window_length
        self.window_step = window_step
        self.rescaling = rescaling
        self.sig_tfm = sig_tfm
        self.depth = depth
        self.backend = backend

        if self.backend == "esig":
            self.set_tags(**{"python_dependencies": ["esig"]})
        elif self.backend == "iisignature":
            self.set_tags(**{"python_dependencies": ["iisignature"]})

        super().__init__()
'''

_CLASSIFIER = '''\
"""Implementation of a SignatureClassifier."""

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline

from sktime.classification.base import BaseClassifier
from sktime.transformations.signature_based._signature_method import (
    SignatureTransformer,
)


class SignatureClassifier(BaseClassifier):
    """Classification module using signature-based features."""

    _tags = {
        # packaging info
        # --------------
        "authors": "jambo6",
        "maintainers": "jambo6",
        "python_dependencies": ["esig"],
        # estimator type
        # --------------
        "capability:multivariate": True,
        "capability:predict_proba": True,
        "capability:random_state": True,
        "property:randomness": "deterministic",
        "classifier_type": "feature",
    }

    def __init__(
        self,
        estimator=None,
        augmentation_list=("basepoint", "addtime"),
        window_name="dyadic",
        window_depth=3,
        window_length=None,
        window_step=None,
        rescaling=None,
        sig_tfm="signature",
        depth=4,
        random_state=None,
    ):
        self.estimator = estimator
        self.augmentation_list = augmentation_list
        self.window_name = window_name
        self.window_depth = window_depth
        self.window_length = window_length
        self.window_step = window_step
        self.rescaling = rescaling
        self.sig_tfm = sig_tfm
        self.depth = depth
        self.random_state = random_state

        super().__init__()
'''

FILES = {
    "pyproject.toml": PYPROJECT,
    "sktime/__init__.py": '''\
        """sktime - the package for AI with time series."""

        __version__ = "1.2.0"

        __all__ = ["show_versions"]

        from sktime.utils._maint._show_versions import show_versions
        ''',
    "sktime/datasets/__init__.py": '''\
        """Functions to load and write datasets."""

        __all__ = [
            "load_airline",
            "load_gunpoint",
        ]

        from sktime.datasets._single_problem_loaders import (
            load_airline,
            load_gunpoint,
        )
        ''',
    "sktime/transformations/__init__.py": '''\
        """Transformations."""

        import sys
        import warnings
        from importlib import import_module

        _MODULES_FLATTENED = ["series", "panel"]

        for _module in _MODULES_FLATTENED:
            sys.modules[f"{__name__}.{_module}"] = import_module(__name__)


        def __getattr__(name):
            if name in _MODULES_FLATTENED:
                warnings.warn(f"{__name__}.{name} is deprecated", FutureWarning, stacklevel=2)
                return import_module(__name__)

            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        ''',
    "sktime/transformations/signature_based/__init__.py": '''\
        """Signature based transformers."""

        __all__ = [
            "SignatureTransformer",
        ]

        from sktime.transformations.signature_based._signature_method import (
            SignatureTransformer,
        )
        ''',
    "sktime/transformations/signature_based/_signature_method.py": _TRANSFORMER,
    "sktime/classification/__init__.py": '''\
        """Classifier Base."""

        __all__ = [
            "BaseClassifier",
        ]

        from sktime.classification.base import BaseClassifier
        ''',
    "sktime/classification/feature_based/__init__.py": '''\
        """Feature based time series classifiers."""

        __all__ = [
            "Catch22Classifier",
            "SignatureClassifier",
        ]

        from sktime.classification.feature_based._catch22_classifier import Catch22Classifier
        from sktime.classification.feature_based._signature_classifier import (
            SignatureClassifier,
        )
        ''',
    "sktime/classification/feature_based/_signature_classifier.py": _CLASSIFIER,
}


def sktime_project(folder: Path) -> Path:
    """The reduced project in ``folder`` and its notebook, as saved after a top-to-bottom
    run (returned)."""
    write_files(folder, FILES)
    cells = [code(source, count=n) for n, source in enumerate(CELLS, 1)]
    return write_notebook(folder / NOTEBOOK, cells)
