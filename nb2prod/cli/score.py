"""``nb2prod score``: arguments in, ``nb2prod.scoring.score`` called, a summary out."""

from __future__ import annotations

import sys

import click

from nb2prod.cli.errors import handle_errors
from nb2prod.cli.executors import executor_options


def _pairs(ctx, param, values):
    """``("a=1", "b=x")`` -> ``{"a": "1", "b": "x"}``; NAME=VALUE or a usage error."""
    pairs = {}
    for text in values:
        name, equals, value = text.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(f"{text!r}: write NAME=VALUE", param=param)
        pairs[name.strip()] = value
    return pairs


@click.command()
@click.argument("model")
@click.option(
    "-i", "--input", "inputs", multiple=True, required=True, metavar="FILE_OR_GLOB",
    help="CSV or Parquet file(s) to score, in order (repeatable; a glob's matches sorted).",
)  # fmt: skip
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False),
    help="Where to write the rows with their predictions (.csv or .parquet).",
)  # fmt: skip
@click.option(
    "--param", "params", multiple=True, callback=_pairs, metavar="NAME=VALUE",
    help="A runtime parameter of the model, typed as the model types it (repeatable).",
)  # fmt: skip
@executor_options("Score here in chunks, or the partitions on Dask (needs nb2prod[dask]).")
@click.option(
    "--chunksize", type=click.IntRange(min=1), default=100_000, show_default=True,
    help="Rows per chunk (local); about as many rows per partition of a CSV (dask).",
)  # fmt: skip
@click.option(
    "--dtype", "dtypes", multiple=True, callback=_pairs, metavar="COLUMN=TYPE",
    help="The type of a CSV column (e.g. age=float64) instead of the one its first rows give.",
)  # fmt: skip
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
@click.option(
    "--tracking-uri", help="MLflow tracking URI for runs:/ and models:/ [default: resolved]."
)
@handle_errors
def score(model, inputs, output, params, executor, scheduler, workers, chunksize, dtypes,
          force, tracking_uri):  # fmt: skip
    """Score CSV or Parquet files with MODEL: an exported package (the folder `nb2prod
    export -o` wrote, or an installed package's name) or an MLflow model URI logged by
    `nb2prod export --log-model` (runs:/RUN_ID/model, models:/NAME@ALIAS).

    OUTPUT holds every input row, in order, followed by the prediction column(s); it is
    written to a temporary file and renamed at the end. Exit codes: 0 written, 2 bad
    arguments or input (the message names the file and rows), 3 environment (Dask or a
    module missing, a store or scheduler unreachable), 4 the model failed.
    """
    import nb2prod

    show = _progress() if sys.stderr.isatty() else (lambda _: None)
    result = nb2prod.score(
        model,
        inputs,
        output,
        params=params,
        executor=executor,
        scheduler=scheduler,
        workers=workers,
        chunksize=chunksize,
        dtypes=dtypes,
        force=force,
        tracking_uri=tracking_uri,
        progress=show,
    )
    if sys.stderr.isatty():
        click.echo("", err=True)
    click.echo(result.summary())


def _progress():
    def show(text: str) -> None:
        click.echo(f"\rnb2prod: {text}"[:120].ljust(80), nl=False, err=True)

    return show
