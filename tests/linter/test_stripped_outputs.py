"""Notebooks stored without outputs on purpose (nbstripout, nb-clean): NB101 and NB102, which
conclude from missing counts and outputs, say nothing where the repository strips them.

The configurations are real ones, reduced:

- ``NBSTRIPOUT_ATTRIBUTES``: the lines ``nbstripout --install --attributes .gitattributes``
  writes (kynan/nbstripout, ``nbstripout/_nbstripout.py``, ``install``, commit bda94f0, MIT).
- ``PLATO_ATTRIBUTES``: petered/plato's ``.gitattributes`` (commit 93036b4), a filter
  of the project's own name.
- ``AMPFORM_PRE_COMMIT``: ComPWA/ampform's ``.pre-commit-config.yaml`` (commit 000bc6d,
  Apache-2.0), four of its fifteen repositories.
- ``NB_CLEAN_PRE_COMMIT``: the hook of srstevenson/nb-clean's README (commit 1e21d56, ISC).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nb2prod.config import LintOverrides
from nb2prod.errors import ConfigError
from nb2prod.linter.engine import lint_paths
from nb2prod.linter.stripped import stored_without_outputs

from ..conftest import code, error, write_notebook

NBSTRIPOUT_ATTRIBUTES = "*.ipynb filter=nbstripout\n*.zpln filter=nbstripout\n*.ipynb diff=ipynb\n"
PLATO_ATTRIBUTES = "*.ipynb filter=stripoutput\n"
AMPFORM_PRE_COMMIT = """\
ci:
  autoupdate_commit_msg: "MAINT: update pip constraints and pre-commit"
  autoupdate_schedule: quarterly # already done by requirements-cron.yml

repos:
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v4.5.0
    hooks:
      - id: check-ast
      - id: end-of-file-fixer
        exclude: >
          (?x)^(
            .*\\.bib|
            .*\\.svg|
            \\.cspell\\.json
          )$

  - repo: https://github.com/psf/black-pre-commit-mirror
    rev: 23.12.1
    hooks:
      - id: black
      - id: black-jupyter
        args: [--line-length=85]
        types_or: [jupyter]

  - repo: https://github.com/kynan/nbstripout
    rev: 0.6.1
    hooks:
      - id: nbstripout
        args:
          - --extra-keys
          - |
            cell.attachments
            cell.metadata.code_folding
            metadata.vscode

  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.1.11
    hooks:
      - id: ruff
        args: [--fix]
        types_or: [python, pyi, jupyter]
"""
NB_CLEAN_PRE_COMMIT = """\
repos:
  - repo: https://github.com/srstevenson/nb-clean
    rev: 4.0.1
    hooks:
      - id: nb-clean
        args:
          - --remove-empty-cells
          - --preserve-cell-metadata
          - tags
          - slideshow
          - --
"""
#: A repository's usual configuration that strips nothing.
PLAIN_ATTRIBUTES = "* text=auto\n*.png binary\n*.ipynb linguist-language=Python\n"


@pytest.fixture
def repo(tmp_path):
    """A git repository (a ``.git`` folder and a pyproject.toml) with a notebook saved
    without outputs (NB101) and one with a cell whose output was not kept (NB102)."""
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / "pyproject.toml").touch()
    write_notebook(tmp_path / "notebooks" / "eda.ipynb", ["import math", "math.pi"])
    write_notebook(
        tmp_path / "notebooks" / "kept.ipynb",
        [code("x = 1"), code("x", outputs=[error()], keep_output=True)],  # NB102, NB106
    )
    return tmp_path


def lint_codes(path: Path, select=("NB1",)) -> dict[str, list[str]]:
    """``{notebook name: [codes]}`` of the findings of ``select`` under ``path``."""
    report = lint_paths([str(path)], LintOverrides(select=select), jobs=1)
    found: dict[str, list[str]] = {Path(r.path).name: [] for r in report.files}
    for finding in report.findings:
        found[Path(finding.path).name].append(finding.code)
    return found


def test_without_configuration_never_executed_and_skipped_cells_are_reported(repo):
    (repo / "pyproject.toml").write_text('[tool.nb2prod.lint]\nsaved-outputs = "auto"\n')
    (repo / ".gitattributes").write_text(PLAIN_ATTRIBUTES)
    (repo / ".pre-commit-config.yaml").write_text(
        AMPFORM_PRE_COMMIT.split("  - repo: https://github.com/kynan")[0]
    )
    assert lint_codes(repo) == {"eda.ipynb": ["NB101"], "kept.ipynb": ["NB102", "NB106"]}


def test_nbstripout_filter_in_gitattributes_means_outputs_are_stripped(repo):
    (repo / ".gitattributes").write_text(PLAIN_ATTRIBUTES + NBSTRIPOUT_ATTRIBUTES)
    # a saved error output is still evidence: NB106 stays
    assert lint_codes(repo) == {"eda.ipynb": [], "kept.ipynb": ["NB106"]}


def test_gitattributes_follow_git_rules(repo):
    eda = repo / "notebooks" / "eda.ipynb"
    attributes = repo / ".gitattributes"
    assert not stored_without_outputs(eda)
    for text, stripped in [
        (NBSTRIPOUT_ATTRIBUTES, True),
        (PLATO_ATTRIBUTES, True),  # a stripping filter of another name
        ("*.ipynb filter=nb-clean\n", True),
        ("*.ipynb diff=ipynb\n", False),  # only how diffs look
        ("*.ipynb filter=lfs diff=lfs merge=lfs -text\n", False),  # stored whole, in LFS
        ("notebooks/*.ipynb filter=nbstripout\n", True),  # relative to the file's folder
        ("/eda.ipynb filter=nbstripout\n", False),  # anchored: only at the root
        ("**/eda.ipynb filter=nbstripout\n", True),
        ("notebooks/** filter=nbstripout\n", True),
        ("notebooks/ filter=nbstripout\n", False),  # folders only: never a file
        ("[de]da.ipynb filter=nbstripout\n", True),
        ("*.ipynb filter=nbstripout\neda.ipynb -filter\n", False),  # later lines win
        ("# *.ipynb filter=nbstripout\n", False),
    ]:
        attributes.write_text(text)
        assert stored_without_outputs(eda) is stripped, text
    attributes.write_text(NBSTRIPOUT_ATTRIBUTES)
    (repo / "notebooks" / ".gitattributes").write_text("eda.ipynb -filter\n")  # deeper wins
    assert not stored_without_outputs(eda)
    assert stored_without_outputs(repo / "notebooks" / "kept.ipynb")
    attributes.unlink()
    (repo / "notebooks" / ".gitattributes").unlink()
    (repo / ".git" / "info" / "attributes").write_text(
        NBSTRIPOUT_ATTRIBUTES
    )  # nbstripout --install
    assert stored_without_outputs(eda)


def test_nbstripout_hook_in_pre_commit_config_means_outputs_are_stripped(repo):
    config = repo / ".pre-commit-config.yaml"
    config.write_text(AMPFORM_PRE_COMMIT)
    assert lint_codes(repo) == {"eda.ipynb": [], "kept.ipynb": ["NB106"]}
    eda = repo / "notebooks" / "eda.ipynb"
    for old, new, stripped in [
        ("- --extra-keys", "- --keep-output", False),  # nbstripout keeps the outputs
        ("id: nbstripout", "id: nbstripout\n        exclude: ^notebooks/eda", False),
        ("id: nbstripout", "id: nbstripout\n        files: ^notebooks/", True),
        ("id: nbstripout", "id: nbstripout\n        files: ^docs/", False),
        ("id: nbstripout", "id: nbstripout\n        stages: [manual]", False),
        ("ci:", "exclude: ^notebooks/\nci:", False),  # the whole configuration's exclude
        ("repos:", "repos: [", False),  # not YAML
    ]:
        config.write_text(AMPFORM_PRE_COMMIT.replace(old, new, 1))
        assert stored_without_outputs(eda) is stripped, new
    config.write_text(NB_CLEAN_PRE_COMMIT)
    assert stored_without_outputs(eda)
    config.write_text(
        NB_CLEAN_PRE_COMMIT.replace("--remove-empty-cells", "--preserve-cell-outputs")
    )
    assert not stored_without_outputs(eda)
    local = """\
repos:
  - repo: local
    hooks:
      - id: jupyter-nb-clear-output
        name: jupyter-nb-clear-output
        files: \\.ipynb$
        language: system
        entry: jupyter nbconvert --ClearOutputPreprocessor.enabled=True --inplace
"""
    config.write_text(local)
    assert stored_without_outputs(eda)


def test_saved_outputs_setting_says_it_for_projects_that_strip_another_way(repo):
    pyproject = repo / "pyproject.toml"
    pyproject.write_text('[tool.nb2prod.lint]\nsaved-outputs = "stripped"\n')
    assert lint_codes(repo) == {"eda.ipynb": [], "kept.ipynb": ["NB106"]}
    (repo / ".gitattributes").write_text(NBSTRIPOUT_ATTRIBUTES)
    pyproject.write_text('[tool.nb2prod.lint]\nsaved-outputs = "kept"\n')  # detection off
    assert lint_codes(repo) == {"eda.ipynb": ["NB101"], "kept.ipynb": ["NB102", "NB106"]}
    pyproject.write_text('[tool.nb2prod.lint]\nsaved-outputs = "auto"\n')
    assert lint_codes(repo) == {"eda.ipynb": [], "kept.ipynb": ["NB106"]}
    pyproject.write_text('[tool.nb2prod.lint]\nsaved-outputs = "yes"\n')
    with pytest.raises(ConfigError, match='`saved-outputs` must be one of "auto", "stripped"'):
        lint_codes(repo)


def test_execution_evidence_that_is_saved_still_counts_in_a_stripped_repository(repo):
    (repo / ".gitattributes").write_text(NBSTRIPOUT_ATTRIBUTES)
    write_notebook(  # counts kept (nbstripout --keep-count): out of order
        repo / "notebooks" / "counts.ipynb",
        [code("df = load()", count=2), code("df = df.dropna()", count=1)],
    )
    assert lint_codes(repo / "notebooks") == {
        "counts.ipynb": ["NB103"],
        "eda.ipynb": [],  # no evidence either way
        "kept.ipynb": ["NB106"],  # a saved error output
    }


def test_configuration_files_are_read_again_when_they_change(repo):
    attributes = repo / ".gitattributes"
    assert lint_codes(repo)["eda.ipynb"] == ["NB101"]
    attributes.write_text(NBSTRIPOUT_ATTRIBUTES)
    assert lint_codes(repo)["eda.ipynb"] == []
    attributes.write_text(PLAIN_ATTRIBUTES + "\n")  # another size: read again
    assert lint_codes(repo)["eda.ipynb"] == ["NB101"]


def test_a_project_inside_a_repository_uses_the_repository_root(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".pre-commit-config.yaml").write_text(AMPFORM_PRE_COMMIT)
    project = tmp_path / "packages" / "analysis"
    (project / "pyproject.toml").parent.mkdir(parents=True)
    (project / "pyproject.toml").touch()
    notebook = write_notebook(project / "nb" / "a.ipynb", ["x = 1"])
    assert stored_without_outputs(notebook)
    outside = tmp_path.parent / f"{tmp_path.name}-no-git"
    write_notebook(outside / "a.ipynb", ["x = 1"])
    (outside / "pyproject.toml").touch()
    assert not stored_without_outputs(outside / "a.ipynb")
