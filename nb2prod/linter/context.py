"""Everything a rule may ask about the notebook it checks, computed once and shared."""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from nb2prod.config import LintSettings, find_project_root
from nb2prod.flow import CellNames, NameProblem, cell_names, name_problems
from nb2prod.notebook import Cell, Notebook
from nb2prod.syntax import Escape, ParsedCell, child_fields, parse_cell

PARAMETERS_TAG = "parameters"
T = TypeVar("T")
N = TypeVar("N", bound=ast.AST)


class NotebookContext:
    """A notebook under lint, with its parsed cells, name flow and import aliases."""

    def __init__(self, notebook: Notebook, settings: LintSettings, display_path: str | None = None):
        self.notebook = notebook
        self.settings = settings
        self.display_path = display_path or notebook.path
        self._parsed: dict[int, ParsedCell] = {}
        self._shared: dict[Callable, Any] = {}

    # -- cells
    def parsed(self, cell: Cell) -> ParsedCell:
        """The cell parsed as IPython (cached)."""
        if cell.index not in self._parsed:
            databricks = self.notebook.is_databricks
            self._parsed[cell.index] = parse_cell(cell.source, databricks=databricks)
        return self._parsed[cell.index]

    @functools.cached_property
    def code_cells(self) -> list[Cell]:
        """Code cells whose language is Python (cells VS Code marks as another language excluded)."""
        return [c for c in self.notebook.cells if c.is_code and c.language in (None, "python")]

    def python_cells(self) -> Sequence[tuple[Cell, ParsedCell]]:
        """Code cells with their parse, in document order."""
        return self._python_cells

    @functools.cached_property
    def _python_cells(self) -> list[tuple[Cell, ParsedCell]]:
        return [(cell, self.parsed(cell)) for cell in self.code_cells]

    def trees(self) -> Sequence[tuple[Cell, ParsedCell, ast.Module]]:
        """Cells whose Python could be parsed (wholly or around a syntax error)."""
        return self._trees

    @functools.cached_property
    def _trees(self) -> list[tuple[Cell, ParsedCell, ast.Module]]:
        return [
            (cell, parsed, parsed.tree)
            for cell, parsed in self.python_cells()
            if parsed.tree is not None and parsed.python
        ]

    def escapes(self) -> Iterator[tuple[Cell, Escape]]:
        """Every IPython escape (magic, shell command, help) in document order."""
        for cell, parsed in self.python_cells():
            for escape in parsed.escapes:
                yield cell, escape

    @functools.cached_property
    def parameters_cell(self) -> Cell | None:
        """The cell tagged ``parameters`` (papermill's convention), if any."""
        return next((c for c in self.code_cells if PARAMETERS_TAG in c.tags), None)

    def is_parameters(self, cell: Cell) -> bool:
        return PARAMETERS_TAG in cell.tags

    # -- names
    @functools.cached_property
    def names(self) -> dict[int, CellNames]:
        """Module-scope names of each Python cell, by cell index."""
        return {cell.index: cell_names(parsed) for cell, parsed in self.python_cells()}

    @functools.cached_property
    def name_problems(self) -> list[NameProblem]:
        return name_problems([(c.index, self.names[c.index]) for c in self.code_cells])

    @functools.cached_property
    def imports(self) -> dict[str, str]:
        """Bound name -> dotted origin, over all cells (``np`` -> ``numpy``)."""
        merged: dict[str, str] = {}
        for names in self.names.values():
            for bound, origin in names.imports.items():
                merged.setdefault(bound, origin)
        return merged

    @functools.cached_property
    def user_names(self) -> set[str]:
        """Names the notebook binds other than by import (variables, functions, classes)."""
        bound: set[str] = set()
        for names in self.names.values():
            bound.update(n for n in names.defines if n not in names.imports)
        return bound

    def qualified_name(self, node: ast.AST) -> str | None:
        """Dotted name of ``node`` with its root resolved through imports.

        ``np.random.rand`` -> ``numpy.random.rand``; ``input`` -> ``input`` (a builtin);
        None when the root is a notebook variable (``df.to_csv``) or not a name chain.
        """
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        root = node.id
        if root in self.imports:
            root = self.imports[root]
        elif root in self.user_names:
            return None
        return ".".join([root, *reversed(parts)])

    def calls(self) -> list[tuple[Cell, ParsedCell, ast.Call, str | None]]:
        """Every call in parsed cells with its qualified callee name, in document order."""
        return self._calls

    @functools.cached_property
    def _calls(self) -> list[tuple[Cell, ParsedCell, ast.Call, str | None]]:
        return [
            (index.cell, index.parsed, node, self.qualified_name(node.func))
            for index in self.indexes
            for node in index.nodes(ast.Call)
        ]

    @functools.cached_property
    def indexes(self) -> list[CellIndex]:
        """A :class:`CellIndex` of every parsed cell (document order), one traversal each."""
        return [CellIndex.of(cell, parsed, tree) for cell, parsed, tree in self.trees()]

    def index(self, cell: Cell) -> CellIndex | None:
        """The :class:`CellIndex` of ``cell``, None when it has no parsed Python."""
        return self._index_by_cell.get(cell.index)

    @functools.cached_property
    def _index_by_cell(self) -> dict[int, CellIndex]:
        return {index.cell.index: index for index in self.indexes}

    def shared(self, compute: Callable[[NotebookContext], T]) -> T:
        """``compute(self)``, computed once per notebook and shared by every rule that asks."""
        if compute not in self._shared:
            self._shared[compute] = compute(self)
        return self._shared[compute]

    # -- settings and project
    def option(self, rule_code: str, name: str) -> Any:
        return self.settings.option(rule_code, name)

    @functools.cached_property
    def project_root(self) -> Path:
        return find_project_root(self.notebook.path)


@dataclass
class CellIndex:
    """One parsed cell's nodes, from a single traversal: in source order, by type, and
    each node's parent.  Rules use it instead of walking the tree again."""

    cell: Cell
    parsed: ParsedCell
    order: list[ast.AST]
    parents: dict[ast.AST, ast.AST]
    by_type: dict[type, list[ast.AST]]

    def nodes(self, *types: type[N]) -> Sequence[N]:
        """Nodes of the given types (each type's nodes in source order).  Rules ask this
        about every cell: one type's nodes come back as they are kept, without a copy."""
        by_type = self.by_type
        if len(types) == 1:
            return cast("list[N]", by_type.get(types[0], _NONE))
        found = [by_type[kind] for kind in types if kind in by_type]
        if len(found) <= 1:
            return cast("list[N]", found[0] if found else _NONE)
        return [node for nodes in found for node in cast("list[N]", nodes)]

    @classmethod
    def of(cls, cell: Cell, parsed: ParsedCell, tree: ast.Module) -> CellIndex:
        # The hottest loop of a lint run: one pass over every node of every cell.
        order: list[ast.AST] = []
        parents: dict[ast.AST, ast.AST] = {}
        by_type: dict[type, list[ast.AST]] = {}
        stack: list[ast.AST] = [tree]
        node_class = ast.AST
        while stack:
            node = stack.pop()
            order.append(node)
            kind = type(node)
            same = by_type.get(kind)
            if same is None:
                by_type[kind] = [node]
            else:
                same.append(node)
            fields = _CHILD_FIELDS.get(kind)
            if fields is None:
                fields = _CHILD_FIELDS[kind] = _child_fields(kind)
            for name in fields:  # last field first: the stack pops in source order
                value = getattr(node, name, None)
                if type(value) is list:
                    for item in reversed(value):
                        if isinstance(item, node_class):
                            parents[item] = node
                            stack.append(item)
                elif isinstance(value, node_class):
                    parents[value] = node
                    stack.append(value)
        return cls(cell, parsed, order, parents, by_type)


_NONE: list = []  # what nodes() gives for a type the cell has none of (never changed)

#: Node type -> the fields that can hold child nodes, last first.
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    return tuple(reversed(child_fields(kind)))


def walk_in_order(tree: ast.AST) -> Iterator[ast.AST]:
    """Nodes in source order (``ast.walk`` is breadth-first); iterative for deep trees."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
