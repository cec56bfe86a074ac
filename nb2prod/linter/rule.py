"""The rule model: a rule is data (code, name, severity, family, fix, options, docs)
plus one ``check`` function; every subclass with a ``code`` registers itself."""

from __future__ import annotations

import ast
import enum
import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, cast

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


class Family(NamedTuple):
    prefix: str
    title: str


#: Rule families, one code prefix each (``--select NB4`` is the environment family);
#: ``execution`` rules change severity with the profile.
FAMILIES = {
    "notebook": Family("NB0", "Notebook"),
    "execution": Family("NB1", "Execution state"),
    "paths": Family("NB2", "Paths and data"),
    "interactive": Family("NB3", "Manual and interactive"),
    "environment": Family("NB4", "Environment"),
    "secrets": Family("NB5", "Secrets"),
    "reproducibility": Family("NB6", "Reproducibility"),
    "structure": Family("NB7", "Structure"),
}

#: Codes renumbered in 0.2 so that each family has one prefix: old code -> new code.  The
#: old codes keep working in selectors and ``noqa`` until :data:`OLD_CODES_END`, with a note.
RENAMED_CODES = {
    "NB302": "NB403",
    "NB303": "NB405",
    "NB304": "NB406",
    "NB306": "NB407",
    "NB404": "NB704",
}
OLD_CODES_END = "0.3"


def renamed_note(old: str) -> str:
    """The deprecation note for using the old code ``old``."""
    new = RENAMED_CODES[old.upper()]
    rule = cast("type[Rule]", get_rule(new))  # every new code is a rule's
    return (
        f"rule code {old.upper()} is now {new} ({rule.name}); "
        f"write {new}: {old.upper()} stops working in nb2prod {OLD_CODES_END}"
    )


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
            if not cls.code.startswith(FAMILIES[cls.family].prefix):
                raise RuntimeError(
                    f"{cls.code}: the {cls.family} family's codes start with "
                    f"{FAMILIES[cls.family].prefix}"
                )
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
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this rule at ``node`` or ``span`` (cell line/column, 1-based) of ``cell``.
        ``severity`` replaces the rule's for this one finding (an install that runs only on
        Colab is info where the rule's other installs are errors)."""
        finding = Finding(
            code=self.code,
            name=self.name,
            severity=(severity or self.severity).value,
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
    """The rule with ``code``, or with the old code ``code`` (see :data:`RENAMED_CODES`)."""
    all_rules()
    code = code.upper()
    return REGISTRY.get(RENAMED_CODES.get(code, code))


def selector_names() -> dict[str, str]:
    """What selectors and ``noqa`` may name a rule by, besides its code: its name and, until
    :data:`OLD_CODES_END`, its old code."""
    return {rule.name: rule.code for rule in all_rules()} | RENAMED_CODES
