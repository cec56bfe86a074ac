"""NB410 undeclared-soft-dependency: a reduction of sktime's signature notebook in its own
project, how the project's dependency files and NB401's ``extras`` option decide, the tag's
forms (alternatives, inheritance), and a project without dependency files."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap

import nbformat
import pytest

from nb2prod.config import LintOverrides, lint_settings
from nb2prod.linter.engine import lint_file
from tests.conftest import NB2PROD, codes, write_notebook
from tests.public.sktime_signatures import (
    CELLS,
    CLASSIFIER_CALL,
    PYPROJECT,
    TRANSFORMER_CALL,
    sktime_project,
)

SELECT = ["NB410"]


def lint_public(path, select=SELECT):
    settings = lint_settings(str(path), LintOverrides(select=tuple(select)))
    return lint_file(str(path), settings).findings


def rewrite_pyproject(folder, text):
    (folder / "pyproject.toml").write_text(text)


# --------------------------------------------------------------------------- sktime


def test_sktime_signatures_needs_esig(tmp_path):
    findings = lint_public(sktime_project(tmp_path))
    assert [(f.code, f.severity) for f in findings] == [("NB410", "warning")]
    (finding,) = findings
    # at the first call that creates an estimator needing it, not at the import
    assert (finding.cell, finding.line) == TRANSFORMER_CALL
    cell, line = TRANSFORMER_CALL
    assert "= SignatureTransformer(" in CELLS[cell - 1].splitlines()[line - 1]
    assert finding.message.startswith(
        "`SignatureClassifier`, `SignatureTransformer` (sktime) need `esig` (its "
        "python_dependencies tag), which the project's dependency files (pyproject.toml) "
        "do not declare"
    )
    assert "creating the estimator raises ModuleNotFoundError" in finding.message


def test_sktime_signatures_one_class_created(tmp_path):
    path = sktime_project(tmp_path)
    # without the transformer's example: the classifier's creation is the first
    nb = nbformat.read(str(path), as_version=4)
    nb.cells = [nb.cells[i] for i in (0, 1, 2, 5)]
    nb.cells[2].source = "from sktime.classification.feature_based import SignatureClassifier"
    nbformat.write(nb, str(path))
    findings = lint_public(path)
    assert [(f.cell, f.line) for f in findings] == [(4, CLASSIFIER_CALL[1])]
    assert "= SignatureClassifier()" in nb.cells[3].source.splitlines()[CLASSIFIER_CALL[1] - 1]
    assert findings[0].message.startswith("`SignatureClassifier` (sktime) needs `esig`")


def test_sktime_signatures_with_esig_required(tmp_path):
    path = sktime_project(tmp_path)
    rewrite_pyproject(tmp_path, PYPROJECT.replace('  "joblib', '  "esig>=0.9",\n  "joblib'))
    assert lint_public(path) == []


def test_sktime_signatures_with_esig_only_in_an_extra(tmp_path):
    path = sktime_project(tmp_path)
    with_extra = PYPROJECT.replace("all_extras = [\n", "all_extras = [\n  'esig==0.9.7',\n")
    rewrite_pyproject(tmp_path, with_extra)
    findings = lint_public(path)
    assert [(f.cell, f.line) for f in findings] == [TRANSFORMER_CALL]
    assert "is declared only in the extra `all_extras` of pyproject.toml" in findings[0].message
    assert "NB401's `extras` option" in findings[0].message
    # the notebooks' environment installs another extra: still missing
    rewrite_pyproject(tmp_path, with_extra + '\n[tool.nb2prod.lint]\nextras = ["notebooks"]\n')
    assert codes(lint_public(path)) == SELECT
    # ... and this one: nothing to say
    rewrite_pyproject(
        tmp_path, with_extra + '\n[tool.nb2prod.lint]\nextras = ["notebooks", "all-extras"]\n'
    )
    assert lint_public(path) == []


def test_sktime_signatures_has_no_missing_names(tmp_path):
    # NB409 reads the same modules: every name the notebook imports is there
    assert lint_public(sktime_project(tmp_path), ["NB409"]) == []


# --------------------------------------------------------------------------- the tag


def lint(lint_cells, cells, estimators, requirements=("scikit-base",)):
    """Lint ``cells`` beside a package ``est`` whose __init__.py is ``estimators``, in a
    project whose requirements.txt holds ``requirements`` (scikit-base: only the classes
    of a library built on it are read)."""
    folder = lint_cells.folder
    (folder / "est").mkdir(exist_ok=True)
    (folder / "est" / "__init__.py").write_text(textwrap.dedent(estimators))
    (folder / "requirements.txt").write_text("".join(f"{r}\n" for r in requirements))
    return lint_cells(cells if isinstance(cells, list) else [cells], select=SELECT)


ALTERNATIVES = """\
    class Forecaster:
        _tags = {"python_dependencies": [["pmdarima>=2", "statsforecast"], "numba<0.60"]}
    """


@pytest.mark.parametrize(
    ("requirements", "missing"),
    [
        (["statsforecast", "numba"], []),
        (["pmdarima==2.0.4", "numba"], []),
        (["numba"], ["pmdarima"]),
        (["statsforecast"], ["numba"]),
        ([], ["pmdarima", "numba"]),
    ],
)
def test_any_one_of_nested_alternatives_will_do(lint_cells, requirements, missing):
    cells = ["from est import Forecaster", "model = Forecaster()"]
    findings = lint(lint_cells, cells, ALTERNATIVES, ["scikit-base", *requirements])
    assert [f.message.split("`")[3] for f in findings] == missing
    assert all((f.cell, f.line) == (2, 1) for f in findings)


def test_a_class_without_the_tag_or_no_class_is_not_reported(lint_cells):
    estimators = """\
        from est._missing import Imported

        class Plain:
            _tags = {"authors": "me"}

        def make():
            _tags = {"python_dependencies": "made-up-dependency"}

        CONSTANT = {"python_dependencies": "made-up-dependency"}
        """
    cells = "from est import Plain, make, CONSTANT, Imported\nPlain()\nmake()\nImported()"
    assert lint(lint_cells, cells, estimators) == []


def test_a_subclass_inherits_the_tag_and_a_re_export_is_followed(lint_cells):
    (lint_cells.folder / "est").mkdir()
    (lint_cells.folder / "est" / "_base.py").write_text(
        'class Base:\n    _tags = {"python_dependencies": "made-up-dependency"}\n'
    )
    estimators = "from ._base import Base\n\nclass Child(Base):\n    _tags = {'authors': 'me'}\n"
    findings = lint(lint_cells, "from est import Child as C\nmodel = C()", estimators)
    assert [(f.line, f.column) for f in findings] == [(2, 9)]
    assert findings[0].message.startswith("`Child` (est) needs `made-up-dependency`")


def test_imported_but_never_created_is_reported_at_the_import(lint_cells):
    estimators = 'class Model:\n    _tags = {"python_dependencies": "made-up-dependency"}\n'
    findings = lint(lint_cells, "from est import Model", estimators)
    assert [(f.line, f.column) for f in findings] == [(1, 17)]


def test_a_library_not_built_on_scikit_base_is_not_read(lint_cells):
    estimators = 'class Model:\n    _tags = {"python_dependencies": "made-up-dependency"}\n'
    assert lint(lint_cells, "from est import Model\nModel()", estimators, ["pandas"]) == []


# --------------------------------------------------------------------------- installed


def install(site, name, requires, source):
    """A distribution laid out as pip installs it: its package and its .dist-info."""
    (site / name).mkdir(parents=True)
    (site / name / "__init__.py").write_text(textwrap.dedent(source))
    info = site / f"{name}-0.1.dist-info"
    info.mkdir()
    requirements = "".join(f"Requires-Dist: {r}\n" for r in requires)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n{requirements}"
    )
    (info / "top_level.txt").write_text(f"{name}\n")
    (info / "RECORD").write_text(f"{name}/__init__.py,,\n{info.name}/METADATA,,\n")


def lint_installed(tmp_path, requires, dependency, files=()):
    """``nb2prod lint`` in an environment that also has ``tsest`` installed, whose class
    needs ``dependency``, on a notebook creating it in a project with ``files``."""
    site = tmp_path / "lib" / "site-packages"
    estimators = f'class Model:\n    _tags = {{"python_dependencies": ["{dependency}>=1"]}}\n'
    install(site, "tsest", requires, estimators)
    project = tmp_path / "project"
    (project / "pyproject.toml").parent.mkdir()
    (project / "pyproject.toml").touch()
    for name in files:
        (project / name).write_text("scikit-learn\n")
    write_notebook(project / "nb.ipynb", ["from tsest import Model\nmodel = Model()"])
    env = {**os.environ, "PYTHONPATH": str(site), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run(
        [NB2PROD, "lint", "--select", "NB410", "--format", "json", "nb.ipynb"],
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


@pytest.mark.parametrize(
    ("requires", "dependency", "reported"),
    [
        (["scikit-base>=0.6"], "pandas", False),  # installed here
        (["scikit-base>=0.6"], "made-up-dependency-nb2prod", True),
        (["numpy"], "made-up-dependency-nb2prod", False),  # not a scikit-base library
    ],
)
def test_without_dependency_files_the_installed_packages_decide(
    tmp_path, requires, dependency, reported
):
    findings = lint_installed(tmp_path, requires, dependency)
    assert [(f["code"], f["cell"], f["line"]) for f in findings] == (
        [("NB410", 1, 2)] if reported else []
    )
    if reported:
        assert findings[0]["message"].startswith(
            "`Model` (tsest) needs `made-up-dependency-nb2prod` (its python_dependencies tag), "
            "which is not installed here, and the project has no dependency file"
        )


def test_an_installed_library_with_a_dependency_file_the_file_decides(tmp_path):
    # pandas is installed here, but the job gets only what requirements.txt declares
    findings = lint_installed(tmp_path, ["scikit-base"], "pandas", ["requirements.txt"])
    assert [f["code"] for f in findings] == ["NB410"]
    assert (
        "the project's dependency files (requirements.txt) do not declare"
        in (findings[0]["message"])
    )
