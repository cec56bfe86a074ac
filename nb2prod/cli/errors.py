"""How every ``nb2prod`` command reports the core's named errors: one line, a hint, and
the error's exit code (ARCHITECTURE §4.3)."""

from __future__ import annotations

import functools
import sys

import click

from nb2prod.errors import Nb2ProdError


def handle_errors(command):
    """Turn the core's named errors into one line on stderr and their exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except Nb2ProdError as exc:
            message = f"nb2prod: error: {exc.message}"
            if exc.hint:
                message += f"\n  hint: {exc.hint}"
            click.echo(message, err=True)
            sys.exit(exc.exit_code)

    return wrapper
