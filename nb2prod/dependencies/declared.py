"""Dependencies: what a project declares and which distribution provides an import.

Declared dependencies are read from the usual files (pyproject.toml, requirements*.txt,
environment.yml, Pipfile, setup.cfg, setup.py) and cached per file version, because the
engine lints many notebooks of one project in a process.  ``importlib.metadata`` is
imported only when an import's name does not already match a declared distribution.
"""

from __future__ import annotations

import ast
import configparser
import functools
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from nb2prod.atomic import write_atomically

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


#: Folder -> modification time (None when unreadable), read once while one notebook is
#: checked: its folders are looked at both for dependency files and for its own modules.
Stamps = dict[Path, int | None]


def _folder_mtime(folder: Path, stamps: Stamps | None) -> int | None:
    if stamps is not None and folder in stamps:
        return stamps[folder]
    try:
        mtime: int | None = os.stat(folder).st_mtime_ns
    except OSError:
        mtime = None
    if stamps is not None:
        stamps[folder] = mtime
    return mtime


def declared_dependencies(folders: Iterable[Path], stamps: Stamps | None = None) -> Declarations:
    """Dependencies declared by the files in ``folders`` (the notebook's up to the root)."""
    files: list[Path] = []
    names: set[str] = set()
    for folder in folders:
        signature = _signature(folder, stamps)
        if signature:
            for path, declared in _read_folder(signature):
                files.append(path)
                names |= declared
    return Declarations(tuple(files), frozenset(names))


def _signature(folder: Path, stamps: Stamps | None) -> tuple[tuple[str, int, int], ...]:
    """Dependency files of ``folder`` with their version (mtime, size): the cache key."""
    mtime = _folder_mtime(folder, stamps)
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
        try:
            stat = os.stat(path)
        except OSError:
            continue
        signature.append((path, stat.st_mtime_ns, stat.st_size))
    return tuple(signature)


@functools.lru_cache(maxsize=1024)
def _dependency_files(folder: str, mtime_ns: int) -> tuple[tuple[str, ...], bool]:
    """Dependency file names in ``folder`` and whether it has a ``requirements`` folder;
    cached like its listing (matching every name of a big folder is not free)."""
    entries = _scan(folder, mtime_ns)
    names = [name for name in _FIXED_FILES if entries.get(name) is False]
    names += sorted(n for n, is_dir in entries.items() if not is_dir and _REQUIREMENTS.fullmatch(n))
    return tuple(names), bool(entries.get("requirements"))


def folder_entries(folder: Path, stamps: Stamps | None = None) -> dict[str, bool]:
    """Names in ``folder`` -> whether each is a folder (empty when unreadable).  Cached
    while the folder's modification time is unchanged: many notebooks share folders."""
    mtime = _folder_mtime(folder, stamps)
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
        declared = _read_file(path)
        if declared is not None:
            found.append((path, frozenset(normalize(n) for n in declared if n)))
    return tuple(found)


def _read_file(path: Path) -> set[str] | None:
    """Distributions ``path`` declares; None when it is not a dependency file (or unreadable)."""
    try:
        if path.name == "pyproject.toml":
            return _pyproject(_toml(path))
        if path.name == "Pipfile":
            return _pipfile(_toml(path))
        if path.name == "setup.cfg":
            return _setup_cfg(path)
        if path.name == "setup.py":
            return _setup_py(path.read_text(encoding="utf-8", errors="replace"))
        if path.name.startswith("environment."):
            return _environment_yml(path.read_text(encoding="utf-8", errors="replace"))
        return _requirements_file(path, set())
    except (OSError, ValueError, SyntaxError, RecursionError, configparser.Error):
        return None  # tomllib.TOMLDecodeError is a ValueError


def _toml(path: Path) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def _strings(value) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _tables(value) -> dict:
    return value if isinstance(value, dict) else {}


def _pyproject(document: dict) -> set[str] | None:
    project = _tables(document.get("project"))
    tool = _tables(document.get("tool"))
    poetry, pdm, uv = (_tables(tool.get(k)) for k in ("poetry", "pdm", "uv"))
    if not (
        project or poetry or "dependency-groups" in document or _tables(pdm.get("dev-dependencies"))
    ):
        return None  # e.g. only [tool.nb2prod] or [tool.ruff]: not a dependency file
    requirements = _strings(project.get("dependencies"))
    for group in (
        _tables(project.get("optional-dependencies")),
        _tables(document.get("dependency-groups")),
        _tables(pdm.get("dev-dependencies")),
    ):
        for items in group.values():
            requirements += _strings(items)
    requirements += _strings(uv.get("dev-dependencies"))
    names = {requirement_name(r) for r in requirements}
    names |= {n for n in (project.get("name"), poetry.get("name")) if isinstance(n, str)}
    poetry_tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    poetry_tables += [_tables(g).get("dependencies") for g in _tables(poetry.get("group")).values()]
    for table in poetry_tables:
        names |= {name for name in _tables(table) if name.lower() != "python"}
    return {n for n in names if n}


def _pipfile(document: dict) -> set[str]:
    names: set[str] = set()
    for key, table in document.items():
        if key not in ("source", "requires", "scripts", "pipenv") and isinstance(table, dict):
            names |= set(table)
    return names


def _requirements_file(path: Path, seen: set[Path]) -> set[str]:
    """Names in a pip requirements file, following ``-r other.txt``."""
    resolved = path.resolve()
    if resolved in seen:
        return set()
    seen.add(resolved)
    text = path.read_text(encoding="utf-8", errors="replace").replace("\\\n", " ")
    names: set[str] = set()
    for line in text.splitlines():
        line = re.sub(r"(^|\s)#.*", "", line).strip()
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


# --------------------------------------------------------------------------- imports

#: Import name -> distributions providing it, for modules not installed here.
MODULE_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "sklearn": ("scikit-learn",),
    "cv2": (
        "opencv-python",
        "opencv-python-headless",
        "opencv-contrib-python",
        "opencv-contrib-python-headless",
        "opencv",
        "py-opencv",
    ),
    "PIL": ("Pillow", "pillow-simd"),
    "yaml": ("PyYAML",),
    "bs4": ("beautifulsoup4",),
    "skimage": ("scikit-image",),
    "dateutil": ("python-dateutil",),
    "dotenv": ("python-dotenv",),
    "attr": ("attrs",),
    "jwt": ("PyJWT",),
    "git": ("GitPython",),
    "github": ("PyGithub",),
    "serial": ("pyserial",),
    "magic": ("python-magic",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "Crypto": ("pycryptodome", "pycrypto"),
    "OpenSSL": ("pyOpenSSL",),
    "zmq": ("pyzmq",),
    "MySQLdb": ("mysqlclient",),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "fitz": ("PyMuPDF",),
    "Bio": ("biopython",),
    "umap": ("umap-learn",),
    "imblearn": ("imbalanced-learn",),
    "faiss": ("faiss-cpu", "faiss-gpu"),
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos"),
    "torch": ("torch", "pytorch"),
    "mpl_toolkits": ("matplotlib",),
    "pylab": ("matplotlib",),
    "pkg_resources": ("setuptools",),
    "googleapiclient": ("google-api-python-client",),
    "google.protobuf": ("protobuf",),
    "google.oauth2": ("google-auth",),
    "snowflake.connector": ("snowflake-connector-python",),
    "snowflake.snowpark": ("snowflake-snowpark-python",),
    "vertexai": ("google-cloud-aiplatform",),
    "osgeo": ("GDAL",),
    "bson": ("pymongo",),
    "kafka": ("kafka-python",),
    "websocket": ("websocket-client",),
    "pdfminer": ("pdfminer.six",),
    "talib": ("TA-Lib",),
    "llama_cpp": ("llama-cpp-python",),
    "IPython": ("ipython",),
    "mlflow": ("mlflow", "mlflow-skinny"),
    "pytorch_lightning": ("pytorch-lightning", "lightning"),
    "grpc": ("grpcio",),
    "nacl": ("PyNaCl",),
    "dns": ("dnspython",),
}
#: Top-level names shared by many distributions (``google.cloud.storage`` is
#: google-cloud-storage): the distribution is named after the dotted path.
NAMESPACE_ROOTS = frozenset(
    {
        "google",
        "azure",
        "backports",
        "jaraco",
        "ruamel",
        "zope",
        "snowflake",
        "databricks",
        "opentelemetry",
        "sphinxcontrib",
    }
)
#: Modules only hosted notebook services provide; no dependency file can declare them.
PLATFORM_MODULES = frozenset({"google.colab", "kaggle_secrets", "kaggle_datasets"})


def import_key(dotted: str) -> str:
    """The part of an imported module that identifies its distribution: the top-level
    name, or up to three parts below a namespace root (``google.cloud.storage``)."""
    parts = dotted.split(".")
    return ".".join(parts[:3]) if parts[0] in NAMESPACE_ROOTS else parts[0]


def is_stdlib(key: str) -> bool:
    return key.split(".")[0] in sys.stdlib_module_names


def is_first_party(key: str, folders: Sequence[Path]) -> bool:
    """True when a module (``key.py``) or package (a folder with ``.py`` files, with or
    without ``__init__.py``) named like ``key`` stands in one of ``folders``."""
    return bool(first_party_keys([key], folders))


def first_party_keys(
    keys: Iterable[str], folders: Sequence[Path], stamps: Stamps | None = None
) -> set[str]:
    """The ``keys`` that :func:`is_first_party` accepts, each folder listed once for all."""
    listings = [(folder, folder_entries(folder, stamps)) for folder in folders]
    return {key for key in keys if _stands_in(key.split(".")[0], listings)}


def _stands_in(top: str, listings: list[tuple[Path, dict[str, bool]]]) -> bool:
    for folder, entries in listings:
        if entries.get(f"{top}.py") is False:
            return True
        if entries.get(top) and any(n.endswith(".py") for n in folder_entries(folder / top)):
            return True
    return False


def likely_distributions(key: str) -> list[str]:
    """Distributions that probably provide ``key``, best guess first, without importlib."""
    parts = key.split(".")
    names: list[str] = []
    for length in range(len(parts), 0, -1):
        names += MODULE_DISTRIBUTIONS.get(".".join(parts[:length]), ())
    if parts[0] in NAMESPACE_ROOTS and len(parts) > 1:
        names += ["-".join(parts[:length]) for length in range(len(parts), 1, -1)]
    else:
        names.append(key)
    return list(dict.fromkeys(names))


def installed_distributions(key: str) -> list[str]:
    """Distributions installed here that provide ``key`` (not for namespace roots, which
    many distributions share)."""
    if key.split(".")[0] in NAMESPACE_ROOTS:
        return []
    return list(_installed_providers().get(key, ()))


@functools.lru_cache(maxsize=1)
def _installed_providers() -> dict[str, list[str]]:
    """Import name -> installed distributions.  Reading every distribution's metadata
    takes a third of a second in a large environment, once per process, so the answer is
    kept in the user's cache folder until something is installed or removed."""
    cache = _providers_cache()
    try:
        return json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError, AttributeError):
        pass
    try:
        from importlib.metadata import packages_distributions

        providers = packages_distributions()
    except Exception:  # a broken distribution's metadata must not stop the lint
        return {}
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(cache, json.dumps(providers).encode("utf-8"))
        except OSError:  # a read-only home: no cache, same answer
            pass
    return providers


def _providers_cache() -> Path | None:
    """A cache file named after this environment's package folders and their change times
    (installing or removing a package changes its folder's)."""
    stamps = []
    for entry in sys.path:
        if not entry.endswith(("site-packages", "dist-packages")):
            continue
        try:
            stamps.append(f"{entry}:{os.stat(entry).st_mtime_ns}")
        except OSError:
            continue
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    digest = hashlib.sha256("\n".join([sys.prefix, *stamps]).encode()).hexdigest()[:20]
    return Path(base) / "nb2prod" / f"providers-{digest}.json"


def declared_provider(key: str, declared: frozenset[str]) -> bool:
    """True when a distribution in ``declared`` (normalised names) provides ``key``."""
    if any(normalize(name) in declared for name in likely_distributions(key)):
        return True
    return any(normalize(name) in declared for name in installed_distributions(key))


def best_distribution(key: str) -> str:
    """The distribution to name in a message: the installed one, else the best guess."""
    installed = installed_distributions(key)
    return installed[0] if installed else likely_distributions(key)[0]
