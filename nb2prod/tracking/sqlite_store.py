"""A SQLite tracking store (the embedded ``.nb2prod/mlflow.db``, or any ``sqlite:///`` URI)
made ready for MLflow once, by one process at a time.

MLflow creates and migrates a SQLite store the first time it opens it, with no lock: jobs
that start together race on the migration ("table _alembic_tmp_... already exists") and
can leave a half-migrated file on which every later command fails.  So nb2prod opens such
a store only after :func:`prepare`, which holds ``<db>.lock`` (``filelock``: released by
the OS when its holder dies) while it

- builds a new store in a scratch file and only then copies it into place, so a process
  killed half-way leaves the store absent (or empty), never half-made;
- upgrades an older store (a newer MLflow) on a copy, after a backup, and writes the copy
  back in one SQLite transaction, so a killed upgrade leaves the store as it was;
- completes a migration that a process killed under an older nb2prod (or MLflow itself)
  left half-done: alembic's leftover ``_alembic_tmp_*`` tables are dropped on the copy and
  the upgrade run again; a store without runs that cannot be completed is rebuilt, and one
  with runs is left as it is, with the command to set it aside.

Writers then wait up to :data:`BUSY_TIMEOUT_S` for SQLite's write lock instead of failing
with "database is locked" (see :func:`with_busy_timeout`).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from nb2prod.errors import EnvironmentProblem, first_line

#: How long a command waits for another process that is creating or upgrading the store.
LOCK_WAIT_S = 180.0
#: How long a write waits for SQLite's write lock (Python's default is 5 s).
BUSY_TIMEOUT_S = 30.0

_SCRATCH_SUFFIXES = (".building", ".upgrading")
_ALEMBIC_LEFTOVER = "_alembic_tmp_"
_RECORD_TABLES = {"runs", "trace_info", "logged_models", "registered_models"}


class StoreUnusable(EnvironmentProblem):
    """The SQLite store cannot be made ready (locked too long, not a database, a migration
    that cannot be completed)."""


def sqlite_path(uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI (its query, if any, left out), else None."""
    if not uri.startswith("sqlite:///"):
        return None
    return Path(uri[len("sqlite:///") :].partition("?")[0])


def with_busy_timeout(uri: str) -> str:
    """``uri`` for SQLAlchemy with SQLite's busy timeout set (a URL option of its SQLite
    dialect), unless the URI sets one itself; other URIs as they are."""
    if sqlite_path(uri) is None or "timeout=" in uri.partition("?")[2]:
        return uri
    return f"{uri}{'&' if '?' in uri else '?'}timeout={BUSY_TIMEOUT_S:g}"


def prepare(path: Path, artifact_uri: str) -> None:
    """Make the store at ``path`` exist at MLflow's current schema.  ``artifact_uri`` is
    where a new store's default experiment keeps artifacts."""
    from filelock import FileLock, Timeout

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(f"{path}.lock")
    try:
        lock.acquire(timeout=LOCK_WAIT_S)
    except Timeout:
        raise StoreUnusable(
            f"another process has been creating or upgrading the store {path} for "
            f"{LOCK_WAIT_S:g} s",
            f"wait for it to finish, or find the process holding {path}.lock",
        ) from None
    try:
        _prepare_locked(path, artifact_uri)
    finally:
        lock.release()


@dataclass
class _State:
    tables: set[str]
    revisions: list[str]

    @property
    def leftovers(self) -> list[str]:
        return sorted(t for t in self.tables if t.startswith(_ALEMBIC_LEFTOVER))


def _prepare_locked(path: Path, artifact_uri: str) -> None:
    for suffix in _SCRATCH_SUFFIXES:  # left by a process killed while it held the lock
        _remove_database(path.with_name(path.name + suffix))
    if not path.exists():
        # A journal without its database would be replayed into the new one.
        _remove_database(path, keep_main=True)
    state = _inspect(path)
    head = _head_revision()
    if state.revisions == [head] and not state.leftovers:
        _write_ahead_log(path)
        return
    if not state.tables:
        _install(_build(path, artifact_uri), path)
    elif "alembic_version" in state.tables or "experiments" in state.tables:
        _upgrade(path, state, head, artifact_uri)
    else:
        raise StoreUnusable(
            f"{path} is an SQLite database but not an MLflow tracking store",
            "point the tracking URI at another file (MLFLOW_TRACKING_URI, [tool.nb2prod])",
        )
    _write_ahead_log(path)


def _build(path: Path, artifact_uri: str) -> Path:
    """A new store at MLflow's schema, with its default experiment, in a scratch file."""
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    scratch = path.with_name(path.name + ".building")
    store = SqlAlchemyStore(f"sqlite:///{scratch}", artifact_uri)
    store.engine.dispose()
    return scratch


def _upgrade(path: Path, state: _State, head: str, artifact_uri: str) -> None:
    """Bring a store that has tables to ``head`` on a copy, then write the copy back."""
    records = _records(path, state.tables)
    backup = path.with_name(f"{path.name}.backup-{_label(state.revisions)}")
    scratch = path.with_name(path.name + ".upgrading")
    _copy(path, backup)
    _copy(backup, scratch)
    try:
        _migrate(scratch, head)
    except Exception as exc:
        _remove_database(scratch)
        if records:
            raise StoreUnusable(
                f"the store {path} is at schema {_label(state.revisions)} and MLflow "
                f"{_mlflow_version()} could not bring it to {head} ({first_line(exc)}); "
                "nothing in it was changed",
                "if a newer MLflow wrote it, use that version; else set it aside and start a "
                f"new store: {_set_aside(path)}",
            ) from exc
        scratch = _build(path, artifact_uri)  # nothing to lose: start afresh
    _install(scratch, path)
    if not records:
        _remove_database(backup)


def _migrate(scratch: Path, head: str) -> None:
    import sqlalchemy
    from mlflow.store.db.utils import _upgrade_db  # what `mlflow db upgrade` runs

    with contextlib.closing(sqlite3.connect(scratch)) as db:
        for table in _inspect(scratch).leftovers:
            db.execute(f'DROP TABLE "{table}"')
        db.commit()
    engine = sqlalchemy.create_engine(f"sqlite:///{scratch}")
    try:
        _upgrade_db(engine)
    finally:
        engine.dispose()
    state = _inspect(scratch)
    if state.revisions != [head] or state.leftovers:
        raise RuntimeError(f"the upgrade ended at {state.revisions}, not {head}")


def _install(scratch: Path, path: Path) -> None:
    """Copy the finished scratch store over ``path`` through SQLite (one transaction, safe
    beside readers that hold it open), then remove the scratch file."""
    _copy(scratch, path)
    _remove_database(scratch)


def _copy(source: Path, target: Path) -> None:
    with (
        contextlib.closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_S)) as src,
        contextlib.closing(sqlite3.connect(target, timeout=BUSY_TIMEOUT_S)) as dst,
    ):
        src.backup(dst)


def _inspect(path: Path) -> _State:
    if not path.exists():
        return _State(set(), [])
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)) as db:
            tables = {
                row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            revisions = []
            if "alembic_version" in tables:
                revisions = [
                    row[0] for row in db.execute("SELECT version_num FROM alembic_version")
                ]
    except sqlite3.DatabaseError as exc:
        raise StoreUnusable(
            f"the tracking store {path} cannot be read as an SQLite database ({exc})",
            f"set it aside and start a new store: {_set_aside(path)}",
        ) from None
    return _State(tables, sorted(revisions))


def _records(path: Path, tables: set[str]) -> int:
    """Runs, traces, logged and registered models: what a rebuilt store would not have."""
    with contextlib.closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)) as db:
        return sum(
            db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in _RECORD_TABLES & tables
        )


def _head_revision() -> str:
    from mlflow.store.db.utils import _get_latest_schema_revision

    return _get_latest_schema_revision()


def checkpoint(path: Path) -> None:
    """Move the write-ahead log into the database file, so that the file alone holds every
    run (a CI job may upload just ``mlflow.db``).  Readers may keep it from finishing; the
    next checkpoint does it, so this waits briefly."""
    _pragma(path, "wal_checkpoint(TRUNCATE)", timeout=5)


def _write_ahead_log(path: Path) -> None:
    """WAL mode (it stays so): each tracked cell's few small transactions then cost a third
    as much, and readers (the JupyterLab panel) never block a writing kernel.  A store on a
    network file system may refuse; that is fine."""
    _pragma(path, "journal_mode=WAL", timeout=BUSY_TIMEOUT_S)


def _pragma(path: Path, pragma: str, timeout: float) -> None:
    with contextlib.suppress(sqlite3.Error):
        with contextlib.closing(sqlite3.connect(path, timeout=timeout)) as db:
            db.execute(f"PRAGMA {pragma}").fetchall()


def _remove_database(path: Path, keep_main: bool = False) -> None:
    for suffix in ("-wal", "-shm", "-journal") if keep_main else ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")


def _set_aside(path: Path) -> str:
    return f"mv {shlex.quote(str(path))} {shlex.quote(f'{path}.broken')}"


def _mlflow_version() -> str:
    from mlflow.version import VERSION

    return VERSION


def _label(revisions: list[str]) -> str:
    return "+".join(revisions) or "unversioned"
