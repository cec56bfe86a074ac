"""Parameter files and grids for ``nb2prod run``: ``-f params.yaml`` holds one set of
values; ``--grid grid.yaml`` maps names to lists and runs one job per combination, with
an executor from :data:`EXECUTORS` (``--executor``: here one after another, or on Dask)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nb2prod.errors import UsageError

if TYPE_CHECKING:
    from nb2prod.jobs.runner import JobOptions, JobResult


def read_yaml_mapping(path: Path, what: str) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: the {what} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise UsageError(f"{path}: the {what} must map parameter names to values")
    return data


def combinations(grid: dict[str, Any]) -> list[dict[str, Any]]:
    """Every combination of the grid's lists, in file order (a scalar is a list of one)."""
    names = list(grid)
    choices = [value if isinstance(value, list) else [value] for value in grid.values()]
    if any(not values for values in choices):
        empty = [name for name, values in zip(names, choices) if not values]
        raise UsageError(f"the grid gives no value for {', '.join(empty)}")
    return [dict(zip(names, values)) for values in itertools.product(*choices)]


# --------------------------------------------------------------------------- executors

#: Where the jobs of ``nb2prod run`` run, by ``--executor`` name: each entry is a function
#: ``(jobs, *, scheduler, workers, on_done, say) -> results in the order of jobs``, imported
#: when used (Dask only when asked for).  Others plug in through the entry point group
#: ``nb2prod.grid_executors`` (``name = "module:function"``).
ENTRY_POINTS = "nb2prod.grid_executors"
EXECUTORS = {
    "local": "nb2prod.jobs.grid:run_here",
    "dask": "nb2prod.jobs.dask_grid:run_on_dask",
}


def run_jobs(
    jobs: list[JobOptions],
    executor: str = "local",
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    on_done: Callable[[JobResult], None] = lambda _: None,
    say: Callable[[str], None] = lambda _: None,
) -> list[JobResult]:
    """Run ``jobs`` (a grid's points, or one job) with ``executor``; the results in the
    order of ``jobs``, ``on_done`` called with each as it finishes."""
    import importlib

    target = EXECUTORS.get(executor)
    if target is None:
        from importlib.metadata import entry_points

        found = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINTS)}
        target = found.get(executor)
        if target is None:
            names = ", ".join(sorted({*EXECUTORS, *found}))
            raise UsageError(f"unknown executor {executor!r}", f"one of: {names}")
    module, _, name = target.partition(":")
    run = getattr(importlib.import_module(module), name)
    return run(jobs, scheduler=scheduler, workers=workers, on_done=on_done, say=say)


def run_here(
    jobs: list[JobOptions],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    on_done: Callable[[JobResult], None] = lambda _: None,
    say: Callable[[str], None] = lambda _: None,
) -> list[JobResult]:
    """The local executor: the jobs one after another in this process's children."""
    from nb2prod.jobs.runner import run_job

    if scheduler is not None or workers is not None:
        raise UsageError("--scheduler and --workers need --executor dask")
    results = []
    for options in jobs:
        results.append(run_job(options, say=say))
        on_done(results[-1])
    return results
