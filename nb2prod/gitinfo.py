"""The git commit a file is at, and whether it has uncommitted changes: one ``git`` call."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git_state(path: str | Path) -> tuple[str | None, bool | None]:
    """``(commit, dirty)`` of the repository holding ``path``; ``dirty`` is about ``path``
    itself.  ``(None, None)`` outside a repository or without git."""
    target = Path(path).resolve()
    folder = target if target.is_dir() else target.parent
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain=v2", "--branch", "--", str(target)],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None, None
    if done.returncode != 0:
        return None, None
    lines = done.stdout.splitlines()
    commit = next((line.split()[2] for line in lines if line.startswith("# branch.oid ")), None)
    if commit == "(initial)":
        commit = None
    dirty = any(not line.startswith("#") for line in lines)
    return commit, dirty
