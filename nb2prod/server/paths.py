"""Paths the browser sends, checked before any file is touched.

The browser names files by API path, relative to the server root.  Absolute paths, ``..``
(also percent-encoded, which tornado has decoded by now), NUL bytes, hidden segments and
symlinks that lead out of the root are refused: the panel can only reach what the
contents API itself would show.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from tornado.web import HTTPError


def checked_api_path(path: object, what: str = "path") -> str:
    """``path`` normalised as an API path, or HTTP 400/403."""
    if not isinstance(path, str) or not path.strip():
        raise HTTPError(400, f"{what} must be a non-empty string")
    if "\x00" in path or "\\" in path:
        raise HTTPError(400, f"{what} holds characters paths cannot have")
    pure = PurePosixPath(path.strip())
    if not pure.parts:  # "." or "./": the root itself is no notebook nor output folder
        raise HTTPError(400, f"{what} must name something inside the server root, not the root")
    if pure.is_absolute() or path.startswith("~") or ":" in pure.parts[0]:
        raise HTTPError(403, f"{what} must be relative to the server root")
    if any(part in ("..", ".") or part.startswith(".") for part in pure.parts):
        raise HTTPError(403, f"{what} may not contain '..' or hidden folders")
    return pure.as_posix()


def os_path_in_root(root_dir: str, api_path: str) -> Path:
    """The file system path of ``api_path``, which must stay inside the root once every
    symlink is resolved (the contents manager itself does not check symlinks)."""
    root = Path(os.path.realpath(root_dir))
    full = Path(os.path.realpath(root / api_path))
    if full != root and root not in full.parents:
        raise HTTPError(403, "the path leads outside the server root")
    return full
