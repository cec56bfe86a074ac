"""The exported package's dependencies, pinned from the environment the notebook ran in.

Every module the package's cells import (at the top or inside functions) is mapped to the
distribution installed here that provides it; ``pyproject.toml`` gets a compatible range
(``>=installed,<next major``) and ``requirements.lock.txt`` the exact versions.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from nb2prod.dependencies.distributions import (
    first_party_keys,
    import_key,
    installed_distributions,
    is_stdlib,
)
from nb2prod.errors import EnvironmentProblem
from nb2prod.exporter.plan import CODE_ROLES, ExportPlan


@dataclass(frozen=True)
class Requirement:
    """A distribution the package needs, at the version installed where it was exported."""

    distribution: str
    version: str
    modules: tuple[str, ...]  # the imported modules it provides

    @property
    def compatible(self) -> str:
        """``scikit-learn>=1.5.2,<2``: this version, up to the next major release."""
        major = self.version.split(".")[0]
        upper = f",<{int(major) + 1}" if major.isdigit() else ""
        return f"{self.distribution}>={self.version}{upper}"


def imported_modules(plan: ExportPlan) -> list[str]:
    """Modules imported by the package's cells, in the order they first appear."""
    modules: list[str] = []
    for role in CODE_ROLES:
        for cell in plan.role(role):
            tree = cast(ast.Module, plan.parsed[cell.index].tree)  # plan_export walked it
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules += [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    modules.append(node.module)
    return list(dict.fromkeys(modules))


def resolve_requirements(plan: ExportPlan, project_folders: list[Path]) -> list[Requirement]:
    """The third-party distributions the package needs, sorted by name.

    ``project_folders`` hold the notebook's own modules, which are not dependencies.
    Raises EnvironmentProblem when an imported module is not installed here: its version
    could not be pinned, and the notebook could not have run.
    """
    from importlib.metadata import PackageNotFoundError, version

    keys = [import_key(m) for m in imported_modules(plan)]
    local = set(first_party_keys(keys, project_folders))
    found: dict[str, list[str]] = {}
    for key in dict.fromkeys(keys):
        if is_stdlib(key) or key in local:
            continue
        distributions = installed_distributions(key)
        if not distributions:
            raise EnvironmentProblem(
                f"the exported code imports `{key}`, which is not installed in this environment",
                f"install it here (the environment the notebook runs in), e.g. `pip install {key}`",
            )
        found.setdefault(distributions[0], []).append(key)
    requirements = []
    for distribution, modules in found.items():
        try:
            installed = version(distribution)
        except PackageNotFoundError:  # metadata names a distribution it cannot find
            continue
        requirements.append(Requirement(distribution, installed, tuple(modules)))
    return sorted(requirements, key=lambda r: r.distribution.lower())


def exact_pins(distributions: list[str]) -> list[str]:
    """``name==version`` for ``distributions`` and everything they need, as installed here
    (what requirements.lock.txt holds), sorted by name."""
    found = _closure(distributions)
    return [f"{found[key].metadata['Name']}=={found[key].version}" for key in sorted(found)]


def runtime_requirements(
    modules: list[str], known: list[Requirement], package: str
) -> list[Requirement]:
    """Requirements for ``modules`` seen imported at run time that neither ``known`` nor
    another of them already pulls in (sklearn's numpy and scipy are sklearn's business)."""
    from importlib.metadata import version

    found: dict[str, list[str]] = {}
    for key in modules:
        if key == package or key.startswith("_") or is_stdlib(key):
            continue
        providers = installed_distributions(key)
        if providers:
            found.setdefault(providers[0], []).append(key)
    names = [r.distribution for r in known] + list(found)
    known_keys = {_key(r.distribution) for r in known}
    added = []
    for distribution, provided in found.items():
        others = [n for n in names if _key(n) != _key(distribution)]
        if _key(distribution) in known_keys or _key(distribution) in _closure(others):
            continue
        added.append(Requirement(distribution, version(distribution), tuple(provided)))
    return added


def _closure(distributions: list[str]) -> dict:
    """Canonical name -> installed Distribution, for ``distributions`` and what they need."""
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Needed

    found: dict = {}
    queue = list(distributions)
    while queue:
        name = queue.pop()
        if _key(name) in found:
            continue
        try:
            found[_key(name)] = distribution(name)
        except PackageNotFoundError:  # an optional dependency that is not installed
            continue
        for text in found[_key(name)].requires or []:
            try:
                needed = Needed(text)
            except InvalidRequirement:
                continue
            if needed.marker is None or needed.marker.evaluate({"extra": ""}):
                queue.append(needed.name)
    return found


def _key(name: str) -> str:
    from packaging.utils import canonicalize_name

    return canonicalize_name(name)


def installed_pin(distribution: str, fallback: str) -> str:
    """The compatible range of ``distribution`` as installed here, else ``fallback``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return Requirement(distribution, version(distribution), ()).compatible
    except PackageNotFoundError:
        return fallback
