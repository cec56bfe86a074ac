"""A job's project folder as an archive, for workers that do not share this disk.

A grid on Dask (``nb2prod run --grid ... --executor dask``) runs each point on a worker that
may be another machine with only the environment installed.  So the project the notebook
runs in travels with the tasks, as Ray's ``working_dir`` does: packed once on the
submitter as a gzipped tar, unpacked into a fresh folder for each point.  Left out, by name at any depth: version control, nb2prod's and other tools' caches,
build output and virtual environments (a folder with ``pyvenv.cfg`` or ``conda-meta``),
and any folder the caller names (the grid's ``-o`` folder).  ``.gitignore`` is not read: a
project's data files are often ignored by git, and the notebook needs them.  Beyond
:data:`SIZE_LIMIT` bytes of files the packing stops with an error naming the largest ones.
"""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Iterable
from pathlib import Path

from nb2prod.errors import UsageError

#: Folders never sent, wherever they are in the tree.
EXCLUDED_FOLDERS = frozenset(
    {
        ".git", ".hg", ".svn", ".nb2prod", ".ipynb_checkpoints", "__pycache__", "build",
        "dist", "node_modules", ".venv", "venv", ".tox", ".nox", ".eggs", ".mypy_cache",
        ".pytest_cache", ".ruff_cache", "mlruns",
    }
)  # fmt: skip
#: Bytes of files (before compression) a folder may hold to be sent.
SIZE_LIMIT = 100 * 1024 * 1024


def pack_folder(
    folder: Path,
    *,
    exclude: Iterable[Path] = (),
    limit: int = SIZE_LIMIT,
) -> bytes:
    """``folder``'s files as a gzipped tar (paths relative to it); UsageError when they
    add up to more than ``limit`` bytes."""
    folder = folder.resolve()
    skipped = {path.resolve() for path in exclude}
    files = list(_files(folder, skipped))
    total = sum(size for _path, size in files)
    if total > limit:
        largest = sorted(files, key=lambda item: -item[1])[:3]
        named = ", ".join(f"{path.relative_to(folder)} ({_mb(size)})" for path, size in largest)
        raise UsageError(
            f"the project folder {folder} holds {_mb(total)} of files to send to the Dask "
            f"workers, over the limit of {_mb(limit)} (largest: {named})",
            "keep large data where every worker can read it (object storage, a shared "
            "folder) and pass its location as a parameter; build output, virtual "
            "environments, .git and .nb2prod are never sent",
        )
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1, dereference=True) as archive:
        for path, _size in files:
            archive.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return buffer.getvalue()


def unpack_folder(data: bytes, target: Path) -> None:
    """Unpack an archive of :func:`pack_folder` into ``target`` (created), refusing
    members that would land outside it."""
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        archive.extractall(target, filter="data")


def _files(folder: Path, skipped: set[Path]):
    """(path, size) of each regular file under ``folder`` that is sent, in a stable order;
    a symbolic link to a file is sent as the file, one to a folder is not followed."""
    for root, dirs, names in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(
            d for d in dirs if d not in EXCLUDED_FOLDERS and not _skipped(here / d, skipped)
        )
        for name in sorted(names):
            path = here / name
            try:
                if path.is_file():
                    yield path, path.stat().st_size
            except OSError:
                continue


def _skipped(folder: Path, skipped: set[Path]) -> bool:
    if (folder / "pyvenv.cfg").exists() or (folder / "conda-meta").is_dir():
        return True  # a virtual environment, whatever its name
    return folder.resolve() in skipped


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
