"""A SQLite tracking store is created, upgraded and repaired once, under its lock, and never
left broken: processes killed half-way, stores half-migrated by MLflow alone, older
schemas, files that are not MLflow stores, writers that meet a held write lock."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from nb2prod.tracking.sqlite_store import BUSY_TIMEOUT_S, with_busy_timeout
from nb2prod.tracking.store import TrackingStore, TrackingUnavailable
from nb2prod.tracking.values import Logged

from ..conftest import nb2prod_cli

KILLER = Path(__file__).with_name("killed_opening.py")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    return tmp_path


def _database(project: Path) -> Path:
    return project / ".nb2prod" / "mlflow.db"


def _uri(project: Path) -> str:
    return f"sqlite:///{_database(project)}"


def _killed_while_opening(project: Path, opener: str, when: str) -> None:
    done = subprocess.run(
        [sys.executable, str(KILLER), opener, when, _uri(project)], capture_output=True, text=True
    )
    assert done.returncode == -9, done.stderr  # SIGKILL, not an error or a clean finish


def _log_one_run(project: Path, experiment: str = "kept") -> str:
    store = TrackingStore(_uri(project))
    run_id = store.start_run(experiment)
    store.log(run_id, Logged(params={"alpha": "0.5"}, metrics={"loss": 0.25}))
    store.end_run(run_id)
    return run_id


def _leftovers(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE name LIKE '%tmp%'")]


def _content(path: Path) -> str:
    """What a file holds: its SQL dump when it is a database (checkpoints change its bytes
    but not its content), else its bytes."""
    try:
        with contextlib.closing(sqlite3.connect(path)) as db:
            return "\n".join(db.iterdump())
    except sqlite3.DatabaseError:
        return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("when", ["40", "600", "_alembic_tmp_", "1500"])
def test_a_process_killed_while_creating_the_store_costs_the_next_command_nothing(project, when):
    _killed_while_opening(project, "nb2prod", when)
    assert not _database(project).exists()  # built aside: nothing half-made in its place

    listed = nb2prod_cli("runs", cwd=project)
    assert listed.returncode == 0 and listed.stdout.strip() == "no runs", listed.stderr
    run_id = _log_one_run(project)
    names = {p.name for p in _database(project).parent.iterdir()}
    assert names - {"mlflow.db-wal", "mlflow.db-shm"} == {"mlflow.db", "mlflow.db.lock"}
    assert run_id[:8] in nb2prod_cli("runs", cwd=project).stdout


def test_a_store_mlflow_left_half_migrated_is_completed(project):
    """What jobs racing on MLflow's own unlocked migration left behind: a leftover
    ``_alembic_tmp_`` table on which MLflow itself fails from then on."""
    _killed_while_opening(project, "mlflow", "_alembic_tmp_")
    database = _database(project)
    assert _leftovers(database)
    from mlflow import MlflowClient

    with pytest.raises(Exception, match="already exists|duplicate column"):
        MlflowClient(_uri(project)).search_experiments()

    run_id = _log_one_run(project)
    assert not _leftovers(database)
    assert run_id[:8] in nb2prod_cli("runs", cwd=project).stdout
    assert not list(database.parent.glob("mlflow.db.backup-*"))  # it held nothing to back up


def test_an_older_store_is_upgraded_on_a_copy_and_keeps_its_runs_and_a_backup(project):
    run_id = _log_one_run(project)
    database = _database(project)
    old = _downgrade(database, steps=2)

    later = _log_one_run(project)
    runs = nb2prod_cli("runs", "--format", "json", cwd=project)
    assert runs.returncode == 0, runs.stderr
    assert {run_id, later} <= {run["run_id"] for run in _json_runs(runs.stdout)}
    (backup,) = database.parent.glob("mlflow.db.backup-*")
    assert backup.name == f"mlflow.db.backup-{old}"
    with sqlite3.connect(backup) as db:
        assert db.execute("SELECT run_uuid FROM runs").fetchall() == [(run_id,)]


def test_a_migration_that_cannot_be_completed_leaves_the_store_untouched_and_says_what_to_run(
    project,
):
    _log_one_run(project)
    database = _database(project)
    with sqlite3.connect(database) as db:  # as if a newer MLflow had written it
        db.execute("UPDATE alembic_version SET version_num = 'f00dfeedbeef'")
    before = _content(database)

    done = nb2prod_cli("runs", cwd=project)
    assert done.returncode == 3
    assert "could not bring it to" in done.stderr and "nothing in it was changed" in done.stderr
    assert f"mv {database} {database}.broken" in done.stderr
    assert _content(database) == before


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a database at all\n" * 50, "cannot be read as an SQLite database"),
        (None, "is an SQLite database but not an MLflow tracking store"),
    ],
)
def test_a_file_that_is_no_mlflow_store_is_refused_and_left_alone(project, content, message):
    database = _database(project)
    database.parent.mkdir()
    if content is None:
        with sqlite3.connect(database) as db:
            db.execute("CREATE TABLE measurements (x REAL)")
            db.execute("INSERT INTO measurements VALUES (1.5)")
    else:
        database.write_bytes(content)
    before = _content(database)

    done = nb2prod_cli("runs", cwd=project)
    assert done.returncode == 3 and message in done.stderr, done.stderr
    assert done.stderr.count("\n") <= 2  # one line and its hint, no traceback
    assert _content(database) == before


def test_a_write_waits_out_a_write_lock_held_longer_than_sqlites_default(project):
    _log_one_run(project)  # the store exists
    held_s = 6.5  # Python's sqlite3 gives up after 5 s by default
    assert BUSY_TIMEOUT_S > held_s
    locked = threading.Event()

    def hold_the_write_lock():
        with sqlite3.connect(_database(project), isolation_level=None) as db:
            db.execute("BEGIN IMMEDIATE")
            locked.set()
            time.sleep(held_s)
            db.execute("COMMIT")

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    locked.wait()
    started = time.monotonic()
    try:
        run_id = TrackingStore(_uri(project)).start_run("waited")
    except TrackingUnavailable as exc:  # pragma: no cover - the failure this test is about
        pytest.fail(f"the write did not wait for the lock: {exc}")
    finally:
        holder.join()
    assert time.monotonic() - started >= held_s - 1.0 and run_id


def test_the_busy_timeout_goes_on_sqlite_uris_only_and_never_over_the_users_own():
    assert with_busy_timeout("sqlite:////p/mlflow.db") == "sqlite:////p/mlflow.db?timeout=30"
    assert with_busy_timeout("sqlite:////p/m.db?mode=ro") == "sqlite:////p/m.db?mode=ro&timeout=30"
    assert with_busy_timeout("sqlite:////p/m.db?timeout=2") == "sqlite:////p/m.db?timeout=2"
    assert with_busy_timeout("http://mlflow:5000") == "http://mlflow:5000"


def _downgrade(database: Path, steps: int) -> str:
    """Take the store ``steps`` migrations back with MLflow's own alembic scripts, as an
    older MLflow would have left it; returns that revision."""
    import sqlalchemy
    from alembic import command
    from mlflow.store.db.utils import _get_alembic_config

    url = f"sqlite:///{database}"
    engine = sqlalchemy.create_engine(url)
    config = _get_alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, f"-{steps}")
    engine.dispose()
    with sqlite3.connect(database) as db:
        (revision,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
    return revision


def _json_runs(text: str) -> list[dict]:
    import json

    data = json.loads(text)
    return data["runs"] if isinstance(data, dict) else data
