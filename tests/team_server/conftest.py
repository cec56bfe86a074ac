"""A team's MLflow tracking server: full MLflow in a virtual environment of its own (nb2prod's
keeps mlflow-skinny, as a data scientist's would), its runs and its users in a throwaway
PostgreSQL cluster (Debian's binaries), both started once for this layer by stack.py.  The
server runs as deploy/docker-compose.yml runs it: basic auth with the admin password changed
and the secret key set (the auth configuration rendered from deploy/'s template), artifacts
proxied into a folder; tests/test_deploy_recipe.py checks the two agree.  The tests talk to
it as a non-admin user the admin creates through the auth API; the one test that stops it
starts it again on the same port and databases.

``make test`` builds that environment, installs Debian's ``postgresql`` when missing and sets
``NB2PROD_MLFLOW_SERVER`` to the environment's ``mlflow``; without it (a plain
``pytest tests``) this layer is skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nb2prod.environ import environment

from . import stack
from .stack import Postgres, TeamServer

SERVER = os.environ.get("NB2PROD_MLFLOW_SERVER")
TESTER = "nb2prod-tester"


def project_using(folder: Path, url: str) -> Path:
    """``folder`` as a project whose pyproject.toml sends nb2prod's runs to ``url``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(f"[tool.nb2prod]\ntracking_uri = '{url}'\n")
    return folder


def client_of(url: str):
    from mlflow import MlflowClient

    return MlflowClient(url)


def nothing_kept_locally(project: Path) -> None:
    assert not (project / ".nb2prod").exists() and not (project / "mlruns").exists()


@pytest.fixture(scope="session")
def postgres() -> Postgres:
    """A throwaway PostgreSQL cluster on a loopback port with an empty database ``mlflow``.
    Stopped and deleted at the end of the session."""
    with stack.postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def team_stack(tmp_path_factory, postgres) -> TeamServer:
    """The running server; its runs and its users in PostgreSQL.  Every test of the layer
    talks to it as the non-admin user ``TESTER``, through MLflow's own environment
    variables (MLFLOW_TRACKING_USERNAME, MLFLOW_TRACKING_PASSWORD), as a team member would;
    its password is ``tester_password``."""
    with stack.team_server(tmp_path_factory.mktemp("team-server"), postgres, str(SERVER)) as server:
        server.tester_password = server.add_user(TESTER)
        login = {
            "MLFLOW_TRACKING_USERNAME": TESTER,
            "MLFLOW_TRACKING_PASSWORD": server.tester_password,
        }
        with environment(**login):
            yield server


@pytest.fixture
def team_server(team_stack) -> str:
    """The server's URL; the tests that stopped it leave it running again."""
    if team_stack.process is None:
        team_stack.start()
    return team_stack.url
