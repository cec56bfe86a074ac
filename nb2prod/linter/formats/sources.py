"""The notebooks behind a report, re-read on demand for code frames and physical columns."""

from __future__ import annotations

import bisect
import re
from typing import cast

from nb2prod.linter.rule import Finding
from nb2prod.notebook import Cell, Notebook, load_notebook


class ReportSources:
    """The notebooks behind a report, re-read on demand (for frames and physical columns)."""

    def __init__(self) -> None:
        self._notebooks: dict[str, Notebook | None] = {}
        self._line_starts: dict[str, list[int]] = {}

    def notebook(self, path: str) -> Notebook | None:
        if path not in self._notebooks:
            try:
                self._notebooks[path] = load_notebook(path)
            except Exception:  # a missing frame must never cost the report
                self._notebooks[path] = None
        return self._notebooks[path]

    def cell(self, finding: Finding) -> Cell | None:
        """The finding's cell, if the file still holds it (same id when there is one)."""
        if finding.cell is None:
            return None
        notebook = self.notebook(finding.path)
        if notebook is None or not 0 < finding.cell <= len(notebook.cells):
            return None
        cell = notebook.cells[finding.cell - 1]
        if finding.cell_id and cell.id != finding.cell_id:
            return None  # the file changed since it was linted
        return cell

    def physical(self, finding: Finding, end: bool = False) -> tuple[int, int] | None:
        """``(line, column)`` in the .ipynb file of the finding's start (or end), 1-based."""
        cell = self.cell(finding)
        if cell is None or finding.line is None:
            return None
        notebook = cast(Notebook, self.notebook(finding.path))  # self.cell found it there
        line, column = (
            (finding.end_line, finding.end_column) if end else (finding.line, finding.column)
        )
        line = min(max(line or finding.line, 1), len(cell.lines))
        row = cell.lines[line - 1]
        offset = notebook.raw_offset(cell, line, min(max(column or 1, 1), len(row) + 1))
        if offset is None:
            return None
        if finding.path not in self._line_starts:
            starts = [0] + [m.end() for m in re.finditer("\n", notebook.text)]
            self._line_starts[finding.path] = starts
        physical_line = bisect.bisect_right(self._line_starts[finding.path], offset)
        if physical_line != cell.ipynb_line(line):
            return None  # never report a column the model disagrees with
        return physical_line, offset - self._line_starts[finding.path][physical_line - 1] + 1

    def ipynb_span(self, finding: Finding) -> tuple[int, int | None, int, int | None]:
        """``(line, column, end_line, end_column)`` of the finding in the .ipynb file.

        Lines come from the finding (``ipynb_line``; 1 for notebook-level findings);
        columns are None when the file cannot be re-read or does not match any more.
        """
        line = max(finding.ipynb_line or 1, 1)
        cell = self.cell(finding)
        if cell is None:
            return line, None, line, None
        end_line = max(cell.ipynb_line(finding.end_line or finding.line or 1) or line, line)
        start, end = self.physical(finding), self.physical(finding, end=True)
        column = start[1] if start and start[0] == line else None
        end_column = None
        if start and column is not None and end is not None and end[0] == end_line and end > start:
            end_column = end[1]
        return line, column, end_line, end_column
