"""What git ignores under a folder, so walking it skips what is not in the repository.

``nb2prod lint FOLDER`` and ``nb2prod init`` honour ``.gitignore`` as Ruff does
(``respect-gitignore``, default true): executed notebooks in an ignored ``out/`` are
neither linted nor run as CI jobs.  Git itself answers, in one ``git ls-files`` call per
folder walked, so the rules are git's own (nested ``.gitignore`` files, negation,
anchoring, ``**``, ``.git/info/exclude``, ``core.excludesFile``) and a file that is
tracked is never skipped, even when a pattern matches it.  Outside a git work tree, or
without git, nothing is skipped: nothing is ignored where there is no repository.
"""

from __future__ import annotations

import os
import subprocess

_COMMAND = ("ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "-z")


def ignored_under(top: str) -> frozenset[str]:
    """Normalised paths (joined to ``top``) of the untracked files and folders git
    ignores under ``top``; empty outside a git work tree or when git cannot run.  An
    ignored folder is listed once, not its content; ``top`` itself never is (a folder
    named on the command line is walked)."""
    try:
        listed = subprocess.run(
            ["git", "-C", top, *_COMMAND],
            capture_output=True,
            timeout=60,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    if listed.returncode != 0:  # not a work tree (128), or git refused
        return frozenset()
    here = os.path.normpath(top)
    paths = (
        os.path.normpath(os.path.join(top, os.fsdecode(p))) for p in listed.stdout.split(b"\0") if p
    )
    return frozenset(p for p in paths if p != here)
