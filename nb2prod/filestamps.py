"""Modification stamps of files and folders, and what is worked out from them, read once
per lint run.

A lint run over many notebooks is one moment: inside :func:`one_run` each path is looked
at once and its stamp shared by every notebook, and an answer worked out from a project's
files (:func:`remembered`) is worked out once for all its notebooks.  Worker processes
forked inside a run get their own copy.  A notebook linted alone (the Jupyter server, a
kernel) is a run of its own (:func:`ensure_run`), so a long-lived process sees an edit
at the next lint; outside any run every call asks the file system.  Callers key
their caches of what they read from a file by its stamp.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

Stamp = tuple[int, int]  # (modification time in nanoseconds, size)
T = TypeVar("T")

#: Path -> its stamp (None: no such path), during one run; None outside a run.
_run: dict[str, Stamp | None] | None = None
#: What :func:`remembered` worked out during one run; None outside a run.
_answers: dict[Hashable, Any] | None = None


@contextlib.contextmanager
def one_run() -> Iterator[None]:
    """Within it each path is looked at once, not once per notebook."""
    global _run, _answers
    previous = _run, _answers
    _run, _answers = {}, {}
    try:
        yield
    finally:
        _run, _answers = previous


def ensure_run() -> contextlib.AbstractContextManager[None]:
    """The run going on, else a run of its own (a notebook linted alone, as the server and
    the kernel do, looks at each path once too)."""
    return contextlib.nullcontext() if _run is not None else one_run()


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, worked out once per run for ``key`` (which names everything the
    answer depends on besides the files it reads); outside a run, every time."""
    answers = _answers
    if answers is None:
        return compute()
    if key not in answers:
        answers[key] = compute()
    return answers[key]


def stamp(path: str | os.PathLike[str]) -> Stamp | None:
    """``(modification time, size)`` of ``path``, None when there is no such path."""
    key = os.fspath(path)
    seen = _run
    if seen is not None and key in seen:
        return seen[key]
    try:
        status = os.stat(key)
        found: Stamp | None = (status.st_mtime_ns, status.st_size)
    except OSError:
        found = None
    if seen is not None:
        seen[key] = found
    return found
