"""The local executor: chunks of ``--chunksize`` rows read, scored and handed on one after
another in this process, so memory holds one chunk (and its predictions) at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from nb2prod.errors import Nb2ProdError, UsageError
from nb2prod.scoring.executors import ScoreJob
from nb2prod.scoring.frames import score_frame
from nb2prod.scoring.tables import read_chunks


class LocalExecutor:
    """Scores in this process; the model is loaded once (``model.loaded``)."""

    def __init__(self, **options: Any) -> None:
        if any(value is not None for value in options.values()):
            given = ", ".join(f"--{k}" for k, v in options.items() if v is not None)
            raise UsageError(f"{given} only apply to --executor dask")

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def sample(self, job: ScoreJob) -> Any:
        return score_frame(job.schema.sample, job.spec, job.params, job.schema.dtypes)

    def scored(
        self, job: ScoreJob, output_dtypes: Mapping[str, Any], encode: Callable[[Any], Any]
    ) -> Iterator[tuple[str, Any]]:
        for where, frame in read_chunks(job.schema, job.files, job.chunksize):
            scored = located(
                where, score_frame, frame, job.spec, job.params, job.schema.dtypes, output_dtypes
            )
            yield where, encode(scored)


def located(where: str, function, *args: Any) -> Any:
    """``function(*args)``, an nb2prod error re-raised with ``where`` in front."""
    try:
        return function(*args)
    except Nb2ProdError as exc:
        raise type(exc)(f"{where}: {exc.message}", exc.hint) from None
