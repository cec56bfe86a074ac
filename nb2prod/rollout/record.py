"""What promote and shadow found, as an MLflow run in the experiment ``models/NAME``.

The run carries the numbers as metrics, the versions and the data as parameters, the
verdict as the tag ``nb2prod.verdict`` and the whole report as ``nb2prod/KIND.json``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from nb2prod import __version__
from nb2prod.rollout.registry import Registry, Version
from nb2prod.tracking.context import NOTEBOOK_TAG
from nb2prod.tracking.values import Logged

VERDICT_TAG = "nb2prod.verdict"


def experiment_name(model: str) -> str:
    return f"models/{model}"


def notebook_of(*versions: Version | None) -> str | None:
    """The notebook the first of ``versions`` that knows it was exported from (its
    ``nb2prod.notebook`` tag), for the run about them to carry."""
    for version in versions:
        if version is not None and version.tags.get(NOTEBOOK_TAG):
            return version.tags[NOTEBOOK_TAG]
    return None


def file_digest(path: str | Path) -> str:
    """SHA-256 of the data file, so a comparison names exactly the rows it used."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record(
    registry: Registry,
    model: str,
    kind: str,
    *,
    run_name: str,
    metrics: dict[str, float],
    params: dict[str, str],
    verdict: str,
    report: dict[str, Any],
    notebook: str | None = None,
) -> str:
    """Log one finished run of ``kind`` (``promote``, ``shadow``); returns its id.  The run
    is tagged with ``notebook``, the label of the notebook the versions came from."""
    import math
    import tempfile

    store = registry.store
    tags = {"nb2prod.kind": kind, "nb2prod.version": __version__, "nb2prod.model": model}
    if notebook:
        tags[NOTEBOOK_TAG] = notebook
    run_id = store.start_run(experiment_name(model), run_name=run_name, tags=tags)
    finite = {k: v for k, v in metrics.items() if math.isfinite(v)}  # MLflow refuses NaN
    store.log(run_id, Logged(metrics=finite, params=params), {VERDICT_TAG: verdict})
    with tempfile.TemporaryDirectory(prefix="nb2prod-report-") as folder:
        path = Path(folder) / f"{kind}.json"
        path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
        store.log_file(run_id, path, "nb2prod")
    store.end_run(run_id)
    store.checkpoint()
    return run_id
