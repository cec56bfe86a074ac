"""Several users of one tracking store at once: ``nb2prod run`` jobs started together (a CI
matrix, ``xargs -P``) and kernels running ``%%nb2prod track`` cells meanwhile.  Used against
the embedded store (tests/jobs) and the team server (tests/team_server).

Started together, they still reach the store seconds apart on two cores (each imports
MLflow first), so that the first one would create the store or the experiment alone.  A
*gate* stops each of them on its way until all are there, then lets them go at once: the
race a CI matrix on more cores runs into, every time.

The notebook is tests/ols.py's reduction of a scikit-learn example.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .conftest import NB2PROD
from .kernel.conftest import Kernel
from .public.ols import DATA, FIT, IMPORTS, NOTEBOOK

GATHER_S = 90  # at most, while the first one waits (MLflow's HTTP client gives up at 120 s)
GATE_SITE = Path(__file__).with_name("gate_site")


class Gate(Protocol):
    """Held while the clients start (``env`` added to theirs); ``waiting()`` counts the
    clients stopped at it."""

    env: dict[str, str]

    def hold(self) -> contextlib.AbstractContextManager: ...

    def waiting(self) -> int: ...


@dataclass
class Together:
    """What one round left: each job's exit code and output, each kernel's replies, and how
    many clients the gate held at once."""

    jobs: dict[int, subprocess.CompletedProcess]
    kernels: list[list]
    kernel_rows: list[int]
    gathered: int | None

    def failures(self) -> str:
        jobs = [
            f"job test_rows={rows} exited {done.returncode}:\n{done.stdout}{done.stderr}"
            for rows, done in self.jobs.items()
            if done.returncode != 0
        ]
        cells = [
            f"kernel {k}: {reply}"
            for k, replies in enumerate(self.kernels)
            for reply in replies
            if reply.status != "ok" or "nb2prod:" in reply.stderr  # an error, or a warning
        ]
        return "\n".join(jobs + cells)


def run_together(
    project: Path,
    job_rows: list[int],
    kernel_rows: list[list[int]],
    env: dict[str, str],
    gate: Gate | None = None,
) -> Together:
    """One ``nb2prod run`` per value of ``job_rows`` and, at the same time, one kernel per
    list of ``kernel_rows`` tracking a fit for each value (``%%nb2prod track`` cells of the
    same notebook).  With a ``gate``, all of them are held at it until every one waits."""
    env = {**env, **(gate.env if gate else {})}
    kernels = [
        Kernel({**env, "JPY_SESSION_NAME": str(project / NOTEBOOK)}, project) for _ in kernel_rows
    ]
    try:
        for kernel in kernels:
            for source in (IMPORTS, "%load_ext nb2prod"):
                assert kernel.run(source).status == "ok"
        with ThreadPoolExecutor(max(1, len(kernels))) as pool:
            with gate.hold() if gate else contextlib.nullcontext():
                jobs = {rows: _start_job(project, rows, env) for rows in job_rows}
                tracking = [pool.submit(_track, k, rows) for k, rows in zip(kernels, kernel_rows)]
                gathered = None
                if gate:
                    gathered = _gather(gate, len(jobs) + len(kernels), jobs, tracking)
            finished = {rows: _finish(process) for rows, process in jobs.items()}
            replies = [future.result(timeout=600) for future in tracking]
    finally:
        for kernel in kernels:
            kernel.shutdown()
    return Together(finished, replies, [r for each in kernel_rows for r in each], gathered)


def _start_job(project: Path, rows: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [NB2PROD, "run", NOTEBOOK, "-p", "test_rows", str(rows), "-o", f"out-{rows}.ipynb"],
        cwd=project,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _track(kernel: Kernel, rows_list: list[int]) -> list:
    replies = []
    for rows in rows_list:
        for source in (f"test_rows = {rows}", DATA, f"%%nb2prod track --log mse r2\n{FIT}"):
            replies.append(kernel.run(source, timeout=300))
    return replies


def _gather(gate: Gate, clients: int, jobs: dict, tracking: list) -> int:
    """Wait until ``clients`` wait at the gate (or one of them gave up, or GATHER_S)."""
    deadline = time.monotonic() + GATHER_S
    while (waiting := gate.waiting()) < clients and time.monotonic() < deadline:
        if any(job.poll() is not None for job in jobs.values()) or any(
            future.done() for future in tracking
        ):
            break
        time.sleep(0.05)
    return waiting


def _finish(process: subprocess.Popen) -> subprocess.CompletedProcess:
    stdout, stderr = process.communicate(timeout=600)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


class FirstUse:
    """The gate of tests/gate_site: every process that imports MLflow (a job's recorder, a
    kernel's first tracked cell) stops right after, before it opens the store."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        path = os.pathsep.join(filter(None, [str(GATE_SITE), os.environ.get("PYTHONPATH")]))
        self.env = {"PYTHONPATH": path, "NB2PROD_TEST_GATE": str(folder)}

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        self.folder.mkdir()
        try:
            yield
        finally:
            (self.folder / "go").touch()

    def waiting(self) -> int:
        return len(list(self.folder.glob("arrived-*")))


def assert_every_run_recorded(client, rounds: list[Together]) -> None:
    """Each job of ``rounds`` and each tracked cell has its run in the notebook's experiment,
    with its own ``test_rows`` parameter and the fit's metrics; nothing else is there."""
    found = client.get_experiment_by_name(NOTEBOOK)
    assert found is not None, f"no experiment {NOTEBOOK!r}"
    runs: dict[str, list[int]] = {}
    for run in client.search_runs([found.experiment_id], max_results=1000):
        kind = run.data.tags.get("nb2prod.kind", "?")
        runs.setdefault(kind, []).append(int(run.data.params.get("test_rows", -1)))
        assert {"mse", "r2"} <= set(run.data.metrics), (kind, run.data)
    assert sorted(runs.get("job", [])) == sorted(rows for each in rounds for rows in each.jobs)
    assert sorted(runs.get("cell", [])) == sorted(r for each in rounds for r in each.kernel_rows)
    assert set(runs) == {"job", "cell"}
