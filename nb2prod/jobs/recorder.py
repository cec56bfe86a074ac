"""The MLflow side of a job, in a child process that warms up while the notebook runs.

Importing MLflow and opening its store costs about two seconds; a job's notebook often
runs in less.  So ``nb2prod run`` starts this recorder first: it imports MLflow and opens
the store on the other core while papermill runs, then receives the job's record on stdin
and writes the run in one go (parameters, metrics, tags, the executed notebook and its
HTML, the status, the real start and end times).
The job's kernel never talks to MLflow: it appends what cells log to a JSON-lines file.

The recorder is a child of nb2prod.child's protocol with two round trips: ``OpenStore``
(answered while the notebook runs), then ``WriteRun`` (answered with the run id and metrics).
A process that runs many jobs (a Dask worker's job process) sets :data:`KEEP_RECORDERS`:
its recorder then serves its next job too, and MLflow is imported once, not once per job.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field
from typing import Any

from nb2prod.child import Child, ChildError, serve
from nb2prod.tracking.auth import PASSWORD_ENV, USERNAME_ENV, Credentials
from nb2prod.tracking.store import TrackingUnavailable


@dataclass
class JobRecord:
    """What the run records; times are ms since the epoch."""

    status: str
    start_time: int
    end_time: int
    params: dict[str, str]
    metrics: list[tuple[str, float, int]]  # (name, value, step)
    tags: dict[str, str]
    files: list[str] = field(default_factory=list)  # executed notebook, HTML, artifacts
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (file, artifact folder)


@dataclass
class OpenStore:
    """The first request: import MLflow and open the store, while the notebook runs."""

    uri: str
    experiment: str
    credentials: Credentials = field(default_factory=Credentials)  # names, not values
    variables: dict[str, str | None] = field(default_factory=dict)  # their values (None: unset)


@dataclass
class WriteRun:
    """The second request: the finished job's run."""

    uri: str
    experiment: str
    run_name: str | None
    record: JobRecord
    variables: dict[str, str | None] = field(default_factory=dict)


#: Set by a process that runs job after job: its recorder is kept for the next job.  Each
#: request carries the job's credential variables, so a kept recorder writes as the user
#: whose job it is.
KEEP_RECORDERS = False
_KEPT: list[Child] = []


class Recorder:
    """The parent's handle on the recorder child."""

    def __init__(
        self, uri: str, experiment: str, run_name: str | None, credentials: Credentials
    ) -> None:
        self.uri, self.experiment, self.run_name = uri, experiment, run_name
        self.variables = _variables(credentials)
        self.kept = False
        self.child = _kept() or Child("nb2prod.jobs.recorder")
        self.child.send(OpenStore(uri, experiment, credentials, self.variables))  # answered
        # while the notebook runs

    def record(self, record: JobRecord) -> dict[str, Any]:
        """Write the run; returns ``{"run_id", "metrics"}`` or raises TrackingUnavailable."""
        try:
            self.child.receive()  # the store is open
            write = WriteRun(self.uri, self.experiment, self.run_name, record, self.variables)
            answer = self.child.call(write)
        except ChildError as error:
            self.child.close()
            raise _unavailable(error) from None
        if KEEP_RECORDERS:
            _KEPT.append(self.child)
            self.kept = True
        else:
            self.child.close(timeout=60)  # it ends as soon as its stdin closes
        return answer

    def close(self) -> None:
        if not self.kept:
            self.child.close()


def _kept() -> Child | None:
    while _KEPT:
        child = _KEPT.pop()
        if child.process.poll() is None:
            return child
        child.close()
    return None


def _variables(credentials: Credentials) -> dict[str, str | None]:
    names = {credentials.username_env, credentials.password_env, USERNAME_ENV, PASSWORD_ENV}
    return {name: os.environ.get(name) for name in sorted(names | {"MLFLOW_TRACKING_TOKEN"})}


def _unavailable(error: ChildError) -> TrackingUnavailable:
    if error.exit_code is not None:  # the store's own words (TrackingUnavailable, -Rejected)
        return TrackingUnavailable(error.message, error.hint)
    return TrackingUnavailable(f"the MLflow recorder stopped: {error.lines[-1]}")


# --------------------------------------------------------------------------- the child

_STORES: dict[str, Any] = {}  # the store OpenStore opened, for WriteRun


def record_in_child(request: OpenStore | WriteRun) -> dict[str, Any] | None:
    """The child's handler; the store's problems are raised as TrackingUnavailable or
    TrackingRejected."""
    from nb2prod.tracking.store import TrackingStore

    for name, value in request.variables.items():  # as the job's process has them
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if isinstance(request, OpenStore):
        _STORES[request.uri] = TrackingStore(request.uri, request.credentials)
        _STORES[request.uri].experiment_id(request.experiment)  # imports MLflow, opens it
        return None
    store = _STORES[request.uri]
    record = request.record
    run_id = _write(store, request.experiment, request.run_name, record)
    metrics = {name: value for name, value, _step in record.metrics}
    gc.enable()  # MLflow is imported: a recorder that is kept collects as usual
    return {"run_id": run_id, "metrics": metrics}


def _write(store, experiment: str, run_name: str | None, record: JobRecord) -> str:
    from nb2prod.tracking.values import Logged

    run_id = store.start_run(
        experiment, run_name=run_name, tags=record.tags, start_time=record.start_time
    )
    store.log(run_id, Logged(params=record.params), history=record.metrics)
    for path in record.files:
        store.log_file(run_id, path)
    for path, folder in record.outputs:  # what the notebook wrote (--artifacts, output_dir)
        store.log_file(run_id, path, folder)
    store.end_run(run_id, record.status, end_time=record.end_time)
    store.checkpoint()  # the process skips its teardown, which would close SQLite
    return run_id


if __name__ == "__main__":
    # A short-lived process whose work is mostly importing MLflow: the cycle collector would
    # walk that growing module graph again and again (a sixth of the warm-up).
    gc.disable()
    # Once the run is written and answered, tearing down MLflow's and SQLAlchemy's modules
    # would keep the waiting job most of a second longer; SQLite needs no goodbye (_write).
    serve(record_in_child, fast_exit=True)
