"""A module's source, found and read without importing it: where ``a.b.c`` stands in the
project's folders or in the environment nb2prod runs in, and the names its top level binds.

Importing would run the module's code (seconds for a large library, side effects for the
project's own); reading the source is what lets the environment rules check a notebook's
imports against the code its job will run.  Python's own search order is followed: a
package folder before a module file, a compiled extension before ``.py``, and a folder
without ``__init__.py`` (a namespace package) last.
"""

from __future__ import annotations

import ast
import functools
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

#: How many ``from x import *`` are followed in a chain before the names count as unknown.
_STAR_DEPTH = 6
#: Calls through which a module makes names at run time that no statement shows.
_DYNAMIC_CALLS = frozenset({"globals", "vars", "locals", "exec", "eval", "setattr"})


@dataclass(frozen=True)
class ModuleSource:
    """A module found as source: ``path`` is its ``.py`` file (a package's ``__init__.py``)
    and ``folder`` a package's folder (None for a plain module)."""

    name: str
    path: Path
    folder: Path | None
    root: Path  # the folder ``name`` was found under

    def has_submodule(self, name: str) -> bool:
        if self.folder is None:
            return False
        folder = self.folder
        return (folder / name).is_dir() or any(
            (folder / f"{name}{suffix}").exists() for suffix in (".py", *EXTENSION_SUFFIXES)
        )

    def names(self) -> frozenset[str] | None:
        """The names its top level binds; None when it makes names at run time (a module
        ``__getattr__``, ``globals()``, a star import that cannot be read)."""
        return _names(self, depth=0)

    def class_definition(self, name: str) -> tuple[ModuleSource, ast.ClassDef] | None:
        """The ``class name`` statement the module's ``name`` is, and the module it stands
        in, following the imports that re-export it (``from ._impl import name`` in a
        package's ``__init__.py``)."""
        module: ModuleSource | None = self
        for _ in range(_STAR_DEPTH):
            tree = module.tree() if module is not None else None
            if module is None or tree is None:
                return None
            found = _binding(tree.body, name)
            if isinstance(found, ast.ClassDef):
                return module, found
            if not isinstance(found, ast.ImportFrom):
                return None
            alias = next(a for a in found.names if (a.asname or a.name) == name)
            module, name = module.imported(found.level, found.module or ""), alias.name
        return None

    def imported(self, level: int, dotted: str) -> ModuleSource | None:
        """The module ``from <level dots><dotted> import ...`` in this module names."""
        if not level:
            return find_module(dotted, (self.root, *installed_roots()))
        package = self.name.split(".")
        if self.folder is None:
            package = package[:-1]
        base = package[: len(package) - (level - 1)] if level > 1 else package
        if not base:
            return None
        return find_module(".".join([*base, dotted] if dotted else base), (self.root,))

    def tree(self) -> ast.Module | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return _parse(str(self.path), stat.st_mtime_ns, stat.st_size)


class _Unreadable(Exception):
    """The module exists but is no readable source (a compiled extension, a namespace
    package whose other portions may stand elsewhere)."""


def installed_roots() -> tuple[Path, ...]:
    """The folders of the environment nb2prod runs in, where installed modules stand."""
    return _installed_roots(tuple(sys.path))


@functools.lru_cache(maxsize=4)
def _installed_roots(path: tuple[str, ...]) -> tuple[Path, ...]:
    return tuple(Path(entry) for entry in path if entry and os.path.isdir(entry))


def find_module(dotted: str, roots: Iterable[Path]) -> ModuleSource | None:
    """The source of ``dotted`` under the first of ``roots`` that has its top-level
    package; None when it is not there or is not readable source."""
    parts = dotted.split(".")
    for root in roots:
        if not _stands_in(root, parts[0]):
            continue
        try:
            return _walk(root, parts, dotted)
        except _Unreadable:
            return None
    return None


def _stands_in(root: Path, top: str) -> bool:
    return (root / top).is_dir() or any(
        (root / f"{top}{suffix}").is_file() for suffix in (".py", *EXTENSION_SUFFIXES)
    )


def _walk(root: Path, parts: Sequence[str], dotted: str) -> ModuleSource | None:
    folder = root
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        package = folder / part
        if package.is_dir():
            init = package / "__init__.py"
            if init.is_file():
                if last:
                    return ModuleSource(dotted, init, package, root)
                folder = package
                continue
            if any((package / f"__init__{s}").is_file() for s in EXTENSION_SUFFIXES):
                raise _Unreadable(dotted)
        if any((folder / f"{part}{s}").is_file() for s in EXTENSION_SUFFIXES):
            raise _Unreadable(dotted)
        module = folder / f"{part}.py"
        if module.is_file():
            return ModuleSource(dotted, module, None, root) if last else None
        if package.is_dir():  # a namespace package: its other portions may be anywhere
            raise _Unreadable(dotted)
        return None
    return None


def _names(module: ModuleSource, depth: int) -> frozenset[str] | None:
    try:
        stat = module.path.stat()
    except OSError:
        return None
    read = _top_level(str(module.path), stat.st_mtime_ns, stat.st_size)
    if read is None:
        return None
    names, stars = read
    for level, star in stars:
        if depth >= _STAR_DEPTH:
            return None
        target = module.imported(level, star)
        if target is None:
            return None
        starred = _names(target, depth + 1)
        if starred is None:
            return None
        names = names | _exported(target, starred)
    return names


def _exported(module: ModuleSource, names: frozenset[str]) -> frozenset[str]:
    """What ``from module import *`` binds: its public names, and what ``__all__`` lists
    (a superset of either, so that no name it binds is missed)."""
    listed = _listed_all(module)
    return frozenset(name for name in names if not name.startswith("_")) | listed


def _listed_all(module: ModuleSource) -> frozenset[str]:
    tree = module.tree()
    listed: set[str] = set()
    for node in ast.walk(tree) if tree is not None else ():
        targets = _assigned_targets(node)
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            value = getattr(node, "value", None)
            items = ast.walk(value) if value is not None else ()
            listed |= {
                item.value
                for item in items
                if isinstance(item, ast.Constant) and isinstance(item.value, str)
            }
    return frozenset(listed)


@functools.lru_cache(maxsize=512)
def _parse(path: str, _mtime_ns: int, _size: int) -> ast.Module | None:
    try:
        return ast.parse(Path(path).read_bytes(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return None


def _binding(body: list[ast.stmt], name: str) -> ast.stmt | None:
    """The last top-level statement that binds ``name`` (the one in force after import)."""
    found = None
    for statement in _top_statements(body):
        if isinstance(statement, ast.stmt) and name in _bound(statement):
            found = statement
    return found


@functools.lru_cache(maxsize=512)
def _top_level(
    path: str, mtime_ns: int, size: int
) -> tuple[frozenset[str], tuple[tuple[int, str], ...]] | None:
    """(names bound at the top level, star imports as (level, module)); None when the
    module makes names at run time or cannot be parsed."""
    tree = _parse(path, mtime_ns, size)
    if tree is None or _dynamic(tree):
        return None
    names: set[str] = set()
    stars: list[tuple[int, str]] = []
    for statement in _top_statements(tree.body):
        if isinstance(statement, ast.ImportFrom) and statement.names[0].name == "*":
            stars.append((statement.level, statement.module or ""))
            continue
        names |= _bound(statement)
    if "__getattr__" in names or "__path__" in names:
        return None
    return frozenset(names), tuple(stars)


def _top_statements(body: list[ast.stmt]) -> Iterable[ast.stmt]:
    """Statements that run at import, inside ``if``/``try``/``with``/``for`` blocks too."""
    for statement in body:
        yield statement
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _top_statements(getattr(statement, field, []))
        for handler in getattr(statement, "handlers", []):
            yield handler  # binds ``except E as name``
            yield from _top_statements(handler.body)
        for case in getattr(statement, "cases", []):
            yield from _top_statements(case.body)


def _bound(node: ast.AST) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        # ``global NAME`` in a function binds NAME once it runs
        return {node.name} | {
            name
            for inner in ast.walk(node)
            if isinstance(inner, ast.Global)
            for name in inner.names
        }
    if isinstance(node, ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Import):
        return {alias.asname or alias.name.split(".")[0] for alias in node.names}
    if isinstance(node, ast.ImportFrom):
        return {alias.asname or alias.name for alias in node.names}
    if isinstance(node, ast.ExceptHandler):
        return {node.name} if node.name else set()
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return {n for item in node.items for n in _target_names(item.optional_vars)}
    names = {n for target in _assigned_targets(node) for n in _target_names(target)}
    return names | {
        inner.target.id
        for inner in ast.walk(node)
        if isinstance(inner, ast.NamedExpr) and isinstance(inner.target, ast.Name)
    }


def _assigned_targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
        return [node.target]
    return []


def _target_names(target: ast.expr | None) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return {n for item in target.elts for n in _target_names(item)}
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return set()


def _dynamic(tree: ast.Module) -> bool:
    """Whether the module makes names no statement shows: ``globals()`` anywhere (a
    function may fill the module's names), and at import ``exec``, ``setattr`` on itself
    or replacing itself in ``sys.modules``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "globals":
            return True
    for statement in _top_statements(tree.body):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for node in _own_nodes(statement):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in _DYNAMIC_CALLS:
                return True
            if isinstance(node, ast.Subscript) and getattr(node.value, "attr", None) == "modules":
                if isinstance(node.ctx, ast.Store):
                    return True
    return False


def _own_nodes(statement: ast.AST) -> Iterable[ast.AST]:
    """The nodes of a statement, without the blocks nested in it (visited on their own)."""
    stack = [statement]
    while stack:
        node = stack.pop()
        yield node
        for field, value in ast.iter_fields(node):
            if field in ("body", "orelse", "finalbody", "handlers", "cases"):
                continue
            values = value if isinstance(value, list) else [value]
            stack += [v for v in values if isinstance(v, ast.AST)]
