"""The MLflow side of a job, in a child process that warms up while the notebook runs.

Importing MLflow and opening its store costs about two seconds; a job's notebook often
runs in less.  So ``nb2prod run`` starts this recorder first: it imports MLflow and opens
the store on the other core while papermill runs, then receives the job's record on stdin
and writes the run in one go (parameters, metrics, tags, the executed notebook and its
HTML, the status, the real start and end times).
The job's kernel never talks to MLflow: it appends what cells log to a JSON-lines file.

Protocol: the parent writes one JSON line (store, experiment), later one JSON line (the
record); the child answers one JSON line after each: ``{"ready": true}`` or
``{"error": ...}``, then ``{"run_id": ..., "metrics": {...}}`` or ``{"error": ...}``.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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


class Recorder:
    """The parent's handle on the recorder child."""

    def __init__(self, uri: str, experiment: str, run_name: str | None) -> None:
        # stderr goes to a file: a pipe nobody reads until the end could fill and block it
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.child = subprocess.Popen(
            [sys.executable, "-m", "nb2prod.jobs.recorder"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self._send({"uri": uri, "experiment": experiment, "run_name": run_name})

    def record(self, record: JobRecord) -> dict[str, Any]:
        """Write the run; returns ``{"run_id", "metrics"}`` or raises TrackingUnavailable."""
        ready = self._answer()
        if "error" not in ready:
            self._send(record.__dict__)
            ready = self._answer()
        self.child.wait(timeout=60)
        if "error" in ready:
            raise TrackingUnavailable(ready["error"], ready.get("hint"))
        return ready

    def close(self) -> None:
        if self.child.poll() is None:
            self.child.kill()
            self.child.wait()
        self._stderr.close()

    def _send(self, data: dict) -> None:
        try:
            self.child.stdin.write(json.dumps(data) + "\n")
            self.child.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the child ended; its answer says why

    def _answer(self) -> dict:
        line = self.child.stdout.readline()
        if not line:
            self.child.wait()
            self._stderr.seek(0)
            last = (self._stderr.read().strip().splitlines() or ["no output"])[-1]
            return {"error": f"the MLflow recorder stopped: {last}"}
        return json.loads(line)


# --------------------------------------------------------------------------- the child


def _main() -> int:
    # A short-lived process whose work is mostly importing MLflow: the cycle collector would
    # walk that growing module graph again and again (a sixth of the warm-up).
    gc.disable()
    reply = _reply_channel()
    from nb2prod.tracking.store import TrackingRejected, TrackingStore

    header = json.loads(sys.stdin.readline())
    store = TrackingStore(header["uri"])
    try:
        store.experiment_id(header["experiment"])  # imports MLflow, opens the store
    except (TrackingUnavailable, TrackingRejected) as exc:
        reply({"error": exc.message, "hint": exc.hint})
        return 0
    reply({"ready": True})
    line = sys.stdin.readline()
    if not line:
        return 0  # the parent gave up (the job was interrupted)
    record = JobRecord(**json.loads(line))
    try:
        run_id = _write(store, header["experiment"], header.get("run_name"), record)
    except (TrackingUnavailable, TrackingRejected) as exc:
        reply({"error": exc.message, "hint": exc.hint})
        return 0
    metrics = {name: value for name, value, _step in record.metrics}
    reply({"run_id": run_id, "metrics": metrics})
    return 0


def _write(store, experiment: str, run_name: str | None, record: JobRecord) -> str:
    from nb2prod.tracking.values import Logged

    run_id = store.start_run(
        experiment, run_name=run_name, tags=record.tags, start_time=record.start_time
    )
    store.log(run_id, Logged(params=record.params), history=record.metrics)
    for path in record.files:
        store.log_file(run_id, path)
    store.end_run(run_id, record.status, end_time=record.end_time)
    store.checkpoint()  # the process skips its teardown, which would close SQLite
    return run_id


def _reply_channel() -> Callable[[dict], None]:
    """The replies get stdout to themselves: anything else printed there, from Python or
    C (MLflow prints a "View run at" link for a tracking server), goes to stderr."""
    channel = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def reply(data: dict) -> None:
        print(json.dumps(data), file=channel, flush=True)

    return reply


if __name__ == "__main__":
    code = _main()
    sys.stderr.flush()
    # The run is written and answered.  Tearing down MLflow's and SQLAlchemy's modules would
    # keep the waiting job most of a second longer; SQLite needs no goodbye (see _write).
    os._exit(code)
