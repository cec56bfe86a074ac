"""Walking a folder skips what git ignores (``respect-gitignore``, as in Ruff)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from nb2prod.linter.engine import discover, lint_paths

from ..conftest import write_notebook

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(folder, *args):
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    """A git repository with notebooks in ignored and kept places."""
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("out/\n*.tmp.ipynb\n!keep.tmp.ipynb\n/top_only.ipynb\n")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / ".gitignore").write_text("executed/\n")
    (tmp_path / ".git" / "info" / "exclude").write_text("scratch.ipynb\n")
    for name in (
        "train.ipynb",
        "out/train.ipynb",
        "out/deep/more.ipynb",
        "notebooks/eval.ipynb",
        "notebooks/executed/eval.ipynb",
        "notebooks/draft.tmp.ipynb",
        "notebooks/keep.tmp.ipynb",
        "notebooks/scratch.ipynb",
        "top_only.ipynb",
        "notebooks/top_only.ipynb",
        "tracked.tmp.ipynb",
    ):
        write_notebook(tmp_path / name, ["print(1)"])
    git(tmp_path, "add", "-f", "tracked.tmp.ipynb")  # tracked: git never ignores it
    return tmp_path


KEPT = [
    "notebooks/eval.ipynb",
    "notebooks/keep.tmp.ipynb",
    "notebooks/top_only.ipynb",
    "tracked.tmp.ipynb",
    "train.ipynb",
]


def found(folder, path=".") -> list[str]:
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        return sorted(os.path.relpath(p).replace(os.sep, "/") for p in discover([path]))
    finally:
        os.chdir(cwd)


def test_walking_a_folder_skips_what_git_ignores(repo):
    # Nested .gitignore files, negation, anchoring, .git/info/exclude; tracked files stay.
    assert found(repo) == KEPT
    assert found(repo / "notebooks") == ["eval.ipynb", "keep.tmp.ipynb", "top_only.ipynb"]


def test_a_notebook_named_on_the_command_line_is_linted(repo, monkeypatch):
    monkeypatch.chdir(repo)
    report = lint_paths(["out/train.ipynb", "."])
    assert sorted(r.path for r in report.files) == sorted(["out/train.ipynb", *KEPT])


def test_respect_gitignore_false_walks_everything(repo):
    (repo / "pyproject.toml").write_text("[tool.nb2prod.lint]\nrespect-gitignore = false\n")
    assert len(found(repo)) == 11


def test_outside_a_git_repository_nothing_is_skipped(tmp_path):
    (tmp_path / ".gitignore").write_text("out/\n")
    write_notebook(tmp_path / "out" / "a.ipynb", ["print(1)"])
    assert found(tmp_path) == ["out/a.ipynb"]


def test_respect_gitignore_must_be_a_boolean(repo):
    from nb2prod.errors import ConfigError

    (repo / "pyproject.toml").write_text('[tool.nb2prod.lint]\nrespect-gitignore = "no"\n')
    with pytest.raises(ConfigError, match="respect-gitignore"):
        found(repo)
