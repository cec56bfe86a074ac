"""The tags every nb2prod run carries (ARCHITECTURE §4.4) and the default experiment name."""

from __future__ import annotations

import functools
import platform
import sys
from pathlib import Path

from nb2prod import __version__
from nb2prod.config import find_project_root
from nb2prod.gitinfo import git_state

MAX_TAG_LENGTH = 5000
#: The tag naming a run's notebook (its label): what the panel's Runs and models list by.
NOTEBOOK_TAG = "nb2prod.notebook"


def notebook_label(notebook: str | Path) -> str:
    """The notebook's path relative to its project root: the experiment name and the
    ``nb2prod.notebook`` tag, the same from the kernel, the CLI and the server."""
    path = Path(notebook).resolve()
    root = find_project_root(path.parent)
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def run_tags(
    notebook: str | Path | None,
    *,
    cell_id: str | None = None,
    source: str | None = None,
    kind: str = "cell",
    packages: bool = True,
) -> dict[str, str]:
    """Tags for a run about ``notebook`` (None when unknown); ``packages`` lists the
    distributions imported in this process (a kernel's, not a CLI's)."""
    tags = {
        "nb2prod.version": __version__,
        "nb2prod.kind": kind,
        "nb2prod.python": platform.python_version(),
    }
    if packages:
        tags["nb2prod.packages"] = _truncated(" ".join(imported_distributions()))
    if notebook is not None:
        label = notebook_label(notebook)
        tags.update({NOTEBOOK_TAG: label, "mlflow.source.name": label})
        tags["mlflow.source.type"] = "NOTEBOOK"
        commit, dirty = _git_state_cached(Path(notebook))
        if commit:
            tags["nb2prod.git_commit"] = commit
            tags["mlflow.source.git.commit"] = commit
            tags["nb2prod.git_dirty"] = str(bool(dirty)).lower()
    if cell_id:
        tags["nb2prod.cell_id"] = cell_id
    if source is not None:
        from nb2prod.credentials import redact_text

        tags["nb2prod.cell_source"] = _truncated(redact_text(source))  # never a credential
    return tags


def _git_state_cached(notebook: Path) -> tuple[str | None, bool | None]:
    """git_state, asked again only when the notebook, the index or HEAD changed."""
    stamps: list[int | None] = []
    for path in (notebook, *_git_files(notebook)):
        try:
            stamps.append(path.stat().st_mtime_ns)
        except OSError:
            stamps.append(None)
    return _git_state_at(notebook.resolve(), tuple(stamps))


@functools.lru_cache(maxsize=32)
def _git_state_at(notebook: Path, _stamps: tuple) -> tuple[str | None, bool | None]:
    return git_state(notebook)


def _git_files(notebook: Path) -> list[Path]:
    for folder in (notebook.resolve().parent, *notebook.resolve().parents):
        if (folder / ".git").is_dir():
            return [folder / ".git" / "HEAD", folder / ".git" / "index"]
    return []


def imported_distributions() -> list[str]:
    """``name==version`` of the third-party distributions whose modules are imported now
    (worked out again only when more modules are imported)."""
    return list(_distributions_for(len(sys.modules)))


@functools.lru_cache(maxsize=4)
def _distributions_for(_module_count: int) -> tuple[str, ...]:
    from nb2prod.dependencies.distributions import installed_distributions, is_stdlib

    found: set[str] = set()
    for module in list(sys.modules):
        top = module.partition(".")[0]
        if top.startswith("_") or is_stdlib(top):
            continue
        for distribution in installed_distributions(top)[:1]:
            found.add(_pinned(distribution))
    return tuple(sorted(found - {""}, key=str.lower))


@functools.cache
def _pinned(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{distribution}=={version(distribution)}"
    except PackageNotFoundError:
        return ""


def _truncated(text: str) -> str:
    return text if len(text) <= MAX_TAG_LENGTH else text[: MAX_TAG_LENGTH - 1] + "…"
