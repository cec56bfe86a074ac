"""The renumbering that gave each rule family one code prefix: the old codes keep working
in selectors, configuration and ``noqa`` until 0.3, and every use of one says so."""

from __future__ import annotations

import json
import warnings
from collections import defaultdict

import pytest

import nb2prod
from nb2prod.linter.rule import FAMILIES, RENAMED_CODES, Rule, Severity

from ..conftest import code, nb2prod_cli, write_notebook

SHELL = "!ls data"


def _shell_notebook(path, comment=""):
    return write_notebook(path, [code(SHELL + comment, count=1)])


def test_each_family_has_one_prefix_and_each_prefix_one_family():
    listed = json.loads(nb2prod_cli("rule", "--format", "json").stdout)
    families = defaultdict(set)
    for rule in listed:
        families[rule["code"][:3]].add(rule["family"])
    assert all(len(names) == 1 for names in families.values()), families
    assert {prefix: names.pop() for prefix, names in families.items()} == {
        family.prefix: name for name, family in FAMILIES.items()
    }
    old = {old: rule["code"] for rule in listed for old in rule["old_codes"]}
    assert old == RENAMED_CODES


def test_a_rule_with_a_code_outside_its_family_prefix_is_refused():
    with pytest.raises(RuntimeError, match="environment family's codes start with NB4"):

        class Misplaced(Rule):  # noqa: F841 (defining it registers it)
            code, name, family, severity = "NB398", "misplaced", "environment", Severity.INFO


def test_an_old_code_still_selects_its_rule_and_says_it_moved(tmp_path):
    notebook = _shell_notebook(tmp_path / "nb.ipynb")
    with pytest.warns(FutureWarning, match="NB302 is now NB403 .shell-escape."):
        report = nb2prod.lint(notebook, select=["NB302"], isolated=True)
    assert [f.code for f in report.findings] == ["NB403"]

    done = nb2prod_cli("lint", "--isolated", "--select", "NB302", "--format", "json", notebook)
    assert [f["code"] for f in json.loads(done.stdout)["findings"]] == ["NB403"]
    notes = [line for line in done.stderr.splitlines() if "NB302" in line]
    assert notes == [
        "nb2prod: warning: rule code NB302 is now NB403 (shell-escape); "
        "write NB403: NB302 stops working in nb2prod 0.3"
    ]  # once, although the options are checked twice


def test_old_codes_in_the_configuration_work_and_name_the_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.nb2prod.lint]\nselect = ['NB4']\nignore = ['NB304']\n"
        "[tool.nb2prod.lint.per-file-ignores]\n'nb.ipynb' = ['NB302']\n"
    )
    notebook = write_notebook(
        tmp_path / "nb.ipynb", [code("!pip install pandas\n" + SHELL, count=1)]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = nb2prod.lint(notebook)
    # no NB406, NB403; NB405 reports the install for NB402 too (one install, one finding)
    assert [f.code for f in report.findings] == ["NB405"]
    notes = sorted(str(w.message) for w in caught if w.category is FutureWarning)
    assert len(notes) == 2 and all(
        "pyproject.toml [tool.nb2prod.lint]: rule code" in n for n in notes
    )


def test_a_noqa_with_an_old_code_still_suppresses_and_the_fix_writes_the_new_one(tmp_path):
    notebook = _shell_notebook(tmp_path / "nb.ipynb", "  # nb2prod: noqa: NB302")
    report = nb2prod.lint(notebook, isolated=True)
    assert [(f.code, f.column) for f in report.findings] == [("NB010", 28)]
    assert "NB302 is now NB403" in report.findings[0].message

    nb2prod.lint(notebook, isolated=True, fix=True)
    source = json.loads(notebook.read_text())["cells"][0]["source"]
    assert source == [SHELL + "  # nb2prod: noqa: NB403"]
    assert nb2prod.lint(notebook, isolated=True).findings == []


def test_rule_explains_an_old_code_as_its_new_rule():
    done = nb2prod_cli("rule", "NB404")
    assert done.returncode == 0 and done.stdout.startswith("# import-not-at-top (NB704)")
    assert "formerly NB404" in done.stdout and "NB404 is now NB704" in done.stderr
