"""Distributions a project declares only in an optional extra or dependency group.

A module such a distribution provides is declared, but a job's environment built from the
project's required dependencies (``pip install .``) does not have it: the notebook needs
``pip install '.[extra]'`` (or ``--group``).  Optional groups are read from
``pyproject.toml`` (extras, ``[dependency-groups]``, Poetry groups) and ``setup.cfg``
(``extras_require``); everything other dependency files declare is required.
"""

from __future__ import annotations

import configparser
import functools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from nb2prod.dependencies.declared import (
    normalize,
    read_dependency_file,
    read_toml,
    requirement_name,
    string_items,
    table_of,
)
from nb2prod.filestamps import remembered, stamp


class OptionalGroup(NamedTuple):
    """An optional extra or dependency group that declares a distribution."""

    kind: str  # "extra", "dependency group" or "Poetry group"
    name: str  # as the file spells it (compare with ``normalize``)
    file: str  # the dependency file's name


def declared_where(groups: Iterable[OptionalGroup]) -> str:
    """``the extras `doc` and `all` of pyproject.toml``: every group, by kind and file."""
    by_file: dict[tuple[str, str], list[str]] = {}
    for group in groups:
        by_file.setdefault((group.kind, group.file), []).append(f"`{group.name}`")
    return " and ".join(
        f"the {kind} {names[0]} of {file}"
        if len(names) == 1
        else f"the {kind}s {', '.join(names[:-1])} and {names[-1]} of {file}"
        for (kind, file), names in by_file.items()
    )


def optional_only(files: Iterable[Path]) -> dict[str, tuple[OptionalGroup, ...]]:
    """Normalised distribution -> the optional groups that declare it (in file order), for
    those that no file declares as required."""
    files = tuple(files)
    return remembered((optional_only, files), lambda: _optional_only(files))


def _optional_only(files: tuple[Path, ...]) -> dict[str, tuple[OptionalGroup, ...]]:
    required: set[str] = set()
    optional: dict[str, tuple[OptionalGroup, ...]] = {}
    for path in files:
        found = stamp(path)
        if found is None:
            continue
        file_required, file_optional = _read(str(path), *found)
        required |= file_required
        for name, group in file_optional:
            if group not in optional.get(name, ()):
                optional[name] = (*optional.get(name, ()), group)
    return {name: groups for name, groups in optional.items() if name not in required}


@functools.lru_cache(maxsize=256)
def _read(
    path: str, _mtime_ns: int, _size: int
) -> tuple[frozenset[str], tuple[tuple[str, OptionalGroup], ...]]:
    """(required, ((optional name, its group), ...)) of one dependency file; a file that
    cannot be read declares nothing."""
    name = os.path.basename(path)
    try:
        if name == "pyproject.toml":
            required, groups = _pyproject(path)
        elif name == "setup.cfg":
            required, groups = _setup_cfg(path)
        else:  # requirements files, Pipfile, environment.yml, setup.py: all required
            required, groups = list(read_dependency_file(Path(path)) or ()), []
    except (OSError, ValueError, configparser.Error):
        return frozenset(), ()
    optional = tuple(
        (normalize(requirement), OptionalGroup(kind, group, name))
        for kind, group, requirements in groups
        for requirement in map(requirement_name, requirements)
        if requirement
    )
    return frozenset(normalize(r) for r in map(requirement_name, required) if r), optional


_Groups = list[tuple[str, str, list[str]]]  # (kind, group, requirements)


def _pyproject(path: str) -> tuple[list[str], _Groups]:
    document = read_toml(Path(path))
    project = table_of(document.get("project"))
    poetry = table_of(table_of(document.get("tool")).get("poetry"))
    required = string_items(project.get("dependencies")) + list(
        table_of(poetry.get("dependencies"))
    )
    groups: _Groups = [
        ("extra", extra, string_items(items))
        for extra, items in table_of(project.get("optional-dependencies")).items()
    ]
    groups += [
        ("dependency group", group, string_items(items))
        for group, items in table_of(document.get("dependency-groups")).items()
    ]
    groups += [
        ("Poetry group", group, list(table_of(table_of(table).get("dependencies"))))
        for group, table in table_of(poetry.get("group")).items()
    ]
    return required, groups


def _setup_cfg(path: str) -> tuple[list[str], _Groups]:
    parser = configparser.RawConfigParser(strict=False)
    parser.read(path, encoding="utf-8")

    def lines(value: str) -> list[str]:
        return [line.split("#")[0].strip() for line in value.splitlines() if line.strip()]

    required = lines(parser.get("options", "install_requires", fallback=""))
    groups: _Groups = []
    if parser.has_section("options.extras_require"):
        groups = [
            ("extra", extra, [line for line in lines(value) if not line.startswith("%(")])
            for extra, value in parser.items("options.extras_require")
        ]
    return required, groups
