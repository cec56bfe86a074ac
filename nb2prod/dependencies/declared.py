"""What a project declares it depends on, read from the usual files (pyproject.toml,
requirements*.txt, environment.yml, Pipfile, setup.cfg, setup.py) and cached per file
version, because the linter reads the files of one project for many notebooks."""

from __future__ import annotations

import ast
import configparser
import functools
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nb2prod.filestamps import remembered, stamp

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib


# --------------------------------------------------------------------------- requirements

_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_NAME_AT_URL = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*@")
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_VCS = re.compile(r"(?:git|hg|svn|bzr)\+", re.I)
_ARCHIVE = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".zip")


def normalize(name: str) -> str:
    """PEP 503 normalised distribution name (``Scikit_Learn`` -> ``scikit-learn``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def is_url_or_path(text: str) -> bool:
    """True for a URL, VCS reference, local path or archive file rather than a name."""
    text = text.strip()
    return (
        "://" in text
        or bool(_VCS.match(text))
        or text.startswith((".", "/", "~", "file:"))
        or "/" in text
        or "\\" in text
        or text.lower().endswith(_ARCHIVE)
    )


def requirement_name(text: str) -> str | None:
    """The distribution a requirement names (``pandas[excel]>=2``, ``x @ url``, ``...#egg=x``)."""
    named = _NAME_AT_URL.match(text)
    if named and not is_url_or_path(named.group(1)):
        return named.group(1)
    egg = _EGG.search(text)
    if egg:
        return egg.group(1)
    if is_url_or_path(text):
        return None
    match = _NAME.match(text)
    return match.group(1) if match else None


# --------------------------------------------------------------------------- declared dependencies

_FIXED_FILES = (
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "Pipfile",
    "environment.yml",
    "environment.yaml",
)
_REQUIREMENTS = re.compile(r"(?:.*[-_])?requirements(?:[-_.].*)?\.(?:txt|in)", re.I)


@dataclass(frozen=True)
class Declarations:
    """The dependency files found and the (normalised) distributions they declare."""

    files: tuple[Path, ...]
    names: frozenset[str]


def _folder_mtime(folder: Path) -> int | None:
    found = stamp(folder)  # read once per lint run (nb2prod.filestamps)
    return found[0] if found else None


def declared_dependencies(folders: Iterable[Path]) -> Declarations:
    """Dependencies declared by the files in ``folders`` (the notebook's up to the root)."""
    folders = tuple(folders)
    return remembered((declared_dependencies, folders), lambda: _declared(folders))


def _declared(folders: tuple[Path, ...]) -> Declarations:
    files: list[Path] = []
    names: set[str] = set()
    for folder in folders:
        signature = _signature(folder)
        if signature:
            for path, declared in _read_folder(signature):
                files.append(path)
                names |= declared
    return Declarations(tuple(files), frozenset(names))


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Dependency files of ``folder`` with their version (mtime, size): the cache key."""
    mtime = _folder_mtime(folder)
    if mtime is None:
        return ()
    top_level, nested_folder = _dependency_files(str(folder), mtime)
    names = list(top_level)
    if nested_folder:
        nested = folder_entries(folder / "requirements")
        names += sorted(
            f"requirements/{n}"
            for n, is_dir in nested.items()
            if not is_dir and n.endswith((".txt", ".in"))
        )
    signature = []
    for name in names:
        path = os.path.join(folder, name)
        found = stamp(path)
        if found:
            signature.append((path, *found))
    return tuple(signature)


@functools.lru_cache(maxsize=1024)
def _dependency_files(folder: str, mtime_ns: int) -> tuple[tuple[str, ...], bool]:
    """Dependency file names in ``folder`` and whether it has a ``requirements`` folder;
    cached like its listing (matching every name of a big folder is not free)."""
    entries = _scan(folder, mtime_ns)
    names = [name for name in _FIXED_FILES if entries.get(name) is False]
    names += sorted(n for n, is_dir in entries.items() if not is_dir and _REQUIREMENTS.fullmatch(n))
    return tuple(names), bool(entries.get("requirements"))


def folder_entries(folder: Path) -> dict[str, bool]:
    """Names in ``folder`` -> whether each is a folder (empty when unreadable).  Cached
    while the folder's modification time is unchanged: many notebooks share folders."""
    mtime = _folder_mtime(folder)
    if mtime is None:
        return {}
    return _scan(str(folder), mtime)


@functools.lru_cache(maxsize=1024)
def _scan(folder: str, _mtime_ns: int) -> dict[str, bool]:
    try:
        with os.scandir(folder) as entries:
            return {entry.name: entry.is_dir() for entry in entries}
    except OSError:
        return {}


@functools.lru_cache(maxsize=256)
def _read_folder(
    signature: tuple[tuple[str, int, int], ...],
) -> tuple[tuple[Path, frozenset[str]], ...]:
    found = []
    for name, _mtime, _size in signature:
        path = Path(name)
        declared = read_dependency_file(path)
        if declared is not None:
            found.append((path, frozenset(normalize(n) for n in declared if n)))
    return tuple(found)


def read_dependency_file(path: Path) -> set[str] | None:
    """Distributions ``path`` declares; None when it is not a dependency file (or unreadable)."""
    try:
        if path.name == "pyproject.toml":
            return _pyproject(read_toml(path))
        if path.name == "Pipfile":
            return _pipfile(read_toml(path))
        if path.name == "setup.cfg":
            return _setup_cfg(path)
        if path.name == "setup.py":
            return _setup_py(path.read_text(encoding="utf-8", errors="replace"))
        if path.name.startswith("environment."):
            return _environment_yml(path.read_text(encoding="utf-8", errors="replace"))
        return _requirements_file(path, set())
    except (OSError, ValueError, SyntaxError, RecursionError, configparser.Error):
        return None  # tomllib.TOMLDecodeError is a ValueError


def read_toml(path: Path) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def string_items(value) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def table_of(value) -> dict:
    return value if isinstance(value, dict) else {}


def _pyproject(document: dict) -> set[str] | None:
    project = table_of(document.get("project"))
    tool = table_of(document.get("tool"))
    poetry, pdm, uv = (table_of(tool.get(k)) for k in ("poetry", "pdm", "uv"))
    if not (
        project
        or poetry
        or "dependency-groups" in document
        or table_of(pdm.get("dev-dependencies"))
    ):
        return None  # e.g. only [tool.nb2prod] or [tool.ruff]: not a dependency file
    requirements = string_items(project.get("dependencies"))
    for group in (
        table_of(project.get("optional-dependencies")),
        table_of(document.get("dependency-groups")),
        table_of(pdm.get("dev-dependencies")),
    ):
        for items in group.values():
            requirements += string_items(items)
    requirements += string_items(uv.get("dev-dependencies"))
    names = {requirement_name(r) for r in requirements}
    names |= {n for n in (project.get("name"), poetry.get("name")) if isinstance(n, str)}
    poetry_tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    poetry_tables += [
        table_of(g).get("dependencies") for g in table_of(poetry.get("group")).values()
    ]
    for table in poetry_tables:
        names |= {name for name in table_of(table) if name.lower() != "python"}
    return {n for n in names if n}


def _pipfile(document: dict) -> set[str]:
    names: set[str] = set()
    for key, table in document.items():
        if key not in ("source", "requires", "scripts", "pipenv") and isinstance(table, dict):
            names |= set(table)
    return names


def without_comment(line: str) -> str:
    """A requirements line without its ``# comment``."""
    return _COMMENT.sub("", line) if "#" in line else line


_COMMENT = re.compile(r"(^|\s)#.*")


def _requirements_file(path: Path, seen: set[Path]) -> set[str]:
    """Names in a pip requirements file, following ``-r other.txt``."""
    resolved = path.resolve()
    if resolved in seen:
        return set()
    seen.add(resolved)
    text = path.read_text(encoding="utf-8", errors="replace").replace("\\\n", " ")
    names: set[str] = set()
    for line in text.splitlines():
        line = without_comment(line).strip()
        words = line.split(None, 1)
        if not words:
            continue
        if words[0] in ("-r", "--requirement") and len(words) > 1:
            names |= _included(path.parent / words[1].strip(), seen)
        elif words[0].startswith(("-r", "--requirement=")) and len(words[0]) > 2:
            included = words[0].split("=", 1)[1] if "=" in words[0] else words[0][2:]
            names |= _included(path.parent / included, seen)
        elif words[0] in ("-e", "--editable") and len(words) > 1:
            names.add(requirement_name(words[1]) or "")
        elif not line.startswith("-"):
            names.add(requirement_name(line) or "")
    return names


def _included(path: Path, seen: set[Path]) -> set[str]:
    """An included requirements file; a missing one declares nothing."""
    try:
        return _requirements_file(path, seen)
    except OSError:
        return set()


def _setup_cfg(path: Path) -> set[str] | None:
    parser = configparser.RawConfigParser(strict=False)
    parser.read(path, encoding="utf-8")
    if not parser.has_section("options"):
        return None
    values = [parser.get("options", "install_requires", fallback="")]
    if parser.has_section("options.extras_require"):
        values += [value for _, value in parser.items("options.extras_require")]
    names = {parser.get("metadata", "name", fallback="")}
    for value in values:
        for line in value.splitlines():
            line = line.split("#")[0].strip()
            if line.startswith("file:"):
                for included in line[5:].split(","):
                    names |= _included(path.parent / included.strip(), set())
            elif line:
                names.add(requirement_name(line) or "")
    return names


def _setup_py(source: str) -> set[str] | None:
    """``install_requires``/``extras_require`` literals of the ``setup(...)`` call."""
    tree = ast.parse(source)
    assigned = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _callee(node.func) == "setup"):
            continue
        names: set[str] = set()
        for keyword in node.keywords:
            value = (
                assigned.get(keyword.value.id, keyword.value)
                if isinstance(keyword.value, ast.Name)
                else keyword.value
            )
            if keyword.arg == "name" and isinstance(value, ast.Constant):
                names.add(str(value.value))
            elif keyword.arg == "install_requires":
                names |= _literal_names(value)
            elif keyword.arg == "extras_require" and isinstance(value, ast.Dict):
                for item in value.values:
                    names |= _literal_names(item)
        return names
    return None


def _callee(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _literal_names(node: ast.expr) -> set[str]:
    if not isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return set()
    return {
        requirement_name(e.value) or ""
        for e in node.elts
        if isinstance(e, ast.Constant) and isinstance(e.value, str)
    }


def _environment_yml(text: str) -> set[str]:
    """Conda and ``pip:`` dependencies of an environment.yml, without a YAML library."""
    names: set[str] = set()
    inside, pip_indent = False, None
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*", "", raw).rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        item = line.strip()
        if indent == 0 and not item.startswith("-"):
            inside = item.startswith("dependencies:")
            flow = item.partition(":")[2].strip()
            if inside and flow.startswith("["):
                names |= {_conda_name(v) for v in flow.strip("[]").split(",")}
            pip_indent = None
            continue
        if not inside or not item.startswith("-"):
            continue
        value = item[1:].strip().strip("'\"")
        if pip_indent is not None and indent > pip_indent:
            names.add(requirement_name(value) or "")
            continue
        pip_indent = None
        if value.rstrip(":") == "pip" and value.endswith(":"):
            pip_indent = indent
        elif value.startswith("pip:"):
            names |= {
                requirement_name(v.strip(" '\"")) or "" for v in value[4:].strip(" []").split(",")
            }
        else:
            names.add(_conda_name(value))
    names.discard("python")
    return names


def _conda_name(spec: str) -> str:
    match = _NAME.match(spec.strip(" '\"").split("::")[-1])
    return match.group(1) if match else ""
