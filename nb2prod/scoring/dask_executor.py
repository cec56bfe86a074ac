"""The Dask executor: the local executor's chunks as partitions (``dd.from_map``), scored
by ``map_partitions`` with the model loaded once per worker process (``model.loaded``
caches it there), gathered back **in order** by the submitter, which writes them: the
output is the local executor's, byte for byte.

Without a scheduler address it starts a ``LocalCluster`` of processes here.  With one,
workers need nb2prod (``nb2prod[dask]``) and the model's dependencies installed; a package
folder is shipped to them (a worker plugin unpacks it), an installed package must be
installed there, and an MLflow URI must name a store they can reach (not the embedded
SQLite file of this machine).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from nb2prod.errors import EnvironmentProblem, Nb2ProdError, UsageError
from nb2prod.scoring.executors import ScoreJob
from nb2prod.scoring.frames import MissingColumns, score_frame
from nb2prod.scoring.model import ModelFailed
from nb2prod.scoring.tables import Chunk, InputProblem, chunk_plan, read_chunk, unreadable

INSTALL_HINT = "pip install 'nb2prod[dask]'"
#: Partitions in flight per worker: enough to keep workers busy, few enough to keep the
#: submitter's memory bounded while it writes in order.
IN_FLIGHT_PER_WORKER = 2


class Carried(Exception):
    """An nb2prod error raised on a worker, carried back with its class and hint (the
    errors' own pickling keeps only the message)."""

    def __init__(self, kind: str, message: str, hint: str | None, rows: int = 0) -> None:
        super().__init__(kind, message, hint, rows)


_KINDS: dict[str, type[Nb2ProdError]] = {
    cls.__name__: cls
    for cls in (ModelFailed, MissingColumns, InputProblem, UsageError, EnvironmentProblem)
}


def score_partition(frame: Any, *args: Any, encode: Callable[[Any], Any] | None = None) -> Any:
    """``score_frame`` (or ``encode``) on a worker, its nb2prod errors made ``Carried``."""
    try:
        return encode(frame) if encode is not None else score_frame(frame, *args)
    except Nb2ProdError as exc:
        kind = type(exc).__name__ if type(exc).__name__ in _KINDS else "ModelFailed"
        raise Carried(kind, exc.message, exc.hint, len(frame)) from None


class DaskExecutor:
    """Scores the partitions of a Dask DataFrame on a cluster."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        if scheduler and workers:
            raise UsageError("--workers sizes the local cluster; a --scheduler has its own")
        try:
            import dask.dataframe  # noqa: F401
            import distributed  # noqa: F401
        except ImportError:
            raise EnvironmentProblem("--executor dask needs Dask", INSTALL_HINT) from None
        self.scheduler = scheduler
        self.workers = workers or os.cpu_count() or 1
        self.client: Any = None
        self.cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        from distributed import Client, LocalCluster

        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout="15s")
            except (OSError, TimeoutError) as exc:
                raise EnvironmentProblem(
                    f"cannot reach the Dask scheduler at {self.scheduler}: {exc}",
                    "check the address (tcp://HOST:8786) and that the scheduler runs",
                ) from None
        else:
            self.cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address="127.0.0.1:0",  # None still takes :8787 for its HTTP server
            )
            self.client = Client(self.cluster)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def _prepare(self, job: ScoreJob) -> None:
        """Make the model reachable from the workers (once per job)."""
        if getattr(self, "_prepared", None) is job:
            return
        self._prepared = job
        spec = job.spec
        if not self.scheduler:
            return  # the local cluster's workers see this machine's files
        if spec.kind == "mlflow":
            if spec.tracking_uri and spec.tracking_uri.startswith("sqlite:"):
                raise UsageError(
                    "remote Dask workers cannot read this machine's embedded MLflow store "
                    f"({spec.tracking_uri})",
                    "log the model to a team MLflow server (--tracking-uri) or score without --scheduler",
                )
            if not spec.name.startswith(("runs:/", "models:/")) and "://" not in spec.name:
                raise UsageError(
                    f"{spec.name} is a folder on this machine; remote workers cannot load it",
                    "use a runs:/ or models:/ URI of a store the workers reach",
                )
        elif spec.folder is not None:
            from nb2prod.scoring.shipping import ShipPackage

            self.client.register_plugin(ShipPackage.of(spec))

    def sample(self, job: ScoreJob) -> Any:
        self._prepare(job)
        future = self.client.submit(
            score_partition, job.schema.sample, job.spec, job.params, job.schema.dtypes, pure=False
        )
        return _result(future)  # score() says where

    def scored(
        self, job: ScoreJob, output_dtypes: Mapping[str, Any], encode: Callable[[Any], Any]
    ) -> Iterator[tuple[str, Any]]:
        import dask
        import dask.dataframe as dd

        self._prepare(job)
        schema = job.schema
        plan = list(chunk_plan(schema, job.files, job.chunksize))
        if not plan:
            return
        # the local executor's chunks, one partition each: the model sees the same batches
        frame = dd.from_map(
            read_partition, plan, args=(schema.fmt, schema.columns, schema.dtypes),
            meta=_empty(schema.dtypes), label="nb2prod-read",
        )  # fmt: skip
        scored = frame.map_partitions(
            score_partition, job.spec, job.params, schema.dtypes, dict(output_dtypes),
            meta=_empty(output_dtypes),
        )  # fmt: skip
        # encoded on the workers too (CSV text costs more than the model): the submitter
        # only appends, in order
        parts = [dask.delayed(encode_partition)(part, encode) for part in scored.to_delayed()]
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        window = max(2, IN_FLIGHT_PER_WORKER * workers)
        pending: deque = deque()
        upcoming = iter(zip(plan, parts))
        rows: dict[str, int] = {}
        try:
            for chunk, part in upcoming:
                pending.append((chunk, self.client.compute(part)))
                if len(pending) >= window:
                    break
            while pending:
                chunk, future = pending.popleft()
                start = rows.get(chunk.path, 0)
                encoded = _result(future, chunk.path, start)
                rows[chunk.path] = start + encoded[0]
                yield f"{chunk.path} rows {start + 1}-{start + encoded[0]}", encoded
                following = next(upcoming, None)
                if following is not None:
                    pending.append((following[0], self.client.compute(following[1])))
        finally:
            for _, future in pending:
                future.cancel()


def encode_partition(frame: Any, encode: Callable[[Any], Any]) -> Any:
    """``encode(frame)`` on a worker, its nb2prod errors made ``Carried``."""
    return score_partition(frame, encode=encode)


def read_partition(chunk: Chunk, *args: Any) -> Any:
    """``read_chunk`` on a worker, a file it cannot read made ``Carried``."""
    try:
        return read_chunk(chunk, *args)
    except (ValueError, TypeError, OSError, UnicodeDecodeError) as exc:
        problem = unreadable("", exc)
        raise Carried("InputProblem", problem.message.removeprefix(": "), problem.hint) from None


def _empty(dtypes: Mapping[str, Any]) -> Any:
    import pandas as pd

    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in dtypes.items()})


def _result(future: Any, path: str | None = None, start: int = 0) -> Any:
    """The future's frame; an error from the worker as the nb2prod error it was, placed
    in ``path`` from row ``start + 1`` (to the chunk's last row, when known)."""
    try:
        return future.result()
    except Carried as exc:
        kind, message, hint, rows = exc.args
        if path is not None:
            message = f"{path} rows {start + 1}-{start + rows if rows else ''}: {message}"
        raise _KINDS[kind](message, hint) from None
