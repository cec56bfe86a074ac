"""NB409 no-name-in-module: a reduction of a public notebook importing functions its own
project removed, every way a module's top level binds a name, modules that make names
at run time, and a library installed here at the version the project gets."""

from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES
from importlib.metadata import version

import pytest

from nb2prod.config import LintOverrides, lint_settings
from nb2prod.linter.engine import lint_file
from tests.conftest import codes, write_files
from tests.public.tsfresh_runtimes import SETTINGS, tsfresh_project

SELECT = ["NB409"]


def lint(lint_cells, cells, files=None):
    """Lint ``cells`` in a project holding ``files`` (path -> source, dedented)."""
    write_files(lint_cells.folder, files or {})
    return lint_cells(cells if isinstance(cells, list) else [cells], select=SELECT)


def lint_public(path):
    settings = lint_settings(str(path), LintOverrides(select=tuple(SELECT)))
    return lint_file(str(path), settings).findings


# --------------------------------------------------------------------------- tsfresh


def test_tsfresh_runtimes_imports_functions_its_project_removed(tmp_path):
    findings = lint_public(tsfresh_project(tmp_path))
    assert [(f.cell, f.line, f.column) for f in findings] == [(1, 3, 49), (1, 3, 73)]
    assert [f.message.split("`")[1] for f in findings] == [
        "get_combiner_functions",
        "get_simple_functions",
    ]
    assert all(f.severity == "error" for f in findings)
    assert all(
        "not defined in `tsfresh.feature_extraction.settings` "
        "(tsfresh/feature_extraction/settings.py in this project)" in f.message
        for f in findings
    )
    assert "fails with ImportError" in findings[0].message


def test_tsfresh_runtimes_with_the_functions_defined(tmp_path):
    path = tsfresh_project(tmp_path)
    with open(tmp_path / SETTINGS, "a") as settings:
        settings.write(
            "\n\ndef get_combiner_functions():\n    return {}\n\nget_simple_functions = dict\n"
        )
    assert lint_public(path) == []


# --------------------------------------------------------------------------- bindings

BINDINGS = {
    "assignment": "name = 1",
    "tuple-assignment": "first, (name, *rest) = 1, (2, 3)",
    "annotated": "name: int = 1",
    "augmented": "name = 0\nname += 1",
    "walrus": "if (name := 3):\n    pass",
    "def": "def name():\n    pass",
    "async-def": "async def name():\n    pass",
    "class": "class name:\n    pass",
    "import": "import os as name",
    "import-dotted": "import name.sub",
    "from-import": "from os.path import join as name",
    "try-except": "try:\n    import fastjson as name\nexcept ImportError:\n    name = None",
    "except-as": "try:\n    pass\nexcept Exception as name:\n    pass",
    "if-block": "import sys\nif sys.platform == 'win32':\n    name = 1\nelse:\n    def name():\n        pass",
    "for-target": "for name in range(3):\n    pass",
    "with-as": "with open(__file__) as name:\n    pass",
    "global-in-function": "def setup():\n    global name\n    name = 1",
}


@pytest.mark.parametrize("binding", BINDINGS.values(), ids=BINDINGS)
def test_a_name_the_top_level_binds_is_not_reported(lint_cells, binding):
    assert lint(lint_cells, "from helpers import name", {"helpers.py": binding}) == []


@pytest.mark.parametrize("binding", BINDINGS.values(), ids=BINDINGS)
def test_another_name_of_the_same_module_is_reported(lint_cells, binding):
    findings = lint(lint_cells, "from helpers import name, other", {"helpers.py": binding})
    assert [(f.line, f.column) for f in findings] == [(1, 27)]
    assert "`other` is not defined in `helpers` (helpers.py in this project)" in findings[0].message


def test_a_name_bound_only_inside_a_function_or_class_is_reported(lint_cells):
    helpers = "def load():\n    name = 1\n\nclass Model:\n    other = 2"
    findings = lint(lint_cells, "from helpers import load, name, other", {"helpers.py": helpers})
    assert [f.message.split("`")[1] for f in findings] == ["name", "other"]


STAR_CHAIN = {
    "pkg/__init__.py": "from .core import *\nfrom pkg.extra import *",
    "pkg/core.py": "from .base import *\n\ndef fit():\n    pass\n\n_private = 1",
    "pkg/base.py": "__all__ = ['_listed', 'deep']\ndeep = 1\n_listed = 2",
    "pkg/extra.py": "from pkg.deeper.leaf import *",
    "pkg/deeper/__init__.py": "",
    "pkg/deeper/leaf.py": "leaf = 1",
}


def test_star_imports_are_followed_relative_and_absolute(lint_cells):
    cells = [
        "from pkg import fit, deep, leaf\nfrom pkg.core import _listed",
        # core has no __all__: its star import does not pass on its private names
        "from pkg import _private, _listed, missing",
    ]
    findings = lint(lint_cells, cells, STAR_CHAIN)
    assert [(f.cell, f.message.split("`")[1]) for f in findings] == [
        (2, "_private"),
        (2, "_listed"),
        (2, "missing"),
    ]


def test_submodules_are_not_reported(lint_cells):
    files = {
        "pkg/__init__.py": "",
        "pkg/sub.py": "x = 1",
        "pkg/folder/__init__.py": "",
        f"pkg/_speedups{EXTENSION_SUFFIXES[0]}": "",
    }
    cells = "from pkg import sub, folder, _speedups\nfrom pkg import absent"
    findings = lint(lint_cells, cells, files)
    assert [(f.line, f.message.split("`")[1]) for f in findings] == [(2, "absent")]


# --------------------------------------------------------------------------- run time

DYNAMIC = {
    "module-getattr": "def __getattr__(name):\n    return 42",
    "lazy-loader": (
        "import lazy_loader as lazy\n\n__getattr__, __dir__, __all__ = lazy.attach(\n"
        "    __name__, submod_attrs={'core': ['fit']}\n)"
    ),
    "globals": "for _name in ('a', 'b'):\n    globals()[_name] = 1",
    "globals-in-function": "def _install():\n    globals().update(fit=1)\n\n_install()",
}


@pytest.mark.parametrize("source", DYNAMIC.values(), ids=DYNAMIC)
def test_modules_that_make_names_at_run_time_are_not_reported(lint_cells, source):
    assert lint(lint_cells, "from dyn import fit", {"dyn.py": source}) == []


def test_namespace_packages_and_compiled_modules_are_not_reported(lint_cells):
    files = {"ns/mod.py": "x = 1", f"fast{EXTENSION_SUFFIXES[0]}": ""}
    assert lint(lint_cells, "from ns.mod import y\nfrom fast import z", files) == []


def test_a_guarded_import_is_not_reported(lint_cells):
    cells = "try:\n    from helpers import fast\nexcept ImportError:\n    fast = None"
    assert lint(lint_cells, cells, {"helpers.py": "slow = 1"}) == []
    # unguarded, the same import is reported
    assert codes(lint(lint_cells, "from helpers import fast", {"helpers.py": "slow = 1"})) == SELECT


def test_a_module_the_notebook_writes_is_not_reported(lint_cells):
    cells = ["%%writefile helpers.py\ndef fast():\n    pass", "from helpers import fast"]
    assert lint(lint_cells, cells, {"helpers.py": "slow = 1"}) == []


def test_a_project_module_that_cannot_be_read_hides_the_installed_one(lint_cells):
    # a folder named like an installed library, without readable source: not judged
    (lint_cells.folder / "pandas").mkdir()
    assert lint(lint_cells, "from pandas.io.json import json_normalize") == []


# --------------------------------------------------------------------------- installed


def test_a_name_the_installed_library_no_longer_has(lint_cells):
    # pandas 2 removed pandas.io.json.json_normalize (pandas.json_normalize since 1.0)
    findings = lint(lint_cells, "import pandas as pd\nfrom pandas.io.json import json_normalize")
    assert [(f.line, f.column) for f in findings] == [(2, 28)]
    assert (
        f"`json_normalize` is not defined in `pandas.io.json` (pandas {version('pandas')} "
        "installed here)" in findings[0].message
    )


@pytest.mark.parametrize(
    ("requirements", "reported"),
    [("pandas<2\n", False), ("pandas==1.5.3\n", False), ("pandas>=2\n", True), ("numpy\n", True)],
)
def test_a_pin_excluding_the_installed_release_is_not_judged(lint_cells, requirements, reported):
    files = {"requirements.txt": requirements}
    findings = lint(lint_cells, "from pandas.io.json import json_normalize", files)
    assert codes(findings) == (SELECT if reported else [])


def test_names_the_installed_library_has_are_not_reported(lint_cells):
    cells = [
        "from pandas import DataFrame, read_csv\nfrom pandas.io.json import build_table_schema",
        "from sklearn.ensemble import RandomForestClassifier\nfrom sklearn.metrics import f1_score",
        "from os.path import nothing_here\nfrom not_installed_anywhere import thing",
    ]
    assert lint(lint_cells, cells) == []


# --------------------------------------------------------------------------- modules the project lacks

PACKAGE = {
    "churn/__init__.py": "",
    "churn/features.py": "def add_ratios(frame):\n    return frame\n",
    "churn/models/__init__.py": "",
}


@pytest.mark.parametrize(
    "source, missing, where",
    [
        ("import churn.cleaning", "churn.cleaning", "churn/"),
        ("from churn.cleaning import drop_nulls", "churn.cleaning", "churn/"),
        ("from churn.models.forest import fit", "churn.models.forest", "churn/models/"),
        ("import churn.features.ratios", "churn.features.ratios", "churn/features/"),
    ],
)
def test_a_module_the_project_no_longer_has(lint_cells, source, missing, where):
    (finding,) = lint(lint_cells, source, PACKAGE)
    assert finding.code == "NB409"
    assert f"`{missing}` is not a module of this project ({where} has no" in finding.message
    assert "fails with ModuleNotFoundError" in finding.message
    assert (finding.line, finding.column) == (1, 1 if source.startswith("from") else 8)


@pytest.mark.parametrize(
    "source",
    [
        "import churn.features",
        "import churn.models",
        "from churn.features import add_ratios",
        "from churn import models, features",
        "import os.path",  # the standard library
        "try:\n    import churn.cleaning\nexcept ImportError:\n    cleaning = None",
    ],
)
def test_modules_the_project_has(lint_cells, source):
    assert lint(lint_cells, source, PACKAGE) == []


def test_a_namespace_package_may_have_its_module_elsewhere(lint_cells):
    files = {"churn/features.py": "x = 1\n"}  # no __init__.py: a namespace portion
    assert lint(lint_cells, "import churn.cleaning", files) == []


def test_an_installed_library_is_left_to_nb401_and_nb408(lint_cells):
    # sklearn.cross_validation is NB408's; a module nobody has is NB401's
    assert lint(lint_cells, ["import sklearn.cross_validation", "import pandas.nothing"]) == []
