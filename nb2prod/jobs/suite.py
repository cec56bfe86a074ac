"""``[tool.nb2prod.test]``: which notebooks run as tests and CI jobs, with which parameter
sets and time limit, and in which order.  ``pytest --nb2prod`` and the workflow ``nb2prod
init --ci github`` writes read it through :func:`suite_for`, so both run the same::

    [tool.nb2prod.test]
    timeout = 600                                    # seconds per cell
    exclude = ["notebooks/explore_*.ipynb"]          # linted, never run or exported
    sequences = [["notebooks/train.ipynb", "notebooks/evaluate.ipynb"]]  # in order, one job
    [tool.nb2prod.test.parameters]
    "notebooks/train.ipynb" = [{alpha = 0.1}, {alpha = 0.5}]   # one test / job per set

Patterns and paths are relative to the pyproject.toml's folder.  Every setting is checked
when read: an unknown key, a pattern or path naming no notebook, a notebook in two
sequences is a ConfigError naming the valid choices.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nb2prod.errors import ConfigError


@dataclass(frozen=True)
class ParameterSet:
    """One set of parameter values; ``label`` names it in test ids and job names."""

    label: str
    values: dict[str, Any]


DEFAULTS = ParameterSet("defaults", {})


@dataclass(frozen=True)
class Suite:
    """``[tool.nb2prod.test]`` of one pyproject.toml (empty without one)."""

    base: Path  # the folder patterns are relative to
    config_path: Path | None = None
    timeout: float | None = None
    parameters: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    #: Notebook paths relative to ``base``, each sequence in the order it runs.
    sequences: tuple[tuple[str, ...], ...] = ()

    def excluded(self, notebook: str | os.PathLike) -> bool:
        from nb2prod.config import path_matches

        return any(path_matches(str(notebook), p, self.base) for p in self.exclude)

    def parameter_sets(self, notebook: str | os.PathLike) -> list[ParameterSet]:
        """The sets of the first pattern matching ``notebook``; its defaults without one."""
        from nb2prod.config import path_matches

        for pattern, sets in self.parameters.items():
            if path_matches(str(notebook), pattern, self.base):
                return [ParameterSet(label(values), dict(values)) for values in sets]
        return [DEFAULTS]

    def sequence_of(self, notebook: str | os.PathLike) -> tuple[int, int] | None:
        """(which sequence, position in it) of ``notebook``, None when in none."""
        relative = _relative(Path(notebook), self.base)
        for number, sequence in enumerate(self.sequences):
            if relative in sequence:
                return number, sequence.index(relative)
        return None

    @property
    def where(self) -> str:
        return f"{self.config_path} [tool.nb2prod.test]"


def label(values: dict[str, Any]) -> str:
    """``{"alpha": 0.1, "n": 3}`` -> ``alpha=0.1,n=3``; ``defaults`` for no values."""
    return ",".join(f"{k}={v}" for k, v in values.items()) or DEFAULTS.label


def suite_for(folder: str | os.PathLike) -> Suite:
    """The checked ``[tool.nb2prod.test]`` of the closest pyproject.toml above ``folder``
    that has a ``[tool.nb2prod]`` table; an empty suite based at ``folder`` without one."""
    from nb2prod.config import find_config

    pyproject, _table = find_config(Path(folder))
    if pyproject is None:
        return Suite(base=Path(folder).resolve())
    pyproject = pyproject.resolve()
    return _cached(pyproject, pyproject.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _cached(pyproject: Path, _mtime_ns: int) -> Suite:
    # Cached: pytest asks once per notebook file, and checking walks the project.
    from nb2prod.config import read_tool_table

    return _check(pyproject, read_tool_table(pyproject) or {})


def _check(pyproject: Path, table: dict) -> Suite:
    from nb2prod.config import TEST_KEYS, check_keys

    test = table.get("test", {})
    where = f"{pyproject} [tool.nb2prod.test]"
    if not isinstance(test, dict):
        raise ConfigError(f"{where} must be a table")
    check_keys(test, TEST_KEYS, where)
    suite = Suite(
        base=pyproject.parent,
        config_path=pyproject,
        timeout=_timeout(test.get("timeout"), where),
        parameters=_parameters(test.get("parameters", {}), where),
        exclude=_strings(test.get("exclude", []), "exclude", where),
        sequences=_sequences(test.get("sequences", []), where),
    )
    _check_paths(suite)
    return suite


def _timeout(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{where}: `timeout` must be a number of seconds, not {value!r}")
    return float(value)


def _parameters(value: Any, where: str) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `parameters` must be a table of pattern = [{{...}}, ...]")
    for pattern, sets in value.items():
        if not isinstance(sets, list) or not all(isinstance(s, dict) for s in sets):
            raise ConfigError(
                f"{where}.parameters: {pattern!r} must be a list of tables",
                f'e.g. "{pattern}" = [{{alpha = 0.1}}, {{alpha = 0.5}}]',
            )
    return value


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of notebook patterns")
    return tuple(value)


def _sequences(value: Any, where: str) -> tuple[tuple[str, ...], ...]:
    example = 'e.g. sequences = [["notebooks/train.ipynb", "notebooks/evaluate.ipynb"]]'
    if not isinstance(value, list) or not all(
        isinstance(s, list) and all(isinstance(p, str) for p in s) for s in value
    ):
        raise ConfigError(f"{where}: `sequences` must be a list of lists of notebooks", example)
    sequences = tuple(tuple(p.removeprefix("./") for p in s) for s in value)
    seen: set[str] = set()
    for sequence in sequences:
        if len(sequence) < 2:
            raise ConfigError(
                f"{where}.sequences: {list(sequence)!r} has fewer than two notebooks", example
            )
        twice = seen.intersection(sequence) or {p for p in sequence if sequence.count(p) > 1}
        if twice:
            raise ConfigError(
                f"{where}.sequences: {', '.join(sorted(twice))} is in more than one place",
                "a notebook runs in one sequence, once; merge the sequences",
            )
        seen.update(sequence)
    return sequences


def _check_paths(suite: Suite) -> None:
    """Every pattern matches a notebook, every sequence names existing notebooks, and no
    excluded notebook is in a sequence."""
    from nb2prod.config import path_matches

    if not (suite.parameters or suite.exclude or suite.sequences):
        return
    notebooks = _notebooks_under(suite.base)
    names = sorted(_relative(Path(nb), suite.base) for nb in notebooks)
    shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    hint = f"paths are relative to pyproject.toml's folder; notebooks: {shown or 'none'}"
    for key, patterns in (("parameters", list(suite.parameters)), ("exclude", suite.exclude)):
        for pattern in patterns:
            if not any(path_matches(nb, pattern, suite.base) for nb in notebooks):
                raise ConfigError(f"{suite.where}.{key}: {pattern!r} matches no notebook", hint)
    for sequence in suite.sequences:
        for path in sequence:
            if path not in names:
                raise ConfigError(f"{suite.where}.sequences: {path!r} is no notebook", hint)
            if suite.excluded(suite.base / path):
                raise ConfigError(
                    f"{suite.where}.sequences: {path!r} is also excluded",
                    "remove it from `exclude` or from the sequence",
                )


def _notebooks_under(folder: Path) -> list[str]:
    """The notebooks under ``folder`` (not in hidden folders or node_modules)."""
    found = []
    for parent, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
        found += [os.path.join(parent, f) for f in sorted(files) if f.endswith(".ipynb")]
    return found


def _relative(path: Path, base: Path) -> str:
    resolved = path.resolve()
    try:
        return resolved.relative_to(base.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()
