"""The files a job writes, kept in its MLflow run (``nb2prod run --artifacts DIR``).

The folders to watch are ``--artifacts`` (relative to the job's working folder), else the
value of a parameter named ``output_dir`` when the parameters cell has one.  Before the
notebook runs, nb2prod notes each file there (modification time and size); afterwards
every file that is new or changed is logged under ``outputs/<its path relative to the
working folder>``, so each job of a grid keeps the model it wrote, even when the next job
writes the same path.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

from nb2prod.errors import UsageError

OUTPUT_DIR_PARAMETER = "output_dir"
OUTPUTS = "outputs"

Snapshot = dict[Path, tuple[int, int]]


def watched_folders(
    given: list[Path], specs: dict[str, Any], params: dict[str, Any], workdir: Path
) -> list[Path]:
    """Absolute folders (or files) whose new files the run keeps."""
    workdir = workdir.resolve()
    if given:
        folders = [(workdir / folder).resolve() for folder in given]
        for folder, original in zip(folders, given):
            if not _inside(folder, workdir):
                raise UsageError(
                    f"--artifacts {original}: not inside the job's working folder {workdir}",
                    "name a folder the notebook writes to, relative to where it runs",
                )
        return folders
    if OUTPUT_DIR_PARAMETER in specs:
        value = params.get(OUTPUT_DIR_PARAMETER, specs[OUTPUT_DIR_PARAMETER].default)
        if isinstance(value, str) and value.strip():
            folder = (workdir / value).resolve()
            if _inside(folder, workdir):  # elsewhere: not the job's to keep
                return [folder]
    return []


def snapshot(folders: list[Path]) -> Snapshot:
    """Each file under ``folders``: (modification time in ns, size)."""
    seen: Snapshot = {}
    for folder in folders:
        for path in _files(folder):
            try:
                stat = path.stat()
            except OSError:
                continue
            seen[path] = (stat.st_mtime_ns, stat.st_size)
    return seen


def written_since(folders: list[Path], before: Snapshot, workdir: Path) -> list[tuple[str, str]]:
    """(file, artifact folder) for each file created or changed since ``before``: the
    artifact folder is ``outputs/`` and the file's folder relative to ``workdir``."""
    workdir = workdir.resolve()
    kept = []
    for path, state in sorted(snapshot(folders).items()):
        if before.get(path) == state:
            continue
        relative = PurePosixPath(path.relative_to(workdir).as_posix())
        folder = PurePosixPath(OUTPUTS, relative.parent) if relative.parent.parts else OUTPUTS
        kept.append((str(path), str(folder)))
    return kept


def _files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in ("__pycache__", ".ipynb_checkpoints")]
        found += [Path(root) / name for name in names]
    return found


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents
