"""Suppressions: ``# nb2prod: noqa[: CODES]`` on a line, ``nb2prod:noqa[=CODES]`` cell tags."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nb2prod.lexing import comment_start
from nb2prod.linter.rule import Finding
from nb2prod.notebook import Cell

_COMMENT = re.compile(r"#\s*nb2prod:\s*noqa\b(?::\s*(?P<codes>[\w\-]+(?:\s*,\s*[\w\-]+)*))?", re.I)
_TAG = re.compile(r"nb2prod:noqa(?:=(?P<codes>[\w\-]+(?:\s*,\s*[\w\-]+)*))?$", re.I)


@dataclass
class Suppression:
    """One ``noqa`` comment (``line`` set) or cell tag (``line`` None) and what it silenced."""

    cell: Cell
    line: int | None
    codes: tuple[str, ...] | None  # None: every rule
    column: int = 1
    end_column: int = 1
    used: set[str] = field(default_factory=set)

    def covers(self, finding: Finding, names: dict[str, str]) -> bool:
        if finding.cell != self.cell.number:
            return False
        if self.line is not None and self.line not in (finding.line, finding.end_line):
            return False
        if self.codes is None:
            return True
        return any(resolve(code, names) == finding.code for code in self.codes)


def suppressions(cells: list[Cell]) -> list[Suppression]:
    """Every suppression in the notebook's code cells."""
    found: list[Suppression] = []
    for cell in cells:
        for tag in cell.tags:
            match = _TAG.match(tag.strip())
            if match:
                found.append(Suppression(cell, None, _split(match.group("codes"))))
        if not _COMMENT.search(cell.source):
            continue
        for number, text in enumerate(cell.lines, start=1):
            match = _COMMENT.search(text)
            if match and comment_start(text) == match.start():  # a comment, not a string
                found.append(
                    Suppression(
                        cell,
                        number,
                        _split(match.group("codes")),
                        match.start() + 1,
                        match.end() + 1,
                    )
                )
    return found


def resolve(code: str, names: dict[str, str]) -> str:
    """The rule code a suppression's ``code`` means: a code, a rule name or an old code."""
    return names.get(code) or names.get(code.upper()) or code.upper()


def renamed(suppression: Suppression) -> list[tuple[str, tuple[int, int] | None]]:
    """The old codes ``suppression`` names, each with its columns in a ``noqa`` comment."""
    from nb2prod.linter.rule import RENAMED_CODES

    found: list[tuple[str, tuple[int, int] | None]] = []
    for code in suppression.codes or ():
        if code.upper() not in RENAMED_CODES:
            continue
        span = None
        if suppression.line is not None:
            text = suppression.cell.lines[suppression.line - 1]
            at = re.search(rf"\b{re.escape(code)}\b", text[suppression.column - 1 :])
            if at:
                span = (suppression.column + at.start(), suppression.column + at.end())
        found.append((code, span))
    return found


def _split(codes: str | None) -> tuple[str, ...] | None:
    return tuple(c.strip() for c in codes.split(",") if c.strip()) if codes else None


def apply(
    findings: list[Finding], found: list[Suppression], names: dict[str, str]
) -> list[Finding]:
    """Findings no suppression covers; each suppression records the codes it silenced."""
    kept: list[Finding] = []
    for finding in findings:
        covering = [s for s in found if s.covers(finding, names)]
        for suppression in covering:
            suppression.used.add(finding.code)
        if not covering:
            kept.append(finding)
    return kept


def unused(suppression: Suppression, names: dict[str, str], known: set[str]) -> str | None:
    """Why ``suppression`` is (partly) unused, or None when all of it silenced something."""
    where = "line" if suppression.line is not None else "cell tag"
    if suppression.codes is None:
        return None if suppression.used else f"unused `noqa` {where}: nothing to suppress here"
    stale = []
    for code in suppression.codes:
        resolved = resolve(code, names)
        if resolved not in known:
            stale.append(f"{code} (unknown rule)")
        elif resolved not in suppression.used:
            stale.append(code)
    if not stale:
        return None
    return f"unused `noqa` {where}: {', '.join(stale)} reported nothing here"
