"""Benchmark N ``nb2prod run`` jobs started at once against a team's MLflow tracking server
(PostgreSQL backend, basic auth) vs the same N against a new embedded SQLite store (issue 14).

Measured, in one run:

1. The stack, started as the team-server test layer starts it (tests/team_server/stack.py):
   a throwaway PostgreSQL cluster (Debian's binaries) and full MLflow's ``mlflow server``
   from its own environment, run as deploy/docker-compose.yml runs it.  Its start-up time
   is printed, not compared.  The admin creates a non-admin user; with ``--server URL`` an
   existing server is used instead (its admin's password in ``NB2PROD_BENCH_ADMIN_PASSWORD``).
2. ``embedded``: N ``nb2prod run`` jobs of bench/track_bench.py's job notebook (parameters,
   three cells of light work, an ``nb2prod:metrics`` cell), each with its own ``seed``,
   started at once with ``--tracking-uri sqlite:///...`` of a store that does not exist yet.
3. ``team``: the same N jobs started at once with ``--tracking-uri`` the server, into an
   experiment the admin created and granted the user EDIT on (as deploy/README.md tells a
   team's admin to), signed in as the user through ``MLFLOW_TRACKING_USERNAME``/
   ``MLFLOW_TRACKING_PASSWORD`` in their environment.

After one untimed ``--no-track`` warm-up job, K rounds (default 2) of both sides, the order
alternating, each round with a new store and a new experiment.  Both wall times (all
started to all exited; median and best) are printed, and the ratio of the medians
team/embedded for information: compare ratios between runs, not seconds.  The goal: every
run recorded on both sides, FINISHED with its own ``seed`` (the SQLite tables read directly;
the server asked through its REST API as the user).  Prints PASS/MISS; exits non-zero only
when the benchmark itself breaks (or, with ``--strict``, when the goal is missed).  See
bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is not a package
from common import BenchError, Goals, heading, measure_in_workdir, print_machine, tail  # noqa: E402
from track_bench import (  # noqa: E402
    CLOCK,
    JOB_CELLS,
    Project,
    _environment,
    _executable,
    _store_rows,
    ensure_bytecode,
    make_project,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/team_server/stack.py: the stack the tests start
from tests.team_server import stack  # noqa: E402

SERVER_ENV = "NB2PROD_MLFLOW_SERVER"
SERVER_VENV_MLFLOW = ROOT / "build" / "mlflow-server-venv" / "bin" / "mlflow"
ADMIN_PASSWORD_ENV = "NB2PROD_BENCH_ADMIN_PASSWORD"
GOAL = "every run recorded on both"


# --------------------------------------------------------------------------- the server


class Server:
    """A running team server: its URL and its admin's login."""

    def __init__(self, url: str, admin: tuple[str, str]) -> None:
        self.url, self.admin = url, admin

    def call(self, login, method: str, endpoint: str, body=None, version: str = "2.0") -> dict:
        try:
            return stack.rest_call(self.url, method, f"{version}/mlflow/{endpoint}", body, login)
        except OSError as exc:  # urllib's HTTPError and URLError
            detail = exc.read().decode("utf-8", "replace") if hasattr(exc, "read") else ""
            raise BenchError(f"{method} {endpoint} as {login[0]!r}: {exc} {detail}") from None

    def add_user(self) -> tuple[str, str]:
        """A new non-admin user: its login (name, password)."""
        user = (f"team-bench-{secrets.token_hex(3)}", secrets.token_urlsafe(12))
        self.call(self.admin, "POST", "users/create", {"username": user[0], "password": user[1]})
        return user

    def experiment_for(self, user: str, name: str) -> str:
        """A new experiment, created by the admin, ``user`` granted EDIT on it; its id."""
        created = self.call(self.admin, "POST", "experiments/create", {"name": name})
        grant = {"username": user, "resource_type": "experiment", "permission": "EDIT"}
        grant["resource_id"] = created["experiment_id"]
        self.call(self.admin, "POST", "users/permissions/grant", grant, version="3.0")
        return created["experiment_id"]

    def seeds(self, login, experiment_id: str) -> tuple[list[int], int]:
        """The ``seed`` of every FINISHED run of the experiment, and how many runs it has."""
        body = {"experiment_ids": [experiment_id], "max_results": 1000}
        runs = self.call(login, "POST", "runs/search", body).get("runs", [])
        seeds = [
            int(param["value"])
            for run in runs
            if run["info"]["status"] == "FINISHED"
            for param in run.get("data", {}).get("params", [])
            if param["key"] == "seed"
        ]
        return seeds, len(runs)


def server_binary() -> str:
    configured = os.environ.get(SERVER_ENV)
    if configured:
        if not Path(configured).is_file():
            raise BenchError(f"{SERVER_ENV}={configured}: no such file")
        return configured
    if SERVER_VENV_MLFLOW.is_file():
        return str(SERVER_VENV_MLFLOW)
    raise BenchError(
        f"no MLflow server: neither {SERVER_ENV} nor {SERVER_VENV_MLFLOW.relative_to(ROOT)}; "
        "build its environment with `make build/mlflow-server-venv/.installed`"
    )


def _server_mlflow_version(binary: str) -> str:
    from importlib.metadata import distributions

    venv = Path(binary).resolve().parent.parent
    found = [
        dist.version
        for dist in distributions(path=[str(p) for p in venv.glob("lib/python*/site-packages")])
        if dist.metadata["Name"] == "mlflow"
    ]
    return found[0] if found else "?"


def _postgres_version(binaries: Path) -> str:
    done = subprocess.run(
        [str(binaries / "postgres"), "--version"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "?"


def start_stack(args, workdir: Path, exits: ExitStack, results: dict) -> Server:
    """The server to measure against: ``--server``'s, or PostgreSQL and MLflow started here
    (stopped when ``exits`` closes)."""
    if args.server:
        password = os.environ.get(ADMIN_PASSWORD_ENV)
        if not password:
            raise BenchError(f"--server needs its admin's password in {ADMIN_PASSWORD_ENV}")
        print(f"team server       {args.server} (given; admin {args.admin!r})")
        results["server"] = {"url": args.server, "given": True}
        return Server(args.server.rstrip("/"), (args.admin, password))
    binary = server_binary()
    binaries = stack.postgres_bin()
    print(f"mlflow (server)   {_server_mlflow_version(binary)} ({binary})")
    print(f"postgresql        {_postgres_version(binaries)} ({binaries})")
    started = CLOCK()
    postgres = exits.enter_context(stack.postgres_cluster())
    cluster_s = CLOCK() - started
    home = workdir / "server"
    home.mkdir(exist_ok=True)
    server = exits.enter_context(stack.team_server(home, postgres, binary))
    server_s = CLOCK() - started - cluster_s
    print(
        f"team server       {server.url}, runs in PostgreSQL on port {postgres.port} "
        f"(cluster {cluster_s:.1f} s, server up {server_s:.1f} s; not counted)"
    )
    results["server"] = {"given": False, "cluster_s": cluster_s, "server_s": server_s}
    return Server(server.url, (stack.ADMIN, server.admin_password))


# --------------------------------------------------------------------------- the jobs


def run_together(command: list[str], seeds: range, project: Project, env: dict) -> tuple:
    """``command`` + ``-p seed S -o ...`` for every seed, all started at once: (wall
    seconds, the failures as (seed, exit code, stderr's tail))."""
    started = CLOCK()
    processes = {
        seed: subprocess.Popen(
            [*command, "-p", "seed", str(seed), "-o", f"out-{seed}.ipynb"],
            cwd=project.folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for seed in seeds
    }
    failures = []
    for seed, process in processes.items():
        _, stderr = process.communicate()
        if process.returncode != 0:
            failures.append((seed, process.returncode, tail(stderr.decode("utf-8", "replace"))))
    return CLOCK() - started, failures


def embedded_seeds(store: Path) -> tuple[list[int], int]:
    """The ``seed`` of every FINISHED run in the SQLite store, and how many runs it has."""
    rows = _store_rows(
        store,
        "SELECT p.value FROM params p JOIN runs r ON r.run_uuid = p.run_uuid "
        "WHERE p.key = 'seed' AND r.status = 'FINISHED'",
    )
    return [int(value) for (value,) in rows], _store_rows(store, "SELECT count(*) FROM runs")[0][0]


def concurrent_jobs(args, project: Project, server: Server, goals: Goals, results: dict) -> None:
    jobs = args.jobs
    heading(f"{jobs} nb2prod run jobs at once: team server vs a new embedded store")
    nb2prod_cli = _executable("nb2prod")
    user = server.add_user()
    print(
        f"notebook    {project.job.name} ({len(JOB_CELLS) - 2} cells of light work), "
        f"-p seed 0..{jobs - 1}; {args.rounds} round(s), the order alternating"
    )
    print(f"user        {user[0]} (not an admin; EDIT on each round's experiment, from the admin)")
    warmup = CLOCK()
    done = subprocess.run(
        [nb2prod_cli, "run", project.job.name, "--no-track", "-o", "out-warmup.ipynb"],
        cwd=project.folder,
        env=_environment(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BenchError(f"the warm-up job exited {done.returncode}:\n{tail(done.stderr)}")
    print(f"warm-up     one --no-track job {CLOCK() - warmup:.2f} s (not counted)")

    login = {"MLFLOW_TRACKING_USERNAME": user[0], "MLFLOW_TRACKING_PASSWORD": user[1]}
    seconds: dict[str, list[float]] = {"embedded": [], "team server": []}
    recorded = dict.fromkeys(seconds, True)
    failed: dict[str, list[int]] = {side: [] for side in seconds}
    for number in range(args.rounds):
        experiment = f"team-bench-{secrets.token_hex(4)}"
        experiment_id = server.experiment_for(user[0], experiment)
        store = project.folder.parent / f"embedded-{number}" / "mlflow.db"
        shutil.rmtree(store.parent, ignore_errors=True)  # new, even in a kept --workdir
        run = [nb2prod_cli, "run", project.job.name, "--experiment", experiment, "--tracking-uri"]
        sides = {
            "embedded": ([*run, f"sqlite:///{store}"], _environment()),
            "team server": ([*run, server.url], _environment(**login)),
        }
        order = list(sides) if number % 2 == 0 else list(sides)[::-1]
        for side in order:
            command, env = sides[side]
            wall, failures = run_together(command, range(jobs), project, env)
            if side == "embedded":
                seeds, runs = embedded_seeds(store)
            else:
                seeds, runs = server.seeds(user, experiment_id)
            ok = sorted(seeds) == list(range(jobs)) and runs == jobs
            seconds[side].append(wall)
            recorded[side] = recorded[side] and ok
            failed[side] += [seed for seed, _, _ in failures]
            print(
                f"round {number + 1}  {side:<12} {wall:7.2f} s   {jobs - len(failures)} of {jobs} "
                f"jobs exited 0, {len(seeds)} of {runs} runs FINISHED"
                + (", each with its own seed" if ok else f", seeds {sorted(seeds)}")
            )
            for seed, code, stderr in failures:
                print(f"  seed {seed} exited {code}:\n    " + stderr.replace("\n", "\n    "))
    medians = {side: statistics.median(walls) for side, walls in seconds.items()}
    for side, median in medians.items():
        print(f"{side:<12} median {median:7.2f} s   best {min(seconds[side]):7.2f} s")
    ratio = medians["team server"] / medians["embedded"]
    print(f"ratio team server/embedded  {ratio:6.2f}x   (medians; information)")
    goals.check(
        GOAL,
        all(recorded.values()),
        f"team {'all' if recorded['team server'] else 'NOT all'}, "
        f"embedded {'all' if recorded['embedded'] else 'NOT all'} of {jobs} x {args.rounds} "
        f"({medians['team server']:.1f} s vs {medians['embedded']:.1f} s)",
    )
    results["concurrent"] = {
        "jobs": jobs,
        "rounds": args.rounds,
        "wall_s": seconds,
        "median_s": medians,
        "ratio_team_embedded": ratio,
        "recorded": recorded,
        "failed_seeds": failed,
    }


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 jobs a side, 1 round")
    parser.add_argument("--jobs", type=int, help="jobs at once on each side (default 8)")
    parser.add_argument("--rounds", type=int, help="rounds of both sides (default 2)")
    parser.add_argument(
        "--server",
        metavar="URL",
        help=f"use this running team server (its admin's password in {ADMIN_PASSWORD_ENV}) "
        "instead of starting PostgreSQL and MLflow",
    )
    parser.add_argument("--admin", default=stack.ADMIN, help="with --server: its admin user")
    parser.add_argument("--workdir", type=Path, help="keep the project and the stores in DIR")
    parser.add_argument("--json-out", type=Path, help="write all measurements to FILE as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the goal is missed")
    args = parser.parse_args(argv)
    args.jobs = args.jobs or (3 if args.quick else 8)
    args.rounds = args.rounds or (1 if args.quick else 2)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # show progress when piped to a file
    print_machine(("mlflow-skinny", "papermill", "ipykernel"))
    goals = Goals()
    results: dict = {}

    def measure_all(workdir: Path) -> None:
        with ExitStack() as exits:
            stale = ensure_bytecode()
            if stale:
                print(f"bytecode          compiled {stale} stale nb2prod modules first")
            server = start_stack(args, workdir, exits, results)
            project = make_project(workdir)
            concurrent_jobs(args, project, server, goals, results)

    return measure_in_workdir("team_bench", args, goals, results, measure_all, (stack.StackError,))


if __name__ == "__main__":
    sys.exit(main())
