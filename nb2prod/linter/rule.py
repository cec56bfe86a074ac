"""The rule model: a rule is data (code, name, severity, family, fix, options, docs)
plus one ``check`` function; every subclass with a ``code`` registers itself."""

from __future__ import annotations

import ast
import enum
import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from nb2prod.linter.context import NotebookContext
    from nb2prod.notebook import Cell


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


#: Rule families; ``execution`` rules change severity with the profile.
FAMILIES = {
    "notebook": "Notebook",
    "execution": "Execution state",
    "paths": "Paths and data",
    "interactive": "Manual and interactive",
    "environment": "Environment",
    "secrets": "Secrets",
    "reproducibility": "Reproducibility",
    "structure": "Structure",
}


@dataclass(frozen=True)
class Edit:
    """Replace ``[start, end)`` of the raw notebook text with ``text``."""

    start: int
    end: int
    text: str


@dataclass
class Finding:
    """One problem; the JSON shape is the contract of ARCHITECTURE §4.2."""

    code: str
    name: str
    severity: str
    message: str
    path: str
    cell: int | None = None
    cell_id: str | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    ipynb_line: int | None = None
    fix: str | None = None
    edits: tuple[Edit, ...] = field(default=(), repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _JSON_FIELDS}

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.line or 0, self.column or 0, self.code)


_JSON_FIELDS = tuple(f.name for f in fields(Finding) if f.name != "edits")

REGISTRY: dict[str, type[Rule]] = {}


class Rule:
    """Base of every rule.  The class docstring is the rule's documentation, in the
    sections *What it does*, *Why it blocks production*, *Example*, *Use instead*, *Fix*."""

    code: ClassVar[str]
    name: ClassVar[str]
    family: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    #: What the safe fix does, or None when the rule has no automatic fix.
    fix: ClassVar[str | None] = None
    #: False for rules that only run when selected explicitly.
    default: ClassVar[bool] = True
    #: Option name -> default value, read from ``[tool.nb2prod.lint]``.
    options: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            if cls.code in REGISTRY:
                raise RuntimeError(f"rule code {cls.code} registered twice")
            if cls.family not in FAMILIES:
                raise RuntimeError(f"{cls.code}: unknown family {cls.family!r}")
            REGISTRY[cls.code] = cls

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first sentence of *What it does*."""
        lines = [line.strip() for line in cls.doc().splitlines()]
        text = " ".join(lines[1 : lines.index("", 1)] if "" in lines[1:] else lines[1:])
        return text.split(". ")[0].rstrip(".") + "." if text else ""

    def check(self, ctx: NotebookContext) -> Iterator[Finding]:
        raise NotImplementedError

    # -- helpers for check()
    def report(
        self,
        ctx: NotebookContext,
        message: str,
        cell: Cell | None = None,
        *,
        node: ast.AST | None = None,
        span: tuple[int, int, int, int] | None = None,
        edits: tuple[Edit, ...] = (),
    ) -> Finding:
        """A finding of this rule at ``node`` or ``span`` (cell line/column, 1-based) of ``cell``."""
        finding = Finding(
            code=self.code,
            name=self.name,
            severity=self.severity.value,
            message=message,
            path=ctx.display_path,
            fix=self.fix if edits else None,
            edits=edits,
        )
        if cell is None:
            return finding
        if node is not None:
            span = ctx.parsed(cell).position(node)
        line, column, end_line, end_column = span or (1, 1, 1, len(cell.lines[0]) + 1)
        finding.cell, finding.cell_id = cell.number, cell.id
        finding.line, finding.column = line, column
        finding.end_line, finding.end_column = end_line, end_column
        finding.ipynb_line = cell.ipynb_line(line)
        return finding


def all_rules() -> list[type[Rule]]:
    """Every registered rule, by code."""
    import nb2prod.linter.rules  # noqa: F401  (importing the families registers them)

    return [REGISTRY[code] for code in sorted(REGISTRY)]


def get_rule(code: str) -> type[Rule] | None:
    all_rules()
    return REGISTRY.get(code.upper())
