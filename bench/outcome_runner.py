"""Run one notebook headless, the way a job would, and print its first failure as JSON.

Runs inside an outcome environment (its Python has the project, ipykernel and nbclient):
``python outcome_runner.py NOTEBOOK CELL_TIMEOUT NOTEBOOK_TIMEOUT``.  The kernel starts in
the notebook's folder with no standard input; ``sitecustomize.py`` beside this file (put on
``PYTHONPATH`` by the recorder) refuses every connection that leaves the machine, as in a
production job that nobody gave a network to.  Prints one JSON object:
``{"status": "ran" | "failed" | "timeout" | "unreadable", "cell": INDEX, "ename", "evalue",
"traceback", "seconds"}``.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _clean(lines) -> str:
    return _ANSI.sub("", "\n".join(lines))[-3000:]


def run(path: Path, cell_timeout: int, notebook_timeout: int) -> dict:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    started = time.monotonic()
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001 - any reason a notebook cannot be read
        return {"status": "unreadable", "ename": type(error).__name__, "evalue": str(error)}
    current = {"cell": None}

    def on_cell_execute(cell, cell_index):
        current["cell"] = cell_index
        if time.monotonic() - started > notebook_timeout:
            raise CellTimeoutError(f"notebook took over {notebook_timeout} s")

    client = NotebookClient(
        notebook,
        timeout=cell_timeout,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_execute=on_cell_execute,
    )
    outcome: dict = {"status": "ran"}
    try:
        client.execute()
    except CellTimeoutError as error:
        outcome = {"status": "timeout", "evalue": str(error).splitlines()[0][:300]}
    except DeadKernelError as error:
        outcome = {"status": "failed", "ename": "DeadKernelError", "evalue": str(error)[:300]}
    except CellExecutionError as error:
        outcome = {
            "status": "failed",
            "ename": error.ename,
            "evalue": str(error.evalue)[:500],
            "traceback": _clean(str(error).splitlines()[-25:]),
        }
    if outcome["status"] != "ran":
        outcome["cell"] = current["cell"]
    outcome["seconds"] = round(time.monotonic() - started, 1)
    return outcome


if __name__ == "__main__":
    notebook_path, cell_limit, notebook_limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(run(Path(notebook_path).resolve(), cell_limit, notebook_limit)))
