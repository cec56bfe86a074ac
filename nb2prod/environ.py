"""Environment variables: the ones ``nb2prod run`` sets for the job's kernel, which the
kernel extension reads, and a ``with`` block that sets some for its length."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

#: The job's record: cells log into this JSON-lines file, which the job writes to MLflow
#: in one go (the kernel never imports MLflow).
JOB_LOG_ENV = "NB2PROD_JOB_LOG"
#: The notebook the job runs (papermill's kernel has no Jupyter session to say so); set
#: by hand, it names the notebook to any kernel (docs/tracking.md).
JOB_NOTEBOOK_ENV = "NB2PROD_NOTEBOOK"
#: Set by ``nb2prod run --no-track`` (and the pytest plugin): cells run, nothing is logged.
NO_TRACK_ENV = "NB2PROD_NO_TRACK"


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """``os.environ`` with ``values`` set; each is restored (or removed) afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
