"""``nb2prod drift``: arguments in, ``nb2prod.drift.run.check_model`` called, the table or
JSON out, and the verdict as the exit code."""

from __future__ import annotations

import json
import os
import sys

import click

from nb2prod.cli.errors import handle_errors


@click.command()
@click.argument("model")
@click.option(
    "-i", "--input", "inputs", multiple=True, required=True, metavar="FILE_OR_GLOB",
    help="The batch: CSV or Parquet file(s) (repeatable; a glob's matches sorted).",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False),
    help="Also write the JSON report to this file.",
)  # fmt: skip
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table",
    show_default=True, help="What to print.",
)  # fmt: skip
@click.option(
    "--drift-share", type=click.FloatRange(0, 1, min_open=True), default=0.5, show_default=True,
    help="The share of tested columns that must drift for the dataset to drift.",
)  # fmt: skip
@click.option("--log", is_flag=True, help="Record the check as an MLflow run.")
@click.option(
    "--tracking-uri", help="MLflow tracking URI for --log and models:/ [default: resolved]."
)
@click.option("--experiment", help="MLflow experiment for --log [default: models/NAME, or drift].")
@handle_errors
def drift(model, inputs, output, output_format, drift_share, log, tracking_uri, experiment):
    """Check a batch of inputs for drift against MODEL's reference statistics.

    MODEL is a statistics file (_reference_stats.json), an exported package (the folder
    `nb2prod export -o` wrote, or an installed package's name) or an MLflow model URI
    (models:/NAME@ALIAS, runs:/RUN_ID/model).  Each column is tested as Evidently does by
    default (KS / chi-squared, p < 0.05, for a reference of up to 1,000 rows; Wasserstein /
    Jensen-Shannon, 0.1, above), PSI is reported, and the dataset drifts when at least
    half of the columns drift.

    Exit codes: 0 no drift, 1 drift, 2 bad arguments or input (columns missing or extra,
    values of the wrong type, no statistics), 3 environment (a store unreachable).
    """
    from nb2prod.drift.run import check_model
    from nb2prod.errors import EXIT_FINDINGS, EXIT_OK, UsageError

    if output and any(
        os.path.exists(p) and os.path.samefile(output, p) for p in inputs if os.path.exists(output)
    ):
        raise UsageError(f"{output}: refusing to write the report over an input")
    report = check_model(
        model,
        list(inputs),
        drift_share=drift_share,
        tracking_uri=tracking_uri,
        log=log,
        experiment=experiment,
    )
    text = json.dumps(report.to_json(), indent=2) + "\n"
    if output:
        try:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise UsageError(f"{output}: cannot write the report ({exc.strerror or exc})") from None
    click.echo(text if output_format == "json" else report.table(), nl=output_format != "json")
    if log:
        click.echo(f"nb2prod: recorded as run {report.source['run_id']}", err=True)
    sys.exit(EXIT_FINDINGS if report.drift else EXIT_OK)
