"""One way to run Python in a child process: a real module, ``python -m MODULE``, pickled frames.

The child is a module of nb2prod (linted, typed, tested like the rest) with a plain function
that takes a request and returns a reply, and a last line
``if __name__ == "__main__": serve(handler)``.  The parent starts it with :class:`Child`
(several round trips), :func:`call` (one) or :func:`call_async` (one, from an event loop).

Frames: ``MAGIC``, the length (8 bytes, big-endian), a pickle (protocol 4: requests and
replies hold pandas and numpy objects).  Requests go on the child's stdin; replies come back
on its real stdout, which :func:`serve` keeps to itself: fd 1, where ``print()``, C
libraries and grandchild processes write, is pointed at stderr before the handler runs, so
nothing the user's code prints can corrupt a reply.  A reply is ``("value", value)`` or
``("error", details)``; the parent raises :class:`ChildError` for the latter (the class
name, message, hint and exit code of an nb2prod error, a short traceback), and
:class:`ChildDied` when the child ends, is killed or runs out of time without replying
(with the tail of its stderr).  Each caller turns these into its own nb2prod error.

Standard library only, and nothing of nb2prod: ``nb2prod verify`` runs a copy of this file
in a fresh virtual environment where nb2prod is not installed (see :func:`copy_standalone`).
Heavier modules (subprocess, asyncio, pickle, threading) are imported where they are used.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not `typing`'s: this module stays as light as `import os, sys`
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path
    from typing import IO, Any

MAGIC = b"nb2p"
_LENGTH = 8
_HEADER = len(MAGIC) + _LENGTH
PROTOCOL = 4
TAIL = 12  # lines of a traceback, or of a dead child's stderr, the parent gets
GRACE = 60.0  # seconds a child that has replied gets to end by itself before it is killed


class ChildError(Exception):
    """The child's handler raised.  ``kind`` is the exception's class, ``module.QualName``;
    ``hint`` and ``exit_code`` are an nb2prod error's (None for other exceptions); ``lines``
    is a short traceback whose last line is the exception's, as Python prints it."""

    def __init__(
        self,
        kind: str,
        message: str,
        hint: str | None = None,
        exit_code: int | None = None,
        lines: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.hint = hint
        self.exit_code = exit_code
        self.lines = list(lines) or [str(self)]

    @property
    def name(self) -> str:
        return self.kind.rpartition(".")[2]

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


class ChildDied(ChildError):
    """The child gave no reply: it crashed, was killed, ran out of time or wrote something
    else where replies go.  ``lines`` is the tail of its stderr."""

    def __init__(self, message: str, stderr: Sequence[str] = ()) -> None:
        last = f": {stderr[-1]}" if stderr else ""
        super().__init__("", message + last, lines=stderr)

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- the child


def serve(handler: Callable[[Any], Any], *, fast_exit: bool = False) -> None:
    """Answer each request on stdin with ``handler(request)`` until stdin closes.

    ``fast_exit`` ends the process at once after that, without the interpreter's teardown
    (atexit handlers, module cleanup): for a child that has nothing left to close."""
    import pickle

    requests, replies = _private_channels()
    handler = _as_imported(handler)
    while True:
        try:
            frame = _read_frame(requests)
        except (EOFError, ValueError):
            frame = None  # a parent that died mid-request: nobody to answer
        if frame is None:
            break
        try:
            reply = pickle.dumps(("value", handler(pickle.loads(frame))), protocol=PROTOCOL)
        except Exception as exc:  # the handler's, or a request or reply that does not pickle
            reply = pickle.dumps(("error", _details(exc)), protocol=PROTOCOL)
        _write_frame(replies, reply)
    if fast_exit:
        sys.stderr.flush()
        os._exit(0)


def _private_channels() -> tuple[IO[bytes], IO[bytes]]:
    """The real stdin and stdout, for requests and replies only.  fd 1 becomes a copy of
    stderr and fd 0 reads nothing: a ``print()``, a C library's output or a grandchild's
    cannot land among the replies, and an ``input()`` cannot eat a request.  ``os.dup``'s
    copies are not inheritable: a kernel or pip the handler starts holds neither pipe, so
    the parent still sees the end of this process as the end of its stdout."""
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.close(nothing)
    sys.stdout.flush()  # anything printed before now goes to stderr too
    sys.stdout = sys.stderr
    return requests, replies


def _as_imported(handler: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The handler of the module run with ``-m``, from that module imported under its own
    name: pickled requests and replies name its classes that way
    (``nb2prod.jobs.recorder.JobRecord``), and ``__main__``'s copies are other classes."""
    if handler.__module__ != "__main__":
        return handler
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    if spec is None:
        return handler
    import importlib

    return getattr(importlib.import_module(spec.name), handler.__qualname__)


def _details(exc: BaseException) -> dict[str, Any]:
    import traceback

    lines = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {
        "kind": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "message": str(getattr(exc, "message", None) or exc),
        "hint": getattr(exc, "hint", None),
        "exit_code": getattr(exc, "exit_code", None),
        "lines": lines.rstrip().splitlines()[-TAIL:],
    }


# --------------------------------------------------------------------------- frames


def _write_frame(stream: IO[bytes], data: bytes) -> None:
    stream.write(MAGIC + len(data).to_bytes(_LENGTH, "big"))
    stream.write(data)
    stream.flush()


def _read_frame(stream: IO[bytes]) -> bytes | None:
    """The next frame; None at the end of the stream.  EOFError when the stream ends inside
    a frame, ValueError when what is there is not a frame."""
    header = stream.read(_HEADER)
    if not header:
        return None
    data = stream.read(_length(header))
    if len(data) != _length(header):
        raise EOFError("the stream ended inside a frame")
    return data


def _length(header: bytes) -> int:
    if len(header) != _HEADER:
        raise EOFError("the stream ended inside a frame")
    if not header.startswith(MAGIC):
        raise ValueError("not a frame")
    return int.from_bytes(header[len(MAGIC) :], "big")


def _reply(frame: bytes) -> Any:
    """The value of a reply frame, or its error raised as ChildError."""
    import pickle

    try:
        kind, value = pickle.loads(frame)
    except Exception as exc:  # e.g. a class that exists only where the child runs
        cls = type(exc)
        raise ChildError(
            f"{cls.__module__}.{cls.__qualname__}", f"the reply cannot be read here: {exc}"
        ) from None
    if kind == "error":
        raise ChildError(**value)
    return value


# --------------------------------------------------------------------------- the parent


class Child:
    """A child Python serving ``module``: ``python [flags] -m module``, with ``env`` and
    ``cwd`` as given (else this process's).  Requests are sent with :meth:`send`, replies
    read in order with :meth:`receive`; the two can be apart, so the child works on a
    request while the parent does something else."""

    def __init__(
        self,
        module: str,
        *,
        python: str | os.PathLike[str] | None = None,
        flags: Iterable[str] = (),
        env: dict[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> None:
        import subprocess
        import tempfile

        self.module = module
        # stderr goes to a file: a pipe nobody reads until the end could fill and block it
        self._stderr = tempfile.TemporaryFile()
        try:
            self.process = subprocess.Popen(
                [str(python or sys.executable), *flags, "-m", module],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env=env,
                cwd=cwd,
            )
        except BaseException:
            self._stderr.close()
            raise
        self._timed_out: float | None = None

    def send(self, request: Any) -> None:
        import pickle

        data = pickle.dumps(request, protocol=PROTOCOL)
        try:
            _write_frame(self.process.stdin, data)  # type: ignore[arg-type]
        except OSError:
            pass  # the child has ended (a broken pipe): receive() says why

    def receive(self, timeout: float | None = None) -> Any:
        """The next reply's value; raises ChildError for an error reply and ChildDied when
        the child ends, or gives no reply within ``timeout`` seconds (it is then killed)."""
        watchdog = None
        if timeout is not None:
            import threading

            watchdog = threading.Timer(timeout, self._time_out, [timeout])
            watchdog.daemon = True
            watchdog.start()
        try:
            frame = _read_frame(self.process.stdout)  # type: ignore[arg-type]
            problem = None
        except (EOFError, ValueError) as exc:
            frame, problem = None, exc
        finally:
            if watchdog is not None:
                watchdog.cancel()
        if frame is None:
            raise self._died(problem)
        return _reply(frame)

    def call(self, request: Any, timeout: float | None = None) -> Any:
        self.send(request)
        return self.receive(timeout)

    def close(self, timeout: float = 0) -> None:
        """End the child: its stdin closes (its serve() returns), it gets ``timeout``
        seconds to end by itself, then it is killed."""
        import subprocess

        try:
            self.process.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()  # type: ignore[union-attr]
        self._stderr.close()

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close(GRACE if exc_info[0] is None else 0)

    def _time_out(self, seconds: float) -> None:
        self._timed_out = seconds
        self.process.kill()  # the blocked read then ends

    def _died(self, problem: Exception | None) -> ChildDied:
        if self.process.poll() is None:  # alive, but wrote something that is not a reply
            self.process.kill()
        status = self.process.wait()
        self._stderr.seek(0)
        return _death(self.module, status, self._stderr.read(), problem, self._timed_out)


def call(module: str, request: Any, *, timeout: float | None = None, **options: Any) -> Any:
    """One round trip with a new child (options as for :class:`Child`), which then ends."""
    with Child(module, **options) as child:
        return child.call(request, timeout)


async def call_async(
    module: str,
    request: Any,
    *,
    python: str | os.PathLike[str] | None = None,
    flags: Iterable[str] = (),
    env: dict[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> Any:
    """:func:`call` for an event loop: the child runs under asyncio, the loop stays free."""
    import asyncio
    import pickle
    import tempfile

    data = pickle.dumps(request, protocol=PROTOCOL)
    with tempfile.TemporaryFile() as stderr:
        process = await asyncio.create_subprocess_exec(
            str(python or sys.executable), *flags, "-m", module,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=stderr,
            env=env, cwd=cwd,
        )  # fmt: skip
        assert process.stdin is not None and process.stdout is not None
        try:
            try:
                process.stdin.write(MAGIC + len(data).to_bytes(_LENGTH, "big") + data)
                await process.stdin.drain()
                process.stdin.close()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the child has ended: reading says why
            problem = None
            try:
                header = await process.stdout.readexactly(_HEADER)
                frame = await process.stdout.readexactly(_length(header))
            except (asyncio.IncompleteReadError, EOFError, ValueError) as exc:
                frame, problem = None, exc
            if frame is None:
                if process.returncode is None and isinstance(problem, ValueError):
                    process.kill()
                status = await process.wait()
                stderr.seek(0)
                raise _death(module, status, stderr.read(), problem, None)
            try:
                await asyncio.wait_for(process.wait(), GRACE)
            except asyncio.TimeoutError:
                pass  # killed below
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    return _reply(frame)


def _death(
    module: str, status: int, stderr: bytes, problem: Exception | None, timed_out: float | None
) -> ChildDied:
    if timed_out is not None:
        what = f"gave no reply within {timed_out:g} s and was stopped"
    elif isinstance(problem, ValueError):
        what = "wrote something other than a reply where replies go"
    elif status < 0:
        what = f"was killed (signal {-status}) before it replied"
    else:
        what = f"ended (exit status {status}) before it replied"
    tail = stderr.decode(errors="replace").rstrip().splitlines()[-TAIL:]
    return ChildDied(f"python -m {module} {what}", tail)


# --------------------------------------------------------------------------- elsewhere

_STANDALONE = "nb2prod_standalone"


def copy_standalone(module: str, folder: Path) -> str:
    """Copy ``module`` and this file into ``folder`` as a package of their own, for a
    Python where nb2prod is not installed; returns the name to run there with
    ``Child(name, python=..., cwd=folder)``.  Both must use the standard library only, and
    ``module`` imports this one relatively (``from ..child import serve``), so the same
    file works as part of nb2prod and as the copy.

    Why a copy run with ``-m`` from ``folder``: ``-m`` puts the current directory, and only
    it, first on ``sys.path``, so the other Python sees these two files and nothing else of
    nb2prod or of this environment's site-packages.  Running a file by its path would put
    its whole folder there instead (nb2prod/exporter/code.py would shadow the standard
    library's ``code``); ``-I`` would leave no way to add the folder."""
    import shutil
    from pathlib import Path

    source_root = Path(__file__).resolve().parent
    top = __name__.partition(".")[0]
    if module.partition(".")[0] != top:
        raise ValueError(f"{module} is not a module of {top}")
    for name in (__name__, module):
        parts = name.split(".")[1:]
        target = Path(folder, _STANDALONE, *parts).with_suffix(".py")
        target.parent.mkdir(parents=True, exist_ok=True)
        for package in [target.parent, *target.parent.parents][: len(parts)]:
            (package / "__init__.py").touch()
        shutil.copyfile(source_root.joinpath(*parts).with_suffix(".py"), target)
    return f"{_STANDALONE}.{module.partition('.')[2]}"
