"""How every ``nb2prod`` command reports the core's named errors (one line, a hint, and the
error's exit code: ARCHITECTURE §4.3) and its deprecation notes (one line each, once)."""

from __future__ import annotations

import functools
import sys
import warnings
from pathlib import Path

import click

from nb2prod.errors import Nb2ProdError


def handle_errors(command):
    """Turn the core's named errors into one line on stderr and their exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("once", category=FutureWarning, module=r"nb2prod\.")
                warnings.showwarning = _show_warning
                return command(*args, **kwargs)
        except Nb2ProdError as exc:
            message = f"nb2prod: error: {exc.message}"
            if exc.hint:
                message += f"\n  hint: {exc.hint}"
            click.echo(message, err=True)
            sys.exit(exc.exit_code)

    return wrapper


_CORE = Path(__file__).resolve().parents[1]
_show_other_warning = warnings.showwarning


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """nb2prod's own deprecation notes as ``nb2prod: warning: ...``; others as Python shows them."""
    if issubclass(category, FutureWarning) and Path(filename).resolve().is_relative_to(_CORE):
        click.echo(f"nb2prod: warning: {message}", err=True)
    else:
        _show_other_warning(message, category, filename, lineno, file, line)
