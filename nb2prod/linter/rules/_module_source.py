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
from typing import NamedTuple

from nb2prod.dependencies.declared import folder_entries
from nb2prod.user_cache import cache_file, cached_json

#: How many ``from x import *`` are followed in a chain before the names count as unknown.
_STAR_DEPTH = 6
#: Changes when what a summary holds changes, so that older cached ones are not read.
_SUMMARY_VERSION = 2
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
        return self.folder is not None and stands_in(self.folder, name)

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
            if module is None:
                return None
            found = _binding(module, name)
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


@dataclass(frozen=True)
class Missing:
    """The package exists, but not its module ``dotted``, which would be in ``folder``."""

    dotted: str
    folder: Path


def installed_roots() -> tuple[Path, ...]:
    """The folders of the environment nb2prod runs in, where installed modules stand."""
    return _installed_roots(tuple(sys.path))


@functools.lru_cache(maxsize=4)
def _installed_roots(path: tuple[str, ...]) -> tuple[Path, ...]:
    return tuple(Path(entry) for entry in path if entry and os.path.isdir(entry))


def find_module(dotted: str, roots: Iterable[Path]) -> ModuleSource | None:
    """The source of ``dotted`` under the first of ``roots`` that has its top-level
    package; None when it is not there or is not readable source."""
    top = dotted.split(".")[0]
    for root in roots:
        if stands_in(root, top):
            found = locate(dotted, root)
            return found if isinstance(found, ModuleSource) else None
    return None


def stands_in(root: Path, top: str) -> bool:
    """Whether a module or package ``top`` is in ``root`` (readable or not)."""
    entries = folder_entries(root)
    return bool(entries.get(top)) or _file(entries, top, (".py", *EXTENSION_SUFFIXES))


def _file(entries: dict[str, bool], stem: str, suffixes: Sequence[str]) -> bool:
    return any(entries.get(f"{stem}{suffix}") is False for suffix in suffixes)


def locate(dotted: str, root: Path) -> ModuleSource | Missing | None:
    """Python's search for ``dotted`` in each folder from ``root`` down, from folder
    listings (cached while a folder is unchanged: a lint of many notebooks looks the same
    modules up again and again).  :class:`Missing` names the first part the package lacks;
    None when the module is no readable source (a compiled extension, a namespace package
    whose other portions may stand elsewhere)."""
    parts = dotted.split(".")
    folder = root
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        entries = folder_entries(folder)
        package = folder / part
        if entries.get(part):
            inside = folder_entries(package)
            if inside.get("__init__.py") is False:
                if last:
                    return ModuleSource(dotted, package / "__init__.py", package, root)
                folder = package
                continue
            if _file(inside, "__init__", EXTENSION_SUFFIXES):
                return None
        if _file(entries, part, EXTENSION_SUFFIXES):
            return None
        if entries.get(f"{part}.py") is False:
            if last:
                return ModuleSource(dotted, folder / f"{part}.py", None, root)
            return Missing(".".join(parts[: position + 2]), package)  # a module: no submodules
        if entries.get(part):  # a namespace package
            return None
        return Missing(".".join(parts[: position + 1]), folder)
    return None


class _Summary(NamedTuple):
    """What an import can take from a module file, as JSON-able data."""

    names: list[str] | None  # bound at the top level; None: made at run time
    stars: list[tuple[int, str]]  # ``from <level><module> import *``
    listed: list[str]  # the strings ``__all__`` is given


def _names(module: ModuleSource, depth: int) -> frozenset[str] | None:
    summary = _summary(module)
    if summary is None or summary.names is None:
        return None
    names = frozenset(summary.names)
    for level, star in summary.stars:
        if depth >= _STAR_DEPTH:
            return None
        target = module.imported(level, star)
        starred = _names(target, depth + 1) if target is not None else None
        if target is None or starred is None:
            return None
        # ``from target import *`` binds its public names and what its ``__all__``
        # lists: a superset of either, so that no name it binds is missed
        listed = _summary(target)
        names |= {name for name in starred if not name.startswith("_")}
        names |= frozenset(listed.listed if listed is not None else ())
    return names


def _summary(module: ModuleSource) -> _Summary | None:
    try:
        stat = module.path.stat()
    except OSError:
        return None
    return _summarised(str(module.path), stat.st_mtime_ns, stat.st_size, module.root)


@functools.lru_cache(maxsize=1024)
def _summarised(path: str, mtime_ns: int, size: int, root: Path) -> _Summary:
    """Kept in the user's cache for installed modules, which seldom change: parsing a
    library's large modules (scipy's take 100 ms each) is then done once per machine."""
    if root not in installed_roots():
        return _summarise(path, mtime_ns, size)
    key = f"{_SUMMARY_VERSION}:{path}:{mtime_ns}:{size}"
    cached = cached_json(cache_file("module", key), lambda: _summarise(path, mtime_ns, size))
    names, stars, listed = cached
    return _Summary(names, [(level, star) for level, star in stars], listed)


def _summarise(path: str, mtime_ns: int, size: int) -> _Summary:
    parsed = _parse(path)
    if parsed is None or _dynamic(parsed[1], b"globals" in parsed[0]):
        return _Summary(None, [], [])
    source, tree = parsed
    names: set[str] = set()
    stars: list[tuple[int, str]] = []
    listed: set[str] = set()
    for statement in _top_statements(tree.body):
        if isinstance(statement, ast.ImportFrom) and statement.names[0].name == "*":
            stars.append((statement.level, statement.module or ""))
            continue
        bound = _bound(statement)
        if "__all__" in bound and isinstance(statement, (ast.Assign, ast.AugAssign)):
            listed |= {
                item.value
                for item in ast.walk(statement.value)
                if isinstance(item, ast.Constant) and isinstance(item.value, str)
            }
        names |= bound
    if b":=" in source:  # ``if (match := ...)`` at the top level binds a module name too
        names |= _walrus_targets(tree)
    if "__getattr__" in names or "__path__" in names:
        return _Summary(None, [], [])
    return _Summary(sorted(names), stars, sorted(listed))


def _parse(path: str) -> tuple[bytes, ast.Module] | None:
    """The file's source and tree.  Not cached: a summary keeps what it needs, and a large
    library's trees take tens of megabytes."""
    try:
        source = Path(path).read_bytes()
        return source, ast.parse(source, filename=path)
    except (OSError, SyntaxError, ValueError):
        return None


def _binding(module: ModuleSource, name: str) -> ast.stmt | None:
    """The last top-level statement that binds ``name`` (the one in force after import)."""
    stat = module.path.stat()
    return _bindings(str(module.path), stat.st_mtime_ns, stat.st_size).get(name)


@functools.lru_cache(maxsize=64)  # only scikit-base libraries' modules (NB410)
def _bindings(path: str, mtime_ns: int, size: int) -> dict[str, ast.stmt]:
    parsed = _parse(path)
    found: dict[str, ast.stmt] = {}
    for statement in _top_statements(parsed[1].body) if parsed is not None else ():
        if isinstance(statement, ast.stmt):
            found.update(dict.fromkeys(_bound(statement), statement))
    return found


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
    return {n for target in _assigned_targets(node) for n in _target_names(target)}


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


def _walrus_targets(tree: ast.Module) -> set[str]:
    return {
        node.target.id
        for statement in _top_statements(tree.body)
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        for node in _own_nodes(statement)
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name)
    }


def _dynamic(tree: ast.Module, mentions_globals: bool) -> bool:
    """Whether the module makes names no statement shows: ``globals()`` anywhere (a
    function may fill the module's names), and at import ``exec``, ``setattr`` on itself
    or replacing itself in ``sys.modules``."""
    for node in ast.walk(tree) if mentions_globals else ():  # the text first: walks are slow
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
