"""Grids on Dask: ``nb2prod run NB --grid grid.yaml --executor dask [--scheduler ADDRESS]``.

Each grid point is one Dask task.  A task runs the job in a job process
(``python -m nb2prod.jobs.dask_grid``, nb2prod.child's protocol, which calls
:func:`~nb2prod.jobs.runner.run_job`, one job at a time, kept warm for the worker's next
task) and its notebook in a kernel of its own: papermill never runs in a worker's thread,
where kernels hang and share the process's working folder (papermill #239, #473, #511).

What a worker needs comes with the task, so a remote worker needs only the environment:

- the project the job runs in (the nearest folder with pyproject.toml or .git above its
  working folder, the notebook's folder or ``--cwd``; else that folder alone), packed once
  on the submitter (:mod:`nb2prod.jobs.shipping`), scattered to the cluster once, and
  unpacked into a fresh folder for each point, where the notebook runs in the same place
  relative to it: a notebook reading ``../data/x.csv`` finds it there too;
- the notebook's bytes as the submitter read and checked them;
- the tracking URI, experiment and run tags (git commit, the notebook's path in its
  project), resolved here: the worker's copy has no git repository (``.git`` stays here);
  and the ``MLFLOW_*`` variables and the user's credentials for a team server (under the
  names ``[tool.nb2prod]`` gives them, and MLflow's), set for the job's length only.

What comes back: the job's result and, with ``-o``, the executed notebook, written here.
The run and its artifacts go to the tracking store from the worker, as a local job's do;
so an embedded SQLite store (or a ``file:`` one) is refused with a remote scheduler.
A point whose kernel, job process or worker dies is a FAILED point; the others go on.

Without ``--scheduler``: a ``LocalCluster`` of ``workers`` single-threaded worker
processes on this machine (default: one per core), closed at the end or on Ctrl-C.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nb2prod.atomic import write_atomically
from nb2prod.child import Child, ChildError, serve
from nb2prod.config import find_project_root
from nb2prod.environ import environment
from nb2prod.errors import EnvironmentProblem, NotebookFailed, UsageError, first_line
from nb2prod.jobs.runner import JobOptions, JobResult, check_job, run_job
from nb2prod.jobs.shipping import pack_folder, unpack_folder

INSTALL_HINT = "pip install 'nb2prod[dask]'"
_CHILD = "nb2prod.jobs.dask_grid"


@dataclass
class PointTask:
    """What a worker gets for one grid point (besides the working folder's archive)."""

    number: int
    options: JobOptions  # resolved here: URI, experiment and tags set, paths relative
    notebook: bytes
    place: str | None  # the notebook's path inside the shipped folder; None: outside it
    workdir: str  # where it runs, relative to the shipped folder
    environment: dict[str, str] = field(default_factory=dict)


@dataclass
class PointReply:
    """A finished point, as plain data (nb2prod's errors do not survive pickling)."""

    status: str
    seconds: float
    params: dict[str, Any]
    run_id: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    failure: tuple[str, str | None] | None = None  # (message, hint)
    tracking_error: tuple[str, str | None] | None = None
    executed: bytes | None = None  # the executed notebook, when -o asked for it
    unrecorded: bytes | None = None  # the executed notebook of a run the store did not take


# --------------------------------------------------------------------------- the submitter


def run_on_dask(
    jobs: list[JobOptions],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    client: Any = None,
    on_done: Callable[[JobResult], None] = lambda _: None,
    say: Callable[[str], None] = lambda _: None,
) -> list[JobResult]:
    """Run ``jobs`` as Dask tasks; their results in the order of ``jobs``.  ``client`` is
    an open ``distributed.Client`` to use (then ``scheduler`` and ``workers`` are not);
    ``on_done`` is called with each result as it arrives."""
    if client is not None:
        local = type(getattr(client, "cluster", None)).__name__ == "LocalCluster"
        tasks, archives = _prepare(jobs, remote=not local)
        return _submit(client, tasks, archives, jobs, on_done)
    distributed = _import_distributed()  # a missing Dask is said before anything else
    tasks, archives = _prepare(jobs, remote=scheduler is not None)
    if scheduler is not None:
        try:
            opened = distributed.Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise EnvironmentProblem(
                f"cannot reach the Dask scheduler at {scheduler}: {first_line(exc)}",
                "start it (`dask scheduler`) or check the address; nothing was run",
            ) from None
        with opened:
            say(f"running {_jobs(jobs)} on the Dask scheduler at {scheduler}")
            return _submit(opened, tasks, archives, jobs, on_done)
    workers = min(workers or os.cpu_count() or 1, len(jobs))  # an idle worker costs a process
    say(f"running {_jobs(jobs)} on a local Dask cluster of {workers} workers")
    cluster = distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # a free port: 8787 may be taken
        silence_logs=logging.ERROR,
    )
    with cluster, distributed.Client(cluster) as local:
        return _submit(local, tasks, archives, jobs, on_done)


def _jobs(jobs: list[JobOptions]) -> str:
    return f"{jobs[0].notebook}" if len(jobs) == 1 else f"{len(jobs)} jobs"


def _import_distributed():
    try:
        import dask.distributed as distributed
    except ImportError:
        raise EnvironmentProblem(
            "--executor dask needs Dask, which is not installed here", INSTALL_HINT
        ) from None
    return distributed


def _prepare(jobs: list[JobOptions], *, remote: bool):
    """Each job checked (parameters, syntax) and resolved here, with its working folder;
    each working folder packed."""
    from nb2prod.tracking.context import notebook_label, run_tags
    from nb2prod.tracking.uri import resolve_tracking_uri

    mlflow = {
        name: value
        for name, value in os.environ.items()
        if name.startswith("MLFLOW_") and name != "MLFLOW_TRACKING_URI"
    }
    tasks, folders = [], set()
    for number, options in enumerate(jobs, start=1):
        check_job(options)
        path = Path(options.notebook).resolve()
        workdir = Path(options.cwd).resolve() if options.cwd else path.parent
        folder = find_project_root(workdir)
        uri = resolve_tracking_uri(options.tracking_uri, path) if options.track else None
        if remote and uri is not None and _on_this_machine(uri):
            raise UsageError(
                f"the tracking store {uri} is a file on this machine, which the workers of "
                "a remote Dask scheduler cannot write to",
                "use a team MLflow server (MLFLOW_TRACKING_URI or [tool.nb2prod] "
                "tracking_uri), or --no-track",
            )
        place = path.relative_to(folder).as_posix() if path.is_relative_to(folder) else None
        resolved = replace(
            options,
            notebook=Path(path.name),
            output=Path(path.name) if options.output else None,
            cwd=None,
            tracking_uri=uri,
            experiment=options.experiment or notebook_label(path),
            tags=run_tags(path, kind="job", packages=False) if uri else None,
        )
        here = workdir.relative_to(folder).as_posix()
        environment = {**mlflow, **_credentials(path)} if uri else mlflow
        task = PointTask(number, resolved, path.read_bytes(), place, here, environment)
        tasks.append((task, folder))
        folders.add(folder)
    archives = {
        folder: pack_folder(folder, exclude=_outputs_inside(jobs, folder)) for folder in folders
    }
    return tasks, archives


def _credentials(notebook: Path) -> dict[str, str]:
    """The user's name and password for the store, under the variables the project names
    (``[tool.nb2prod] tracking_username_env``) and under MLflow's own."""
    from nb2prod.tracking.auth import credentials_for

    named = credentials_for(notebook)
    ours = {name: os.environ.get(name) for name in (named.username_env, named.password_env)}
    return {**{k: v for k, v in ours.items() if v}, **named.mlflow_environment()}


def _on_this_machine(uri: str) -> bool:
    from nb2prod.tracking.sqlite_store import sqlite_path

    return sqlite_path(uri) is not None or uri.startswith("file:") or "://" not in uri


def _outputs_inside(jobs: list[JobOptions], folder: Path) -> list[Path]:
    """The -o folders (earlier grids' executed notebooks): not sent to the workers."""
    found = []
    for options in jobs:
        if options.output is not None:
            target = Path(options.output).resolve().parent
            if target != folder and target.is_relative_to(folder):
                found.append(target)
    return found


def _submit(client, tasks, archives, jobs, on_done) -> list[JobResult]:
    """Submit one task per point, collect the results as they finish; Ctrl-C cancels."""
    from dask.distributed import as_completed

    token = uuid.uuid4().hex[:8]
    scattered = {folder: client.scatter(data, hash=False) for folder, data in archives.items()}
    futures = {}
    try:
        for task, folder in tasks:
            key = f"nb2prod-point-{token}-{task.number}"
            future = client.submit(run_point, task, scattered[folder], key=key, pure=False)
            futures[future] = task.number - 1
        results: list[JobResult | None] = [None] * len(tasks)
        for future in as_completed(list(futures)):
            index = futures[future]
            result = _result(future, jobs[index], index + 1)
            results[index] = result
            on_done(result)
    except BaseException:
        client.cancel(list(futures))
        raise
    return [r for r in results if r is not None]


def _result(future, options: JobOptions, number: int) -> JobResult:
    """The point's result, its executed notebook written to ``options.output``."""
    try:
        reply: PointReply = future.result()
    except Exception as exc:  # the task itself failed: its worker died (KilledWorker), ...
        reason = "its Dask worker died" if type(exc).__name__ == "KilledWorker" else first_line(exc)
        failure = NotebookFailed(
            f"grid point {number} did not finish: {reason}",
            "the Dask worker's log says why (out of memory, killed)",
        )
        return JobResult(
            str(options.notebook), dict(options.params), "FAILED", 0.0, failure=failure
        )
    output = None
    if options.output is not None and reply.executed is not None:
        output = Path(options.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(output, reply.executed)
    tracking_error = None
    if reply.tracking_error:
        from nb2prod.tracking.store import TrackingUnavailable

        tracking_error = TrackingUnavailable(*reply.tracking_error)
        if output is None and reply.unrecorded is not None:  # kept here, as a local job's
            output = _keep_unrecorded(reply.unrecorded, Path(options.notebook), number)
            tracking_error.message += f"; the executed notebook is kept in {output}"
    return JobResult(
        notebook=str(options.notebook),
        params=reply.params,
        status=reply.status,
        seconds=reply.seconds,
        run_id=reply.run_id,
        output=output,
        failure=NotebookFailed(*reply.failure) if reply.failure else None,
        metrics=reply.metrics,
        tracking_error=tracking_error,
    )


def _keep_unrecorded(executed: bytes, notebook: Path, number: int) -> Path:
    """``<project root>/.nb2prod/unrecorded/NAME-TIME-POINT.ipynb``, as runner keeps a
    local job's."""
    folder = find_project_root(notebook.resolve().parent) / ".nb2prod" / "unrecorded"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{notebook.stem}-{time.strftime('%Y%m%d-%H%M%S')}-{number}.ipynb"
    write_atomically(target, executed)
    return target


# --------------------------------------------------------------------------- the worker


#: This worker's job processes, idle between tasks.  A process serves one job at a time and
#: is kept for the worker's next task, so the imports of papermill, nbformat and nbconvert
#: (about 1.5 s of CPU) are paid once per worker, not once per point; each job still gets
#: a kernel process, a working folder and an environment of its own.
_IDLE: list[Child] = []
_IDLE_LOCK = threading.Lock()


@dataclass
class JobRequest:
    """What the job process gets: the job, and environment variables for its length."""

    options: JobOptions
    environment: dict[str, str]


def run_point(task: PointTask, archive: bytes) -> PointReply:
    """On a Dask worker: unpack the shipped folder into a folder of the point's own and run
    the job there in a job process.  Never raises for the job's own problems."""
    with tempfile.TemporaryDirectory(prefix="nb2prod-point-") as scratch:
        work = Path(scratch) / "work"
        unpack_folder(archive, work)
        if task.place is not None:
            notebook = work / task.place
        else:
            notebook = Path(scratch) / "notebook" / task.options.notebook.name
        notebook.parent.mkdir(parents=True, exist_ok=True)
        notebook.write_bytes(task.notebook)
        output = Path(scratch) / "output" / notebook.name if task.options.output else None
        options = replace(task.options, notebook=notebook, output=output, cwd=work / task.workdir)
        child = _job_process()
        try:
            reply: PointReply = child.call(JobRequest(options, task.environment))
        except ChildError as error:  # the job's process died, or nb2prod refused the job
            return PointReply(
                "FAILED",
                0.0,
                dict(task.options.params),
                failure=(f"grid point {task.number} did not finish: {error.message}", error.hint),
            )
        finally:
            _done_with(child)
        if output is not None and output.exists():
            reply.executed = output.read_bytes()
        return reply


def _job_process() -> Child:
    with _IDLE_LOCK:
        while _IDLE:
            child = _IDLE.pop()
            if child.process.poll() is None:
                return child
            child.close()
    return Child(_CHILD)


def _done_with(child: Child) -> None:
    if child.process.poll() is not None:  # it died with its job: the next task starts one
        child.close()
        return
    with _IDLE_LOCK:
        _IDLE.append(child)


def run_in_child(request: JobRequest) -> PointReply:
    """The job process's handler: the job, its result as plain data."""
    with environment(**request.environment):
        result = run_job(request.options)
    unrecorded = None
    if result.tracking_error and result.output and request.options.output is None:
        unrecorded = Path(result.output).read_bytes()  # in the point's folder, soon removed
    return PointReply(
        unrecorded=unrecorded,
        status=result.status,
        seconds=result.seconds,
        params=result.params,
        run_id=result.run_id,
        metrics=result.metrics,
        failure=(result.failure.message, result.failure.hint) if result.failure else None,
        tracking_error=(
            (result.tracking_error.message, result.tracking_error.hint)
            if result.tracking_error
            else None
        ),
    )


if __name__ == "__main__":
    from nb2prod.jobs import recorder

    recorder.KEEP_RECORDERS = True  # one MLflow import per worker, not one per grid point
    serve(run_in_child)
