"""Safe fixes as edits of the raw notebook text, so everything else stays byte-identical."""

from __future__ import annotations

import json

from nb2prod.linter.rule import Edit
from nb2prod.notebook import Cell, Notebook


def replace_in_line(
    notebook: Notebook, cell: Cell, line: int, column: int, end_column: int, replacement: str
) -> Edit | None:
    """Replace columns ``[column, end_column)`` of cell line ``line`` (1-based) with ``replacement``.

    None when the cell's raw positions are unknown (e.g. an upgraded nbformat 3 file) or
    the span does not lie inside one JSON string of the file.
    """
    if cell.raw is None or notebook.upgraded_from or not 0 < line <= len(cell.raw.line_token):
        return None
    start = notebook.raw_offset(cell, line, column)
    end = notebook.raw_offset(cell, line, end_column)
    token = cell.raw.source_tokens[cell.raw.line_token[line - 1]]
    if start is None or end is None or not token.start < start <= end < token.end:
        return None
    return Edit(start, end, json.dumps(replacement, ensure_ascii=False)[1:-1])


def remove_outputs(notebook: Notebook, cell: Cell, drop: set[int]) -> Edit | None:
    """Remove the outputs at indices ``drop`` of ``cell``, keeping the array's layout."""
    raw = cell.raw
    if raw is None or raw.outputs is None or notebook.upgraded_from:
        return None
    items = raw.output_items
    if len(items) != len(cell.outputs) or not drop:
        return None
    text = notebook.text
    kept = [span for i, span in enumerate(items) if i not in drop]
    if not kept:
        return Edit(raw.outputs.start, raw.outputs.end, "[]")
    separator = text[items[0].end : items[1].start] if len(items) > 1 else ",\n"
    opening = text[raw.outputs.start : items[0].start]
    closing = text[items[-1].end : raw.outputs.end]
    body = separator.join(text[s.start : s.end] for s in kept)
    return Edit(raw.outputs.start, raw.outputs.end, opening + body + closing)
