"""deploy/ promises what the team-server test layer proves: the compose file's MLflow server
is the one tests/team_server starts natively (the same MLflow version, basic auth, proxied
artifacts, the secret key, the auth configuration's keys), and it ships no secret.  Read
from the files; no Docker engine is needed."""

from __future__ import annotations

import configparser
import re
import string
from pathlib import Path

import yaml

from .team_server.stack import AUTH_TEMPLATE, SECRET_KEY_ENV, auth_config, server_command

ROOT = Path(__file__).parents[1]
DEPLOY = ROOT / "deploy"
AUTH_KEYS = {"default_permission", "database_uri", "admin_username", "admin_password"}


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def _locked_mlflow() -> str:
    text = (ROOT / "requirements" / "team-server.txt").read_text()
    return re.search(r"^mlflow==(\S+)", text, re.M).group(1)


def _options(command: list[str]) -> dict[str, str]:
    """``--name value`` pairs of a command line."""
    return {
        word: value for word, value in zip(command, [*command[1:], ""]) if word.startswith("--")
    }


def test_the_image_is_built_from_the_lock_the_tests_use():
    dockerfile = (DEPLOY / "mlflow" / "Dockerfile").read_text()
    assert "COPY requirements/team-server.txt" in dockerfile
    assert "--require-hashes -r /tmp/team-server.txt" in dockerfile
    server = _compose()["services"]["mlflow"]
    assert server["build"] == {"context": "..", "dockerfile": "deploy/mlflow/Dockerfile"}
    assert server["image"].endswith(f":{_locked_mlflow()}")


def test_the_compose_server_runs_with_the_fixtures_options():
    server = _compose()["services"]["mlflow"]
    compose = _options(server["command"])
    fixture = _options(server_command("mlflow", "postgresql+psycopg2://db", "/a", "h", 1))
    assert server["command"][:2] == ["mlflow", "server"]
    assert compose["--app-name"] == fixture["--app-name"] == "basic-auth"
    assert compose["--backend-store-uri"].startswith("postgresql+psycopg2://")
    assert "--artifacts-destination" in compose and "--default-artifact-root" not in compose
    assert set(fixture) <= set(compose)  # --allowed-hosts: only where it is not loopback
    assert SECRET_KEY_ENV in server["environment"]


def test_one_auth_template_for_both_with_the_keys_mlflow_reads():
    placeholders = {
        match.group("braced")
        for match in string.Template.pattern.finditer(AUTH_TEMPLATE.read_text())
        if match.group("braced")
    }
    parsed = configparser.ConfigParser()
    parsed.read_string(auth_config({name: "x" for name in placeholders}))
    assert AUTH_KEYS <= set(parsed["mlflow"])
    dockerfile = (DEPLOY / "mlflow" / "Dockerfile").read_text()
    assert "deploy/mlflow/basic_auth.ini.template /etc/mlflow/basic_auth.ini.template" in (
        dockerfile
    )
    environment = _compose()["services"]["mlflow"]["environment"]
    assert placeholders <= set(environment)  # the entrypoint renders it from these
    entrypoint = (DEPLOY / "mlflow" / "entrypoint.sh").read_text()
    assert all(name in entrypoint for name in placeholders)


def test_no_secret_ships_and_every_required_one_is_in_the_example():
    example = (DEPLOY / ".env.example").read_text()
    settings = dict(line.lstrip("# ").split("=", 1) for line in example.splitlines() if "=" in line)
    secrets = [name for name in settings if re.search("PASSWORD|SECRET", name)]
    assert secrets and all(settings[name] == "change-me" for name in secrets)
    required = set(re.findall(r"\$\{(\w+):\?", (DEPLOY / "docker-compose.yml").read_text()))
    assert required and required <= set(settings)
