"""Answers kept as JSON in the user's cache folder (``$XDG_CACHE_HOME/nb2prod``).

A file is named after what its answer was computed from, so a changed input gives a new
file and a stale answer is never read.  The cache only saves time: a read-only or missing
home folder means no cache, with the same answers.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nb2prod.atomic import write_atomically


def cache_folder() -> Path | None:
    """nb2prod's folder in the user's cache (``$XDG_CACHE_HOME``, else ``~/.cache``);
    None without an absolute one."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nb2prod" if os.path.isabs(base) else None


def cache_file(kind: str, key: str) -> Path | None:
    """The cache file for ``kind`` computed from ``key``; None without a cache folder."""
    folder = cache_folder()
    if folder is None:
        return None
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return folder / f"{kind}-{digest}.json"


def cached_json(path: Path | None, compute: Callable[[], Any]) -> Any:
    """The JSON answer in ``path``, else ``compute()``, written there for next time."""
    if path is not None:
        try:
            return json.loads(path.read_bytes())
        except (OSError, ValueError):
            pass
    answer = compute()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, json.dumps(answer).encode("utf-8"))
        except OSError:  # a read-only home: no cache, same answer
            pass
    return answer
