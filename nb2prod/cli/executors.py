"""The options of the commands that can run on Dask (``run``, ``score``): where the work
runs, which scheduler, how many local workers.  The core checks their combination."""

from __future__ import annotations

import click


def executor_options(executor_help: str):
    """``--executor local|dask``, ``--scheduler ADDRESS`` and ``--workers N``, in that order."""
    options = [
        click.option(
            "--executor", default="local", show_default=True, metavar="local|dask",
            help=executor_help,
        ),
        click.option(
            "--scheduler", metavar="ADDRESS",
            help="With --executor dask: a Dask scheduler (tcp://HOST:8786) "
            "[default: a local cluster].",
        ),
        click.option(
            "--workers", type=click.IntRange(min=1),
            help="With --executor dask and no --scheduler: worker processes "
            "[default: one per core].",
        ),
    ]  # fmt: skip

    def apply(command):
        for option in reversed(options):  # the first option listed first in --help
            command = option(command)
        return command

    return apply
