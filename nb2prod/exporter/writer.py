"""Write a generated project atomically: all of it appears at once, or nothing changes.

The files go into a hidden sibling folder first, which is then renamed into place.  An
existing folder is replaced only with ``force``, and only what an earlier nb2prod export
wrote there (``manifest.py`` says which files those are): the files a user added are
carried into the new folder as they are, and a file nb2prod wrote that the user has
changed since stops the export, named, rather than being overwritten.  A folder that is
not an export is never written into, so a mistyped ``-o`` can never touch a user's own
project.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from nb2prod.exporter.manifest import MANIFEST, Survey, entries, manifest_bytes, survey
from nb2prod.exporter.plan import ExportRefusal

_SHOWN = 8  # entries named in a message; the rest are counted


class TargetExists(ExportRefusal):
    """The output folder holds something already: an earlier export (replaced only when
    asked to, and never over the user's changes) or files that are not an export."""


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
    problem = target_conflict(target, force)
    if problem is not None:
        raise problem


def target_conflict(
    target: Path, force: bool, *, shown: str | None = None, flag: str = "--force"
) -> TargetExists | None:
    """Why exporting into ``target`` (named ``shown`` in the message) is refused, or None.
    ``flag`` is how the caller's user asks to replace an export (``overwrite`` in REST).
    Which files the export will write is not known yet: the write checks again."""
    if not target.is_dir():
        return None
    return _conflict(survey(target), force, shown or str(target), flag)


def replacing(target: Path) -> str:
    """What replacing the earlier export in ``target`` does, for a message about it."""
    found = survey(target)
    if found.kind == "old export":
        return (
            "made by an nb2prod that kept no list of its files, it is replaced only if it "
            "holds no file the new export would not write"
        )
    text = f"replacing it replaces the {_count(found.ours)} nb2prod wrote"
    if found.kept:
        text += f" and keeps the {_count(found.kept, 'other ')} there: {_listing(found.kept)}"
    return text


def _conflict(found: Survey, force: bool, shown: str, flag: str) -> TargetExists | None:
    if found.kind == "other":
        return TargetExists(
            f"{shown} is not an earlier nb2prod export and is not empty: "
            f"{_listing(_top(found.kept))}",
            f"choose another output folder, new or empty; {flag} replaces only files an "
            "earlier nb2prod export wrote, never a folder like this one",
        )
    if found.edited:
        return TargetExists(
            f"{shown}: files nb2prod wrote there have been changed since: {_listing(found.edited)}",
            f"{flag} never overwrites changes: move these files out of the folder (or undo "
            f"the changes), then export again with {flag}; files you added are kept",
        )
    if found.in_the_way and found.kind == "old export":
        return TargetExists(
            f"{shown} is an export by an earlier nb2prod, which kept no list of its files, "
            f"and it holds files this export would not write: {_listing(found.in_the_way)}",
            f"move them out of the folder, then export again with {flag} (exports since "
            "keep the files you add)",
        )
    if found.in_the_way:
        return TargetExists(
            f"{shown}: files nb2prod did not write are where this export writes: "
            f"{_listing(found.in_the_way)}",
            f"move or rename them, then export again with {flag}",
        )
    if force or found.kind == "new":
        return None
    if found.kind == "old export":
        hint = (
            f"export again with {flag} to replace it; made by an earlier nb2prod, which kept "
            "no list of its files, it is replaced only if it holds no file the new export "
            "would not write"
        )
    else:
        hint = f"export again with {flag} to replace the {_count(found.ours)} nb2prod wrote"
        if found.kept:
            hint += f"; it keeps the {_count(found.kept, 'other ')} there: {_listing(found.kept)}"
    return TargetExists(f"{shown} already exists: an earlier nb2prod export", hint)


def _top(paths: list[str]) -> list[str]:
    """The top-level names of ``paths``, a folder's with a slash."""
    return sorted({p.split("/")[0] + ("/" if "/" in p else "") for p in paths})


def _count(paths: list[str], kind: str = "") -> str:
    return f"{len(paths)} {kind}file{'' if len(paths) == 1 else 's'}"


def _listing(paths: list[str]) -> str:
    more = len(paths) - _SHOWN
    return ", ".join(paths[:_SHOWN]) + (f" and {more} more" if more > 0 else "")


def write_tree(files: dict[str, bytes | Path], target: Path, force: bool = False) -> None:
    """Write ``files`` (relative path -> bytes, or a file/folder to copy) as ``target``,
    with the manifest of them."""
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
        (staging / MANIFEST).write_bytes(manifest_bytes(staging))
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private
        _swap_into_place(staging, target, force)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_into_place(staging: Path, target: Path, force: bool) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    # Checked again now that the files are known, and in case anything changed since.
    found = survey(target, set(entries(staging)) - {MANIFEST})
    problem = _conflict(found, force, str(target), "--force")
    if problem is not None:
        raise problem
    carried = {entry: _carry(target / entry, staging / entry) for entry in found.kept}
    previous = target.with_name(f".{target.name}.nb2prod-old-{os.getpid()}")
    os.rename(target, previous)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(previous, target)
        raise
    # Hard links share later changes; a file the user replaced in the meantime does not:
    # then the old folder stays beside the new one rather than taking it along.
    if all(_identity(previous / entry) == seen for entry, seen in carried.items()):
        shutil.rmtree(previous, ignore_errors=True)


def _carry(source: Path, copy: Path) -> tuple[int, int, int]:
    """Put the user's ``source`` at ``copy`` in the new folder: the same file (a hard link)
    where the file system allows, else a copy; returns what it was when carried."""
    seen = _identity(source)
    copy.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        os.symlink(os.readlink(source), copy)
    elif source.is_dir():
        copy.mkdir(exist_ok=True)
        shutil.copystat(source, copy)
    else:
        try:
            os.link(source, copy)
        except OSError:
            shutil.copy2(source, copy)
    return seen


def _identity(path: Path) -> tuple[int, int, int]:
    stat = os.lstat(path)
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
