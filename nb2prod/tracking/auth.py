"""Who nb2prod is on a team's MLflow server: a user name and a password read from environment
variables at the moment of each call, never from a file.

By default MLflow's own ``MLFLOW_TRACKING_USERNAME`` and ``MLFLOW_TRACKING_PASSWORD``;
``[tool.nb2prod]`` may name other variables (``tracking_username_env``,
``tracking_password_env``), for a team whose shells already export them.  A password
written into pyproject.toml (a key, or a ``user:password@`` tracking URI) is refused.
The password is never printed: messages name the user and the variable.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from nb2prod.config import PASSWORD_ENV, PASSWORD_KEY, USERNAME_KEY, find_config
from nb2prod.errors import ConfigError

USERNAME_ENV = "MLFLOW_TRACKING_USERNAME"
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class Credentials:
    """The names of the variables holding the user name and password, and where those
    names came from (``MLflow's defaults`` or a pyproject.toml)."""

    username_env: str = USERNAME_ENV
    password_env: str = PASSWORD_ENV
    source: str = "MLflow's defaults"

    @property
    def username(self) -> str | None:
        return os.environ.get(self.username_env) or None

    @property
    def has_password(self) -> bool:
        return bool(os.environ.get(self.password_env))

    @property
    def renamed(self) -> bool:
        """Do they live in variables other than MLflow's own?"""
        return (self.username_env, self.password_env) != (USERNAME_ENV, PASSWORD_ENV)

    def mlflow_environment(self) -> dict[str, str]:
        """MLflow's variables with this user's values, for a call or a child process."""
        values = {USERNAME_ENV: self.username_env, PASSWORD_ENV: self.password_env}
        return {mlflow: os.environ[ours] for mlflow, ours in values.items() if ours in os.environ}

    def who(self) -> str:
        """``user 'ana' (TEAM_MLFLOW_USER)``, or that no user is set; never the password."""
        if self.username is None:
            return f"no user ({self.username_env} is not set)"
        return f"user {self.username!r} ({self.username_env})"

    def what_to_set(self) -> str:
        return (
            f"set {self.username_env} and {self.password_env} to your user and password on "
            "that server; `nb2prod doctor` checks them"
        )


def credentials_for(start: str | os.PathLike) -> Credentials:
    """The credentials of work on ``start`` (a notebook or a folder): MLflow's variables,
    unless the nearest ``[tool.nb2prod]`` names others."""
    folder = Path(start).resolve()
    pyproject, table = find_config(folder if folder.is_dir() else folder.parent)
    if not table:
        return Credentials()
    names = {}
    for key, default in ((USERNAME_KEY, USERNAME_ENV), (PASSWORD_KEY, PASSWORD_ENV)):
        value = table.get(key, default)
        if not isinstance(value, str) or not _VARIABLE.match(value):
            raise ConfigError(
                f"{pyproject}: [tool.nb2prod] {key} must name an environment variable "
                "(such as TEAM_MLFLOW_PASSWORD), not hold a value",
                "put the value in that variable; never a password in a file",
            )
        names[key] = value
    if names == {USERNAME_KEY: USERNAME_ENV, PASSWORD_KEY: PASSWORD_ENV}:
        return Credentials()
    return Credentials(names[USERNAME_KEY], names[PASSWORD_KEY], f"{pyproject} [tool.nb2prod]")


def http_status(exc: BaseException) -> int | None:
    """401 or 403 when ``exc`` is MLflow's (or requests') word for that answer, else None."""
    code = getattr(exc, "error_code", None)
    if code in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
        return 401 if code == "UNAUTHENTICATED" else 403
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if status in (401, 403):
        return status
    found = re.search(
        r"\b(?:error code|status code|code)\s*:?\s*(401|403)\b|\b(401|403) Client Error", str(exc)
    )
    return int(found.group(1) or found.group(2)) if found else None


_ACTIONS = {
    "experiments/create": "create an experiment",
    "runs/create": "create a run",
    "runs/log-batch": "log to a run",
    "runs/update": "end a run",
    "runs/delete": "delete a run",
    "mlflow-artifacts/artifacts": "store an artifact",
}


def denied_action(text: str) -> str:
    """What a refused request was for, from MLflow's error text (``... endpoint
    /api/2.0/mlflow/runs/create failed with error code 403``)."""
    endpoint = re.search(r"(?:endpoint|url:?) (/\S+)", text)
    if endpoint is None:  # a child process's store already said what, in these words
        said = re.search(r"permission to ([a-z ]+)", text)
        return said.group(1).strip() if said else "do this"
    path = endpoint.group(1)
    for suffix, action in _ACTIONS.items():
        if suffix in path:
            return action
    return f"call {path}"
