"""Benchmark nb2prod's experiment tracking and jobs, each against a peer run alongside.

Measures, in one run (these machines are noisy, so only the differences and ratios to the
peer measured alongside are comparable between runs):

1. ``track``: the overhead of ``%%nb2prod track`` on a trivial cell.  One real ipykernel
   (jupyter_client, JupyterLab's execute_request metadata) of a notebook in a git-tracked
   project, an embedded SQLite store migrated beforehand, ``%load_ext nb2prod`` and the
   parameters cell run first, a few untimed tracked cells; then N rounds, each running
   ``x = 1`` and ``%%nb2prod track\\nx = 1`` (order alternating), timed client-side from
   execute_request to idle, and the same pair timed inside the kernel (``perf_counter``
   around ``get_ipython().run_cell``) to separate the messaging noise.  Overhead = median
   tracked - median untracked; p90s printed.  cProfile of a few tracked cells in the kernel:
   where the time goes (information).
2. ``run``: ``nb2prod run NB --tracking-uri sqlite:///...`` (the CLI, a fresh process)
   vs plain ``papermill NB out.ipynb`` (its CLI, same venv, same kernel) on a small job
   notebook (parameters, three cells of light work, an ``nb2prod:metrics`` cell), one
   warm-up each then K interleaved runs, median wall time, ratio; ``nb2prod run
   --no-track`` alongside shows the tracking share.  The kernel's own time (papermill's
   recorded duration in each executed notebook) and a cProfile of one tracked run, for
   information.
3. ``load_ext``: ``%load_ext nb2prod`` in a fresh kernel per sample, timed in the kernel,
   with ``%load_ext autoreload`` (ships with IPython) in the same kernels as the peer
   (order alternating); ``mlflow`` must not be imported by it.
4. ``concurrent``: N ``nb2prod run`` jobs of the job notebook (each its own parameter
   value) started at once vs the same N one after another, each side on an embedded store
   that does not exist yet (a CI matrix's first day): wall time of each side and the ratio;
   every job must exit 0 and every run be FINISHED in the store, with its parameter.

Prints PASS/MISS per goal; exits non-zero only when the benchmark itself breaks (or, with
``--strict``, when a goal is missed).  See bench/README.md.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import importlib.util
import json
import os
import pstats
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

import nb2prod

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is not a package
import kernel_driver  # noqa: E402
from common import (  # noqa: E402
    BenchError,
    Goals,
    executable,
    heading,
    measure_in_workdir,
    percentile,
    print_machine,
    python_notebook,
    tail,
)
from kernel_driver import Reply  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MEASUREMENTS = ("track", "run", "load_ext", "concurrent")

GOAL_TRACK_MS = 30.0  # median tracked - median untracked trivial cell, client-side
GOAL_RUN_RATIO = 1.2  # nb2prod run / papermill, median wall time
GOAL_LOAD_EXT_MS = 100.0  # %load_ext nb2prod in a fresh kernel
GOAL_CONCURRENT_RATIO = 1.0  # N jobs at once / the same N one after another, wall time

CLOCK = time.perf_counter
PLAIN = "x = 1"
TRACKED = "%%nb2prod track\nx = 1"
PARAMETERS = "alpha = 0.5  # regularisation\nepochs = 10"
#: Job notebook: parameters, three cells of light work, a metrics cell.
JOB_CELLS = (
    ("n = 20000\nseed = 0", ["parameters"]),
    ("import random\n\nrandom.seed(seed)\nvalues = [random.random() for _ in range(n)]", []),
    ("mean = sum(values) / len(values)\nprint(f'mean {mean:.4f}')", []),
    ("spread = max(values) - min(values)\nsorted(values)[n // 2]", []),
    ("score = mean * spread\ncount = len(values)", ["nb2prod:metrics"]),
)


# --------------------------------------------------------------------------- helpers


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _executable(name: str) -> str:
    found = executable(name)
    if not found:
        raise BenchError(f"cannot find {name!r} beside {sys.executable} or on PATH")
    return found


def _environment(**extra: str) -> dict[str, str]:
    """This environment without settings that would steer nb2prod or MLflow elsewhere."""
    drop = ("MLFLOW_TRACKING_URI", "JPY_SESSION_NAME", "PYTHONPATH", "VIRTUAL_ENV")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in drop and not key.startswith("NB2PROD_")
    }
    return {**env, **extra}


def _short(path: str) -> str:
    """A profile entry's file, shortened to what identifies it."""
    for marker in ("site-packages/", f"{ROOT}/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


# --------------------------------------------------------------------------- a kernel


class Kernel(kernel_driver.Kernel):
    """The driver the kernel tests use too; here a silent kernel or a failing cell fails
    the benchmark (BenchError)."""

    def run(self, source: str, *, timeout=120, **kwargs) -> Reply:
        try:
            return super().run(source, timeout=timeout, **kwargs)
        except TimeoutError as exc:
            raise BenchError(str(exc)) from None

    def checked(self, source: str, **kwargs) -> Reply:
        """``run``, failing the benchmark when the cell fails or nb2prod warns (a warning
        means nothing was logged: the tracked figures would measure nothing)."""
        reply = self.run(source, **kwargs)
        if reply.status != "ok" or reply.error or "nb2prod: warning" in reply.stderr:
            raise BenchError(
                f"the cell {source!r} failed in the kernel: "
                f"{reply.error or tail(reply.stderr) or reply.status}"
            )
        return reply

    def json(self, source: str, **kwargs):
        """Run ``source``, which prints one JSON document as its last line; parse it."""
        reply = self.checked(source, **kwargs)
        lines = reply.stdout.strip().splitlines()
        if not lines:
            raise BenchError(f"no output from {source!r}: {tail(reply.stderr)}")
        return json.loads(lines[-1])


# Defined in the kernel of measurement 1: time cells run through ``run_cell`` (the events,
# the transformers and the magic machinery, without the messaging), and profile them.
_KERNEL_HELPERS = r'''
import json as _bench_json, time as _bench_time


def _bench_time_cells(sources):
    """Each source run as a cell, timed here; prints [[seconds, success], ...]."""
    shell, times = get_ipython(), []
    for source in sources:
        started = _bench_time.perf_counter()
        result = shell.run_cell(source)
        times.append([_bench_time.perf_counter() - started, bool(result.success)])
    print(_bench_json.dumps(times))


def _bench_profile(source, repeat):
    """cProfile of ``repeat`` runs of ``source``; prints every entry as JSON."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(repeat):
        get_ipython().run_cell(source)
    profile.disable()
    rows = [
        [file, line, name, calls, own, cumulative]
        for (file, line, name), (_, calls, own, cumulative, _) in pstats.Stats(profile).stats.items()
    ]
    print(_bench_json.dumps(rows))
'''

# Run as the first cell of a fresh kernel (measurement 3).
_LOAD_EXT_PROBE = r"""
import json as _json, sys as _sys, time as _time
_shell, _times, _added = get_ipython(), {}, {}
for _name in %r:
    _before = {_m.split(".")[0] for _m in _sys.modules}
    _started = _time.perf_counter()
    _shell.run_line_magic("load_ext", _name)
    _times[_name] = _time.perf_counter() - _started
    _added[_name] = sorted({_m.split(".")[0] for _m in _sys.modules} - _before)
print(_json.dumps({"seconds": _times, "added": _added, "mlflow": "mlflow" in _sys.modules}))
"""


# --------------------------------------------------------------------------- the project


@dataclass
class Project:
    folder: Path
    notebook: Path  # the notebook the tracking kernel belongs to
    job: Path  # the job notebook of measurement 2
    store_uri: str
    store_path: Path
    git: bool


def _code(source: str, tags=()) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _write_notebook(path: Path, cells: list) -> None:
    notebook = python_notebook(cells)
    nbformat.validate(notebook)
    nbformat.write(notebook, str(path))


def tracking_notebook() -> list:
    """The notebook a data scientist tracks a cell in: parameters, a plain and a tracked cell."""
    return [_code(PARAMETERS, ["parameters"]), _code(PLAIN), _code(TRACKED)]


def job_notebook() -> list:
    return [_code(source, tags) for source, tags in JOB_CELLS]


def make_project(workdir: Path) -> Project:
    """A project folder (pyproject.toml, two notebooks, a git commit when git exists)."""
    folder = workdir / "project"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text("[project]\nname = 'bench-project'\n")
    _write_notebook(folder / "analysis.ipynb", tracking_notebook())
    _write_notebook(folder / "job.ipynb", job_notebook())
    (folder / ".gitignore").write_text("out-*.ipynb\n")
    git = shutil.which("git") is not None
    if git:
        identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
        for command in (
            ["init", "-q"],
            ["add", "pyproject.toml", ".gitignore", "analysis.ipynb", "job.ipynb"],
            [*identity, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "bench project"],
        ):
            subprocess.run(["git", *command], cwd=folder, check=True, capture_output=True)
    store = workdir / "store" / "mlflow.db"
    return Project(
        folder, folder / "analysis.ipynb", folder / "job.ipynb", f"sqlite:///{store}", store, git
    )


def migrate_store(project: Project) -> float:
    """Create and migrate the embedded store once, in a separate process (seconds)."""
    script = (
        "import sys\nfrom nb2prod.tracking.store import TrackingStore\n"
        "TrackingStore(sys.argv[1]).client.search_experiments()"
    )
    started = CLOCK()
    done = subprocess.run(
        [sys.executable, "-c", script, project.store_uri],
        capture_output=True,
        text=True,
        env=_environment(),
    )
    if done.returncode != 0:
        raise BenchError(f"migrating the store failed:\n{tail(done.stderr)}")
    return CLOCK() - started


def _store_rows(store: Project | Path, query: str, *params) -> list[tuple]:
    """Read an MLflow store's tables directly (no MLflow import in the benchmark)."""
    path = store.store_path if isinstance(store, Project) else store
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(query, params).fetchall()


def _finished_runs(store: Project | Path, kind: str) -> int:
    return _store_rows(
        store,
        "SELECT count(*) FROM runs r JOIN tags t ON t.run_uuid = r.run_uuid "
        "WHERE t.key = 'nb2prod.kind' AND t.value = ? AND r.status = 'FINISHED'",
        kind,
    )[0][0]


def ensure_bytecode() -> int:
    """Compile nb2prod's stale bytecode, as installing a wheel (and `make venv`) writes it:
    with PYTHONDONTWRITEBYTECODE set, every kernel would otherwise compile it again."""
    package = Path(nb2prod.__file__).parent
    stale = 0
    for source in package.rglob("*.py"):
        cached = Path(importlib.util.cache_from_source(str(source)))
        if not cached.exists() or cached.stat().st_mtime < source.stat().st_mtime:
            stale += 1
    if stale:
        compileall.compile_dir(str(package), quiet=1)
    return stale


# --------------------------------------------------------------------------- 1. track


# nb2prod's functions in a tracked cell, as (file, function, label); missing ones (the code
# changed) are left out of the breakdown.
TRACK_PARTS = (
    ("nb2prod/kernel/magics.py", "_track", "%%nb2prod track, all of it"),
    ("nb2prod/tracking/context.py", "run_tags", "  run tags"),
    ("nb2prod/gitinfo.py", "git_state", "    git status (a subprocess)"),
    ("nb2prod/tracking/context.py", "imported_distributions", "    imported distributions"),
    ("nb2prod/tracking/store.py", "start_run", "  create the run"),
    ("nb2prod/kernel/session.py", "log_parameters", "  log the parameters"),
    ("nb2prod/kernel/cell_body.py", "run_body", "  the cell's own body"),
    ("nb2prod/kernel/magics.py", "_finish", "  log duration, end the run"),
    ("nb2prod/tracking/store.py", "end_run", "    end the run"),
)
#: Frames left out of the profile's top entries: the shell's own machinery around the magic.
_FRAMEWORK = ("/IPython/", "/ipykernel/", "/asyncio/", "<frozen", "/ipykernel_", "cProfile")


def track_overhead(args, project: Project, goals: Goals, results: dict) -> None:
    heading(f"%%nb2prod track on `{PLAIN}`: {args.rounds} rounds, alternating, one kernel")
    env = _environment(
        MLFLOW_TRACKING_URI=project.store_uri, JPY_SESSION_NAME=str(project.notebook)
    )
    kernel = Kernel(env, project.folder)
    try:
        kernel.checked(_KERNEL_HELPERS)
        loaded = kernel.checked("%load_ext nb2prod")
        kernel.checked(PARAMETERS, cell_id="parameters-cell", tags=["parameters"])
        first = kernel.checked(TRACKED, cell_id="tracked-cell")
        for _ in range(3):  # untimed: warm the store's caches and the kernel
            kernel.checked(PLAIN, cell_id="plain-cell")
            kernel.checked(TRACKED, cell_id="tracked-cell")
        client = {"plain": [], "tracked": []}
        inside = {"plain": [], "tracked": []}
        cells = {"plain": (PLAIN, "plain-cell"), "tracked": (TRACKED, "tracked-cell")}
        for number in range(args.rounds):
            order = ("plain", "tracked") if number % 2 == 0 else ("tracked", "plain")
            for side in order:
                source, cell_id = cells[side]
                client[side].append(kernel.checked(source, cell_id=cell_id).seconds)
            sources = [cells[side][0] for side in order]
            timed = kernel.json(f"_bench_time_cells({sources!r})")
            for side, (seconds, success) in zip(order, timed):
                if not success:
                    raise BenchError(f"the {side} cell failed when run with run_cell")
                inside[side].append(seconds)
        profile = None
        if not args.no_profile:
            profile = kernel.json(f"_bench_profile({TRACKED!r}, {args.profile_cells})")
    finally:
        kernel.shutdown()
    tracked_runs = _finished_runs(project, "cell")
    expected = args.rounds * 2 + 4 + (0 if args.no_profile else args.profile_cells)
    if tracked_runs < expected:
        raise BenchError(f"{tracked_runs} FINISHED cell runs in the store, expected {expected}")

    print(
        f"kernel      started in {kernel.start_seconds:.2f} s; %load_ext nb2prod "
        f"{_ms(loaded.seconds)}; store {project.store_uri.split('/')[-1]} (SQLite, migrated); "
        f"notebook in a git repository: {'yes' if project.git else 'no (git not found)'}"
    )
    print(
        f"first tracked cell of the kernel {first.seconds:.2f} s (imports MLflow, opens the "
        "store; not counted)"
    )
    if first.stderr.strip():
        print(f"  it printed on stderr: {tail(first.stderr, 2)}")
    summary = {}
    for label, series in (("client-side", client), ("in the kernel", inside)):
        plain, tracked = series["plain"], series["tracked"]
        paired = [t - p for t, p in zip(tracked, plain)]
        overhead = statistics.median(tracked) - statistics.median(plain)
        summary[label] = {
            "plain_median_s": statistics.median(plain),
            "tracked_median_s": statistics.median(tracked),
            "overhead_s": overhead,
            "paired_median_s": statistics.median(paired),
            "paired_p90_s": percentile(paired, 0.9),
        }
        print(f"{label} (execute_request to idle)" if label == "client-side" else label)
        print(
            f"  {PLAIN!r:<32} median {_ms(statistics.median(plain)):>9}   "
            f"p90 {_ms(percentile(plain, 0.9)):>9}"
        )
        print(
            f"  {'%%nb2prod track + ' + repr(PLAIN):<32} median "
            f"{_ms(statistics.median(tracked)):>9}   p90 {_ms(percentile(tracked, 0.9)):>9}"
        )
        print(
            f"  overhead: median - median {_ms(overhead):>9}; per round (paired) median "
            f"{_ms(statistics.median(paired))}, p90 {_ms(percentile(paired, 0.9))}"
        )
    overhead = summary["client-side"]["overhead_s"]
    ratio = summary["client-side"]["tracked_median_s"] / summary["client-side"]["plain_median_s"]
    print(
        f"ratio tracked/untracked cell (client-side)   {ratio:6.2f}x   "
        f"(goal: overhead < {GOAL_TRACK_MS:g} ms)"
    )
    breakdown = print_track_profile(profile, args.profile_cells) if profile else None
    goals.check(
        f"%%nb2prod track overhead under {GOAL_TRACK_MS:g} ms",
        overhead * 1000 < GOAL_TRACK_MS,
        f"{_ms(overhead)} (in the kernel {_ms(summary['in the kernel']['overhead_s'])}; "
        f"p90 paired {_ms(summary['client-side']['paired_p90_s'])})",
    )
    results["track"] = {
        "rounds": args.rounds,
        "kernel_start_s": kernel.start_seconds,
        "load_ext_s": loaded.seconds,
        "first_tracked_s": first.seconds,
        "client_s": client,
        "in_kernel_s": inside,
        "summary": summary,
        "finished_cell_runs": tracked_runs,
        "profile": breakdown,
    }


def _find(rows, file_suffix: str, function: str):
    matches = [r for r in rows if r[0].endswith(file_suffix) and r[2] == function]
    return max(matches, key=lambda r: r[5]) if matches else None


def print_track_profile(raw: list, cells: int) -> dict:
    """nb2prod's parts of a tracked cell, then the top 10 entries by cumulative time."""
    rows = [tuple(row) for row in raw]  # (file, line, function, calls, own, cumulative)
    print(f"where a tracked cell's time goes (cProfile in the kernel, {cells} cells; per cell):")
    parts = []
    for file_suffix, function, label in TRACK_PARTS:
        row = _find(rows, file_suffix, function)
        if row is not None:
            parts.append({"part": label.strip(), "ms": row[5] / cells * 1000})
            print(f"  {row[5] / cells * 1000:7.2f} ms  {label}")
    top = sorted(
        (
            r
            for r in rows
            if not any(marker in r[0] for marker in _FRAMEWORK)
            and "builtins.exec" not in r[2]
            and "coroutine" not in r[2]
            and r[2] != "<module>"
        ),
        key=lambda r: -r[5],
    )[:10]
    print("top 10 by cumulative time (the shell's own frames left out):")
    for file, line, name, calls, _own, cumulative in top:
        where = f"{_short(file)}:{line}({name})" if file != "~" else name
        print(f"  {cumulative / cells * 1000:7.2f} ms  {calls / cells:5.1f} calls  {where}")
    return {
        "parts": parts,
        "top": [
            {"where": f"{_short(r[0])}:{r[1]}({r[2]})", "ms": r[5] / cells * 1000} for r in top
        ],
    }


# --------------------------------------------------------------------------- 2. run


# nb2prod's phases in `nb2prod run`, as (file, function, label), for the profile.  MLflow is
# imported and written by the recorder, a child process warming up while the notebook runs.
RUN_PARTS = (
    ("nb2prod/jobs/runner.py", "run_job", "run_job, all of it"),
    ("nb2prod/jobs/runner.py", "_recorder", "  start the MLflow recorder (child process)"),
    ("nb2prod/jobs/runner.py", "_execute", "  papermill: kernel, cells, shutdown"),
    ("nb2prod/jobs/runner.py", "_clean_output", "  clean and write the output"),
    ("nb2prod/jobs/runner.py", "_record", "  record the run"),
    ("nb2prod/tracking/context.py", "run_tags", "    run tags"),
    ("nb2prod/jobs/runner.py", "_html", "    HTML rendering (nbconvert)"),
    ("nb2prod/jobs/recorder.py", "record", "    wait for the recorder to write the run"),
)


@dataclass
class JobRun:
    seconds: float
    kernel_seconds: float | None  # papermill's recorded duration in the executed notebook


def _job_commands(project: Project) -> dict[str, list[str]]:
    nb2prod_cli, papermill_cli = _executable("nb2prod"), _executable("papermill")
    job = project.job.name
    return {
        "nb2prod run": [
            nb2prod_cli,
            "run",
            job,
            "--tracking-uri",
            project.store_uri,
            "-o",
            "out-nb2prod.ipynb",
        ],
        "papermill": [papermill_cli, job, "out-papermill.ipynb", "--no-progress-bar"],
        "nb2prod run --no-track": [
            nb2prod_cli,
            "run",
            job,
            "--no-track",
            "-o",
            "out-notrack.ipynb",
        ],
    }


def _output_of(command: list[str]) -> str:
    return next(word for word in command if word.startswith("out-"))


def run_job_once(command: list[str], project: Project) -> JobRun:
    output = project.folder / _output_of(command)
    output.unlink(missing_ok=True)
    started = CLOCK()
    done = subprocess.run(
        command,
        cwd=project.folder,
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seconds = CLOCK() - started
    if done.returncode != 0:
        raise BenchError(
            f"{' '.join(command)} exited {done.returncode}:\n"
            f"{tail(done.stderr.decode('utf-8', 'replace'))}"
        )
    try:
        duration = nbformat.read(str(output), as_version=4).metadata["papermill"]["duration"]
    except (OSError, KeyError, ValueError):
        duration = None
    return JobRun(seconds, duration)


def run_overhead(args, project: Project, goals: Goals, results: dict) -> None:
    commands = _job_commands(project)
    heading(f"nb2prod run vs papermill: median of {args.run_rounds} fresh processes, interleaved")
    print(
        f"notebook    {project.job.name} (parameters, {len(JOB_CELLS) - 2} cells of light work, "
        f"nb2prod:metrics); cwd {project.folder}"
    )
    for name, command in commands.items():
        shown = " ".join(Path(command[0]).name if i == 0 else w for i, w in enumerate(command))
        print(f"  {name:<24} {shown}")
    before = _finished_runs(project, "job")
    warmup = {name: run_job_once(command, project) for name, command in commands.items()}
    print(
        "warm-up     "
        + ", ".join(f"{name} {run.seconds:.2f} s" for name, run in warmup.items())
        + " (not counted)"
    )
    runs: dict[str, list[JobRun]] = {name: [] for name in commands}
    names = list(commands)
    for number in range(args.run_rounds):
        for name in names[number % 3 :] + names[: number % 3]:  # rotate who goes first
            runs[name].append(run_job_once(commands[name], project))
    finished = _finished_runs(project, "job") - before
    metrics = _store_rows(
        project,
        "SELECT count(DISTINCT m.run_uuid) FROM latest_metrics m JOIN tags t "
        "ON t.run_uuid = m.run_uuid WHERE t.key = 'nb2prod.kind' AND t.value = 'job' "
        "AND m.key = 'score'",
    )[0][0]
    if finished != args.run_rounds + 1:  # the warm-up's run too
        raise BenchError(
            f"{finished} FINISHED job runs in the store, expected {args.run_rounds + 1}"
        )

    medians = {name: statistics.median(r.seconds for r in side) for name, side in runs.items()}
    kernel = {
        name: statistics.median(r.kernel_seconds for r in side)
        if all(r.kernel_seconds is not None for r in side)
        else None
        for name, side in runs.items()
    }
    width = max(len(name) for name in commands) + 2
    print(f"{'':<{width}} {'wall median':>12} {'min':>8}   {'in the kernel':>13}")
    for name, side in runs.items():
        in_kernel = f"{kernel[name]:.2f} s" if kernel[name] is not None else "?"
        print(
            f"{name:<{width}} {medians[name]:10.2f} s {min(r.seconds for r in side):6.2f} s   "
            f"{in_kernel:>13}"
        )
    print("  (in the kernel: papermill's recorded duration: kernel start, cells, shutdown)")
    ratio = medians["nb2prod run"] / medians["papermill"]
    untracked = medians["nb2prod run --no-track"] / medians["papermill"]
    goal = f"(goal <= {GOAL_RUN_RATIO:g}x)"
    print(f"ratio nb2prod run/papermill                 {ratio:6.2f}x   {goal}")
    print(f"ratio nb2prod run --no-track/papermill      {untracked:6.2f}x")
    added = medians["nb2prod run"] - medians["papermill"]
    tracking = medians["nb2prod run"] - medians["nb2prod run --no-track"]
    print(
        f"nb2prod run adds {added:.2f} s, of which tracking {tracking:.2f} s (in its kernel "
        + (
            f"{kernel['nb2prod run'] - kernel['nb2prod run --no-track']:.2f} s)"
            if kernel["nb2prod run"] is not None and kernel["nb2prod run --no-track"] is not None
            else "?)"
        )
    )
    if added > 0:
        print(
            f"  a fixed cost: {GOAL_RUN_RATIO:g}x holds from notebooks that run "
            f"{added / (GOAL_RUN_RATIO - 1):.1f} s under papermill"
        )
    else:
        print("  nb2prod run is faster than papermill's command line even on this short job")
    print(
        f"every tracked run FINISHED in the store; {metrics} of {finished} have the metrics "
        "cell's `score`"
    )
    breakdown = None
    if not args.no_profile:
        breakdown = profile_job(commands["nb2prod run"], project)
    goals.check(
        f"nb2prod run <= {GOAL_RUN_RATIO:g}x papermill",
        ratio <= GOAL_RUN_RATIO,
        f"{ratio:.2f}x ({medians['nb2prod run']:.2f} s vs {medians['papermill']:.2f} s; "
        f"--no-track {untracked:.2f}x)",
    )
    results["run"] = {
        "rounds": args.run_rounds,
        "commands": commands,
        "warmup_s": {name: run.seconds for name, run in warmup.items()},
        "wall_s": {name: [r.seconds for r in side] for name, side in runs.items()},
        "kernel_s": {name: [r.kernel_seconds for r in side] for name, side in runs.items()},
        "median_s": medians,
        "ratio": ratio,
        "ratio_no_track": untracked,
        "profile": breakdown,
    }


def profile_job(command: list[str], project: Project) -> dict:
    """One more tracked run under cProfile: nb2prod's phases (the kernel is another
    process: its share shows as papermill's)."""
    target = project.folder.parent / "nb2prod-run.prof"
    run = run_job_once([sys.executable, "-m", "cProfile", "-o", str(target), *command], project)
    stats = pstats.Stats(str(target)).stats
    rows = [
        (file, line, name, calls, own, cum)
        for (file, line, name), (_, calls, own, cum, _) in stats.items()
    ]
    print(f"where `nb2prod run` spends its time (one run under cProfile, {run.seconds:.2f} s):")
    parts = []
    for file_suffix, function, label in RUN_PARTS:
        row = _find(rows, file_suffix, function)
        if row is not None:
            parts.append({"part": label.strip(), "s": row[5]})
            print(f"  {row[5]:6.2f} s  {label}")
    kernel = f"{run.kernel_seconds:.2f} s" if run.kernel_seconds is not None else "?"
    print(f"  (of papermill's share, the kernel executing the cells: {kernel})")
    return {"seconds": run.seconds, "kernel_s": run.kernel_seconds, "parts": parts}


# --------------------------------------------------------------------------- 3. load_ext


def load_ext_time(args, project: Project, goals: Goals, results: dict) -> None:
    heading(f"%load_ext nb2prod: median of {args.load_runs} fresh kernels, autoreload alongside")
    env = _environment(
        MLFLOW_TRACKING_URI=project.store_uri, JPY_SESSION_NAME=str(project.notebook)
    )
    samples = []
    for number in range(args.load_runs):
        order = ["nb2prod", "autoreload"] if number % 2 == 0 else ["autoreload", "nb2prod"]
        kernel = Kernel(env, project.folder)
        try:
            sample = kernel.json(_LOAD_EXT_PROBE % (order,))
        finally:
            kernel.shutdown()
        sample["kernel_start_s"] = kernel.start_seconds
        samples.append(sample)
    ours = [s["seconds"]["nb2prod"] for s in samples]
    peer = [s["seconds"]["autoreload"] for s in samples]
    with_mlflow = sum(1 for s in samples if s["mlflow"])
    median, peer_median = statistics.median(ours), statistics.median(peer)
    print(
        f"kernel start (client-side, not counted)  median "
        f"{statistics.median(s['kernel_start_s'] for s in samples):.2f} s"
    )
    print(f"%load_ext nb2prod      median {_ms(median):>9}   min {_ms(min(ours)):>9}")
    print(f"%load_ext autoreload   median {_ms(peer_median):>9}   min {_ms(min(peer)):>9}  (peer)")
    goal = f"(goal: nb2prod < {GOAL_LOAD_EXT_MS:g} ms)"
    print(f"ratio nb2prod/autoreload                    {median / peer_median:6.2f}x   {goal}")
    added = samples[0]["added"]["nb2prod"]  # loaded first in the first kernel
    third_party = [m for m in added if m not in sys.stdlib_module_names and m != "nb2prod"]
    stdlib = [m for m in added if m in sys.stdlib_module_names]
    print(
        f"`%load_ext nb2prod` imports nb2prod, {len(stdlib)} standard library modules "
        f"({' '.join(stdlib) or 'none'}) and: {' '.join(third_party) or 'nothing else'}"
    )
    print(f"mlflow in sys.modules after it: {with_mlflow} of {len(samples)} kernels")
    goals.check(
        f"%load_ext nb2prod under {GOAL_LOAD_EXT_MS:g} ms, no mlflow",
        median * 1000 < GOAL_LOAD_EXT_MS and not with_mlflow,
        f"{_ms(median)} (autoreload {_ms(peer_median)}; "
        + ("mlflow not imported" if not with_mlflow else f"mlflow imported in {with_mlflow}")
        + ")",
    )
    results["load_ext"] = {
        "runs": args.load_runs,
        "nb2prod_s": ours,
        "autoreload_s": peer,
        "median_s": median,
        "autoreload_median_s": peer_median,
        "mlflow_imported": with_mlflow,
        "added_modules": added,
        "kernel_start_s": [s["kernel_start_s"] for s in samples],
    }


# --------------------------------------------------------------------------- main


# --------------------------------------------------------------------------- 4. concurrent


def concurrent_jobs(args, project: Project, goals: Goals, results: dict) -> None:
    jobs = args.jobs
    heading(f"{jobs} nb2prod run jobs at once vs one after another, each on a new store")
    nb2prod_cli = _executable("nb2prod")

    def store(side: str) -> Path:
        return project.folder.parent / f"concurrent-{side}" / "mlflow.db"

    def start(side: str, seed: int) -> subprocess.Popen:
        return subprocess.Popen(
            [nb2prod_cli, "run", project.job.name, "--tracking-uri", f"sqlite:///{store(side)}"]
            + ["-p", "seed", str(seed), "-o", f"out-{side}-{seed}.ipynb"],
            cwd=project.folder,
            env=_environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def finish(process: subprocess.Popen) -> None:
        _, stderr = process.communicate()
        if process.returncode != 0:
            raise BenchError(
                f"{' '.join(process.args)} exited {process.returncode}:\n"
                f"{tail(stderr.decode('utf-8', 'replace'))}"
            )

    seconds = {}
    started = CLOCK()
    for seed in range(jobs):
        finish(start("sequential", seed))
    seconds["sequential"] = CLOCK() - started
    started = CLOCK()
    for process in [start("concurrent", seed) for seed in range(jobs)]:
        finish(process)
    seconds["concurrent"] = CLOCK() - started

    for side in seconds:
        seeds = _store_rows(
            store(side),
            "SELECT p.value FROM params p JOIN runs r ON r.run_uuid = p.run_uuid "
            "WHERE p.key = 'seed' AND r.status = 'FINISHED'",
        )
        if sorted(int(value) for (value,) in seeds) != list(range(jobs)):
            raise BenchError(f"{side}: FINISHED runs of seeds {seeds}, expected 0..{jobs - 1}")
        print(f"{side:<12} {seconds[side]:7.2f} s   {jobs} jobs exited 0, {jobs} runs FINISHED")
    ratio = seconds["concurrent"] / seconds["sequential"]
    print(f"ratio concurrent/sequential {ratio:6.2f}x   (goal <= {GOAL_CONCURRENT_RATIO:g}x)")
    goals.check(
        f"{jobs} jobs at once on a new store: none lost, <= {GOAL_CONCURRENT_RATIO:g}x sequential",
        ratio <= GOAL_CONCURRENT_RATIO,
        f"{ratio:.2f}x ({seconds['concurrent']:.1f} s vs {seconds['sequential']:.1f} s)",
    )
    results["concurrent"] = {"jobs": jobs, "wall_s": seconds, "ratio": ratio}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        action="append",
        choices=MEASUREMENTS,
        help="run only this measurement (repeatable)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="7 track rounds, 2 job rounds, 3 load_ext kernels, 3 concurrent jobs, no profiles",
    )
    parser.add_argument("--rounds", type=int, help="track rounds (default 41)")
    parser.add_argument("--run-rounds", type=int, help="runs of each job command (default 5)")
    parser.add_argument("--load-runs", type=int, help="fresh kernels for load_ext (default 11)")
    parser.add_argument("--jobs", type=int, help="jobs at once for concurrent (default 8)")
    parser.add_argument(
        "--profile-cells", type=int, default=5, help="tracked cells under cProfile (default 5)"
    )
    parser.add_argument("--no-profile", action="store_true", help="skip both profiles")
    parser.add_argument("--workdir", type=Path, help="keep the project and the store in DIR")
    parser.add_argument("--json-out", type=Path, help="write all measurements to FILE as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    args.only = tuple(name for name in MEASUREMENTS if name in (args.only or MEASUREMENTS))
    args.rounds = args.rounds or (7 if args.quick else 41)
    args.run_rounds = args.run_rounds or (2 if args.quick else 5)
    args.load_runs = args.load_runs or (3 if args.quick else 11)
    args.jobs = args.jobs or (3 if args.quick else 8)
    args.no_profile = args.no_profile or args.quick
    return args


def print_telemetry() -> None:
    telemetry = os.environ.get("MLFLOW_DISABLE_TELEMETRY") or os.environ.get("DO_NOT_TRACK")
    print(f"mlflow telemetry  {'off (environment)' if telemetry else 'default (on)'}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # show progress when piped to a file
    print_machine(("mlflow-skinny", "sqlalchemy", "papermill", "ipykernel", "ipython"))
    print_telemetry()
    goals = Goals()
    results: dict = {"only": list(args.only)}

    def measure_all(workdir: Path) -> None:
        stale = ensure_bytecode()
        if stale:
            print(f"bytecode          compiled {stale} stale nb2prod modules first")
        project = make_project(workdir)
        if {"track", "run"} & set(args.only):
            migrated = migrate_store(project)
            print(f"store             {project.store_uri} (created and migrated: {migrated:.1f} s)")
            results["migrate_s"] = migrated
        if "track" in args.only:
            track_overhead(args, project, goals, results)
        if "run" in args.only:
            run_overhead(args, project, goals, results)
        if "load_ext" in args.only:
            load_ext_time(args, project, goals, results)
        if "concurrent" in args.only:
            concurrent_jobs(args, project, goals, results)

    return measure_in_workdir("track_bench", args, goals, results, measure_all)


if __name__ == "__main__":
    sys.exit(main())
