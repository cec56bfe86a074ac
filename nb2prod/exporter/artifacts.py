"""Which files a package ships: those its build parameters name, left by the notebook's run.

A build parameter the package reads whose value is the path of a file or folder the run
left is copied into the package (``src/PKG/artifacts/``), and the package reads it from
there.  Relative paths are the kernel's: they start in the folder the notebook ran in, and
may reach up into the project (``../models/model.joblib`` from ``notebooks/``).  A path that
leaves the project, or names the project itself or a folder holding the notebook's, is
refused with why: shipping it would copy the user's machine or the whole project.
"""

from __future__ import annotations

from pathlib import Path

from nb2prod.exporter.plan import ExportPlan, ExportRefusal
from nb2prod.exporter.render import Artifact


def find_artifacts(plan: ExportPlan, workdir: Path, root: Path) -> list[Artifact]:
    """The artifacts of ``plan``'s build parameters after a run in ``workdir``, inside the
    project at ``root`` (or absolute files)."""
    found = []
    workdir, root = workdir.resolve(), root.resolve()
    for name in plan.package_params:
        value = plan.specs[name].default
        if not isinstance(value, str) or not value.strip():
            continue
        candidate = Path(value).expanduser()
        if candidate.is_absolute():
            if candidate.is_file():
                found.append(Artifact(name, candidate, value, f"artifacts/{candidate.name}"))
            continue
        source = (workdir / candidate).resolve()
        if not source.exists() or source == workdir:
            continue
        _check_shippable(name, value, source, workdir, root)
        kept = [p for p in candidate.parts if p not in ("..", ".")]
        found.append(Artifact(name, source, value, "artifacts/" + Path(*kept).as_posix()))
    return found


def _check_shippable(name: str, value: str, source: Path, workdir: Path, root: Path) -> None:
    inside = [base for base in (workdir, root) if base == source or base in source.parents]
    if not inside:
        raise ExportRefusal(
            f"build parameter `{name}` = {value!r} names {source}, outside the folder the "
            f"notebook ran in ({workdir}) and its project ({root}): export ships only files "
            "inside them",
            "save the file inside the project (e.g. models/ beside the notebooks), or give "
            "its absolute path",
        )
    if source == root or source in workdir.parents or source == workdir:
        raise ExportRefusal(
            f"build parameter `{name}` = {value!r} names {source}, which holds the notebook's "
            "folder: the package would ship the whole project",
            "name the file itself (or a folder of its own, such as models/)",
        )
