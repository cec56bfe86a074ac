"""nbformat 3 notebooks in nbformat 4's shape, without importing nbformat.

nbformat's own upgrade imports its JSON Schema validator: about 0.1 s in every process
that meets one nbformat 3 file, a tenth of a whole corpus lint.  The linter needs only
the cells, so the upgrade is done here, field for field as nbformat 4's converter does
it (heading cells become markdown, ``input`` becomes ``source``, ``prompt_number``
becomes ``execution_count``, outputs take their nbformat 4 names and mime-type keys).
A test compares the two on every nbformat 3 notebook of the test fixtures.
"""

from __future__ import annotations

from typing import Any

#: nbformat 3's short output keys and the mime types nbformat 4 files them under.
_MIME_TYPES = {
    "text": "text/plain",
    "html": "text/html",
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "latex": "text/latex",
    "json": "application/json",
    "javascript": "application/javascript",
}
#: Output keys nbformat 3 files may store as a list of lines.
_MULTILINE_OUTPUTS = ("text", "html", "svg", "latex", "javascript", "json")
NBFORMAT_MINOR = 5  # the minor version nbformat's upgrade writes


def upgrade(doc: dict) -> dict:
    """The nbformat 4 form of nbformat 3 ``doc``; ValueError when nbformat would refuse it."""
    # What nbformat's upgrade (and so Jupyter) refuses, refused here too.
    worksheets, metadata = doc.get("worksheets"), doc.get("metadata")
    if not isinstance(metadata, dict):
        raise ValueError("it has no 'metadata' object")
    if not isinstance(worksheets, list) or not all(
        isinstance(sheet, dict) and isinstance(sheet.get("cells"), list) for sheet in worksheets
    ):
        raise ValueError("'worksheets' is not a list of worksheets with 'cells'")
    metadata = dict(metadata)
    metadata.pop("name", None)
    metadata.pop("signature", None)
    metadata["orig_nbformat"] = doc.get("orig_nbformat") or 3
    metadata["orig_nbformat_minor"] = doc.get("orig_nbformat_minor") or 0
    cells = [_cell(cell) for sheet in worksheets for cell in sheet["cells"]]
    return {"nbformat": 4, "nbformat_minor": NBFORMAT_MINOR, "metadata": metadata, "cells": cells}


def _cell(cell: Any) -> Any:
    if not isinstance(cell, dict):
        return cell  # the notebook model reads it as an empty raw cell
    cell = dict(cell)
    cell.setdefault("metadata", {})
    kind = cell.get("cell_type")
    if kind == "code":
        cell.pop("language", None)
        if "collapsed" in cell:
            cell["metadata"] = {**cell["metadata"], "collapsed": cell.pop("collapsed")}
        cell["source"] = _joined(cell.pop("input", ""))
        cell["execution_count"] = cell.pop("prompt_number", None)
        outputs = cell.get("outputs", [])
        cell["outputs"] = [_output(o) for o in outputs] if isinstance(outputs, list) else []
    elif kind == "heading":
        level = cell.pop("level", 1)
        text = _joined(cell.get("source", ""))
        cell["cell_type"] = "markdown"
        cell["source"] = "#" * level + " " + " ".join(text.splitlines())
    else:
        for key in ("source", "rendered"):
            if key in cell:
                cell[key] = _joined(cell[key])
        if kind == "html":
            cell["cell_type"] = "markdown"
    return cell


def _output(output: Any) -> Any:
    if not isinstance(output, dict):
        return output
    output = {k: _joined(v) if k in _MULTILINE_OUTPUTS else v for k, v in output.items()}
    kind = output.get("output_type")
    if kind in ("pyout", "display_data"):
        metadata = output.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        if kind == "pyout":
            output["output_type"] = "execute_result"
            output["execution_count"] = output.pop("prompt_number", None)
        kept = ("output_type", "execution_count", "metadata")
        data = {_MIME_TYPES.get(k, k): v for k, v in output.items() if k not in kept}
        output = {k: v for k, v in output.items() if k in kept}
        output["metadata"] = {_MIME_TYPES.get(k, k): v for k, v in metadata.items()}
        output["data"] = data
    elif kind == "pyerr":
        output["output_type"] = "error"
    elif kind == "stream":
        output["name"] = output.pop("stream", "stdout")
    return output


def _joined(value: Any) -> Any:
    """nbformat 3 files store multi-line text as a list of lines, with or without newlines."""
    if not isinstance(value, list) or not all(isinstance(line, str) for line in value):
        return value
    if value and value[0].endswith(("\n", "\r")):
        return "".join(value)
    return "\n".join(value)
