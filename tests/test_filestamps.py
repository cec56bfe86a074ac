"""File stamps read once per lint run (nb2prod/filestamps.py)."""

from __future__ import annotations

import os

from nb2prod import filestamps


def _touch(path, text: str, mtime_ns: int) -> None:
    path.write_text(text)
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_outside_a_run_every_call_sees_the_file_as_it_is(tmp_path):
    path = tmp_path / "requirements.txt"
    assert filestamps.stamp(path) is None
    _touch(path, "pandas\n", 1_000)
    assert filestamps.stamp(path) == (1_000, 7)
    _touch(path, "pandas==2.2\n", 2_000)
    assert filestamps.stamp(path) == (2_000, 12)


def test_within_a_run_each_path_is_looked_at_once(tmp_path):
    path = tmp_path / "requirements.txt"
    _touch(path, "pandas\n", 1_000)
    with filestamps.one_run():
        assert filestamps.stamp(path) == (1_000, 7)
        assert filestamps.stamp(tmp_path / "missing.txt") is None
        _touch(path, "pandas==2.2\n", 2_000)
        (tmp_path / "missing.txt").write_text("x")
        # One moment: what the first notebook saw, the last sees too.
        assert filestamps.stamp(str(path)) == (1_000, 7)
        assert filestamps.stamp(tmp_path / "missing.txt") is None
    assert filestamps.stamp(path) == (2_000, 12)  # the run is over


def test_runs_nest_and_each_starts_fresh(tmp_path):
    path = tmp_path / "setup.cfg"
    _touch(path, "a", 1_000)
    with filestamps.one_run():
        assert filestamps.stamp(path) == (1_000, 1)
        _touch(path, "ab", 2_000)
        with filestamps.one_run():
            assert filestamps.stamp(path) == (2_000, 2)
        assert filestamps.stamp(path) == (1_000, 1)


def test_an_answer_is_worked_out_once_per_run_and_every_time_outside_one():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert filestamps.remembered("k", compute) == 1
    assert filestamps.remembered("k", compute) == 2  # no run: not kept
    with filestamps.one_run():
        assert filestamps.remembered("k", compute) == 3
        assert filestamps.remembered("k", compute) == 3
        assert filestamps.remembered("other", compute) == 4
    with filestamps.one_run():
        assert filestamps.remembered("k", compute) == 5  # a new run starts fresh


def test_declared_dependencies_are_read_once_per_run_for_a_project(tmp_path):
    from nb2prod.dependencies.declared import declared_dependencies

    (tmp_path / "requirements.txt").write_text("pandas\n")
    with filestamps.one_run():
        first = declared_dependencies([tmp_path])
        (tmp_path / "requirements.txt").write_text("pandas\nnumpy\n")
        assert declared_dependencies([tmp_path]) is first  # one moment
    assert declared_dependencies([tmp_path]).names == {"pandas", "numpy"}


def test_a_notebook_linted_alone_is_a_run_of_its_own_and_a_run_is_joined(tmp_path):
    path = tmp_path / "requirements.txt"
    _touch(path, "a", 1_000)
    with filestamps.ensure_run():  # none going on: a run of its own
        assert filestamps.stamp(path) == (1_000, 1)
        _touch(path, "ab", 2_000)
        assert filestamps.stamp(path) == (1_000, 1)
    with filestamps.one_run():
        assert filestamps.stamp(path) == (2_000, 2)
        _touch(path, "abc", 3_000)
        with filestamps.ensure_run():  # the run going on, not a fresh one
            assert filestamps.stamp(path) == (2_000, 2)


def test_a_lone_notebook_s_project_folders_are_looked_at_once(tmp_path, monkeypatch):
    """The server and the kernel lint one notebook at a time, outside any run: its rules
    still see each folder once (NB401, NB409 and NB410 all list the project's folders)."""
    from nb2prod.config import LintOverrides, lint_settings
    from nb2prod.linter.engine import lint_notebook
    from nb2prod.notebook import load_notebook

    from .conftest import write_notebook

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = []\n')
    path = write_notebook(tmp_path / "nb.ipynb", ["import pandas\nfrom helpers import f"])
    seen: list[str] = []
    real_stat = filestamps.os.stat

    def counting_stat(name, *args, **kwargs):
        seen.append(str(name))
        return real_stat(name, *args, **kwargs)

    monkeypatch.setattr(filestamps.os, "stat", counting_stat)
    settings = lint_settings(str(path), LintOverrides(select=("NB401", "NB409", "NB410")))
    lint_notebook(load_notebook(path), settings)
    assert seen.count(str(tmp_path)) == 1
