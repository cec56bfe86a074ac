"""Running a notebook with papermill in a real kernel: the call export and jobs share, and
what a kernel that cannot run it means to the user."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nb2prod.errors import NotebookFailed, UsageError


def run_papermill(
    source: Path,
    executed: Path,
    *,
    cwd: Path | str,
    kernel: str | None,
    timeout: float | None,
    cell_failure: Callable[[Any], Exception],
    parameters: dict[str, Any] | None = None,
) -> None:
    """Execute ``source`` into ``executed`` (papermill imported here: it is heavy).  A cell
    that raised becomes ``cell_failure(PapermillExecutionError)``: only the caller knows
    which of its cells that was.  A missing or dead kernel, or a timeout, becomes a
    UsageError or NotebookFailed that says so."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    kernel = kernel or "python3"
    with tempfile.TemporaryDirectory(prefix="nb2prod-kernel-") as sockets:
        try:
            papermill.execute_notebook(
                str(source),
                str(executed),
                parameters=parameters,
                cwd=str(cwd),
                kernel_name=kernel,
                progress_bar=False,
                log_output=False,
                execution_timeout=timeout,
                # The kernel's own start-up warnings are not the user's business here.
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                config=_kernel_connection(kernel, Path(sockets)),
            )
        except PapermillExecutionError as exc:
            raise cell_failure(exc) from None
        except Exception as exc:  # nbclient's own types: dead kernel, timeout, missing kernel
            index = _running_cell(executed) if type(exc).__name__ == "CellTimeoutError" else None
            if index is not None:  # name the cell, as for a cell that raised
                failure = cell_failure(_Timeout(index, timeout))
                if isinstance(failure, NotebookFailed):
                    failure.hint = "raise --timeout, or make the cell faster"
                raise failure from None
            raise _kernel_problem(exc, kernel) from None


class _Timeout:
    """What ``cell_failure`` reads of a PapermillExecutionError, for a cell that timed out."""

    def __init__(self, cell_index: int, timeout: float | None) -> None:
        self.cell_index = cell_index
        self.ename = "TimeoutError"
        self.evalue = f"the cell ran longer than the time limit ({timeout:g} s)"


def _running_cell(executed: Path) -> int | None:
    """The index of the cell papermill was running when it stopped: the last one started
    (papermill saves the notebook after each cell; later cells have no start time)."""
    import json

    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    started = [
        i
        for i, cell in enumerate(cells)
        if cell.get("metadata", {}).get("papermill", {}).get("start_time")
    ]
    return started[-1] if started else None


def _kernel_connection(kernel: str, sockets: Path):
    """How the kernel and papermill talk: over Unix sockets in a folder of this run's own
    when the kernel is IPython's.  Over TCP, each side picks "free" ports by binding and
    releasing them, so jobs started together take the same port and a kernel dies with
    "Address already in use" (papermill #511) after papermill waited a minute for it."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from traitlets.config import Config

    try:
        argv = KernelSpecManager().get_kernel_spec(kernel).argv
    except NoSuchKernel:
        return Config()  # papermill reports it
    if not any("ipykernel" in part for part in argv):
        return Config()
    return Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / "kernel")}})


def _kernel_problem(exc: Exception, kernel: str | None) -> Exception:
    name = type(exc).__name__
    if name == "NoSuchKernel":
        return UsageError(
            f"there is no Jupyter kernel named {kernel!r}",
            "list them with `jupyter kernelspec list`",
        )
    if name == "DeadKernelError":
        return NotebookFailed(
            "the kernel died (out of memory, or the process was killed)",
            "run the notebook in Jupyter to see where",
        )
    if name == "CellTimeoutError":
        return NotebookFailed(f"a cell ran longer than the time limit: {exc}", "raise --timeout")
    return NotebookFailed(f"the notebook could not be run: {name}: {exc}")
