"""Just enough of Python's lexer to know, line by line, where statements start and where
a comment begins (brackets, strings, continuation backslashes): what IPython-aware parsing
and the noqa and parameters readers need without tokenizing a whole cell."""

from __future__ import annotations

import re

_STRING_START = re.compile(r"(?i)(?:[rbuf]|rb|br|fr|rf)?('''|\"\"\"|'|\")")


def comment_start(text: str) -> int | None:
    """Index of the ``#`` that starts a comment on a one-line ``text``, if any."""
    state = LexState()
    state.feed(text)
    return state.comment_at


class LexState:
    """Just enough of Python's lexer to know where statements start (brackets, strings)."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote: str | None = None  # the open string's quote while inside one
        self.backslash = False  # the previous line ended with a continuation backslash
        self.comment_at: int | None = None  # where the last fed line's comment starts

    @property
    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.backslash

    def feed(self, text: str) -> None:
        i, n = 0, len(text)
        self.comment_at = None
        while i < n:
            if self.quote is not None:
                i = self._in_string(text, i, self.quote)
                continue
            char = text[i]
            if char == "#":
                self.comment_at = i
                break
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            elif char in "'\"" or (char.isalpha() and i + 1 < n and text[i + 1] in "'\"rRbBfFuU"):
                match = _STRING_START.match(text, i)
                if match and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
                    self.quote = match.group(1)
                    i = match.end()
                    continue
            i += 1
        if self.quote in ("'", '"'):
            # An unterminated one-line string: a syntax error that ends at the line.
            self.quote = None
        self.backslash = (
            self.quote is None and text.rstrip().endswith("\\") and self.comment_at is None
        )

    def _in_string(self, text: str, i: int, quote: str) -> int:
        while i < len(text):
            if text[i] == "\\":
                i += 2
                continue
            if text.startswith(quote, i):
                self.quote = None
                return i + len(quote)
            i += 1
        return len(text)
