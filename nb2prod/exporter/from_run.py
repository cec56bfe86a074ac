"""``nb2prod export NOTEBOOK --from-run RUN_ID``: the package of one tracked run, as a grid's
best job left it.

The run must be of this notebook (its ``nb2prod.notebook`` tag, the notebook's path in
its project).  The build parameters it logged become the values the notebook runs with
(``-p`` wins for the same name); the runtime parameters it logged are ignored (they are
``predict``'s arguments, not part of the model).  Where the run logged, under
``outputs/``, the file a build parameter the package reads names (``outputs/model.joblib``
for ``model_path = "model.joblib"``, as ``nb2prod run --artifacts`` logs it), that file is
downloaded and copied over that path just before the notebook's first load cell runs, so
the answers captured and the artifact shipped are the run's model, not one trained again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from nb2prod.errors import UsageError
from nb2prod.exporter.build_values import is_secret
from nb2prod.exporter.plan import ExportPlan
from nb2prod.parameters import coerce


@dataclass
class RunValues:
    """What an export takes from a run."""

    run_id: str
    uri: str
    values: dict[str, Any] = field(default_factory=dict)  # build parameters, typed
    ignored: list[str] = field(default_factory=list)  # runtime parameters the run logged
    files: dict[str, Path] = field(default_factory=dict)  # path the load reads -> download
    artifacts: list[dict[str, str]] = field(default_factory=list)  # {parameter, path}
    notes: list[str] = field(default_factory=list)

    def provenance(self) -> dict[str, Any]:
        from nb2prod.credentials import redact_text

        return {
            "run_id": self.run_id,
            "tracking_uri": redact_text(self.uri),
            "parameters": sorted(self.values),
            "artifacts": self.artifacts,
        }

    def summary(self) -> list[str]:
        lines = [f"  from MLflow run {self.run_id}:"]
        shown = ", ".join(f"{n}={v!r}" for n, v in self.values.items()) or "none"
        lines.append(f"    build parameters: {shown}")
        files = ", ".join(a["path"] for a in self.artifacts) or "none (the notebook made them)"
        lines.append(f"    artifacts: {files}")
        if self.ignored:
            lines.append(f"    ignored (runtime parameters): {', '.join(self.ignored)}")
        return lines


def read_run(
    plan: ExportPlan,
    notebook: Path,
    run_id: str,
    tracking_uri: str | None,
    given: dict[str, Any],
    downloads: Path,
) -> RunValues:
    """The run's build values and files for ``plan``; refuses a missing run or a run of
    another notebook (UsageError), raises TrackingUnavailable when the store is down."""
    from nb2prod.tracking.context import NOTEBOOK_TAG, notebook_label
    from nb2prod.tracking.store import TrackingRejected, open_store

    store = open_store(tracking_uri, notebook)
    uri = store.uri
    taken = RunValues(run_id, uri)
    try:
        run = store.run(run_id)
    except TrackingRejected:
        raise UsageError(
            f"--from-run {run_id}: the tracking store {taken.provenance()['tracking_uri']} "
            "has no such run",
            f"list the notebook's runs with `nb2prod runs {notebook}` (or pass --tracking-uri)",
        ) from None
    label, logged_for = notebook_label(notebook), run.tags.get(NOTEBOOK_TAG)
    if logged_for is not None and logged_for != label:
        raise UsageError(
            f"--from-run {run_id}: the run is of {logged_for}, not of {label}",
            f"export {logged_for} from that run, or choose a run of {label}",
        )
    if logged_for is None:
        taken.notes.append(f"run {run_id} does not say which notebook it ran ({NOTEBOOK_TAG})")
    for name in plan.build_params:
        if name not in run.params or name in given:
            continue
        text = run.params[name]
        if is_secret(name, text) or text == "<redacted>":
            taken.notes.append(f"run {run_id}: `{name}` looks secret and was not taken")
            continue
        taken.values[name] = coerce(plan.specs[name], text, f"--from-run {run_id}: {name}")
    taken.ignored = [name for name in plan.runtime_params if name in run.params]
    used = {**{n: s.default for n, s in plan.specs.items()}, **taken.values, **given}
    for name in plan.package_params:
        logged = _logged_path(used.get(name))
        if logged is None or str(logged) not in store.artifact_files(run_id, str(logged.parent)):
            continue
        local = store.download(run_id, str(logged), downloads / name)
        taken.files[str(used[name])] = local
        taken.artifacts.append({"parameter": name, "path": str(logged)})
    return taken


def _logged_path(value: Any) -> PurePosixPath | None:
    """Where ``nb2prod run`` logs the file a relative path names: ``outputs/PATH``."""
    if not isinstance(value, str) or not value.strip():
        return None
    path = PurePosixPath(Path(value).as_posix())
    if path.is_absolute() or ".." in path.parts:
        return None
    parts = [p for p in path.parts if p != "."]
    return PurePosixPath("outputs", *parts) if parts else None


def packaged_files(folder: Path, package: str, recorded: dict, plan: ExportPlan) -> dict:
    """For verify: the run's files an export took, from the package that ships them, to
    put in place of a model trained again when the notebook runs again."""
    shipped = recorded.get("artifacts", {})
    files = {}
    for item in (recorded.get("from_run") or {}).get("artifacts", []):
        name = item.get("parameter")
        if name in shipped and name in plan.specs:
            files[str(plan.specs[name].default)] = Path(folder) / "src" / package / shipped[name]
    return files
