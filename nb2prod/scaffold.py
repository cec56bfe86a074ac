"""``nb2prod init``: write the CI workflow and pre-commit configuration of a project.

The project's notebooks decide what the workflow does: every notebook is linted, those
with a ``parameters`` cell are run as jobs (``nb2prod run``) and those with a predict cell
are exported and verified (``nb2prod export --verify``).  Files are rendered from the
jinja2 templates in ``nb2prod/scaffold_templates/``, checked for conflicts all at once (nothing
is written when one would be overwritten without ``force``) and each written atomically.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nb2prod import __version__
from nb2prod.atomic import write_atomically
from nb2prod.errors import Nb2ProdError, UsageError

if TYPE_CHECKING:
    from nb2prod.config import LintSettings

#: CI systems ``init`` writes a workflow for.
SUPPORTED_CI = ("github",)
#: nb2prod at the version that wrote the workflow, as the pre-commit hook pins nb2prod-lint.
DEFAULT_INSTALL = f"pip install nb2prod=={__version__}"
PYTHON_VERSION = "3.11"
WORKFLOW = ".github/workflows/nb2prod.yml"
PRE_COMMIT = ".pre-commit-config.yaml"
GITIGNORE = ".gitignore"
#: The embedded tracking store's folder: local state (runs, artifacts), never source.
STORE_FOLDER = ".nb2prod/"
_IGNORES_STORE = {".nb2prod", ".nb2prod/", "/.nb2prod", "/.nb2prod/"}
#: Where ``nb2prod run`` writes the executed notebooks and ``nb2prod export`` the packages.
EXECUTED_DIR = "executed"
BUILD_DIR = "build"

#: Files setup-python keys pip's download cache on, when the project has them.
_CACHE_KEYS = ("pyproject.toml", "requirements.txt", "requirements.lock", "uv.lock", "setup.py")

_TEMPLATES = Path(__file__).with_name("scaffold_templates")
_HOOK_ID = re.compile(r"\bid\s*:\s*['\"]?nb2prod-lint\b")
#: A string YAML reads back unchanged without quotes (no indicators, comments or ``: ``).
_PLAIN = re.compile(r"[A-Za-z_./][A-Za-z0-9_./@+=<>,-]*(?: [A-Za-z0-9_./@+=<>,\[\]-]+)*")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}


@dataclass(frozen=True)
class JobNotebook:
    """One ``nb2prod run`` of the workflow: a notebook with one of its parameter sets
    (``[tool.nb2prod.test.parameters]``); ``slug`` names its executed notebook."""

    path: str  # relative to the project root, with ``/``
    slug: str
    label: str = "defaults"
    params: dict = field(default_factory=dict, compare=False)

    @property
    def params_json(self) -> str:
        return json.dumps(self.params, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class ExportNotebook:
    """A notebook the workflow exports to ``build/<package>`` and verifies."""

    path: str
    package: str


@dataclass(frozen=True)
class SkippedNotebook:
    """A notebook that could not be read; the workflow still lints it."""

    path: str
    reason: str


@dataclass
class SequenceJob:
    """A ``sequences`` entry of ``[tool.nb2prod.test]``: one workflow job that runs its
    notebooks in order, in one checkout (what one writes, the next reads), then exports
    those with a predict cell there."""

    key: str  # the workflow's job id
    notebooks: list[str]
    runs: list[JobNotebook]
    exports: list[ExportNotebook]


@dataclass
class NotebookScan:
    jobs: list[JobNotebook] = field(default_factory=list)
    exports: list[ExportNotebook] = field(default_factory=list)
    skipped: list[SkippedNotebook] = field(default_factory=list)
    sequences: list[SequenceJob] = field(default_factory=list)
    #: Left out of jobs and exports by ``[tool.nb2prod.test] exclude`` (still linted).
    excluded: list[str] = field(default_factory=list)
    #: ``[tool.nb2prod.test] timeout``: seconds a cell may run in a job.
    timeout: float | None = None


@dataclass(frozen=True)
class ScaffoldFile:
    """One file ``init`` writes: ``relative`` to the project root, with its content."""

    path: Path
    relative: str
    content: str

    @property
    def exists(self) -> bool:
        return self.path.exists() or self.path.is_symlink()


@dataclass
class CiScaffold:
    """What ``init`` would write for the project at ``root``.

    ``kept`` are files left alone, even with ``force``, because they already do what
    ``init`` would add: a pre-commit configuration that runs ``nb2prod-lint`` (replacing
    it would drop the project's other hooks).  ``amended`` are files that keep what they
    hold and gain a line, so they are never a conflict: ``.gitignore`` gets ``.nb2prod/``.
    """

    root: Path
    scan: NotebookScan
    files: list[ScaffoldFile]
    kept: list[ScaffoldFile] = field(default_factory=list)
    amended: list[ScaffoldFile] = field(default_factory=list)

    @property
    def conflicts(self) -> list[ScaffoldFile]:
        """Files that exist already and would be replaced."""
        return [f for f in self.files if f.exists]


# --------------------------------------------------------------------------- notebooks


def scan_notebooks(root: Path) -> NotebookScan:
    """Sort the notebooks under ``root`` into jobs and exports by their cell roles and the
    project's ``[tool.nb2prod.test]`` (parameter sets, ``exclude``, ``sequences``).

    Notebooks the lint configuration excludes are left out; unreadable ones (bad JSON,
    conflicting roles) are listed in ``skipped`` instead of stopping the scan.
    """
    from nb2prod.config import LintOverrides, folder_settings, path_matches
    from nb2prod.jobs.suite import suite_for
    from nb2prod.linter.engine import discover

    suite = suite_for(root)
    scan = NotebookScan(timeout=suite.timeout)
    names = _Names()
    settings_by_folder: dict[Path, LintSettings] = {}
    for found in discover([str(root)]):
        path = Path(found)
        relative = path.relative_to(root).as_posix()
        folder = path.parent
        if folder not in settings_by_folder:
            settings_by_folder[folder] = folder_settings(folder, LintOverrides())
        settings = settings_by_folder[folder]
        base = Path(settings.config_path).parent if settings.config_path else root
        if any(path_matches(found, pattern, base) for pattern in settings.exclude):
            continue
        if suite.excluded(path):
            scan.excluded.append(relative)
            continue
        if suite.sequence_of(path) is not None:
            continue  # its sequence's job runs it, below
        roles = _roles(path, relative, scan)
        if "parameters" in roles:
            scan.jobs += names.runs(relative, suite.parameter_sets(path))
        if "predict" in roles:
            scan.exports.append(ExportNotebook(relative, names.package(path)))
    for number, sequence in enumerate(suite.sequences, start=1):
        paths = [suite.base / p for p in sequence]
        relatives = [_within(p, root) for p in paths]
        runs = [
            run for p, r in zip(paths, relatives) for run in names.runs(r, suite.parameter_sets(p))
        ]
        exports = [
            ExportNotebook(r, names.package(p))
            for p, r in zip(paths, relatives)
            if "predict" in _roles(p, r, scan)
        ]
        scan.sequences.append(SequenceJob(f"sequence-{number}", relatives, runs, exports))
    return scan


class _Names:
    """Slugs (executed notebooks, artifacts) and package names, unique in the workflow."""

    def __init__(self) -> None:
        self.slugs: set[str] = set()
        self.packages: set[str] = set()

    def runs(self, relative: str, sets) -> list[JobNotebook]:
        slug = _slug(relative)
        return [
            JobNotebook(
                relative,
                _unique(slug if len(sets) == 1 else f"{slug}-{n}", self.slugs),
                s.label,
                s.values,
            )
            for n, s in enumerate(sets, start=1)
        ]

    def package(self, path: Path) -> str:
        from nb2prod.exporter.pipeline import default_name

        return _unique(default_name(path), self.packages)


def _roles(path: Path, relative: str, scan: NotebookScan) -> set[str]:
    """The notebook's cell roles; none (and ``skipped`` says why) when it cannot be read."""
    from nb2prod.errors import NotebookReadError
    from nb2prod.notebook import load_notebook
    from nb2prod.roles import notebook_roles

    try:
        return set(notebook_roles(load_notebook(path)).values())
    except Nb2ProdError as exc:  # unreadable file, unknown or conflicting roles
        reason = exc.reason if isinstance(exc, NotebookReadError) else exc.message
        scan.skipped.append(SkippedNotebook(relative, reason))
        return set()


def _within(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise UsageError(
            f"{path}: a notebook of [tool.nb2prod.test] sequences is outside {root}",
            "run `nb2prod init` in the folder that holds the pyproject.toml",
        ) from None


def _slug(relative: str) -> str:
    """``models/Churn v2.ipynb`` -> ``models-Churn-v2`` (an artifact and file name)."""
    stem = relative[: -len(".ipynb")] if relative.endswith(".ipynb") else relative
    return re.sub(r"[^A-Za-z0-9._]+", "-", stem).strip("-.") or "notebook"


def _unique(name: str, taken: set[str]) -> str:
    # Two notebooks with one name in different folders must not share an artifact or folder.
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}_{number}", number + 1
    taken.add(candidate)
    return candidate


# --------------------------------------------------------------------------- rendering


def plan_ci(
    path: str | os.PathLike = ".", ci: str = "github", *, install: str = DEFAULT_INSTALL
) -> CiScaffold:
    """The files ``nb2prod init --ci CI`` writes for the project that holds ``path``.

    ``install`` is the shell line that installs nb2prod in each CI job.
    """
    from nb2prod.config import find_project_root

    if ci not in SUPPORTED_CI:
        raise UsageError(
            f"--ci {ci!r} is not supported", f"choose one of: {', '.join(SUPPORTED_CI)}"
        )
    if not os.path.exists(path):
        raise UsageError(f"{path}: no such file or folder")
    root = find_project_root(path)
    scan = scan_notebooks(root)
    context = {
        "version": __version__,
        "install": install,
        "python_version": PYTHON_VERSION,
        "jobs": scan.jobs,
        "exports": scan.exports,
        "sequences": scan.sequences,
        "with_params": any(job.params for job in scan.jobs),
        "timeout": f" --timeout {scan.timeout:g}" if scan.timeout else "",
        "executed_dir": EXECUTED_DIR,
        "build_dir": BUILD_DIR,
        "cache_files": [n for n in _CACHE_KEYS if (root / n).is_file()],
        "project_installs": project_installs(root),
    }
    files = [
        _file(root, WORKFLOW, _render("github.yml.j2", context)),
        _file(root, PRE_COMMIT, _render("pre-commit-config.yaml.j2", context)),
    ]
    kept = [f for f in files if f.relative == PRE_COMMIT and _runs_nb2prod_hook(f.path)]
    ignored = _ignoring_the_store(root)
    amended = [ignored] if ignored else []
    return CiScaffold(root, scan, [f for f in files if f not in kept], kept, amended)


def project_installs(root: Path) -> list[str]:
    """The shell lines that install what the project at ``root`` declares, for the jobs
    that run its notebooks: its lock (``uv.lock`` exported by uv, or a
    ``requirements.lock``), then ``requirements.txt``, then the project itself
    (``pip install -e .``) when it is a package (a ``[project]`` or ``[tool.poetry]``
    table, ``setup.py`` or ``setup.cfg``), so a notebook importing it runs in CI."""
    lines = []
    if (root / "uv.lock").is_file():
        exported = '"$RUNNER_TEMP/uv-requirements.txt"'
        lines += [
            "pip install uv",
            f"uv export --frozen --no-emit-project -o {exported}",
            f"pip install -r {exported}",
        ]
    elif (root / "requirements.lock").is_file():
        lines.append("pip install -r requirements.lock")
    if (root / "requirements.txt").is_file():
        lines.append("pip install -r requirements.txt")
    if _is_package(root):
        lines.append("pip install -e .")
    return lines


def _is_package(root: Path) -> bool:
    """True when pip can install the project at ``root``; a pyproject.toml that only
    holds tool settings (``[tool.nb2prod]``, ``[tool.ruff]``) is not a package."""
    if (root / "setup.py").is_file() or (root / "setup.cfg").is_file():
        return True
    from nb2prod.config import tomllib

    try:
        document = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return "project" in document or "poetry" in document.get("tool", {})


def _file(root: Path, relative: str, content: str) -> ScaffoldFile:
    return ScaffoldFile(root / relative, relative, content)


def _ignoring_the_store(root: Path) -> ScaffoldFile | None:
    """``.gitignore`` with the tracking store's folder added, or None when it ignores it
    already (or cannot be read: then it is left alone)."""
    path = root / GITIGNORE
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError):
        return None
    if any(line.strip() in _IGNORES_STORE for line in text.splitlines()):
        return None
    if text and not text.endswith("\n"):
        text += "\n"
    added = (
        f"# nb2prod's local tracking store (runs, artifacts): state, not source\n{STORE_FOLDER}\n"
    )
    return _file(root, GITIGNORE, text + added)


def _runs_nb2prod_hook(path: Path) -> bool:
    """True when the pre-commit configuration at ``path`` already has the nb2prod hook."""
    try:
        return bool(_HOOK_ID.search(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        return False  # a folder or an unreadable file is a conflict, reported as one


def _render(name: str, context: dict) -> str:
    return _templates().get_template(name).render(context)


@functools.cache
def _templates():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # YAML, not HTML
    )
    environment.filters["yaml"] = yaml_scalar
    environment.filters["shell"] = shlex.quote
    return environment


def yaml_scalar(value: str) -> str:
    """``value`` as a YAML scalar that reads back as the same string: plain when that is
    safe, else double-quoted (a JSON string is a valid YAML double-quoted scalar)."""
    plain = _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS
    return value if plain and not _looks_numeric(value) else json.dumps(value, ensure_ascii=False)


def _looks_numeric(value: str) -> bool:
    try:
        float(value.replace("_", ""))
    except ValueError:
        return value.startswith(".") and value[1:].lower() in {"inf", "nan"}
    return True


# --------------------------------------------------------------------------- writing


def write_scaffold(scaffold: CiScaffold, *, force: bool = False) -> list[Path]:
    """Write the scaffold's files atomically; return their paths.

    Every target is checked before the first write: an existing file without ``force``,
    or a folder in a file's place, stops the run with nothing written.
    """
    every = scaffold.files + scaffold.amended
    folders = [f.relative for f in every if f.path.is_dir() or _blocked(f, scaffold.root)]
    if folders:
        raise UsageError(
            f"cannot write {', '.join(folders)}: a folder or file is in the way",
            "move it aside and run `nb2prod init` again",
        )
    if scaffold.conflicts and not force:
        names = ", ".join(f.relative for f in scaffold.conflicts)
        verb = "exists" if len(scaffold.conflicts) == 1 else "exist"
        raise UsageError(f"{names} already {verb}; nothing was written", "--force replaces them")
    for scaffold_file in every:
        _write_atomically(scaffold_file)
    return [f.path for f in every]


def _blocked(scaffold_file: ScaffoldFile, root: Path) -> bool:
    """True when a parent of the file is an existing non-folder (``.github`` as a file)."""
    for parent in scaffold_file.path.relative_to(root).parents:
        folder = root / parent
        if folder.exists() and not folder.is_dir():
            return True
    return False


def _write_atomically(scaffold_file: ScaffoldFile) -> None:
    """Write to a temporary file in the target's folder, then rename it over the target."""
    target = scaffold_file.path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, scaffold_file.content.encode("utf-8"))
    except OSError as exc:
        raise UsageError(
            f"{scaffold_file.relative}: cannot write ({exc.strerror or exc})"
        ) from None


def init_ci(
    path: str | os.PathLike = ".",
    ci: str = "github",
    *,
    force: bool = False,
    install: str = DEFAULT_INSTALL,
) -> list[Path]:
    """Plan and write the CI files of the project holding ``path``; return what was written."""
    return write_scaffold(plan_ci(path, ci, install=install), force=force)
