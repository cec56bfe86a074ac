"""``nb2prod doctor``: checks, one line each, that this project's runs can be recorded."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from nb2prod.cli.errors import handle_errors
from nb2prod.errors import EXIT_ENVIRONMENT


@click.command()
@click.argument("notebook", required=False, type=click.Path(dir_okay=False))
@click.option("--tracking-uri", help="MLflow tracking URI [default: resolved as for runs].")
@click.option(
    "--experiment",
    help="The experiment to probe [default: the notebook's, else nb2prod-doctor].",
)
@handle_errors
def doctor(notebook, tracking_uri, experiment):
    """Check the tracking store for NOTEBOOK (or this folder's project): which URI and
    from where, that it answers, that it accepts your credentials, that you may create or
    read the experiment and log a run in it (a probe run, deleted afterwards).

    Exit codes: 0 every check passed, 3 one failed (its line says what to fix).
    """
    from nb2prod.tracking.doctor import diagnose

    checks = diagnose(tracking_uri, Path(notebook) if notebook else Path.cwd(), experiment)
    width = max(len(check.name) for check in checks)
    for check in checks:
        word = {True: "PASS", False: "FAIL", None: "SKIP"}[check.ok]
        click.echo(f"{word}  {check.name.ljust(width)}  {check.detail}")
        if check.fix:
            click.echo(f"      {' ' * width}  fix: {check.fix}")
    if any(check.ok is False for check in checks):
        sys.exit(EXIT_ENVIRONMENT)
