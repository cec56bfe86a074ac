"""Puts the nb2prod package into nb2prod-lint's wheel and sdist.

From the source tree the package is ../../nb2prod (the same files the full distribution
ships); from nb2prod-lint's sdist it is ./nb2prod, where the sdist put it.  The built
JupyterLab panel (nb2prod/labextension) and bytecode are left out: the linter needs neither.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: Folders of the package that are not shipped: the built panel, bytecode, editor state.
LEFT_OUT = {"labextension", "__pycache__", ".ipynb_checkpoints"}


class LintOnlyHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        package = root / "nb2prod"
        if not package.is_dir():  # the source tree, not an unpacked sdist
            package = (root / ".." / ".." / "nb2prod").resolve()
        if not (package / "__init__.py").is_file():
            raise FileNotFoundError(f"nb2prod-lint: the nb2prod package is not at {package}")
        included = build_data.setdefault("force_include", {})
        for path in sorted(package.rglob("*")):
            relative = path.relative_to(package)
            if path.is_file() and not LEFT_OUT & set(relative.parts) and path.suffix != ".pyc":
                included[str(path)] = f"nb2prod/{relative.as_posix()}"
