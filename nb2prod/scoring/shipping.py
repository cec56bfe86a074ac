"""An exported package's code and artifacts, shipped to remote Dask workers.

``ShipPackage`` is a worker plugin holding the package folder as a zip; each worker
unpacks it under its local directory, once per package version (the folder's digest), and
``model.import_package`` imports it from there.  Imports ``distributed``: only the Dask
executor loads this module.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from nb2prod.scoring import model
from nb2prod.scoring.model import ModelSpec


class ShipPackage(WorkerPlugin):
    """Unpacks one package version on every worker and tells ``model`` where it is."""

    def __init__(self, name: str, digest: str, data: bytes) -> None:
        self.name = f"nb2prod-package-{digest[:16]}"  # registering it again is a no-op
        self.package = name
        self.digest = digest
        self.data = data

    @classmethod
    def of(cls, spec: ModelSpec) -> ShipPackage:
        folder = Path(str(spec.folder)) / spec.name
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                if "__pycache__" not in path.parts:
                    archive.write(path, Path(spec.name, path.relative_to(folder)).as_posix())
        return cls(spec.name, str(spec.digest), buffer.getvalue())

    def setup(self, worker: Any) -> None:
        target = Path(worker.local_directory) / "nb2prod-packages" / self.digest
        if not (target / self.package).is_dir():
            with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
                archive.extractall(target)
        model.SHIPPED[self.digest] = str(target)
