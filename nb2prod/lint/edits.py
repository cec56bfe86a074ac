"""Safe fixes as edits of the raw notebook text, so everything else stays byte-identical."""

from __future__ import annotations

import json

from nb2prod.lint.rule import Edit
from nb2prod.notebook import Cell, Notebook


def replace_in_line(notebook: Notebook, cell: Cell, line: int, column: int, end_column: int,
                    replacement: str) -> Edit | None:
    """Replace columns ``[column, end_column)`` of cell line ``line`` (1-based) with ``replacement``.

    None when the cell's raw positions are unknown (e.g. an upgraded nbformat 3 file).
    """
    raw = cell.raw
    if raw is None or notebook.upgraded_from or not 0 < line <= len(raw.line_token):
        return None
    token_index = raw.line_token[line - 1]
    span = raw.source_tokens[token_index]
    body = notebook.text[span.start + 1 : span.end - 1]  # without the quotes
    offsets, decoded = _decode_offsets(body)
    if "\r" in decoded:
        return None  # offsets would not survive newline normalisation
    starts = [0] if _token_starts_line(raw, token_index) else []
    starts += [i + 1 for i, char in enumerate(decoded) if char == "\n" and i + 1 < len(decoded)]
    nth = sum(1 for j in range(line - 1) if raw.line_token[j] == token_index)
    if nth >= len(starts):
        return None
    start = starts[nth] + column - 1
    end = starts[nth] + end_column - 1
    if not 0 <= start <= end <= len(decoded):
        return None
    encoded = json.dumps(replacement, ensure_ascii=False)[1:-1]
    return Edit(span.start + 1 + offsets[start], span.start + 1 + offsets[end], encoded)


def _token_starts_line(raw, token_index: int) -> bool:
    lines_before = [i for i, t in enumerate(raw.line_token) if t == token_index]
    if not lines_before:
        return False
    first = lines_before[0]
    return first == 0 or raw.line_token[first - 1] != token_index


def _decode_offsets(body: str) -> tuple[list[int], str]:
    """Decode a JSON string body; ``offsets[i]`` is the raw offset of decoded char ``i``."""
    offsets: list[int] = []
    decoded: list[str] = []
    i = 0
    while i < len(body):
        offsets.append(i)
        if body[i] != "\\":
            decoded.append(body[i])
            i += 1
            continue
        if body[i + 1] == "u":
            high = 0xD800 <= int(body[i + 2 : i + 6], 16) < 0xDC00
            length = 12 if high and body[i + 6 : i + 8] == "\\u" else 6  # a pair is one char
            decoded.append(json.loads(f'"{body[i : i + length]}"'))
            i += length
        else:
            decoded.append(json.loads(f'"{body[i : i + 2]}"'))
            i += 2
    offsets.append(len(body))
    return offsets, "".join(decoded)


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
