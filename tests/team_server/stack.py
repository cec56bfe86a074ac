"""A team's MLflow tracking server, started natively: a throwaway PostgreSQL cluster
(Debian's binaries, as the `postgres` user when we are root) holding its runs and its users,
and full MLflow's ``mlflow server`` from an environment of its own, run as
deploy/docker-compose.yml runs it (basic auth with the admin password changed and the secret
key set, the auth configuration rendered from deploy/'s template, artifacts proxied into a
folder).

Plain Python, no pytest: the team-server test layer (conftest.py) and bench/team_bench.py
both start the stack through the context managers here.  Whatever does not start raises
``StackError`` with the log that says why.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

STARTUP_S = 180  # measured 13-33 s on 2 busy cores (SQLite; ~30 s of migrations on PostgreSQL)
POSTGRES_BINARIES = Path("/usr/lib/postgresql")
AS_ROOT = os.geteuid() == 0  # PostgreSQL refuses to run as root: then it runs as `postgres`
AUTH_TEMPLATE = Path(__file__).parents[2] / "deploy" / "mlflow" / "basic_auth.ini.template"
AUTH_DATABASE = "mlflow_auth"  # users and grants, beside the runs' database `mlflow`
SECRET_KEY_ENV = "MLFLOW_FLASK_SERVER_SECRET_KEY"
ADMIN = "admin"


class StackError(Exception):
    """PostgreSQL or the MLflow server did not start, or a call to them failed."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Path:
    """The newest ``/usr/lib/postgresql/VERSION/bin`` holding initdb, pg_ctl and psql."""
    found = [
        folder
        for folder in POSTGRES_BINARIES.glob("*/bin")
        if all((folder / tool).is_file() for tool in ("initdb", "pg_ctl", "psql"))
    ]
    if not found:
        raise StackError(
            f"no PostgreSQL binaries (initdb, pg_ctl, psql) under {POSTGRES_BINARIES}/*/bin: "
            "install Debian's `postgresql` package (`make test` does when it is missing)"
        )
    return max(found, key=lambda folder: [int(n) for n in re.findall(r"\d+", folder.parent.name)])


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if AS_ROOT else command


def _postgres_step(command: list[str], log_path: Path, *, cwd: Path) -> None:
    """Run one PostgreSQL tool, its output appended to ``log_path`` (written by us, so the
    `postgres` user needs no access to it); StackError with that log when it fails."""
    with log_path.open("a") as log:
        log.write(f"$ {' '.join(command)}\n")
        log.flush()
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,  # a file, not a pipe: the started server keeps it open
            stderr=subprocess.STDOUT,
            cwd=cwd,
            timeout=120,
        )
    if done.returncode != 0:
        raise StackError(
            f"PostgreSQL: `{' '.join(command)}` exited {done.returncode}:\n{log_path.read_text()}"
        )


@dataclass
class Postgres:
    """The cluster's database ``mlflow``: its SQLAlchemy URL, and psql sessions on it."""

    port: int
    binaries: Path

    @property
    def url(self) -> str:
        return self.url_of("mlflow")

    def url_of(self, database: str) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{database}"

    def _psql(self, database: str = "mlflow") -> list[str]:
        return [str(self.binaries / "psql"), "-h", "127.0.0.1", "-p", str(self.port)] + [
            "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-At"
        ]  # fmt: skip

    def query(self, sql: str) -> str:
        done = subprocess.run(
            [*self._psql(), "-c", sql], capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode != 0:
            raise StackError(f"psql: {sql}\n{done.stderr}")
        return done.stdout.strip()

    @contextlib.contextmanager
    def locked(self, table: str, mode: str) -> Iterator[None]:
        """Hold a lock on ``table`` in ``mode`` (say SHARE: reading it goes on, writing it
        waits, in ``pg_stat_activity`` with wait_event_type 'Lock') for the block."""
        session = subprocess.Popen(
            self._psql(), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
        )
        try:
            session.stdin.write(f"BEGIN;\nLOCK TABLE {table} IN {mode} MODE;\n")
            session.stdin.flush()
            held = (
                "SELECT count(*) FROM pg_locks JOIN pg_class ON pg_class.oid = relation"
                f" WHERE relname = '{table}' AND pid <> pg_backend_pid() AND granted"
                f" AND mode = '{mode.title().replace(' ', '')}Lock'"
            )
            deadline = time.monotonic() + 60
            while self.query(held) != "1":
                if session.poll() is not None:
                    raise StackError(f"psql could not lock {table}")
                if time.monotonic() >= deadline:
                    raise StackError(f"no lock on {table} in 60 s")
                time.sleep(0.05)
            yield
        finally:
            with contextlib.suppress(OSError):
                session.stdin.write("COMMIT;\n")
                session.stdin.close()
            try:
                session.wait(timeout=30)
            except subprocess.TimeoutExpired:
                session.kill()
                session.wait()


@contextlib.contextmanager
def postgres_cluster() -> Iterator[Postgres]:
    """A throwaway PostgreSQL cluster on a loopback port with the empty databases ``mlflow``
    and ``mlflow_auth``; stopped and deleted when the block ends."""
    binaries = postgres_bin()
    # Not under pytest's temporary folder: that one is private to us (0700), and the
    # `postgres` user has to reach its data and socket folders.
    home = Path(tempfile.mkdtemp(prefix="nb2prod-postgres-"))
    home.chmod(0o755)
    data, sockets, log_path = home / "data", home / "sockets", home / "postgres.log"
    for folder in (data, sockets):
        folder.mkdir(mode=0o700)
        if AS_ROOT:
            shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    pg_ctl = [str(binaries / "pg_ctl"), "-D", str(data)]
    started = False
    try:
        _postgres_step(
            _as_postgres(
                [str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
                + ["--no-sync", "-E", "UTF8", "--locale", "C"]
            ),
            log_path,
            cwd=home,
        )
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        started = True  # from here on, stop it even if starting fails half-way
        _postgres_step(
            _as_postgres([*pg_ctl, "-o", options, "-w", "-t", "120", "start"]),
            log_path,
            cwd=home,
        )
        _postgres_step(
            [str(binaries / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
            + ["-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE mlflow"]
            + ["-c", f"CREATE DATABASE {AUTH_DATABASE}"],
            log_path,
            cwd=home,
        )
        yield Postgres(port, binaries)
    finally:
        if started:
            subprocess.run(
                _as_postgres([*pg_ctl, "-m", "fast", "-w", "stop"]),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=home,
                timeout=120,
            )
        shutil.rmtree(home, ignore_errors=True)


class TeamServer:
    """The MLflow server as deploy/docker-compose.yml runs it (basic auth, its admin
    password changed, the secret key set, artifacts proxied into a folder), natively, from
    the ``mlflow`` executable of full MLflow's environment: stopped and started again on the
    same port and databases by those that need it."""

    def __init__(self, home: Path, postgres: Postgres, mlflow: str) -> None:
        self.home, self.port = home, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_password = secrets.token_urlsafe(16)
        self.config = home / "basic_auth.ini"
        self.config.write_text(
            auth_config(
                {
                    "MLFLOW_DEFAULT_PERMISSION": "READ",
                    "MLFLOW_AUTH_DATABASE_URI": postgres.url_of(AUTH_DATABASE),
                    "MLFLOW_ADMIN_USERNAME": ADMIN,
                    "MLFLOW_ADMIN_PASSWORD": self.admin_password,
                }
            )
        )
        self.command = server_command(
            mlflow, postgres.url, str(home / "artifacts"), "127.0.0.1", self.port
        )
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING_")},
            "MLFLOW_AUTH_CONFIG_PATH": str(self.config),
            SECRET_KEY_ENV: secrets.token_hex(24),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log_path = self.home / "server.log"
        with log_path.open("a") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # the server's workers go down with it
            )
        wait_until_healthy(self.url, self.process, log_path)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)
        self.process = None

    def as_admin(self, method: str, endpoint: str, body=None, version: str = "2.0") -> dict:
        """A call of the server's REST API (``/api/VERSION/mlflow/ENDPOINT``) as its admin."""
        login = (ADMIN, self.admin_password)
        return rest_call(self.url, method, f"{version}/mlflow/{endpoint}", body, login)

    def add_user(self, username: str) -> str:
        """A new (non-admin) user; returns its password."""
        password = secrets.token_urlsafe(12)
        self.as_admin("POST", "users/create", {"username": username, "password": password})
        return password


@contextlib.contextmanager
def team_server(home: Path, postgres: Postgres, mlflow: str) -> Iterator[TeamServer]:
    """The server on ``postgres``, its configuration, log and artifacts in ``home``, up
    (``/health`` answers) for the block; stopped when it ends."""
    server = TeamServer(home, postgres, mlflow)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def auth_config(values: dict[str, str]) -> str:
    """deploy/mlflow/basic_auth.ini.template with ``values``, as the image's entrypoint
    renders it."""
    return string.Template(AUTH_TEMPLATE.read_text()).substitute(values)


def server_command(mlflow: str, backend: str, artifacts: str, host: str, port: int) -> list[str]:
    """``mlflow server`` with the options docker-compose.yml gives it (one worker here)."""
    return [
        mlflow, "server", "--app-name", "basic-auth", "--backend-store-uri", backend,
        "--artifacts-destination", artifacts, "--host", host, "--port", str(port),
        "--workers", "1",
    ]  # fmt: skip


def rest_call(url: str, method: str, endpoint: str, body, login: tuple[str, str]) -> dict:
    """``/api/ENDPOINT`` of the server at ``url`` as user ``login`` (name, password)."""
    credentials = base64.b64encode(":".join(login).encode()).decode()
    request = urllib.request.Request(
        f"{url}/api/{endpoint}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Basic {credentials}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        text = answer.read().decode()
    return json.loads(text) if text.strip() else {}


def wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    """Until ``url``'s ``/health`` answers; StackError with the server's log when the
    process exits first or STARTUP_S pass."""
    deadline = time.monotonic() + STARTUP_S
    while True:
        if process.poll() is not None:
            raise StackError(
                f"the MLflow server exited {process.returncode}:\n{log_path.read_text()}"
            )
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise StackError(
                    f"the MLflow server was not up in {STARTUP_S} s:\n{log_path.read_text()}"
                ) from None
            time.sleep(0.5)
