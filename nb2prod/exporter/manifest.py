"""What an output folder holds, and whose it is.

Every export writes ``.nb2prod-manifest.json`` at the top of the project: each file
nb2prod wrote there, with its SHA-256.  A later export with ``--force`` replaces exactly
those files while they are as nb2prod wrote them; everything else in the folder is the
user's (a Dockerfile, notes, a ``.git``) and is kept.  :func:`survey` sorts a folder's
entries that way for the writer, which decides what to refuse.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".nb2prod-manifest.json"
_ABOUT = (
    "The files nb2prod export wrote here, with their SHA-256. export --force replaces "
    "these while they are unchanged and keeps every other file in this folder."
)
# Folders tools make by themselves: never a reason to refuse an old export.
CACHES = frozenset({"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"})


@dataclass
class Survey:
    """An output folder's entries (files, symbolic links, empty folders; relative POSIX
    paths), sorted by whose they are."""

    kind: str  # "new" (absent or empty), "export", "old export" (no manifest), "other"
    ours: list[str] = field(default_factory=list)  # nb2prod wrote them, unchanged since
    edited: list[str] = field(default_factory=list)  # nb2prod wrote them, changed since
    kept: list[str] = field(default_factory=list)  # the user's: kept as they are
    in_the_way: list[str] = field(default_factory=list)  # the user's, where the export writes


def manifest_bytes(folder: Path) -> bytes:
    """The manifest of the files now in ``folder`` (before anything of the user's joins
    them): sorted, no timestamps, so an unchanged export is byte-identical."""
    files = {relative: file_sha256(folder / relative) for relative in entries(folder)}
    data = {"about": _ABOUT, "files": files}
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()


def read_manifest(folder: Path) -> dict[str, str] | None:
    """The files the manifest in ``folder`` lists, or None without a readable one."""
    try:
        data = json.loads((folder / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        return None
    return files


def survey(folder: Path, new: set[str] | None = None) -> Survey:
    """Sort what ``folder`` holds; ``new``, when known, is what the export will write there
    (relative paths of its files), to find the user's entries in its way."""
    if not folder.is_dir() or not any(folder.iterdir()):
        return Survey("new")
    found = [e for e in entries(folder) if e != MANIFEST]
    manifest = read_manifest(folder)
    if manifest is not None:
        result = Survey("export")
        for entry in found:
            if entry not in manifest:
                result.kept.append(entry)
            elif _unchanged(folder / entry, manifest[entry]):
                result.ours.append(entry)
            else:
                result.edited.append(entry)
    elif any(folder.glob("src/*/provenance.json")):
        # An export by an nb2prod that kept no list: what the new export writes is taken
        # for its own, caches are kept, and anything else is in the way of replacing it.
        result = Survey("old export")
        for entry in found:
            empty_folder = (folder / entry).is_dir() and not (folder / entry).is_symlink()
            if new is None or entry in new or empty_folder:
                result.ours.append(entry)
            elif CACHES.intersection(entry.split("/")[:-1]):
                result.kept.append(entry)
            else:
                result.in_the_way.append(entry)
        return result
    else:
        return Survey("other", kept=found)
    if new is not None:
        result.in_the_way = [e for e in result.kept if _collides(e, new, folder)]
        result.kept = [e for e in result.kept if e not in result.in_the_way]
    return result


def entries(folder: Path) -> list[str]:
    """Files, symbolic links and empty folders under ``folder``, sorted; links are not
    followed."""
    found = []
    for directory, folders, files in os.walk(folder):
        base = Path(directory)
        for name in list(folders):
            if (base / name).is_symlink():
                folders.remove(name)  # os.walk lists a link to a folder as a folder
                files.append(name)
        if not folders and not files and base != folder:
            found.append(base.relative_to(folder).as_posix())
        found += [(base / name).relative_to(folder).as_posix() for name in files]
    return sorted(found)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _unchanged(path: Path, recorded: str) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    return file_sha256(path) == recorded


def _collides(entry: str, new: set[str], folder: Path) -> bool:
    """Is the user's ``entry`` where the export writes a file, or a file where it needs a
    folder?"""
    if entry in new:
        return True
    parts = entry.split("/")
    if any("/".join(parts[:i]) in new for i in range(1, len(parts))):
        return True  # the export writes a file where this sits in a folder
    path = folder / entry
    needs_folder = any(n.startswith(entry + "/") for n in new)
    return needs_folder and (path.is_symlink() or not path.is_dir())
