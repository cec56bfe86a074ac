"""A public notebook nobody here wrote: papermill's own "simple input notebook with
parameters" (binder/cli-simple/simple_input.ipynb, BSD-3-Clause,
https://github.com/nteract/papermill/blob/main/binder/cli-simple/simple_input.ipynb).

Kept: its markdown title, its ``parameters`` cell ``msg = None`` and ``print(msg)``.  Cut:
the empty last cell.  Added: ``%load_ext nb2prod`` first and a ``%%nb2prod track`` cell
that logs the message's length, so that a run of it can be looked for.
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, markdown, write_notebook

NOTEBOOK = "simple_input.ipynb"
TRACKED = "%%nb2prod track --log length\nlength = len(str(msg))"


def simple_notebook(folder: Path) -> Path:
    return write_notebook(
        folder / NOTEBOOK,
        [
            markdown("# Simple input notebook with parameters"),
            code("%load_ext nb2prod"),
            code("msg = None", tags=["parameters"]),
            code("print(msg)"),
            code(TRACKED),
        ],
    )
