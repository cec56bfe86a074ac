"""Cached dependency environments for ``nb2prod verify``.

Installing a package's pinned dependencies into a fresh venv takes 15-25 s for a
scikit-learn package, every verification.  Here a venv with the dependencies only (the
package's declared dependencies and ``test`` extra, ``pip install -c LOCK``) is built once
per (interpreter, lock, declared dependencies) in ``$XDG_CACHE_HOME/nb2prod/venvs/<digest>``;
each verification gets its own clone of it, made of hard links, and still runs the full
``pip install -c LOCK 'DIR[test]'`` there: pip finds the dependencies satisfied and installs
the package, or installs whatever is missing, so what verification proves is unchanged.

Hard links are safe because pip and Python never write an installed file in place: pip
uninstalls by unlinking and installs new files, Python writes ``.pyc`` files to a temporary
name and renames it.  A change in a clone therefore replaces its own link, and the cached
file the other links share is never modified.  Files that name the venv's own path
(console scripts' ``#!`` lines, ``activate``, ``pyvenv.cfg``) are copied with the path
rewritten instead of linked.

An entry is complete only once its marker file is written, before it is renamed into place
in one step; an entry without one is rebuilt, never used.  The most recently used
``KEEP`` entries are kept; older ones are removed unless a verification holds their lock.
``NB2PROD_VERIFY_CACHE=0`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nb2prod.user_cache import cache_folder

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

try:
    import fcntl
except ImportError:  # Windows: no locks, so nothing is evicted
    fcntl = None  # type: ignore[assignment]

KEEP = 4
MARKER = "complete.json"
FORMAT = 1
#: Leftover build or removal folders older than this are from a process that died.
STALE_SECONDS = 3600.0


def enabled() -> bool:
    return os.environ.get("NB2PROD_VERIFY_CACHE", "1").strip() not in ("0", "false", "no")


def cache_root() -> Path | None:
    """``$XDG_CACHE_HOME/nb2prod/venvs`` (``~/.cache``); None without an absolute one."""
    folder = cache_folder()
    return folder / "venvs" if folder is not None else None


def declared_requirements(folder: Path) -> list[str] | None:
    """The package's dependencies and ``test`` extra from its pyproject.toml, without
    itself (an extra may name its own package); None when it cannot be read."""
    try:
        with open(folder / "pyproject.toml", "rb") as fh:
            project = tomllib.load(fh).get("project", {})
    except (OSError, ValueError):  # tomllib.TOMLDecodeError is a ValueError
        return None
    own = _normalize(str(project.get("name", "")))
    extra = (project.get("optional-dependencies") or {}).get("test") or []
    requirements = [*(project.get("dependencies") or []), *extra]
    return [r for r in requirements if _normalize(_name_of(r)) != own]


def digest(lock: bytes, requirements: list[str]) -> str:
    """What the entry is built from: the interpreter, the lock, the declared requirements,
    and pip's settings from the environment (an index URL changes what pip would fetch)."""
    key = {
        "format": FORMAT,
        "python": os.path.realpath(sys.executable),
        "version": sys.version,
        "lock": hashlib.sha256(lock).hexdigest(),
        "requirements": sorted(requirements),
        "pip": sorted((k, v) for k, v in os.environ.items() if k.startswith("PIP_")),
    }
    return hashlib.sha256(json.dumps(key).encode("utf-8")).hexdigest()[:24]


def clone_cached(folder: Path, venv: Path, env: dict[str, str]) -> str | None:
    """Make ``venv`` a clone of the cached dependency environment of the package in
    ``folder``, building that first when there is none: "cached" when it was there,
    "built" when this call built it; None (and ``venv`` left alone) when the cache is off
    or cannot be used: the caller then installs everything."""
    root = cache_root()
    requirements = declared_requirements(folder)
    if not enabled() or root is None or requirements is None:
        return None
    lock = folder / "requirements.lock.txt"
    try:
        lock_bytes = lock.read_bytes()
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    entry = root / digest(lock_bytes, requirements)
    with _shared_lock(entry):
        built_in = _complete(entry)
        origin = "cached"
        if built_in is None:
            origin = "built"
            built_in = _build(entry, lock if lock_bytes.strip() else None, requirements, env)
        if built_in is None:
            return None
        try:
            os.utime(entry / MARKER)  # most recently used
            clone_tree(entry / "venv", venv, built_in)
        except OSError:
            shutil.rmtree(venv, ignore_errors=True)
            return None
    evict(root)
    return origin


def _complete(entry: Path) -> str | None:
    """The path the complete entry was built at, None when there is no complete entry."""
    try:
        return str(json.loads((entry / MARKER).read_text(encoding="utf-8"))["built_in"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _build(entry: Path, lock: Path | None, requirements: list[str], env) -> str | None:
    """Build the entry in a temporary sibling folder and rename it into place; when another
    process got there first, use theirs.  The path it was built at, None when pip failed."""
    if entry.exists():  # incomplete: never used, rebuilt
        _remove(entry)
    building = entry.with_name(f".tmp-{entry.name}-{os.getpid()}-{os.urandom(3).hex()}")
    venv = building / "venv"
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, env=env
        )
        if requirements:
            command = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
            command += ["--disable-pip-version-check"]
            command += ["-c", str(lock)] if lock is not None else []
            done = subprocess.run([*command, *requirements], capture_output=True, env=env)
            if done.returncode != 0:
                return None  # the full install in the verification venv reports why
        marker = {"built_in": str(venv), "requirements": requirements, "built": time.time()}
        (building / MARKER).write_text(json.dumps(marker), encoding="utf-8")  # last
        try:
            os.rename(building, entry)
        except OSError:  # another process won the race: theirs is as good as ours
            pass
        return _complete(entry)
    except (OSError, subprocess.CalledProcessError):
        return None
    finally:
        shutil.rmtree(building, ignore_errors=True)


def clone_tree(source: Path, target: Path, old_root: str) -> None:
    """``target`` as a copy of the venv ``source``: directories created, symlinks made
    again, files hard-linked (copied where linking fails, e.g. across file systems), and
    the files that name ``old_root`` (the path it was built at) rewritten for ``target``."""
    old = old_root.encode()
    new = str(target).encode()
    for directory, dirs, files in os.walk(source):
        here = Path(directory)
        there = target / here.relative_to(source)
        there.mkdir(parents=True, exist_ok=True)
        for name in [*dirs, *files]:
            path, copy = here / name, there / name
            if path.is_symlink():
                link = os.readlink(path)
                os.symlink(
                    new.decode() + link[len(old_root) :] if link.startswith(old_root) else link,
                    copy,
                )
            elif name in files:
                _clone_file(
                    path, copy, old, new, rewrite=here.name == "bin" or name == "pyvenv.cfg"
                )


def _clone_file(path: Path, copy: Path, old: bytes, new: bytes, *, rewrite: bool) -> None:
    if rewrite:
        data = path.read_bytes()
        if old in data:
            copy.write_bytes(data.replace(old, new))
            shutil.copymode(path, copy)
            return
    try:
        os.link(path, copy)
    except OSError:
        shutil.copy2(path, copy)


def evict(root: Path, keep: int = KEEP) -> None:
    """Remove all but the ``keep`` most recently used entries (never one a verification is
    using), and build or removal folders left by processes that died."""
    try:
        children = list(root.iterdir())
    except OSError:
        return
    now = time.time()
    for child in children:
        if child.name.startswith((".tmp-", ".trash-")) and _age(child, now) > STALE_SECONDS:
            shutil.rmtree(child, ignore_errors=True)
    entries = [c for c in children if c.is_dir() and not c.name.startswith(".")]
    entries.sort(key=lambda e: _used(e), reverse=True)
    for entry in entries[keep:]:
        if fcntl is None:
            return
        with _exclusive_lock(entry) as locked:
            if locked:
                _remove(entry)


def _remove(entry: Path) -> None:
    """Rename out of the way first, so no reader sees half a folder under the entry's name."""
    trash = entry.with_name(f".trash-{entry.name}-{os.getpid()}-{os.urandom(3).hex()}")
    try:
        os.rename(entry, trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def _used(entry: Path) -> float:
    try:
        return (entry / MARKER).stat().st_mtime
    except OSError:
        return 0.0


def _age(path: Path, now: float) -> float:
    try:
        return now - path.stat().st_mtime
    except OSError:
        return 0.0


@contextmanager
def _shared_lock(entry: Path) -> Iterator[None]:
    """Held while an entry is built or cloned, so eviction leaves it alone."""
    if fcntl is None:
        yield
        return
    try:
        fh = open(entry.with_name(f"{entry.name}.lock"), "a")
        fcntl.flock(fh, fcntl.LOCK_SH)
    except OSError:  # no lock: eviction could race with this use, which then falls back
        yield
        return
    with fh:
        yield


@contextmanager
def _exclusive_lock(entry: Path) -> Iterator[bool]:
    try:
        fh = open(entry.with_name(f"{entry.name}.lock"), "a")
    except OSError:
        yield False
        return
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True


def _name_of(requirement: str) -> str:
    for stop in "[<>=!~;@ (":
        requirement = requirement.split(stop, 1)[0]
    return requirement


def _normalize(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")
