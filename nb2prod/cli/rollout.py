"""``nb2prod promote`` and ``nb2prod shadow``: arguments in, ``nb2prod.rollout`` called,
a report out."""

from __future__ import annotations

import click

from nb2prod.cli.errors import handle_errors
from nb2prod.cli.score import _pairs

_PARAMS = click.option(
    "--param", "params", multiple=True, callback=_pairs, metavar="NAME=VALUE",
    help="A runtime parameter both versions predict with (repeatable).",
)  # fmt: skip
_TRACKING = click.option(
    "--tracking-uri", help="MLflow tracking URI whose registry holds NAME [default: resolved]."
)


@click.command()
@click.argument("name")
@click.argument("version")
@click.option(
    "--data", required=True, type=click.Path(dir_okay=False),
    help="Labelled CSV or Parquet file both versions score (every column but the target).",
)  # fmt: skip
@click.option("--target", required=True, metavar="COLUMN", help="The column of true values.")
@click.option(
    "--metric",
    metavar="NAME",
    help="rmse, mse, mae, r2, accuracy, balanced_accuracy, f1, precision or recall "
    "[default: rmse for a numeric target with fractional values or more than 20 distinct "
    "ones, else accuracy]. f1, precision and recall score class 1 (True) of 0/1 labels, "
    "else average over classes.",
)
@click.option(
    "--min-improvement", type=float, default=0.0, show_default=True, metavar="X",
    help="How much better than the champion the candidate must score, in the metric's units.",
)  # fmt: skip
@click.option(
    "--prediction", metavar="COLUMN",
    help="The model's prediction column to score [default: its only one, else the one named "
    "like the target, else 'prediction'].",
)  # fmt: skip
@_PARAMS
@_TRACKING
@handle_errors
def promote(name, version, data, target, metric, min_improvement, prediction, params,
            tracking_uri):  # fmt: skip
    """Make VERSION of registered model NAME its @champion if it scores at least as well.

    VERSION and the current models:/NAME@champion score the same rows of --data; the
    comparison is recorded as a run in experiment models/NAME (both scores, the versions,
    the verdict as tag nb2prod.verdict). The alias moves only when the candidate is at
    least as good, by --min-improvement; with no champion yet, VERSION becomes it. Exit
    codes: 0 promoted, 1 refused (the champion stays), 2 bad input (no such model, version
    or target column), 3 environment, 4 a model failed.
    """
    from nb2prod.rollout.promote import promote as run_promote

    result = run_promote(
        name, version, data, target, metric=metric, min_improvement=min_improvement,
        prediction=prediction, params=params, tracking_uri=tracking_uri,
    )  # fmt: skip
    click.echo(result.text())


@click.command()
@click.argument("name")
@click.option(
    "--data", required=True, type=click.Path(dir_okay=False),
    help="CSV or Parquet file: one batch both versions score.",
)  # fmt: skip
@click.option(
    "--challenger", metavar="VERSION",
    help="The version to compare with @champion [default: the newest that is not champion].",
)  # fmt: skip
@click.option(
    "--tolerance", type=float, default=0.01, show_default=True,
    help="Numeric predictions this close count as agreeing.",
)  # fmt: skip
@_PARAMS
@_TRACKING
@handle_errors
def shadow(name, data, challenger, tolerance, params, tracking_uri):
    """Score one batch with models:/NAME@champion and a challenger and compare them.

    For each prediction column both have: the share of rows that agree (classes), or the
    mean and largest absolute difference and the share within --tolerance (numbers).
    Logged as a run in experiment models/NAME; the registry is not changed. Exit codes:
    0 reported, 2 bad input (no champion, no such version), 3 environment, 4 a model failed.
    """
    from nb2prod.rollout.shadow import shadow as run_shadow

    report = run_shadow(
        name, data, challenger=challenger, tolerance=tolerance, params=params,
        tracking_uri=tracking_uri,
    )  # fmt: skip
    click.echo(report.text())
