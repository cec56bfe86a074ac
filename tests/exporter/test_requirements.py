"""The exported package's pinned dependencies (nb2prod/exporter/requirements.py)."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from nb2prod.errors import EnvironmentProblem
from nb2prod.exporter.plan import plan_export
from nb2prod.exporter.requirements import Requirement, imported_modules, resolve_requirements
from nb2prod.notebook import load_notebook

from ..conftest import code, write_notebook


def _plan(tmp_path, export_source):
    path = write_notebook(
        tmp_path / "nb.ipynb",
        [
            code(export_source, tags=["nb2prod:export"]),
            code("import hypothesis\nunused = 1"),  # not exported: not a dependency
            code("rows = [1]", tags=["nb2prod:example"]),
            code("len(rows)", tags=["nb2prod:predict"]),
        ],
    )
    return plan_export(load_notebook(path))


def test_installed_imports_are_pinned_stdlib_and_local_modules_are_not(tmp_path):
    (tmp_path / "helpers.py").write_text("def f(): return 1\n")
    plan = _plan(
        tmp_path,
        "import json\nimport click\nfrom jsonschema import validate\nimport helpers\n\n"
        "def check(doc):\n    import nbformat\n    return nbformat, validate, click, json, helpers",
    )
    assert imported_modules(plan) == ["json", "click", "jsonschema", "helpers", "nbformat"]
    requirements = resolve_requirements(plan, [tmp_path])
    assert [r.distribution for r in requirements] == ["click", "jsonschema", "nbformat"]
    click = requirements[0]
    assert click.version == version("click") and click.modules == ("click",)
    major = int(click.version.split(".")[0])
    assert click.compatible == f"click>={click.version},<{major + 1}"


def test_a_module_that_is_not_installed_is_an_environment_problem(tmp_path):
    plan = _plan(tmp_path, "import surely_not_installed_anywhere")
    with pytest.raises(EnvironmentProblem) as info:
        resolve_requirements(plan, [tmp_path])
    assert "`surely_not_installed_anywhere`" in info.value.message and info.value.exit_code == 3


def test_versions_that_do_not_start_with_a_number_get_no_upper_bound():
    assert Requirement("odd", "dev1", ("odd",)).compatible == "odd>=dev1"
