"""Where the chunks are scored: executors plug in by name, as papermill's engines do.

An executor is a context manager with two methods: ``sample(job)`` scores the first rows
(whose prediction columns fix the output's types) and ``scored(job, output_dtypes,
encode)`` yields every chunk scored and encoded for the output (``encode(frame)``, a
picklable callable), **in input order**, as ``(where, encoded)``.  The core never
branches on which one runs; ``local`` and ``dask`` are built in, others come from the
entry point group ``nb2prod.score_executors`` (``name = "module:Class"``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from nb2prod.errors import UsageError
from nb2prod.scoring.model import ModelSpec
from nb2prod.scoring.tables import InputSchema

BUILT_IN = {
    "local": "nb2prod.scoring.local:LocalExecutor",
    "dask": "nb2prod.scoring.dask_executor:DaskExecutor",
}
ENTRY_POINTS = "nb2prod.score_executors"


@dataclass
class ScoreJob:
    """What to score: the model, its typed parameters, the inputs and how to cut them."""

    spec: ModelSpec
    params: dict[str, Any]
    files: list[Path]
    schema: InputSchema
    chunksize: int
    options: dict[str, Any] = field(default_factory=dict)  # executor-specific


class Executor(Protocol):
    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...

    def sample(self, job: ScoreJob) -> Any: ...

    def scored(
        self, job: ScoreJob, output_dtypes: Mapping[str, Any], encode: Callable[[Any], Any]
    ) -> Iterator[tuple[str, Any]]: ...


def executor_names() -> list[str]:
    from importlib.metadata import entry_points

    names = set(BUILT_IN) | {ep.name for ep in entry_points(group=ENTRY_POINTS)}
    return sorted(names)


def get_executor(name: str, options: Mapping[str, Any]) -> Executor:
    """A new executor called ``name``, given the executor options (scheduler, workers)."""
    target = BUILT_IN.get(name)
    if target is None:
        from importlib.metadata import entry_points

        found = [ep for ep in entry_points(group=ENTRY_POINTS) if ep.name == name]
        if not found:
            raise UsageError(
                f"unknown executor {name!r}", f"choose one of {', '.join(executor_names())}"
            )
        target = found[0].value
    module, _, attribute = target.partition(":")
    factory = getattr(importlib.import_module(module), attribute)
    return factory(**options)
