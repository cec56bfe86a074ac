"""Write a generated project atomically: all of it appears at once, or nothing changes.

The files go into a hidden sibling folder first, which is then renamed into place.  An
existing folder is replaced only with ``force``, and only when it holds an earlier nb2prod
export, so a mistyped ``-o`` can never wipe a user's own project.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from nb2prod.exporter.plan import ExportRefusal


class TargetExists(ExportRefusal):
    """The output folder holds something already: an earlier export (replaced only when
    asked to) or files that are not an export (never replaced)."""


def check_target(target: Path, force: bool, protected: list[Path]) -> None:
    """Refuse a target that must not be written; ``protected`` paths (the notebook) must not
    be inside it."""
    target = target.resolve()
    for path in protected:
        if path.resolve() == target or target in path.resolve().parents:
            raise ExportRefusal(
                f"{target} holds {path.name}, which exporting there would delete",
                "choose an output folder of its own (-o)",
            )
    if target.exists() and not target.is_dir():
        raise ExportRefusal(f"{target} exists and is not a folder", "choose another -o")
    if target.is_dir() and any(target.iterdir()):
        if not force:
            raise TargetExists(
                f"{target} already exists", "pass --force to replace it with the new export"
            )
        if not is_export(target):
            raise TargetExists(
                f"{target} is not an earlier nb2prod export, so --force will not replace it",
                "choose an empty or new folder (-o)",
            )


def is_export(folder: Path) -> bool:
    """Does ``folder`` hold a project nb2prod exported (it has src/PKG/provenance.json)?"""
    return any(folder.glob("src/*/provenance.json"))


def write_tree(files: dict[str, bytes | Path], target: Path, force: bool = False) -> None:
    """Write ``files`` (relative path -> bytes, or a file/folder to copy) as ``target``."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.nb2prod-", dir=target.parent))
    try:
        for relative, content in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Path):
                if content.is_dir():
                    shutil.copytree(content, path)
                else:
                    shutil.copyfile(content, path)
            else:
                path.write_bytes(content)
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private
        _swap_into_place(staging, target, force)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_into_place(staging: Path, target: Path, force: bool) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    if not force and any(target.iterdir()):  # appeared since check_target
        raise TargetExists(f"{target} already exists", "pass --force to replace it")
    previous = target.with_name(f".{target.name}.nb2prod-old-{os.getpid()}")
    os.rename(target, previous)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(previous, target)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
