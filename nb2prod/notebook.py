"""Tolerant notebook loading: the Cell/Notebook model with positions in the raw file.

Notebooks are read with the standard ``json`` decoder, walked once so that every
source string keeps its physical line in the ``.ipynb`` file (findings, SARIF and
GitHub annotations point there) and every output keeps its byte span (``--fix``
edits the raw text so the rest of the file stays byte-identical).  nbformat is
imported only to upgrade nbformat 3 files: importing it costs more than linting a
notebook.
"""

from __future__ import annotations

import bisect
import functools
import json
import os
import re
from dataclasses import dataclass, field
from json.decoder import scanstring
from typing import Any

from nb2prod.errors import NotebookReadError

_WS = re.compile(r"[ \t\n\r]*")
_KEY_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_DECODER = json.JSONDecoder()

#: Kernel names (lower case, prefix match) of kernels that do not run Python.
_NON_PYTHON_KERNELS = (
    "ir",
    "julia",
    "bash",
    "scala",
    "spylon",
    "javascript",
    "ijavascript",
    "java",
    "sql",
    "xcpp",
    "evcxr",
    "rust",
    "gophernotes",
    "go",
    "ruby",
    "ielixir",
    "haskell",
    "powershell",
    "kotlin",
    ".net-",
    "apache_toree",
    "octave",
    "matlab",
    "wolfram",
    "stata",
    "sas",
    "c",
)


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
        return _Scanner(self.raw).cell_layout(self.span.start)

    @functools.cached_property
    def _source_layout(self) -> _CellLayout:
        # Every finding asks for its ipynb_line: find the source strings without
        # decoding the rest of the cell (outputs can be megabytes).
        return _Scanner(self.raw).source_layout(self.span, self._source) or self._layout

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


@dataclass
class Cell:
    """One notebook cell; ``index`` is 0-based over all cells, ``number`` 1-based."""

    index: int
    cell_type: str
    source: str
    id: str | None = None
    metadata: dict = field(default_factory=dict)
    execution_count: int | None = None
    outputs: list = field(default_factory=list)
    raw: CellRaw | None = None

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def tags(self) -> tuple[str, ...]:
        tags = self.metadata.get("tags") if isinstance(self.metadata, dict) else None
        return tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else ()

    @property
    def is_code(self) -> bool:
        return self.cell_type == "code"

    @functools.cached_property
    def lines(self) -> list[str]:
        return self.source.split("\n")

    @property
    def line_map(self) -> list[int]:
        """Cell line (0-based) -> physical line of the .ipynb file; empty when unknown."""
        return self.raw.line_map if self.raw is not None else []

    def ipynb_line(self, line: int) -> int | None:
        """Physical line of the .ipynb file holding cell line ``line`` (1-based)."""
        line_map = self.line_map
        if not line_map:
            return None
        return line_map[min(max(line, 1), len(line_map)) - 1]

    @property
    def language(self) -> str | None:
        """The cell's own language where an editor recorded one (VS Code), else None."""
        vscode = self.metadata.get("vscode") if isinstance(self.metadata, dict) else None
        lang = vscode.get("languageId") if isinstance(vscode, dict) else None
        return lang.lower() if isinstance(lang, str) else None


@dataclass
class Notebook:
    """A notebook read from ``path``; ``text`` is the raw file as read."""

    path: str
    text: str
    nbformat: int
    nbformat_minor: int
    metadata: dict
    cells: list[Cell]
    upgraded_from: int | None = None
    _offsets: dict[int, list[list[int]] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def raw_offset(self, cell: Cell, line: int, column: int) -> int | None:
        """Offset in ``text`` of the character at ``line``/``column`` (1-based) of ``cell``.

        The column just past a line's end maps to the escaped newline (or the closing
        quote) that ends it.  None when the cell's raw positions are unknown.
        """
        if cell.index not in self._offsets:
            try:
                self._offsets[cell.index] = _character_offsets(self.text, cell)
            except (LookupError, ValueError):  # a layout the scanner did not record
                self._offsets[cell.index] = None
        offsets = self._offsets[cell.index]
        if not offsets or not 0 < line <= len(offsets) or not 0 < column <= len(offsets[line - 1]):
            return None
        return offsets[line - 1][column - 1]

    @property
    def code_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.is_code]

    @property
    def kernel_name(self) -> str | None:
        spec = self.metadata.get("kernelspec")
        name = spec.get("name") if isinstance(spec, dict) else None
        return name if isinstance(name, str) else None

    @property
    def language(self) -> str:
        """Lower-case kernel language; ``python`` when nothing says otherwise."""
        info, spec, jupytext = (
            self.metadata.get(k) for k in ("language_info", "kernelspec", "jupytext")
        )
        for holder, key in ((info, "name"), (spec, "language"), (jupytext, "main_language")):
            value = holder.get(key) if isinstance(holder, dict) else None
            if isinstance(value, str) and value.strip():
                value = value.strip().lower()
                return "python" if "python" in value else value
        name = (self.kernel_name or "").lower()
        if not name or "python" in name or name.startswith("py"):
            return "python"
        for prefix in _NON_PYTHON_KERNELS:
            if name == prefix or (len(prefix) > 2 and name.startswith(prefix)):
                return prefix.strip(".-_")
        return "python"

    @property
    def is_databricks(self) -> bool:
        """Exported from Databricks, where ``%sql`` on a cell's first line sets its language."""
        return "application/vnd.databricks.v1+notebook" in self.metadata

    @property
    def is_python(self) -> bool:
        return self.language == "python"


# --------------------------------------------------------------------------- loading


def load_notebook(path: str | os.PathLike) -> Notebook:
    """Read and model the notebook at ``path``; raise NotebookReadError if it is not one."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise NotebookReadError(path, f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookReadError(
            path, f"not UTF-8 text (byte {exc.start})", "re-save the notebook from Jupyter"
        ) from None
    return parse_notebook(text, path)


def parse_notebook(text: str, path: str = "<notebook>") -> Notebook:
    """Model notebook JSON ``text``; raise NotebookReadError when it is not a notebook."""
    if not text or text.isspace():  # isspace() stops at the first character: no copy
        raise NotebookReadError(path, "empty file, not a notebook", "delete it or re-save it")
    try:
        document, raws = _Scanner(RawText(text)).document()
    except (ValueError, IndexError, _Unexpected):
        # Either not JSON (json.loads raises the precise error) or a shape the
        # position scanner does not follow; then read it without positions.
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _json_error(path, text, exc) from None
        raws = []
    if not isinstance(document, dict):
        raise NotebookReadError(path, "not a notebook: the JSON is not an object")
    return _build(path, text, document, raws)


def _json_error(path: str, text: str, exc: json.JSONDecodeError) -> NotebookReadError:
    unterminated = exc.msg.startswith("Unterminated string") and '"' not in text[exc.pos + 1 :]
    if exc.pos >= len(text.rstrip()) - 1 or unterminated:
        return NotebookReadError(
            path,
            f"truncated notebook: the JSON ends early ({exc.msg}, line {exc.lineno})",
            "restore it from version control or a checkpoint in .ipynb_checkpoints/",
        )
    return NotebookReadError(
        path,
        f"not valid notebook JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
        "fix the JSON by hand or restore the file from version control",
    )


def _build(path: str, text: str, doc: dict, raws: list[CellRaw]) -> Notebook:
    major = doc.get("nbformat")
    if major is None:
        major = 3 if "worksheets" in doc else 4 if "cells" in doc else None
    if not isinstance(major, int) or isinstance(major, bool):
        raise NotebookReadError(path, "not a notebook: no 'nbformat' version and no 'cells'")
    minor = doc.get("nbformat_minor", 0)
    minor = minor if isinstance(minor, int) else 0
    upgraded_from = None
    if major < 3:
        raise NotebookReadError(
            path, f"nbformat {major} is too old", "open and re-save it with Jupyter to upgrade"
        )
    if major > 4:
        raise NotebookReadError(path, f"nbformat {major} is newer than nb2prod reads (4.x)")
    if major == 3:
        doc = _upgrade_v3(path, doc)
        upgraded_from, major, minor = 3, 4, doc.get("nbformat_minor", 0)
    raw_cells = doc.get("cells")
    if not isinstance(raw_cells, list):
        raise NotebookReadError(path, "not a notebook: 'cells' is missing or not a list")
    metadata = doc.get("metadata")
    cells = [_cell(i, raw, raws[i] if i < len(raws) else None) for i, raw in enumerate(raw_cells)]
    return Notebook(
        path=path,
        text=text,
        nbformat=major,
        nbformat_minor=minor,
        metadata=metadata if isinstance(metadata, dict) else {},
        cells=cells,
        upgraded_from=upgraded_from,
    )


def _upgrade_v3(path: str, doc: dict) -> dict:
    import nbformat  # only nbformat 3 files pay for this import
    from nbformat.v3.rwbase import rejoin_lines

    try:
        # v3 files store multi-line strings as lists; the upgrade expects them joined.
        return nbformat.convert(rejoin_lines(nbformat.from_dict(doc)), 4)
    except Exception as exc:  # nbformat raises several unrelated types here
        raise NotebookReadError(path, f"cannot upgrade nbformat 3 notebook: {exc}") from None


def _cell(index: int, raw: Any, raw_pos: CellRaw | None) -> Cell:
    if not isinstance(raw, dict):
        return Cell(index=index, cell_type="raw", source="")
    source = raw.get("source", "")
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    elif not isinstance(source, str):
        source = ""
    source = _normalise_newlines(source)
    count = raw.get("execution_count")
    outputs = raw.get("outputs")
    metadata = raw.get("metadata")
    cell_id = raw.get("id")
    cell = Cell(
        index=index,
        cell_type=raw.get("cell_type") if isinstance(raw.get("cell_type"), str) else "raw",
        source=source,
        id=cell_id if isinstance(cell_id, str) else None,
        metadata=metadata if isinstance(metadata, dict) else {},
        execution_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        outputs=outputs if isinstance(outputs, list) else [],
        raw=raw_pos,
    )
    return cell


def _character_offsets(text: str, cell: Cell) -> list[list[int]] | None:
    """Raw offset of every character of every line of ``cell`` (plus one past each line)."""
    tokens = cell.raw.source_tokens if cell.raw else []
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
    return lines if len(lines) == len(cell.lines) else None


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


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


# --------------------------------------------------------------------------- scanning


class _Unexpected(Exception):
    """The JSON is valid so far but not shaped like a notebook the scanner follows."""


class _Scanner:
    """Walk notebook JSON, decoding values with the C decoder (``raw_decode``).

    ``document`` walks only the top level and records each cell's span, so loading
    costs about what ``json.loads`` costs; ``cell_layout`` walks one cell's object when
    the positions of its source strings and outputs are needed.
    """

    def __init__(self, raw: RawText) -> None:
        self.raw = raw
        self.text = raw.text

    def ws(self, i: int) -> int:
        return _WS.match(self.text, i).end()

    def expect(self, i: int, char: str) -> int:
        if self.text[i] != char:
            raise _Unexpected(i)
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
                raise _Unexpected(i)
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
            raise _Unexpected(end)
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
            at = text.find(key, span.start, span.end)
            while at >= 0:
                colon = _KEY_COLON.match(text, at + len(key))
                if colon:
                    try:
                        value, end = self.value(colon.end())
                    except ValueError:
                        value, end = None, 0
                    if value == source and value is not None:
                        return self._source_tokens(colon.end(), end, {"source": source})
                at = text.find(key, at + 1, span.end)
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

    def _map_lines(self, cell: dict, layout: _CellLayout) -> None:
        """Physical line of each cell source line, from the spans of its strings."""
        source = cell.get("source", cell.get("input"))
        pieces = source if isinstance(source, list) else [source]
        strings = [p for p in pieces if isinstance(p, str)]
        if len(strings) != len(layout.source_tokens):
            return
        line_map, line_token = layout.line_map, layout.line_token
        at_line_start = True
        text, previous, line = self.text, None, 0
        for token_index, (piece, span) in enumerate(zip(strings, layout.source_tokens)):
            piece = _normalise_newlines(piece)
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
