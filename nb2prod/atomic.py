"""Replacing a file so that readers see the old content or the new, never half of either."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(target: Path, data: bytes, *, like: os.stat_result | None = None) -> None:
    """Write ``data`` to a new temporary file beside ``target``, then rename it over
    ``target``; an OSError leaves no temporary file behind.

    The new file is created 0o666 through the umask, as an editor would create it; with
    ``like`` (the stat of the file being replaced) it keeps that file's mode and, where
    allowed (only root may give a file away), its owner.
    """
    temporary = target.with_name(f".{target.name}.{os.urandom(4).hex()}.nb2prod.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as fh:
            fh.write(data)
        if like is not None:
            os.chmod(temporary, like.st_mode & 0o7777)
            if hasattr(os, "chown") and (like.st_uid, like.st_gid) != (os.getuid(), os.getgid()):
                try:
                    os.chown(temporary, like.st_uid, like.st_gid)
                except PermissionError:
                    pass
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
