"""``pytest --nb2prod NOTEBOOKS``: every notebook is a test, run as a strict papermill job.

Parameter sets come from ``[tool.nb2prod.test]`` in the project's pyproject.toml::

    [tool.nb2prod.test]
    timeout = 600                                  # seconds per cell
    [tool.nb2prod.test.parameters]
    "notebooks/train.ipynb" = [{alpha = 0.1}, {alpha = 0.5}]   # one test per set
    "notebooks/smoke_*.ipynb" = [{rows = 100}]                 # globs, relative to the file

Without an entry a notebook is one test with its own defaults.  A failure shows the
failing cell's source and its traceback.  The plugin does nothing without ``--nb2prod``.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from nb2prod.errors import Nb2ProdError


def pytest_addoption(parser) -> None:
    group = parser.getgroup("nb2prod")
    group.addoption(
        "--nb2prod",
        action="store_true",
        help="collect *.ipynb files and run each as a strict papermill job (nb2prod)",
    )


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix != ".ipynb" or not parent.config.getoption("nb2prod"):
        return None
    if ".ipynb_checkpoints" in file_path.parts:
        return None
    return NotebookFile.from_parent(parent, path=file_path)


class NotebookFile(pytest.File):
    def collect(self):
        settings = _test_settings(self.path)
        for name, params in _parameter_sets(self.path, settings):
            yield NotebookItem.from_parent(
                self, name=name, params=params, timeout=settings.get("timeout")
            )

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, NotebookConfigError):
            return str(excinfo.value)  # one line: the setting and the valid choices
        return super().repr_failure(excinfo, style=style)


class NotebookConfigError(Exception):
    """``[tool.nb2prod.test]`` is wrong: reported as its one line, without a traceback."""


class NotebookItem(pytest.Item):
    def __init__(self, *, params: dict, timeout: float | None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.params = params
        self.timeout = timeout

    def runtest(self) -> None:
        from nb2prod.jobs.runner import JobOptions, run_job

        try:
            result = run_job(
                JobOptions(self.path, params=self.params, timeout=self.timeout, track=False)
            )
        except Nb2ProdError as exc:  # parameters it does not take, a notebook that cannot run
            raise NotebookTestFailed(exc) from None
        if result.failure is not None:
            raise NotebookTestFailed(result.failure)

    def repr_failure(self, excinfo, style=None):
        if not isinstance(excinfo.value, NotebookTestFailed):
            return super().repr_failure(excinfo, style=style)
        failure = excinfo.value.failure
        parts = [failure.message]
        if getattr(failure, "hint", None) and not getattr(failure, "source", ""):
            parts.append(f"  hint: {failure.hint}")
        source = getattr(failure, "source", "")
        if source:
            numbered = "\n".join(f"{n:4} | {line}" for n, line in enumerate(source.splitlines(), 1))
            parts += ["", "failing cell:", numbered]
        traceback = getattr(failure, "traceback", "")
        if traceback:
            parts += ["", traceback]
        return "\n".join(parts)

    def reportinfo(self):
        return self.path, None, f"{self.path.name} [{self.name}]"


class NotebookTestFailed(Exception):
    def __init__(self, failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def _test_settings(notebook: Path) -> dict:
    from nb2prod.config import find_config

    try:
        pyproject, table = find_config(notebook.parent)
        settings = dict(table.get("test", {})) if isinstance(table, dict) else {}
        if pyproject is not None:
            _check_settings(pyproject, settings)
    except Nb2ProdError as exc:
        raise NotebookConfigError(str(exc)) from None
    settings["_base"] = pyproject.parent if pyproject else notebook.parent
    return settings


@functools.lru_cache(maxsize=16)
def _notebooks_under(pyproject: Path, _mtime_ns: int) -> list[str]:
    """The notebooks under ``pyproject``'s folder (not in hidden folders or node_modules)."""
    found = []
    for folder, dirs, files in os.walk(pyproject.parent):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "node_modules"]
        found += [os.path.join(folder, f) for f in files if f.endswith(".ipynb")]
    return found


def _check_settings(pyproject: Path, settings: dict) -> None:
    """Unknown keys of ``[tool.nb2prod.test]``, and parameter patterns that match no
    notebook, are errors naming the valid choices."""
    from nb2prod.config import TEST_KEYS, check_keys, path_matches
    from nb2prod.errors import ConfigError

    where = f"{pyproject} [tool.nb2prod.test]"
    check_keys(settings, TEST_KEYS, where)
    patterns = settings.get("parameters") or {}
    if not isinstance(patterns, dict):
        raise ConfigError(f"{where}: `parameters` must be a table of pattern = [{{...}}, ...]")
    if not patterns:
        return
    notebooks = _notebooks_under(pyproject, pyproject.stat().st_mtime_ns)
    for pattern in patterns:
        if not any(path_matches(nb, pattern, pyproject.parent) for nb in notebooks):
            names = sorted(os.path.relpath(nb, pyproject.parent) for nb in notebooks)
            shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
            raise ConfigError(
                f"{where}.parameters: {pattern!r} matches no notebook",
                f"patterns are relative to {pyproject.name}'s folder; notebooks: {shown or 'none'}",
            )


def _parameter_sets(notebook: Path, settings: dict) -> list[tuple[str, dict]]:
    """``(test name, parameters)`` for each set that applies to ``notebook``."""
    from nb2prod.config import path_matches

    for pattern, sets in (settings.get("parameters") or {}).items():
        if path_matches(str(notebook), pattern, settings["_base"]):
            if not isinstance(sets, list) or not all(isinstance(s, dict) for s in sets):
                raise pytest.UsageError(
                    f"[tool.nb2prod.test.parameters] {pattern!r} must be a list of tables"
                )
            return [(_name(values), dict(values)) for values in sets]
    return [("defaults", {})]


def _name(values: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in values.items()) or "defaults"
