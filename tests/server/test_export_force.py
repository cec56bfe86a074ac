"""The panel's export over an earlier one (REST ``overwrite``) follows the command line's
``--force`` rule, and its 409 says so: what replacing would replace and keep, or which
changed files stop it, named by their paths in the server root."""

from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError

from nb2prod.exporter.manifest import MANIFEST

from ..public.ols import NOTEBOOK, ols_export_notebook

TARGET = "work/build/plot_ols"
EXPORT = {"path": f"work/{NOTEBOOK}"}


@pytest.fixture
def ols(jp_root_dir):
    (jp_root_dir / "pyproject.toml").write_text("[project]\nname = 'lab'\n")
    return ols_export_notebook(jp_root_dir / "work")


async def _conflict(post, body) -> dict:
    with pytest.raises(HTTPClientError) as info:
        await post("export", body)
    assert info.value.code == 409
    return json.loads(info.value.response.body)


async def test_replacing_keeps_the_users_files_and_refuses_over_their_changes(
    post, ols, jp_root_dir
):
    assert (await post("export", EXPORT)).code == 200
    out = jp_root_dir / TARGET
    written = sum(1 for path in out.rglob("*") if path.is_file() and path.name != MANIFEST)
    (out / "Dockerfile").write_text("FROM python:3.12\n")

    asked = await _conflict(post, EXPORT)  # not asked to replace: says what replacing does
    said = f"{asked['message']} {asked['hint']}"
    assert "Dockerfile" in said and f"{written} files" in said, said
    assert str(jp_root_dir) not in said

    assert (await post("export", {**EXPORT, "overwrite": True})).code == 200
    assert (out / "Dockerfile").read_text() == "FROM python:3.12\n"

    module = out / "src/plot_ols/_notebook.py"
    module.write_text(module.read_text() + "# changed by hand\n")
    refused = await _conflict(post, {**EXPORT, "overwrite": True})
    assert refused["message"].startswith(TARGET), refused
    assert "src/plot_ols/_notebook.py" in refused["message"]
    assert "Dockerfile" not in refused["message"] and str(jp_root_dir) not in refused["message"]
    assert module.read_text().endswith("# changed by hand\n")
