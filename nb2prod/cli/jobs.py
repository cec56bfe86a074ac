"""``nb2prod run``, ``nb2prod runs`` and ``nb2prod ui``: arguments in, a report out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from nb2prod.cli.errors import handle_errors
from nb2prod.cli.executors import executor_options
from nb2prod.errors import EXIT_ENVIRONMENT, EXIT_NOTEBOOK_FAILED, EnvironmentProblem


def _say(text: str) -> None:
    click.echo(f"nb2prod: {text}", err=True)


@click.command()
@click.argument("notebook", type=click.Path(dir_okay=False))
@click.option(
    "-p", "--param", "params", nargs=2, multiple=True, metavar="NAME VALUE",
    help="A parameter value, typed like the parameters cell's default (repeatable).",
)  # fmt: skip
@click.option(
    "-f", "--params-file", type=click.Path(dir_okay=False, exists=True),
    help="A YAML file of parameter values (-p wins).",
)  # fmt: skip
@click.option(
    "--grid", type=click.Path(dir_okay=False, exists=True),
    help="A YAML file mapping parameters to lists: one job per combination.",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(),
    help="Write the executed notebook here (a folder with --grid).",
)  # fmt: skip
@click.option("--experiment", help="MLflow experiment [default: the notebook's path].")
@click.option("--run-name", help="MLflow run name.")
@click.option("--timeout", type=float, help="Seconds a cell may run.")
@click.option(
    "--cwd",
    type=click.Path(file_okay=False, exists=True),
    help="Run the notebook in DIR [default: the notebook's folder].",
)
@click.option("--kernel", help="Jupyter kernel [default: python3].")
@click.option(
    "--tracking-uri",
    help="MLflow tracking URI [default: MLFLOW_TRACKING_URI, then [tool.nb2prod] "
    "tracking_uri, then .nb2prod/mlflow.db in the project].",
)
@click.option("--no-track", is_flag=True, help="Run without MLflow.")
@click.option(
    "--artifacts", "artifact_dirs", multiple=True, metavar="DIR",
    help="Log the files the job creates or changes under DIR (relative to where it runs) "
    "to its run as outputs/PATH (repeatable) [default: the `output_dir` parameter's value].",
)  # fmt: skip
@executor_options(
    "Where the jobs run: here one after another, or as Dask tasks (needs nb2prod[dask])."
)
@click.option(
    "--summary", type=click.Path(dir_okay=False), metavar="FILE",
    help="Append each job's row (parameters, status, time, metrics, run) to a Markdown "
    'table in FILE, e.g. --summary "$GITHUB_STEP_SUMMARY" in GitHub Actions.',
)  # fmt: skip
@handle_errors
def run(notebook, grid, executor, scheduler, workers, summary, **options):
    """Run NOTEBOOK as a job: papermill with typed parameters, strict failure detection,
    an MLflow run with its parameters, metrics, executed notebook and HTML.

    Exit codes: 0 finished, 2 bad arguments or parameters, 3 tracking store unreachable,
    4 the notebook failed (an exception, a failing magic, `!cmd` exiting non-zero,
    sys.exit(1), a dead kernel).
    """
    from nb2prod.cli.summary import append_failure, append_runs
    from nb2prod.errors import Nb2ProdError

    try:
        jobs, sets = _jobs(notebook, grid, **options)
        results = _run_all(jobs, len(sets), grid, executor, scheduler, workers)
    except Nb2ProdError as exc:  # nothing ran: the summary says why
        append_failure(summary, "run", notebook, exc)
        raise
    append_runs(summary, results)
    click.echo(_grid_table(results, sets) if grid else _report(results[0]))
    failed = [r for r in results if r.failure]
    unrecorded = [r for r in results if r.tracking_error]
    for problem in [r.failure for r in failed[:1] if not grid] + [
        r.tracking_error for r in unrecorded[:1]
    ]:
        click.echo(f"nb2prod: error: {problem.message}", err=True)
        if problem.hint:
            click.echo(f"  hint: {problem.hint}", err=True)
    if failed:
        sys.exit(EXIT_NOTEBOOK_FAILED)
    if unrecorded:
        sys.exit(EXIT_ENVIRONMENT)


def _jobs(notebook, grid, params, params_file, output, experiment, run_name, timeout, cwd,
          kernel, tracking_uri, no_track, artifact_dirs):  # fmt: skip
    """The job of each grid point (one without --grid), every one checked."""
    from nb2prod.jobs.grid import combinations, read_yaml_mapping
    from nb2prod.jobs.runner import JobOptions

    base = read_yaml_mapping(Path(params_file), "parameters file") if params_file else {}
    sources = {name: f"-f {params_file}: {name}" for name in base}
    base.update(dict(params))
    sources.update({name: f"-p {name}" for name, _ in params})
    sets = [base]
    if grid:
        points = read_yaml_mapping(Path(grid), "grid")
        sources.update({name: f"--grid {grid}: {name}" for name in points})
        sets = [{**base, **combo} for combo in combinations(points)]
    jobs = []
    for number, values in enumerate(sets, start=1):
        target = Path(output) if output else None
        if grid and target is not None:
            target = target / f"{Path(notebook).stem}-{number}.ipynb"
        jobs.append(
            JobOptions(
                notebook=Path(notebook),
                params=values,
                output=target,
                experiment=experiment,
                run_name=run_name,
                timeout=timeout,
                cwd=Path(cwd) if cwd else None,
                kernel=kernel,
                tracking_uri=tracking_uri,
                track=not no_track,
                artifacts=[Path(d) for d in artifact_dirs],
            )
        )
    _check_all(jobs, sources)  # every point, before the first job runs
    return jobs, sets


def _run_all(jobs, count, grid, executor, scheduler, workers):
    from nb2prod.jobs.grid import run_jobs

    progress = _progress(count) if grid else None
    try:
        results = run_jobs(
            jobs,
            executor,
            scheduler=scheduler,
            workers=workers,
            on_done=(lambda _: progress.update(1)) if progress else lambda _: None,
            say=_say if not grid else lambda _: None,
        )
    finally:
        if progress:
            progress.close()
    return results


@click.command()
@click.argument("notebook", required=False, type=click.Path(dir_okay=False))
@click.option("--experiment", help="Only this experiment [default: the notebook's, or all].")
@click.option("--max", "max_results", type=int, default=20, show_default=True)
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
@click.option("--tracking-uri", help="MLflow tracking URI.")
@handle_errors
def runs(notebook, experiment, max_results, output_format, tracking_uri):
    """List runs, newest first: of NOTEBOOK, of an experiment, or all."""
    from nb2prod.tracking.context import notebook_label
    from nb2prod.tracking.store import open_store

    store = open_store(tracking_uri, notebook or Path.cwd())
    label = notebook_label(notebook) if notebook else None
    found, _token = store.runs(experiment=experiment, notebook=label, max_results=max_results)
    if output_format == "json":
        click.echo(json.dumps({"runs": [r.to_json() for r in found]}, indent=2))
        return
    rows = [
        (
            r.started.strftime("%Y-%m-%d %H:%M"),
            r.experiment,
            r.name,
            r.status,
            _pairs(r.params),
            _pairs({k: f"{v:.4g}" for k, v in r.metrics.items()}),
            r.run_id[:8],
            r.error or "",
        )
        for r in found
    ]
    header = ("started", "experiment", "name", "status", "params", "metrics", "run", "error")
    if not any(r.error for r in found):  # the why of a failure, only when there is one
        header, rows = header[:-1], [row[:-1] for row in rows]
    click.echo(_table(header, rows) if rows else "no runs")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--tracking-uri", help="MLflow tracking URI [default: the project's store].")
@handle_errors
def ui(host, port, tracking_uri):
    """Start the MLflow web UI on the resolved tracking store (needs nb2prod[ui])."""
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    from nb2prod.tracking.uri import prepare_local_store, resolve_tracking_uri

    try:
        version("mlflow")
    except PackageNotFoundError:
        raise EnvironmentProblem(
            "the MLflow UI needs the full mlflow package, not installed here",
            "pip install 'nb2prod[ui]'",
        ) from None
    uri = resolve_tracking_uri(tracking_uri, Path.cwd())
    prepare_local_store(uri)  # created or upgraded under its lock, not by the UI
    _say(f"MLflow UI for {uri} on http://{host}:{port}")
    command = [sys.executable, "-m", "mlflow", "ui", "--backend-store-uri", uri]
    done = subprocess.run([*command, "--host", host, "--port", str(port)])
    sys.exit(done.returncode)


def _check_all(jobs, sources: dict[str, str]) -> None:
    """The notebook and every job's parameters checked (names known, values typed) before
    anything runs; a value is named by where it came from (``-p``, ``-f FILE``, ``--grid``)."""
    from dataclasses import replace

    from nb2prod.jobs.runner import check_job, typed_job_params
    from nb2prod.parameters import coerce

    _notebook, specs, _ = check_job(replace(jobs[0], params={}))
    for options in jobs:
        if not specs or any(name not in specs for name in options.params):
            typed_job_params(specs, options.params)  # raises, naming the unknown ones
        for name, value in options.params.items():
            coerce(specs[name], value, sources.get(name, f"-p {name}"))
    for options in jobs[1:]:
        check_job(options)  # -o and the rest, for each point


# --------------------------------------------------------------------------- reports


def _report(result) -> str:
    from nb2prod.tracking.values import param_text

    where = f" (MLflow run {result.run_id})" if result.run_id else ""
    lines = [f"{result.status} {result.notebook} in {result.seconds:.1f} s{where}"]
    if result.params:
        lines.append(
            "  params:  " + _pairs({k: param_text(k, v) for k, v in result.params.items()})
        )
    if result.metrics:
        lines.append("  metrics: " + _pairs({k: f"{v:.4g}" for k, v in result.metrics.items()}))
    if result.output:
        lines.append(f"  output:  {result.output}")
    return "\n".join(lines)


def _grid_table(results, sets) -> str:
    from nb2prod.tracking.values import param_text

    varying = [n for n in sets[0] if len({json.dumps(s.get(n), default=str) for s in sets}) > 1]
    rows = [
        (
            str(number),
            _pairs({n: param_text(n, r.params.get(n)) for n in varying}),
            r.status,
            f"{r.seconds:.1f} s",
            _pairs({k: f"{v:.4g}" for k, v in r.metrics.items() if k != "duration_s"}),
            (r.run_id or "")[:8],
        )
        for number, r in enumerate(results, start=1)
    ]
    failed = sum(1 for r in results if r.failure)
    summary = f"{len(results)} jobs: {len(results) - failed} finished, {failed} failed"
    reasons = [
        f"  #{number}: {r.failure.message}"
        for number, r in enumerate(results, start=1)
        if r.failure
    ]
    table = _table(("#", "params", "status", "time", "metrics", "run"), rows)
    return "\n".join([table, summary, *reasons])


def _progress(total: int):
    from tqdm import tqdm

    return tqdm(total=total, unit="job", file=sys.stderr, disable=None)


def _pairs(values: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(values.items()))


def _table(header: tuple[str, ...], rows: list[tuple]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    lines = [
        "  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip() for row in (header, *rows)
    ]
    return "\n".join(lines)
