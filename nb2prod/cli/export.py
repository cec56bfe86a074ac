"""``nb2prod export`` and ``nb2prod verify``: arguments in, core calls, a report out.

Heavy modules (papermill, jinja2, mlflow) are imported inside the commands, so ``nb2prod
lint`` never pays for them.
"""

from __future__ import annotations

from pathlib import Path

import click

from nb2prod.cli.errors import handle_errors


def _say(text: str) -> None:
    click.echo(f"nb2prod: {text}", err=True)


def _param_option(text: str):
    return click.option(
        "-p", "--param", "params", nargs=2, multiple=True, metavar="NAME VALUE", help=text
    )


_RUN_OPTIONS = [
    click.option(
        "--cwd",
        type=click.Path(file_okay=False, exists=True),
        help="Run the notebook in DIR [default: the notebook's folder].",
    ),
    click.option("--kernel", help="Jupyter kernel to run the notebook with [default: python3]."),
    click.option("--timeout", type=float, help="Seconds a cell may run."),
    click.option(
        "--log-model",
        is_flag=True,
        help="Log the package to MLflow as a pyfunc model and check its answers too.",
    ),
    click.option(
        "--tracking-uri",
        help="MLflow tracking URI (--from-run, --log-model) [default: resolved for the notebook].",
    ),
]


def _run_options(command):
    for option in reversed(_RUN_OPTIONS):
        command = option(command)
    return command


@click.command()
@click.argument("notebook", type=click.Path(dir_okay=False))
@click.option("--name", help="Package name [default: from the notebook's file name].")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    help="Project folder [default: build/NAME next to the notebook].",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the files an earlier export wrote in the output folder; keep the others.",
)
@click.option("--dry-run", is_flag=True, help="Plan and list the files; run and write nothing.")
@click.option("--verify", is_flag=True, help="Then install it in a fresh venv and compare.")
@click.option("--version", "package_version", default="0.1.0", show_default=True)
@_param_option(
    "A parameter value (repeatable): a runtime parameter's is verified besides the default; "
    "a build parameter's is the value the notebook runs and the package is built with."
)
@click.option(
    "--from-run",
    metavar="RUN_ID",
    help="Build from this MLflow run of NOTEBOOK: its build parameters (-p wins) and the "
    "model files it logged under outputs/ (nb2prod run --artifacts).",
)
@click.option(
    "--register",
    metavar="NAME",
    help="Log the model as --log-model does, then register it as a new version of model NAME "
    "in the store's registry (prints its models:/NAME/VERSION).",
)
@click.option(
    "--summary",
    "summary_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Append the export and its checks to FILE as Markdown, e.g. "
    '--summary "$GITHUB_STEP_SUMMARY" in GitHub Actions.',
)
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
    from_run,
    cwd,
    kernel,
    timeout,
    log_model,
    tracking_uri,
    register,
    summary_file,
):
    """Export the tagged cells of NOTEBOOK as an installable inference package.

    The notebook runs once (papermill) to capture its example input, its predictions and
    the artifacts its load cell reads. Exit codes: 0 done, 2 refused (the message names
    the cell and the fix), 3 environment problem, 4 the notebook failed, 5 --verify found
    different answers.
    """
    import nb2prod
    from nb2prod.cli.summary import append_export, append_failure
    from nb2prod.errors import Nb2ProdError
    from nb2prod.exporter.pipeline import summary
    from nb2prod.exporter.verify import check_package

    if register:  # refused before the notebook runs
        _check_register(register, dry_run, tracking_uri, notebook)
        log_model = True
    try:
        result = nb2prod.export(
            notebook,
            output,
            name=name,
            version=package_version,
            force=force,
            dry_run=dry_run,
            params=dict(params),
            cwd=cwd,
            kernel=kernel,
            timeout=timeout,
            from_run=from_run,
            tracking_uri=tracking_uri,
            progress=_say,
        )
    except Nb2ProdError as exc:  # refused or failed: the summary says why
        append_failure(summary_file, "export", notebook, exc)
        raise
    click.echo(summary(result))  # before the checks, which take a while
    for note in result.notes:
        _say(f"note: {note}")
    if dry_run or not (verify or log_model):
        if not dry_run:
            append_export(summary_file, notebook, result.target)
        return
    try:
        scorecard = _reported(
            lambda: check_package(
                result.target,
                result.capture,
                log_model=log_model,
                tracking_uri=tracking_uri,
                notebook=Path(notebook),
                say=_say,
            )
        )
    except Nb2ProdError as exc:  # the failed scorecard, or why there is none
        if hasattr(exc.result, "checks"):
            append_export(summary_file, notebook, result.target, exc.result)
        else:
            append_failure(summary_file, "export", notebook, exc)
        raise
    append_export(summary_file, notebook, result.target, scorecard)
    click.echo(scorecard.text())
    if register:
        from nb2prod.rollout.registry import register_export

        version = register_export(scorecard.logged, register, tracking_uri, Path(notebook))
        click.echo(f"registered {register} version {version.version}: {version.uri}")


def _check_register(name, dry_run, tracking_uri, notebook) -> None:
    """Refuse a bad name and a store without a registry: the store --log-model logs to,
    the notebook's project's (``model_store``)."""
    from nb2prod.errors import UsageError
    from nb2prod.rollout.registry import check_register

    if dry_run:
        raise UsageError("--register and --dry-run exclude each other", "a dry run logs nothing")
    check_register(name, tracking_uri, Path(notebook))


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.option(
    "--notebook",
    type=click.Path(dir_okay=False, exists=True),
    help="The notebook FOLDER was exported from [default: the path in its provenance.json].",
)
@_param_option("A runtime parameter value to verify besides the defaults (repeatable).")
@_run_options
@handle_errors
def verify(folder, notebook, params, cwd, kernel, timeout, log_model, tracking_uri):
    """Check that the package exported in FOLDER gives its notebook's answers.

    Runs the notebook again (papermill), installs FOLDER into a fresh virtual environment,
    calls predict there on the captured example input with the default and overridden
    runtime parameters, and compares. Exit codes: 0 verified, 1 a check failed,
    4 the notebook failed, 5 the answers differ.
    """
    import nb2prod

    scorecard = _reported(
        lambda: nb2prod.verify(
            folder,
            notebook=notebook,
            params=dict(params),
            cwd=cwd,
            kernel=kernel,
            timeout=timeout,
            log_model=log_model,
            tracking_uri=tracking_uri,
            progress=_say,
        )
    )
    click.echo(scorecard.text())


def _reported(call):
    """``call()``; a scorecard that failed is shown before its error."""
    from nb2prod.errors import Nb2ProdError

    try:
        return call()
    except Nb2ProdError as exc:
        if exc.result is not None and hasattr(exc.result, "text"):
            click.echo(exc.result.text())
        raise
