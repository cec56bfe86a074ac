"""The JupyterLab extension's source agrees with the Python package: one version (the
panel's check against ``GET /nb2prod/version`` compares them), one plugin schema, and the
labextension paths Jupyter reads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nb2prod
from nb2prod.roles import ROLES

LABEXTENSION = Path(__file__).resolve().parents[1] / "labextension"


def test_panel_and_server_extension_have_one_version():
    package = json.loads((LABEXTENSION / "package.json").read_text())
    assert package["version"] == nb2prod.__version__
    source = (LABEXTENSION / "src" / "version.ts").read_text()
    assert f"FRONTEND_VERSION = '{nb2prod.__version__}'" in source


def test_the_built_panel_goes_where_the_python_package_says():
    package = json.loads((LABEXTENSION / "package.json").read_text())
    assert package["jupyterlab"]["outputDir"] == "../nb2prod/labextension"
    assert nb2prod._jupyter_labextension_paths() == [{"src": "labextension", "dest": "nb2prod"}]
    assert package["name"] == "nb2prod"


def test_the_schema_declares_the_toolbar_button_and_every_role():
    schema = json.loads((LABEXTENSION / "schema" / "plugin.json").read_text())
    toolbars = schema["jupyter.lab.toolbars"]
    assert {item["command"] for item in toolbars["Notebook"]} == {"nb2prod:export"}
    assert {item["command"] for item in toolbars["Cell"]} == {"nb2prod:pick-role"}
    menu = schema["jupyter.lab.menus"]["context"][0]["submenu"]["items"]
    assert [i["args"]["role"] for i in menu if i.get("args")] == list(ROLES)
    assert set(schema["properties"]) == {"autoLint", "lintDelay", "profile", "outputFolder"}


def test_the_frontend_knows_the_same_roles():
    source = (LABEXTENSION / "src" / "roles.ts").read_text()
    listed = re.search(r"ROLES = \[(.*?)\]", source, re.S).group(1)
    assert re.findall(r"'(\w+)'", listed) == list(ROLES)
