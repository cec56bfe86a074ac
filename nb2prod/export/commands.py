"""``nb2prod export`` and ``nb2prod verify``: arguments in, core calls, a report out.

Heavy modules (papermill, jinja2, mlflow) are imported inside the commands, so ``nb2prod
lint`` never pays for them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from nb2prod.cli_errors import handle_errors
from nb2prod.errors import EnvironmentProblem, EquivalenceMismatch


def _say(text: str) -> None:
    click.echo(f"nb2prod: {text}", err=True)


_RUN_OPTIONS = [
    click.option(
        "-p",
        "--param",
        "params",
        nargs=2,
        multiple=True,
        metavar="NAME VALUE",
        help="A runtime parameter value to verify besides the defaults (repeatable).",
    ),
    click.option(
        "--cwd",
        type=click.Path(file_okay=False, exists=True),
        help="Run the notebook in DIR instead of a fresh temporary folder.",
    ),
    click.option("--kernel", help="Jupyter kernel to run the notebook with [default: python3]."),
    click.option("--timeout", type=float, help="Seconds a cell may run."),
    click.option(
        "--log-model",
        is_flag=True,
        help="Log the package to MLflow as a pyfunc model and check its answers too.",
    ),
    click.option("--tracking-uri", help="MLflow tracking URI for --log-model."),
]


def _run_options(command):
    for option in reversed(_RUN_OPTIONS):
        command = option(command)
    return command


@click.command()
@click.argument("notebook", type=click.Path(dir_okay=False))
@click.option("--name", help="Package name [default: from the notebook's file name].")
@click.option(
    "-o", "--output", type=click.Path(file_okay=False), help="Project folder [default: ./NAME]."
)
@click.option("--force", is_flag=True, help="Replace an earlier export in the output folder.")
@click.option("--dry-run", is_flag=True, help="Plan and list the files; run and write nothing.")
@click.option("--verify", is_flag=True, help="Then install it in a fresh venv and compare.")
@click.option("--version", "package_version", default="0.1.0", show_default=True)
@_run_options
@handle_errors
def export(
    notebook,
    name,
    output,
    force,
    dry_run,
    verify,
    package_version,
    params,
    cwd,
    kernel,
    timeout,
    log_model,
    tracking_uri,
):
    """Export the tagged cells of NOTEBOOK as an installable inference package.

    The notebook runs once (papermill) to capture its example input, its predictions and
    the artifacts its load cell reads. Exit codes: 0 done, 2 refused (the message names
    the cell and the fix), 3 environment problem, 4 the notebook failed, 5 --verify found
    different answers.
    """
    from nb2prod.export.exporter import ExportOptions, export_notebook

    options = ExportOptions(
        notebook=Path(notebook),
        name=name,
        output=Path(output) if output else None,
        version=package_version,
        force=force,
        dry_run=dry_run,
        params=dict(params),
        cwd=Path(cwd) if cwd else None,
        kernel=kernel,
        timeout=timeout,
    )
    result = export_notebook(options, say=_say)
    click.echo(summary(result))
    for note in result.notes:
        _say(f"note: {note}")
    if dry_run or not (verify or log_model):
        return
    _verify_and_report(result.target, result.capture, log_model, tracking_uri)


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.option(
    "--notebook",
    type=click.Path(dir_okay=False, exists=True),
    help="The notebook FOLDER was exported from [default: the path in its provenance.json].",
)
@_run_options
@handle_errors
def verify(folder, notebook, params, cwd, kernel, timeout, log_model, tracking_uri):
    """Check that the package exported in FOLDER gives its notebook's answers.

    Runs the notebook again (papermill), installs FOLDER into a fresh virtual environment,
    calls predict there on the captured example input with the default and overridden
    runtime parameters, and compares. Exit codes: 0 verified, 1 a check failed,
    4 the notebook failed, 5 the answers differ.
    """
    from nb2prod.export.exporter import recapture

    capture, notes = recapture(
        Path(folder),
        dict(params),
        notebook=Path(notebook) if notebook else None,
        cwd=cwd,
        kernel=kernel,
        timeout=timeout,
        say=_say,
    )
    for note in notes:
        _say(f"note: {note}")
    _verify_and_report(Path(folder), capture, log_model, tracking_uri)


def _verify_and_report(folder: Path, capture, log_model: bool, tracking_uri) -> None:
    from nb2prod.export.verify import Scorecard, read_provenance, verify_package

    name, provenance = read_provenance(folder)
    scorecard = Scorecard(name, provenance.get("notebook", "?"))
    scorecard.add("notebook ran", True, f"papermill, {capture.seconds:.1f} s")
    verify_package(folder, capture, scorecard, say=_say)
    if log_model and scorecard.ok:
        from nb2prod.export.mlflow_log import log_and_check

        log_and_check(folder, capture, scorecard, tracking_uri=tracking_uri, say=_say)
    click.echo(scorecard.text())
    logging = next((c for c in scorecard.checks if c.name == "mlflow log_model"), None)
    if logging is not None and not logging.ok:
        raise EnvironmentProblem(
            f"logging to MLflow failed: {(logging.diff or ['no detail'])[-1]}",
            "check that the tracking store is reachable (--tracking-uri, MLFLOW_TRACKING_URI)",
        )
    if scorecard.mismatch:
        raise EquivalenceMismatch("the package's answers differ from the notebook's")
    if not scorecard.ok:
        sys.exit(1)


def summary(result) -> str:
    plan, spec = result.plan, result.spec
    verb = "would export" if result.capture is None else "exported"
    inputs = ", ".join(plan.inputs)
    params = ", ".join(f"{n}={plan.specs[n].default!r}" for n in plan.runtime_params)
    call = ", ".join(filter(None, [inputs, params and f"*, {params}"]))
    lines = [
        f"{verb} {spec.notebook} -> {result.target} ({len(result.files)} files)",
        f"  {spec.name}.predict({call}) returns `{plan.output}`",
    ]
    if plan.build_params:
        lines.append(f"  build parameters, fixed: {', '.join(plan.build_params)}")
    if spec.artifacts:
        lines.append(f"  artifacts: {', '.join(a.original for a in spec.artifacts)}")
    deps = ", ".join(r.compatible for r in spec.requirements) or "none"
    lines.append(f"  dependencies: {deps}")
    if result.capture is None:
        lines += [f"  {path}" for path in result.files]
    else:
        lines.append(f"next: pip install {result.target} && {spec.name} predict --input FILE")
    return "\n".join(lines)
