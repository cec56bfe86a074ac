"""Tolerant notebook loading and the Cell/Notebook model.

Any nbformat 3 or 4 file, with or without metadata, is read; anything that is not a
notebook raises one NotebookReadError saying what is wrong and what to do.  Positions in
the raw file (``Cell.ipynb_line``, ``Notebook.raw_offset``) come from ``rawjson``.
nbformat is imported only to upgrade nbformat 3 files: importing it costs more than
linting a notebook.
"""

from __future__ import annotations

import functools
import json
import os
import stat
from dataclasses import dataclass, field
from typing import Any

from nb2prod import nbformat3
from nb2prod.errors import NotebookReadError
from nb2prod.rawjson import (
    CellRaw,
    RawText,
    Scanner,
    Unexpected,
    character_offsets,
    normalise_newlines,
)

#: Language names of kernels that run Python (sparkmagic's PySpark kernel says "pyspark").
_PYTHON_DIALECTS = frozenset({"pyspark", "ipython", "pypy", "pypy3", "cython"})
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
    def label(self) -> str:
        """``cell 4 (id 1a2b3c)``: how messages name a cell."""
        return f"cell {self.number}" + (f" (id {self.id})" if self.id else "")

    @functools.cached_property
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
                self._offsets[cell.index] = character_offsets(
                    self.text, cell.raw.source_tokens if cell.raw else [], len(cell.lines)
                )
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
                return "python" if "python" in value or value in _PYTHON_DIALECTS else value
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
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block the read forever
            raise NotebookReadError(path, "not a regular file", "pass a .ipynb file or a folder")
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise NotebookReadError(path, f"cannot read file: {exc.strerror or exc}") from None
    return notebook_from_bytes(data, path)


def notebook_from_bytes(data: bytes, path: str) -> Notebook:
    """Model the notebook file content ``data`` read from ``path``."""
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
        document, raws = _decode(text, path)
    except RecursionError:
        raise NotebookReadError(
            path, "the JSON is nested too deeply to be a notebook", "restore the file"
        ) from None
    if not isinstance(document, dict):
        raise NotebookReadError(path, "not a notebook: the JSON is not an object")
    return _build(path, text, document, raws)


def _decode(text: str, path: str) -> tuple[Any, list[CellRaw]]:
    try:
        return Scanner(RawText(text)).document()
    except (ValueError, IndexError, Unexpected):
        # Either not JSON (json.loads raises the precise error) or a shape the
        # position scanner does not follow; then read it without positions.
        try:
            return json.loads(text), []
        except json.JSONDecodeError as exc:
            raise _json_error(path, text, exc) from None


def _json_error(path: str, text: str, exc: json.JSONDecodeError) -> NotebookReadError:
    if not text.lstrip().startswith("{"):  # not a broken notebook: another kind of file
        suffix = os.path.splitext(path)[1].lower()
        if text.lstrip().startswith("<"):
            kind, hint = "an HTML page", "download the raw .ipynb, not the web page showing it"
        else:
            kind = f"a {suffix} file" if suffix not in ("", ".ipynb") else "a file that is not JSON"
            hint = "nb2prod reads Jupyter notebooks (.ipynb): pass notebooks, or a folder to search"
        return NotebookReadError(path, f"not a notebook: {kind}", hint)
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
    if upgraded_from:  # nbformat 3 has no cell ids; the upgrade invents random ones
        for cell in cells:
            cell.id = None
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
    try:
        return nbformat3.upgrade(doc)
    except ValueError as exc:
        raise NotebookReadError(path, f"cannot upgrade nbformat 3 notebook: {exc}") from None


def _cell(index: int, raw: Any, raw_pos: CellRaw | None) -> Cell:
    if not isinstance(raw, dict):
        return Cell(index=index, cell_type="raw", source="")
    source = raw.get("source", "")
    if isinstance(source, list):
        try:
            source = "".join(source)
        except TypeError:  # a hand-edited file: keep the strings
            source = "".join(s for s in source if isinstance(s, str))
    elif not isinstance(source, str):
        source = ""
    source = normalise_newlines(source)
    count = raw.get("execution_count")
    outputs = raw.get("outputs")
    metadata = raw.get("metadata")
    cell_id = raw.get("id")
    cell_type = raw.get("cell_type")
    cell = Cell(
        index=index,
        cell_type=cell_type if isinstance(cell_type, str) else "raw",
        source=source,
        id=cell_id if isinstance(cell_id, str) else None,
        metadata=metadata if isinstance(metadata, dict) else {},
        execution_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        outputs=outputs if isinstance(outputs, list) else [],
        raw=raw_pos,
    )
    return cell


def import_nbformat():
    """``import nbformat``, without the second it can cost.

    nbformat imports jsonschema, which, when ``rfc3987_syntax`` is installed (Jupyter
    Server's jupyter-events pulls it in), compiles a grammar for the "iri" string formats
    at import time: about one second, in every process that reads a notebook.  nb2prod
    never validates those formats, so that module is kept out while nbformat loads; it
    can still be imported afterwards.
    """
    import sys

    if "nbformat" in sys.modules or "jsonschema" in sys.modules:
        import nbformat

        return nbformat
    blocked = "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # importing it raises ImportError
    try:
        import nbformat
    finally:
        if blocked:
            del sys.modules["rfc3987_syntax"]
    return nbformat
