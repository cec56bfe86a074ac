"""The core's messages in the panel's words.

The core's errors are written for the command line (``pass --force``, ``choose another
-o``, ``use --cwd``); the panel has a Replace button, a package name and an output folder
field instead.  The REST answers go through :func:`panel_text`, so a message never asks a
panel user for a flag they cannot type.
"""

from __future__ import annotations

import re
from pathlib import Path

_PANEL_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words)
    for pattern, words in (
        (r"\s*\((?:use|pass) --cwd[^)]*\)", ""),
        (r"[;,]?\s*(?:use|pass) --cwd\b[^;.]*", ""),
        (r"\(export again with --force\)", "(export it again and replace it)"),
        (r"pass --force to replace it(?: with the new export)?", "export again and choose Replace"),
        (r"so --force will not replace it", "so Export will not replace it"),
        (r"--force replaces them", "Replace replaces them"),
        (r"\s*\(-o\)", ""),
        (r"choose another -o\b", "choose another output folder"),
        (r"--name (\S+) is not a package name", r"the package name \1 is not valid"),
        (r"--name\b", "the package name"),
        (r"\bpass (?:it|the folder) with --\w+[^;.]*", "choose it in the panel"),
        (r"\bset overwrite\b", "choose Replace"),
        (r"\bexport again with --force\b", "export again and choose Replace"),
        (r"(?<![\w-])--force\b", "Replace"),  # whatever else a message says of the flag
    )
)


def panel_text(text: str | None, root: str | None = None) -> str | None:
    """``text`` with command-line advice put as the panel does it, and paths under the
    server's ``root`` shown as the panel shows them: relative to it, never this machine's."""
    if not text:
        return text
    if root:
        for prefix in {str(Path(root)), str(Path(root).resolve())}:
            text = text.replace(prefix.rstrip("/") + "/", "")
    for pattern, words in _PANEL_WORDS:
        text = pattern.sub(words, text)
    return text.strip()
