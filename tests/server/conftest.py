"""A real Jupyter server with nb2prod's extension, authentication required (pytest-jupyter)."""

from __future__ import annotations

import json

import pytest

from ..conftest import code, write_notebook


@pytest.fixture
def jp_server_config(tmp_path):
    return {
        "ServerApp": {
            "jpserver_extensions": {"nb2prod": True},
            "allow_unauthenticated_access": False,
        }
    }


@pytest.fixture
def notebook(jp_root_dir):
    """A notebook with findings (an absolute path) and export roles, in the server root."""
    (jp_root_dir / "pyproject.toml").write_text("[project]\nname = 'lab'\n")
    return write_notebook(
        jp_root_dir / "work" / "churn.ipynb",
        [
            code("rate = 1.5  # multiplier", tags=["parameters"]),
            code("source = '/Users/ana/Downloads/churn.csv'", count=1),
            code("values = [1, 2]", tags=["nb2prod:example"]),
            code("[v * rate for v in values]", tags=["nb2prod:predict"]),
        ],
    )


@pytest.fixture
def post(jp_fetch):
    async def send(endpoint: str, body, **kwargs):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return await jp_fetch("nb2prod", endpoint, method="POST", body=data, **kwargs)

    return send
