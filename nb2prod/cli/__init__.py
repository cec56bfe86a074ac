"""The ``nb2prod`` command line: every click command, each a thin adapter that turns
arguments into calls of the Python API (:mod:`nb2prod.api`) or the core behind it, and
results and errors into text and exit codes.  Only this package imports click."""

from nb2prod.cli.main import main

__all__ = ["main"]
