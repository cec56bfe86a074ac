"""Where things stand in a notebook's raw JSON text.

Notebooks are decoded with the C decoder (``raw_decode``), walking only the top level, so
loading costs about what ``json.loads`` costs; each cell records its span.  The positions
inside a cell -- the physical line of each source line (for findings, SARIF and GitHub
annotations) and the spans of its outputs (for ``--fix``, which edits the raw text so the
rest of the file stays byte-identical) -- are worked out on first use.
"""

from __future__ import annotations

import bisect
import functools
import json
import operator
import re
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]  # undocumented, not in typeshed
from typing import Any, cast

_WS = re.compile(r"[ \t\n\r]*")
_KEY_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_DECODER = json.JSONDecoder()
_ENDS_WITH_NEWLINE = operator.methodcaller("endswith", "\n")


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` of the raw notebook text."""

    start: int
    end: int


class RawText:
    """The raw notebook text, with line numbers of offsets counted on demand."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Known (offset, line) pairs, sorted: each count starts at the nearest one below,
        # so line numbers for a few cells never cost a pass over a 20 MB file.
        self._offsets = [0]
        self._lines = [1]

    def line_of(self, offset: int) -> int:
        """1-based physical line of character ``offset``."""
        at = bisect.bisect_right(self._offsets, offset) - 1
        line = self._lines[at] + self.text.count("\n", self._offsets[at], offset)
        self._offsets.insert(at + 1, offset)
        self._lines.insert(at + 1, line)
        return line


class CellRaw:
    """Where a cell's parts stand in the raw text.

    Loading only records the cell's span; the positions inside it are worked out on
    first use, because most cells never need them (only cells with a finding or a fix).
    """

    def __init__(self, raw: RawText, span: Span, source: Any = None) -> None:
        self.raw = raw
        self.span = span
        self._source = source  # the decoded source value, to recognise it in the text

    @functools.cached_property
    def _layout(self) -> _CellLayout:
        return Scanner(self.raw).cell_layout(self.span.start)

    @functools.cached_property
    def _source_layout(self) -> _CellLayout:
        # Every finding asks for its ipynb_line: find the source strings without
        # decoding the rest of the cell (outputs can be megabytes).
        return Scanner(self.raw).source_layout(self.span, self._source) or self._layout

    @property
    def source_tokens(self) -> list[Span]:
        """The span of each JSON string of ``source``."""
        return self._source_layout.source_tokens

    @property
    def line_token(self) -> list[int]:
        """Cell line (0-based) -> index of the source token the line starts in."""
        return self._source_layout.line_token

    @property
    def line_map(self) -> list[int]:
        """Cell line (0-based) -> physical line of the .ipynb file."""
        return self._source_layout.line_map

    @property
    def outputs(self) -> Span | None:
        """The whole ``outputs`` array value."""
        return self._layout.outputs

    @property
    def output_items(self) -> list[Span]:
        return self._layout.output_items


@dataclass
class _CellLayout:
    source_tokens: list[Span] = field(default_factory=list)
    line_token: list[int] = field(default_factory=list)
    line_map: list[int] = field(default_factory=list)
    outputs: Span | None = None
    output_items: list[Span] = field(default_factory=list)


def character_offsets(text: str, tokens: list[Span], line_count: int) -> list[list[int]] | None:
    """Raw offset of every character of every source line held by the JSON strings
    ``tokens`` (plus one past each line); None unless they hold ``line_count`` lines."""
    if not tokens:
        return None
    lines: list[list[int]] = [[]]
    pending_cr: int | None = None  # "\r\n" and a lone "\r" are both one newline
    for token in tokens:
        for char, offset in _json_characters(text, token.start + 1, token.end - 1):
            if pending_cr is not None:
                lines[-1].append(pending_cr)
                lines.append([])
                pending_cr = None
                if char == "\n":
                    continue
            if char == "\r":
                pending_cr = offset
            elif char == "\n":
                lines[-1].append(offset)
                lines.append([])
            else:
                lines[-1].append(offset)
    if pending_cr is not None:
        lines[-1].append(pending_cr)
        lines.append([])
    lines[-1].append(tokens[-1].end - 1)  # the closing quote: just past the last character
    return lines if len(lines) == line_count else None


_JSON_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}


def _json_characters(text: str, start: int, stop: int):
    """``(character, raw offset)`` of each character of the JSON string body ``text[start:stop]``."""
    i = start
    while i < stop:
        if text[i] != "\\":
            yield text[i], i
            i += 1
            continue
        kind = text[i + 1]
        if kind != "u":
            yield _JSON_ESCAPES[kind], i
            i += 2
            continue
        code, size = int(text[i + 2 : i + 6], 16), 6
        if 0xD800 <= code < 0xDC00 and text[i + 6 : i + 8] == "\\u":
            low = int(text[i + 8 : i + 12], 16)
            if 0xDC00 <= low < 0xE000:  # a surrogate pair is one character
                code, size = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), 12
        yield chr(code), i
        i += size


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


class Unexpected(Exception):
    """The JSON is valid so far but not shaped like a notebook the scanner follows."""


class Scanner:
    """Walk notebook JSON, decoding values with the C decoder (``raw_decode``).

    ``document`` walks only the top level and records each cell's span, so loading
    costs about what ``json.loads`` costs; ``cell_layout`` walks one cell's object when
    the positions of its source strings and outputs are needed.
    """

    def __init__(self, raw: RawText) -> None:
        self.raw = raw
        self.text = raw.text

    def ws(self, i: int) -> int:
        # `[ \t\n\r]*` matches (maybe nothing) at every position
        return cast("re.Match[str]", _WS.match(self.text, i)).end()

    def expect(self, i: int, char: str) -> int:
        if self.text[i] != char:
            raise Unexpected(i)
        return i + 1

    def value(self, i: int) -> tuple[Any, int]:
        return _DECODER.raw_decode(self.text, i)

    def obj(self, i: int, handlers: dict) -> tuple[dict, int]:
        """Decode the object at ``i``; ``handlers[key](pos) -> (value, end)`` override keys."""
        i = self.ws(self.expect(self.ws(i), "{"))
        result: dict = {}
        if self.text[i] == "}":
            return result, i + 1
        while True:
            if self.text[i] != '"':
                raise Unexpected(i)
            key, i = scanstring(self.text, i + 1)
            i = self.ws(self.expect(self.ws(i), ":"))
            handler = handlers.get(key)
            result[key], i = handler(i) if handler else self.value(i)
            i = self.ws(i)
            if self.text[i] == "}":
                return result, i + 1
            i = self.ws(self.expect(i, ","))

    def array(self, i: int, item) -> tuple[list, int]:
        i = self.ws(self.expect(i, "["))
        items: list = []
        if self.text[i] == "]":
            return items, i + 1
        while True:
            value, i = item(i)
            items.append(value)
            i = self.ws(i)
            if self.text[i] == "]":
                return items, i + 1
            i = self.ws(self.expect(i, ","))

    def document(self) -> tuple[dict, list[CellRaw]]:
        raws: list[CellRaw] = []

        def cell(i: int) -> tuple[Any, int]:
            value, end = self.value(i)
            if isinstance(value, dict):
                source = value.get("source", value.get("input"))
                raws.append(CellRaw(self.raw, Span(i, end), source))
            return value, end

        cells = lambda i: self.array(i, cell) if self.text[i] == "[" else self.value(i)  # noqa: E731
        worksheet = lambda i: self.obj(i, {"cells": cells})  # noqa: E731
        worksheets = lambda i: self.array(i, worksheet)  # noqa: E731
        doc, end = self.obj(0, {"cells": cells, "worksheets": worksheets})
        if self.ws(end) != len(self.text):
            raise Unexpected(end)
        return doc, raws

    def cell_layout(self, start: int) -> _CellLayout:
        layout = _CellLayout()

        def string(pos: int) -> tuple[Any, int]:
            if self.text[pos] != '"':
                return self.value(pos)
            value, end = scanstring(self.text, pos + 1)
            layout.source_tokens.append(Span(pos, end))
            return value, end

        def source(pos: int) -> tuple[Any, int]:
            return self.array(pos, string) if self.text[pos] == "[" else string(pos)

        def item(pos: int) -> tuple[Any, int]:
            value, end = self.value(pos)
            layout.output_items.append(Span(pos, end))
            return value, end

        def outputs(pos: int) -> tuple[Any, int]:
            if self.text[pos] != "[":
                return self.value(pos)
            value, end = self.array(pos, item)
            layout.outputs = Span(pos, end)
            return value, end

        cell, _end = self.obj(start, {"source": source, "input": source, "outputs": outputs})
        self._map_lines(cell, layout)
        return layout

    def source_layout(self, span: Span, source: Any) -> _CellLayout | None:
        """The source strings of the cell at ``span``, found by key and checked by value;
        None when that shortcut does not apply (the caller then walks the cell)."""
        text = self.text
        for key in ('"source"', '"input"'):
            # From the end: nbformat writes keys sorted, so ``source`` follows the outputs,
            # which can be megabytes.
            at = text.rfind(key, span.start, span.end)
            while at >= 0:
                colon = _KEY_COLON.match(text, at + len(key))
                if colon:
                    try:
                        value, end = self.value(colon.end())
                    except ValueError:
                        value, end = None, 0
                    if value == source and value is not None:
                        return self._source_tokens(colon.end(), end, {"source": source})
                at = text.rfind(key, span.start, at)
        return None

    def _source_tokens(self, start: int, end: int, cell: dict) -> _CellLayout | None:
        layout = _CellLayout()
        if self.text[start] == '"':
            layout.source_tokens.append(Span(start, end))
        else:
            tokens = _JSON_STRING.finditer(self.text, start, end)
            layout.source_tokens.extend(Span(m.start(), m.end()) for m in tokens)
        self._map_lines(cell, layout)
        return layout if layout.line_map or not cell["source"] else None

    def _one_line_per_string(self, strings: list[str], tokens: list[Span]) -> bool:
        """nbformat's own layout: each source line its own string, on its own physical line.

        Checked in C-speed calls (most cells with a finding are laid out so), instead of
        walking the strings one by one."""
        lines = len(strings)
        joined = "".join(strings)
        return (
            "\r" not in joined
            and joined.count("\n") == lines - 1 + strings[-1].endswith("\n")
            and all(map(_ENDS_WITH_NEWLINE, strings[:-1]))
            and self.text.count("\n", tokens[0].start, tokens[-1].start) == lines - 1
        )

    def _map_lines(self, cell: dict, layout: _CellLayout) -> None:
        """Physical line of each cell source line, from the spans of its strings."""
        source = cell.get("source", cell.get("input"))
        pieces = source if isinstance(source, list) else [source]
        strings = [p for p in pieces if isinstance(p, str)]
        if len(strings) != len(layout.source_tokens):
            return
        if strings and self._one_line_per_string(strings, layout.source_tokens):
            first = self.raw.line_of(layout.source_tokens[0].start)
            count = len(strings) + (1 if strings[-1].endswith("\n") else 0)
            layout.line_map.extend(range(first, first + len(strings)))
            layout.line_token.extend(range(len(strings)))
            if count > len(strings):  # source ends with a newline: an empty last line
                layout.line_map.append(layout.line_map[-1])
                layout.line_token.append(len(strings) - 1)
            return
        line_map, line_token = layout.line_map, layout.line_token
        at_line_start = True
        text, previous, line = self.text, None, 0
        for token_index, (piece, span) in enumerate(zip(strings, layout.source_tokens)):
            piece = normalise_newlines(piece)
            if not piece:
                continue
            if previous is None:
                line = self.raw.line_of(span.start)
            else:  # the next string of the same cell: count on from the previous one
                line += text.count("\n", previous, span.start)
            previous = span.start
            if at_line_start:
                line_map.append(line)
                line_token.append(token_index)
            breaks = piece.count("\n") - (1 if piece.endswith("\n") else 0)
            line_map.extend([line] * breaks)
            line_token.extend([token_index] * breaks)
            at_line_start = piece.endswith("\n")
        if at_line_start and line_map:  # source ends with a newline: an empty last line
            line_map.append(line_map[-1])
            line_token.append(line_token[-1])
