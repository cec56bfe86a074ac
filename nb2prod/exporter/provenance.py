"""provenance.json: where an exported package came from, so it can be checked and rebuilt.

The notebook's path and SHA-256, the cells and their roles, the parameters (secret-looking
ones redacted; a required setting as the variable it is read from), the artifacts, the nb2prod version and the git commit.  Nothing that
changes between two exports of an unchanged notebook (no timestamps).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from nb2prod import __version__
from nb2prod.exporter.plan import ExportPlan
from nb2prod.exporter.render import PackageSpec
from nb2prod.gitinfo import git_state


def provenance(plan: ExportPlan, spec: PackageSpec, data: bytes, path: Path) -> dict:
    commit, dirty = git_state(path)
    build = {n: _shown(n, plan.specs[n].default) for n in plan.build_params}
    return {
        "notebook": spec.notebook,
        "notebook_sha256": sha256(data),
        "nb2prod_version": __version__,
        "git_commit": commit,
        "git_dirty": dirty,
        "cells": [
            {"number": cell.number, "id": cell.id, "role": role}
            for role, cells in plan.cells.items()
            for cell in cells
        ],
        "inputs": plan.inputs,
        "output": plan.output,
        "runtime_parameters": {
            n: plan.specs[n].default for n in plan.runtime_params if n not in plan.settings
        },
        # required settings: the variable the package reads each one from, never its value
        "settings_from_environment": dict(plan.settings),
        "build_parameters": build,
        "artifacts": {a.parameter: a.packaged for a in spec.artifacts},
        "python": spec.python,
    }


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _shown(name: str, value):
    """A build parameter's value, unless it looks like a secret."""
    from nb2prod.credentials import is_secret_name, looks_secret

    # A secret-looking name is redacted even without a value: provenance is published.
    if is_secret_name(name) or (isinstance(value, str) and looks_secret(name, value)):
        return "<redacted>"
    return value
