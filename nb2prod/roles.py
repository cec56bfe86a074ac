"""Cell roles (ARCHITECTURE §4.1): what a cell is for when the notebook becomes a package.

A role is read from the cell's tags (``parameters``, ``nb2prod:export``, ...), from a
first line ``%%nb2prod ROLE`` or from a first line ``#| nb2prod: ROLE``.  One cell has
at most one role; two different roles, or an ``nb2prod:`` tag that names no role, are
errors that say which cell and what to write instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nb2prod.errors import UsageError
from nb2prod.notebook import Cell, Notebook

#: Every role, in the order a notebook usually has them.
ROLES = (
    "parameters",
    "export",
    "load",
    "reference",
    "example",
    "predict",
    "metrics",
    "skip",
)
#: The tag that gives each role (papermill's own tag for parameters).
ROLE_TAGS = {role: "parameters" if role == "parameters" else f"nb2prod:{role}" for role in ROLES}
_TAG_ROLES = {tag: role for role, tag in ROLE_TAGS.items()}
#: ``nb2prod:`` tags that are not roles (the linter's suppressions).
_OTHER_TAG = re.compile(r"nb2prod:noqa(?:=.*)?$", re.I)
_MAGIC = re.compile(r"%%nb2prod[ \t]+(\S+)")
_COMMENT = re.compile(r"#\|[ \t]*nb2prod:[ \t]*(\S+)")


class RoleError(UsageError):
    """A cell's role is unreadable: conflicting spellings, or a role that does not exist."""


@dataclass(frozen=True)
class RoleMark:
    """One spelling of a role on a cell: ``where`` is ``tag``, ``magic`` or ``comment``."""

    role: str
    where: str
    text: str


def role_marks(cell: Cell) -> list[RoleMark]:
    """Every role spelling on ``cell``, known roles or not (unknown ones are checked later)."""
    marks = [
        RoleMark(_TAG_ROLES.get(tag, tag), "tag", tag) for tag in cell.tags if _is_role_tag(tag)
    ]
    if cell.is_code:
        first = cell.source.lstrip().partition("\n")[0].strip()  # the first non-blank line
        magic = _MAGIC.fullmatch(first)
        if magic and magic.group(1) in ROLES:  # other words are subcommands (`track`)
            marks.append(RoleMark(magic.group(1), "magic", first))
        comment = _COMMENT.fullmatch(first)
        if comment:
            marks.append(RoleMark(comment.group(1), "comment", first))
    return marks


def _is_role_tag(tag: str) -> bool:
    return tag in _TAG_ROLES or (tag.lower().startswith("nb2prod:") and not _OTHER_TAG.match(tag))


def cell_role(cell: Cell) -> str | None:
    """The role of ``cell``, or None; raises RoleError for unknown or conflicting roles."""
    marks = role_marks(cell)
    for mark in marks:
        if mark.role not in ROLES:
            valid = ", ".join(f"`{tag}`" for tag in ROLE_TAGS.values())
            raise RoleError(
                f"{cell.label}: unknown role `{mark.text}`",
                f"valid roles are {valid} (or `%%nb2prod ROLE` / `#| nb2prod: ROLE`)",
            )
    roles = {mark.role for mark in marks}
    if len(roles) > 1:
        spelled = " and ".join(f"`{m.role}` ({m.text})" for m in marks)
        raise RoleError(f"{cell.label} has two roles: {spelled}", "keep one of them")
    return roles.pop() if roles else None


def notebook_roles(notebook: Notebook) -> dict[int, str]:
    """Cell index -> role for every cell that has one (code cells only)."""
    roles: dict[int, str] = {}
    for cell in notebook.cells:
        role = cell_role(cell)
        if role is not None and cell.is_code:
            roles[cell.index] = role
    return roles
