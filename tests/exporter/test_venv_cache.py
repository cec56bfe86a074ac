"""The cache of dependency environments behind ``nb2prod verify``'s fresh venvs: a real
venv, a real ``pip install`` of a tiny package with one small locked dependency."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nb2prod.exporter import venv_cache
from nb2prod.exporter.verify import Scorecard, _install, clean_env

PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.21"]
build-backend = "hatchling.build"

[project]
name = "tiny"
version = "1.0"
dependencies = ["iniconfig"]

[project.optional-dependencies]
test = []

[project.scripts]
tiny = "tiny:main"

[tool.hatch.build.targets.wheel]
packages = ["src/tiny"]
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NB2PROD_VERIFY_CACHE", raising=False)
    return tmp_path / "cache" / "nb2prod" / "venvs"


def _package(folder: Path, lock: str = "iniconfig==2.3.1\n") -> Path:
    (folder / "src" / "tiny").mkdir(parents=True)
    (folder / "src" / "tiny" / "__init__.py").write_text(
        "import iniconfig\n\ndef main():\n    print('tiny', iniconfig.__name__)\n"
    )
    (folder / "pyproject.toml").write_text(PYPROJECT)
    (folder / "requirements.lock.txt").write_text(lock)
    return folder


def _verify_install(folder: Path, venv: Path) -> str:
    scorecard = Scorecard("tiny", "tiny.ipynb")
    python = _install(folder, venv, scorecard)
    assert python is not None, scorecard.text()
    return scorecard.checks[0].detail


def _entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.iterdir() if p.is_dir() and not p.name.startswith("."))


def test_second_verification_clones_the_cached_dependencies(cache, tmp_path):
    package = _package(tmp_path / "pkg")
    first = _verify_install(package, tmp_path / "one")
    assert first.startswith("fresh venv, 1 pinned distributions")
    (entry,) = _entries(cache)
    assert (entry / venv_cache.MARKER).exists()
    second = _verify_install(package, tmp_path / "two")
    assert second.startswith("fresh venv from cached dependencies of this lock, 1 pinned")
    venv = tmp_path / "two"
    # A clone of its own: the package's console script runs the clone's python, and the
    # cached entry never gets the package.
    script = (venv / "bin" / "tiny").read_text()
    assert script.startswith(f"#!{venv}/bin/python")
    done = subprocess.run([venv / "bin" / "tiny"], capture_output=True, text=True, env=clean_env())
    assert done.stdout == "tiny iniconfig\n", done.stderr
    assert str(venv) in (venv / "pyvenv.cfg").read_text()
    assert not list(entry.glob("venv/lib/*/site-packages/tiny*"))
    # The dependency is a hard link to the cached file, not a copy.
    (cached,) = entry.glob("venv/lib/*/site-packages/iniconfig/__init__.py")
    (cloned,) = venv.glob("lib/*/site-packages/iniconfig/__init__.py")
    assert os.path.samefile(cached, cloned)


def test_a_changed_lock_gets_its_own_entry_and_the_switch_turns_it_off(
    cache, tmp_path, monkeypatch
):
    package = _package(tmp_path / "pkg")
    assert venv_cache.clone_cached(package, tmp_path / "one", clean_env()) == "built"
    (package / "requirements.lock.txt").write_text("iniconfig==2.3.1\n# relocked\n")
    assert venv_cache.clone_cached(package, tmp_path / "two", clean_env()) == "built"
    assert len(_entries(cache)) == 2
    monkeypatch.setenv("NB2PROD_VERIFY_CACHE", "0")
    assert venv_cache.clone_cached(package, tmp_path / "three", clean_env()) is None
    assert not (tmp_path / "three").exists()
    # Off means the full install into an empty venv, and the line says so.
    assert _verify_install(package, tmp_path / "four").startswith("fresh venv, 2 pinned")


def test_an_incomplete_entry_is_rebuilt_not_used(cache, tmp_path):
    package = _package(tmp_path / "pkg")
    assert venv_cache.clone_cached(package, tmp_path / "one", clean_env()) == "built"
    (entry,) = _entries(cache)
    (entry / venv_cache.MARKER).unlink()
    for installed in entry.glob("venv/lib/*/site-packages/iniconfig"):
        shutil.rmtree(installed)  # as a build that died half way would leave it
    assert venv_cache.clone_cached(package, tmp_path / "two", clean_env()) == "built"
    (again,) = _entries(cache)
    assert (again / venv_cache.MARKER).exists()
    assert list(again.glob("venv/lib/*/site-packages/iniconfig/__init__.py"))
    assert list((tmp_path / "two").glob("lib/*/site-packages/iniconfig/__init__.py"))


def test_eviction_keeps_the_most_recently_used_and_spares_one_in_use(cache, tmp_path):
    cache.mkdir(parents=True)
    for index, name in enumerate(["a", "b", "c", "d"]):
        (cache / name).mkdir()
        (cache / name / venv_cache.MARKER).write_text("{}")
        os.utime(cache / name / venv_cache.MARKER, (1000 + index, 1000 + index))
    stale = cache / ".tmp-x-1-abc"
    stale.mkdir()
    os.utime(stale, (1, 1))
    with venv_cache._shared_lock(cache / "a"):  # the oldest, but a verification uses it
        venv_cache.evict(cache, keep=2)
    assert [p.name for p in _entries(cache)] == ["a", "c", "d"]
    assert not stale.exists()
    venv_cache.evict(cache, keep=2)
    assert [p.name for p in _entries(cache)] == ["c", "d"]


BUILD = """
import sys
from pathlib import Path
from nb2prod.exporter.venv_cache import clone_cached
from nb2prod.exporter.verify import clean_env
print(clone_cached(Path(sys.argv[1]), Path(sys.argv[2]), clean_env()))
"""


def test_two_processes_building_the_same_entry_at_once(cache, tmp_path):
    package = _package(tmp_path / "pkg")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", BUILD, package, tmp_path / f"venv{i}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )  # fmt: skip
        for i in (1, 2)
    ]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert out.strip() in ("built", "cached"), err
    (entry,) = _entries(cache)
    assert json.loads((entry / venv_cache.MARKER).read_text())["built_in"]
    assert [p.name for p in cache.iterdir() if p.name.startswith(".")] == []
    for i in (1, 2):
        python = tmp_path / f"venv{i}" / "bin" / "python"
        done = subprocess.run([python, "-c", "import iniconfig"], env=clean_env())
        assert done.returncode == 0
