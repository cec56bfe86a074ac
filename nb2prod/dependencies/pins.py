"""Which versions of a distribution a project allows, read from the dependency files
:func:`declared.declared_dependencies` finds, and which version this process has installed.

A declaration is reduced to the range it admits: ``pandas==2.2.2`` is [2.2.2, 2.2.2],
``pandas<2`` is [-, 2) and ``pandas>=1.5`` is [1.5, -).  pip's operators, Poetry's (``^1.5``,
``~1.5``, a bare ``1.5``) and conda's (``pandas=1.5``: any 1.5.x) are understood; markers,
``!=`` and alternatives (``||``) are not, and leave the range as wide as the rest says.
Files are scanned as text, once per file version, for any ``name <specifier>``.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from nb2prod.dependencies.declared import normalize, without_comment
from nb2prod.dependencies.distributions import installed_release

#: One mention of a distribution with a version constraint, whatever the file format.
_MENTION = re.compile(
    r"""(?<![\w.\-/@])(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*
    (?:(?P<pip>(?:===|==|~=|!=|<=|>=|<|>)\s*[^,;\s"'\]\#]+
              (?:\s*,\s*(?:===|==|~=|!=|<=|>=|<|>)\s*[^,;\s"'\]\#]+)*)
      |=\s*["'](?P<toml>[^"']*)["']
      |=\s*\{[^}]*?\bversion\s*=\s*["'](?P<table>[^"']*)["']
      |=(?P<conda>[0-9][^\s"',\#]*))""",
    re.VERBOSE,
)
_CLAUSE = re.compile(r"(===|==|~=|!=|<=|>=|<|>|\^|~|=)?\s*(\S+)")


@dataclass(frozen=True)
class Range:
    """Versions between ``low`` and ``high``; None is an open end."""

    low: Version | None = None
    low_inclusive: bool = True
    high: Version | None = None
    high_inclusive: bool = False

    def below(self, version: Version) -> bool:
        """Every version in the range is older than ``version``."""
        if self.high is None:
            return False
        return self.high < version or (self.high == version and not self.high_inclusive)

    def at_or_above(self, version: Version) -> bool:
        """Every version in the range is ``version`` or newer."""
        return self.low is not None and self.low >= version

    def contains(self, version: Version) -> bool:
        low = self.low
        if low is not None and (version < low or (version == low and not self.low_inclusive)):
            return False
        return not self.below(version)

    def narrowed(self, other: Range) -> Range:
        """The versions both ranges admit."""
        low, low_inclusive = self.low, self.low_inclusive
        if other.low is not None and (low is None or other.low > low):
            low, low_inclusive = other.low, other.low_inclusive
        high, high_inclusive = self.high, self.high_inclusive
        if other.high is not None and (high is None or other.high < high):
            high, high_inclusive = other.high, other.high_inclusive
        return Range(low, low_inclusive, high, high_inclusive)


@dataclass(frozen=True)
class Pin:
    """A declaration with a version constraint: where, as written, and the range it admits."""

    path: Path
    text: str
    range: Range


def declared_pins(files: Iterable[Path], distributions: Sequence[str]) -> list[Pin]:
    """The constrained declarations of any of ``distributions`` in ``files`` and in the
    requirements and constraints files they include (``-r``, ``-c``)."""
    wanted = {normalize(d) for d in distributions}
    pins: list[Pin] = []
    queue, seen = list(files), set()
    while queue:
        path = queue.pop(0)
        try:
            stat = os.stat(path)
        except OSError:
            continue
        if (stat.st_dev, stat.st_ino) in seen:
            continue
        seen.add((stat.st_dev, stat.st_ino))
        mentions, includes = _scan(str(path), stat.st_mtime_ns, stat.st_size)
        pins += [Pin(path, text, bounds) for name, text, bounds in mentions if name in wanted]
        queue += [path.parent / included for included in includes]
    return pins


_INCLUDE = re.compile(r"\s*(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)")


@functools.lru_cache(maxsize=256)
def _scan(
    path: str, _mtime_ns: int, _size: int
) -> tuple[tuple[tuple[str, str, Range], ...], tuple[str, ...]]:
    """(normalised name, declaration, range) of each constrained mention in the file, and
    the files it includes."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return (), ()
    found, includes = [], []
    for line in text.splitlines():
        if line.lstrip().startswith("--hash"):
            continue  # a locked file's hashes: thousands of lines that name nothing
        line = without_comment(line)
        include = _INCLUDE.match(line)
        if include:
            includes.append(include.group(1))
            continue
        for match in _MENTION.finditer(line):
            name, conda = match.group("name"), match.group("conda")
            spec = match.group("pip") or match.group("toml") or match.group("table") or ""
            if conda:
                shown, bounds = f"{name}={conda}", spec_range(f"={conda}")
            elif match.group("pip"):
                shown, bounds = match.group(0).strip(), spec_range(spec)
            else:
                shown, bounds = f'{name} = "{spec}"', spec_range(spec)
            if bounds != Range():
                found.append((normalize(name), shown, bounds))
    return tuple(found), tuple(includes)


def spec_range(spec: str) -> Range:
    """The versions a constraint admits: pip's ``>=1.5,<2``, Poetry's ``^1.5``/``~1.5``/``1.5``
    (exactly 1.5) or conda's ``=1.5`` (any 1.5.x); ``*``, ``!=`` and ``||`` narrow nothing."""
    if "||" in spec or " or " in spec:
        return Range()
    bounds = Range()
    for clause in re.split(r"[,\s]+(?=[<>=!~^0-9])", spec.strip()):
        match = _CLAUSE.fullmatch(clause.strip())
        if match:
            bounds = bounds.narrowed(_clause_range(match.group(1) or "", match.group(2)))
    return bounds


def _clause_range(operator: str, text: str) -> Range:
    wildcard = text.endswith(".*")
    version = _version(text[:-2] if wildcard else text)
    if version is None or operator == "!=":
        return Range()
    if (operator in ("==", "") and wildcard) or operator == "=":  # 1.5.* / conda =1.5
        return Range(version, True, _bump(version, len(version.release) - 1), False)
    if operator in ("==", "===", ""):
        return Range(version, True, version, True)
    if operator in (">=", ">"):
        return Range(low=version, low_inclusive=operator == ">=")
    if operator in ("<=", "<"):
        return Range(high=version, high_inclusive=operator == "<=")
    if operator == "~=":  # ~=1.4.2 is >=1.4.2,<1.5
        return Range(version, True, _bump(version, max(len(version.release) - 2, 0)), False)
    if operator == "~":  # Poetry: ~1.4.2 and ~1.4 are <1.5, ~1 is <2
        return Range(version, True, _bump(version, min(len(version.release) - 1, 1)), False)
    # Poetry's caret: the first non-zero part may not change (^1.4 <2, ^0.4 <0.5)
    release = version.release
    first = next((i for i, part in enumerate(release) if part), len(release) - 1)
    return Range(version, True, _bump(version, first), False)


def _bump(version: Version, index: int) -> Version:
    """The first version after every ``version`` that shares its parts up to ``index``."""
    release = list(version.release[: index + 1])
    release[-1] += 1
    return Version(".".join(map(str, release)))


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def parse_version(text: str) -> Version | None:
    """``text`` as a version, None when it is not one."""
    return _version(text)


def installed_version(distributions: tuple[str, ...]) -> Version | None:
    """The version of the first of ``distributions`` installed where nb2prod runs."""
    for name in distributions:
        release = installed_release(name)
        if release is not None:
            return _version(release)
    return None
