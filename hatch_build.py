"""A build hook run before jupyter-builder's: the JupyterLab panel is built only where it can be.

Installing nb2prod from its repository (``pip install .``, or the pre-commit hook, which
installs a clone) builds the panel from labextension/ with Node.js.  Without Node.js, and
without a panel already built in nb2prod/labextension, the wheel is built without the panel
(a warning says so): the linter, jobs and export need none of it.  ``NB2PROD_REQUIRE_PANEL=1``
makes a missing Node.js an error instead (release builds).
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUILT = "nb2prod/labextension/static/style.js"
PANEL_DATA = {
    "nb2prod/labextension": "share/jupyter/labextensions/nb2prod",
    "labextension/install.json": "share/jupyter/labextensions/nb2prod/install.json",
}


class PanelHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        if (
            (root / BUILT).exists()
            or shutil.which("node")
            or os.environ.get("NB2PROD_REQUIRE_PANEL")
        ):
            if self.target_name == "wheel":  # the panel where JupyterLab looks for it
                build_data.setdefault("shared_data", {}).update(PANEL_DATA)
            return
        os.environ["SKIP_JUPYTER_BUILDER"] = "1"  # read by jupyter-builder's hook, next
        warnings.warn(
            "nb2prod: Node.js not found and no panel built in nb2prod/labextension: building "
            "without the JupyterLab panel (the linter, jobs and export do not need it; "
            "install Node.js, or nb2prod from PyPI, for the panel)",
            stacklevel=1,
        )
