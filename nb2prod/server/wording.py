"""The core's messages in the panel's words.

The core's errors are written for the command line (``pass --force``, ``choose another
-o``, ``use --cwd``); the panel has a Replace button, a package name and an output folder
field instead.  The REST answers go through :func:`panel_text`, so a message never asks a
panel user for a flag they cannot type.
"""

from __future__ import annotations

import re

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
    )
)


def panel_text(text: str | None) -> str | None:
    """``text`` with command-line advice put as the panel does it."""
    if not text:
        return text
    for pattern, words in _PANEL_WORDS:
        text = pattern.sub(words, text)
    return text.strip()
