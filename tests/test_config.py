"""[tool.nb2prod.lint] settings, selectors and the project root (nb2prod/config.py)."""

from __future__ import annotations

import pytest

from nb2prod.config import LintOverrides, find_project_root, lint_settings, split_codes
from nb2prod.errors import ConfigError, UsageError
from nb2prod.linter.rule import all_rules

from .conftest import write_notebook


def _settings(tmp_path, toml=None, name="nb.ipynb", **overrides):
    if toml is not None:
        (tmp_path / "pyproject.toml").write_text(toml)
    path = write_notebook(tmp_path / name, ["x = 1"])
    return lint_settings(str(path), LintOverrides(**overrides))


def test_defaults_enable_default_rules(tmp_path):
    settings = _settings(tmp_path, "")
    assert settings.enabled == {r.code for r in all_rules() if r.default}
    assert settings.profile == "prod" and settings.config_path is None


def test_select_ignore_extend_select_and_names(tmp_path):
    toml = '[tool.nb2prod.lint]\nselect = ["NB0"]\nignore = ["unused-noqa"]\nextend-select = ["NB003"]\n'
    settings = _settings(tmp_path, toml)
    assert "NB001" in settings.enabled and "NB009" not in settings.enabled
    assert all(code.startswith("NB0") for code in settings.enabled)


def test_command_line_overrides_configuration(tmp_path):
    toml = '[tool.nb2prod.lint]\nselect = ["NB0"]\nprofile = "explore"\n'
    settings = _settings(tmp_path, toml, select=("NB001",), profile="prod")
    assert settings.enabled == {"NB001"} and settings.profile == "prod"
    assert _settings(tmp_path, None, ignore=("NB001",)).enabled.isdisjoint({"NB001"})


def test_per_file_ignores_match_globs_relative_to_the_config(tmp_path):
    toml = '[tool.nb2prod.lint.per-file-ignores]\n"scratch/*.ipynb" = ["NB001"]\n"*draft*" = ["NB009"]\n'
    (tmp_path / "pyproject.toml").write_text(toml)
    scratch = write_notebook(tmp_path / "scratch" / "a.ipynb", ["x"])
    draft = write_notebook(tmp_path / "my_draft.ipynb", ["x"])
    assert "NB001" not in lint_settings(str(scratch), LintOverrides()).enabled
    assert "NB009" not in lint_settings(str(draft), LintOverrides()).enabled
    assert "NB001" in lint_settings(str(draft), LintOverrides()).enabled


def test_closest_configuration_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.nb2prod.lint]\nselect = ["NB001"]\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[tool.nb2prod.lint]\nselect = ["NB009"]\n')
    inner = write_notebook(tmp_path / "sub" / "nb.ipynb", ["x"])
    outer = write_notebook(tmp_path / "nb.ipynb", ["x"])
    assert lint_settings(str(inner), LintOverrides()).enabled == {"NB009"}
    assert lint_settings(str(outer), LintOverrides()).enabled == {"NB001"}
    assert lint_settings(str(inner), LintOverrides(isolated=True)).enabled != {"NB009"}


def test_configuration_edits_are_seen_by_a_long_running_process(tmp_path):
    assert _settings(tmp_path, '[tool.nb2prod.lint]\nselect = ["NB001"]\n').enabled == {"NB001"}
    assert _settings(tmp_path, '[tool.nb2prod.lint]\nselect = ["NB009", "NB003"]\n').enabled == {
        "NB009",
        "NB003",
    }


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ("[tool.nb2prod.lint]\nselect = [\n", "cannot read TOML"),
        ('[tool.nb2prod.lint]\nselct = ["NB001"]\n', "unknown key(s) selct"),
        ('[tool.nb2prod.lint]\nprofile = "strict"\n', "profile must be one of"),
        ('[tool.nb2prod.lint]\nselect = "NB001"\nignore = 3\n', "must be a list"),
        ('[tool.nb2prod.lint]\nselect = ["NB999"]\n', "unknown rule selector"),
        ("[tool.nb2prod.lint]\nseed-functions = [1]\n", "must be a list of strings"),
        ('[tool.nb2prod.lint]\nallowed-path-prefixes = "/data"\n', "must be a list of strings"),
        ('[tool.nb2prod]\ntracking_url = "sqlite:///x.db"\n', "unknown key(s) tracking_url"),
        ("[tool.nb2prod.tset]\ntimeout = 5\n", "valid keys: lint, mlflow_ui_url, test"),
    ],
)
def test_bad_configuration_is_a_usage_error(tmp_path, toml, words):
    with pytest.raises(UsageError) as info:
        _settings(tmp_path, toml)
    assert words in str(info.value)


def test_unknown_selector_on_the_command_line(tmp_path):
    with pytest.raises(UsageError, match="unknown rule selector"):
        _settings(tmp_path, "", select=("XY1",))


def test_config_error_is_a_usage_error_subclass():
    assert issubclass(ConfigError, UsageError)


def test_project_root(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "notebooks").mkdir()
    assert find_project_root(tmp_path / "repo" / "notebooks" / "a.ipynb") == tmp_path / "repo"
    (tmp_path / "lonely").mkdir()
    root = find_project_root(tmp_path / "lonely" / "a.ipynb")
    marked = (root / ".git").exists() or (root / "pyproject.toml").is_file()
    assert root == tmp_path / "lonely" or marked


def test_rule_codes_from_options_are_split_and_trimmed():
    assert split_codes(["NB201, NB3", "NB6", " ,"]) == ("NB201", "NB3", "NB6")
    assert split_codes([]) == ()


# ---- issue 16, item 6: lint patterns that match no notebook ---------------------------------


def _project(tmp_path, lint_table: str):
    (tmp_path / "pyproject.toml").write_text(f"[tool.nb2prod.lint]\n{lint_table}")
    write_notebook(tmp_path / "train.ipynb", ["x = 1"])
    write_notebook(tmp_path / "notebooks" / "legacy" / "old.ipynb", ["x = 1"])
    return tmp_path / "train.ipynb"


@pytest.mark.parametrize(
    ("lint_table", "key", "pattern"),
    [
        ('exclude = ["notebooks/legcy/*"]\n', "exclude", "notebooks/legcy/*"),
        ('exclude = ["notebooks/legacy/*", ""]\n', "exclude", ""),
        ('[tool.nb2prod.lint.per-file-ignores]\n"scratch/*.ipynb" = ["NB001"]\n', "per-file-ignores", "scratch/*.ipynb"),
    ],
)  # fmt: skip
def test_a_lint_pattern_matching_no_notebook_is_an_error_naming_them(
    tmp_path, lint_table, key, pattern
):
    notebook = _project(tmp_path, lint_table)
    with pytest.raises(ConfigError) as info:
        lint_settings(str(notebook), LintOverrides())
    assert info.value.exit_code == 2
    assert f"[tool.nb2prod.lint]: `{key}` pattern {pattern!r} matches no notebook" in str(
        info.value
    )
    assert info.value.hint == (
        "patterns are relative to pyproject.toml's folder; notebooks: "
        "notebooks/legacy/old.ipynb, train.ipynb"
    )


def test_lint_patterns_are_checked_against_the_project_not_the_files_linted(tmp_path):
    """`nb2prod lint train.ipynb` (or pre-commit's staged files) with an exclude for another
    folder: the pattern matches a notebook of the project, so all is well."""
    notebook = _project(tmp_path, 'exclude = ["notebooks/legacy/*"]\n')
    assert lint_settings(str(notebook), LintOverrides()).exclude == ("notebooks/legacy/*",)


def test_a_pattern_for_notebooks_git_ignores_is_fine_before_they_exist(tmp_path):
    """A fresh clone, as CI has it: no executed/ folder yet, and git ignores it."""
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("executed/\n*-out.ipynb\n")
    notebook = _project(tmp_path, 'exclude = ["executed/*", "*-out.ipynb"]\n')
    assert lint_settings(str(notebook), LintOverrides()).exclude == ("executed/*", "*-out.ipynb")
    (tmp_path / ".gitignore").write_text("")
    (tmp_path / "pyproject.toml").write_text('[tool.nb2prod.lint]\nexclude = ["executed/*"]\n')
    with pytest.raises(ConfigError, match="'executed/\\*' matches no notebook"):
        lint_settings(str(notebook), LintOverrides())


def test_the_command_line_exits_2_on_a_pattern_matching_no_notebook(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    _project(tmp_path, '[tool.nb2prod.lint.per-file-ignores]\n"scratch/*" = ["NB001"]\n')
    nb2prod = str(Path(sys.executable).with_name("nb2prod"))
    done = subprocess.run(
        [nb2prod, "lint", "train.ipynb"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "`per-file-ignores` pattern 'scratch/*' matches no notebook" in done.stderr
    assert "Traceback" not in done.stderr
