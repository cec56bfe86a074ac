"""Inside the kernel of an ``nb2prod run`` job: strict failures and metrics logging.

papermill only fails a job on an exception.  Strict mode also fails the cell when a shell
escape (``!cmd``) exits non-zero, when a magic reports an error through logging instead of
raising (``%run missing.py`` does), and when it only prints that it could not change the
working directory (``%cd missing/``), so a broken job never reports success.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import subprocess


class MagicFailed(RuntimeError):
    """A magic reported an error without raising."""


def enable_strict(shell) -> None:
    """Make ``!cmd`` with a non-zero exit and error-logging magics raise in ``shell``."""
    if getattr(shell, "_nb2prod_strict", False):
        return
    shell.system = _checked_system(shell, shell.system)
    shell.run_line_magic = _raising_on_logged_errors(shell.run_line_magic)
    shell.run_cell_magic = _raising_on_logged_errors(shell.run_cell_magic)
    shell._nb2prod_strict = True


def load_for_job(shell) -> None:
    """The extension, loaded through its hook rather than ``%load_ext``: the notebook's own
    ``%load_ext nb2prod`` then finds nothing "already loaded" to print into the job's
    output notebook (the hook hands back the session this made)."""
    from nb2prod.kernel.extension import load

    load(shell)


def log_cell_metrics(shell, names: list[str]) -> None:
    """After a metrics cell of a job (the cell before this one): log what it bound or
    showed into the job's run, as a notebook's kernel does (``names``, what it binds, are
    read again from its source)."""
    from nb2prod.kernel.extension import load
    from nb2prod.kernel.magics import log_metrics

    history = shell.history_manager.input_hist_raw  # this cell last, its number's place
    number = len(history) - 2
    source = history[number] if number > 0 else ""
    log_metrics(load(shell), source, shell.user_ns.get("Out", {}).get(number))


def _checked_system(shell, system):
    @functools.wraps(system)
    def checked(command, *args, **kwargs):
        __tracebackhide__ = True
        shell.user_ns["_exit_code"] = 0
        result = system(command, *args, **kwargs)
        code = shell.user_ns.get("_exit_code", 0)
        if code:
            raise subprocess.CalledProcessError(code, command)
        return result

    return checked


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _raising_on_logged_errors(run_magic):
    @functools.wraps(run_magic)
    def checked(name, *args, **kwargs):
        __tracebackhide__ = True
        collect = _Collect()
        root = logging.getLogger()
        root.addHandler(collect)
        try:
            watch = name in _CHANGING_FOLDER
            with _chdir_failures(collect.messages) if watch else contextlib.nullcontext():
                result = run_magic(name, *args, **kwargs)
        finally:
            root.removeHandler(collect)
        if collect.messages:
            raise MagicFailed(f"%{name}: {collect.messages[0]}")
        return result

    return checked


# Magics that catch the OSError of a failed os.chdir and only print it; the job would go on
# in the wrong folder.  (Only these: user code under %%time may catch it on purpose.)
_CHANGING_FOLDER = frozenset({"cd", "pushd", "popd"})


@contextlib.contextmanager
def _chdir_failures(messages: list[str]):
    """Note each failed ``os.chdir`` in ``messages``."""
    chdir = os.chdir

    def noted(path):
        try:
            chdir(path)
        except OSError as exc:
            messages.append(f"cannot change the working directory: {exc}")
            raise

    os.chdir = noted
    try:
        yield
    finally:
        os.chdir = chdir
