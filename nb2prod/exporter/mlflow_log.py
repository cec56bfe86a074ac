"""``--log-model``: log the exported package to MLflow as a pyfunc model (models-from-code,
with a signature, its runtime parameters as a params schema and the example input), then
load it back the way a server would and check its answers against the notebook's.

Both steps run in child processes with ``MLFLOW_TRACKING_URI`` set there, so nb2prod never
touches MLflow's process-global tracking URI; the check runs without the exported project
on ``sys.path``, so it proves the logged copy of the code works on its own.

The store is the one resolved for the notebook (``model_store``), as for ``--register`` and
``nb2prod run``: the exported package is a project of its own, whose default embedded store
would hold the model apart from the notebook's runs, where promote and shadow look.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from nb2prod.child import ChildError, call
from nb2prod.credentials import redact_text
from nb2prod.errors import EnvironmentProblem
from nb2prod.exporter.capture import Capture
from nb2prod.exporter.compare import differences
from nb2prod.exporter.mlflow_child import CheckModel, LogModel
from nb2prod.exporter.verify import (
    Scorecard,
    locate_notebook,
    read_provenance,
    settings_environment,
)
from nb2prod.tracking.auth import Credentials, http_status
from nb2prod.tracking.sqlite_store import with_busy_timeout
from nb2prod.tracking.store import TrackingStore, open_store


def model_store(
    tracking_uri: str | None,
    notebook: Path | None,
    folder: Path | None = None,
    *,
    say: Callable[[str], None] = lambda _: None,
) -> TrackingStore:
    """The store ``--log-model`` logs to and ``--register`` registers in: the one resolved
    for ``notebook`` (its project's), else for the notebook the provenance of the package in
    ``folder`` names, found as verify finds it, else (said) for ``folder`` itself."""
    if notebook is None and folder is not None:
        from nb2prod.errors import UsageError

        try:
            notebook = locate_notebook(folder, read_provenance(folder)[1])
        except UsageError as exc:
            say(f"note: {exc.message}; the model goes to the store resolved for {folder}")
    return open_store(tracking_uri, notebook if notebook is not None else Path(folder or "."))


def log_and_check(
    folder: Path,
    capture: Capture,
    scorecard: Scorecard,
    *,
    tracking_uri: str | None = None,
    notebook: Path | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> None:
    """Log the package in ``folder`` to the store of ``notebook`` (``model_store``) and
    check the logged model's answers against ``capture``, adding the checks to
    ``scorecard``."""
    folder = Path(folder).resolve()
    name, provenance = read_provenance(folder)
    store = model_store(tracking_uri, notebook, folder, say=say)
    uri, credentials = store.uri, store.credentials
    placeholders = settings_environment(provenance)
    lock = folder / "requirements.lock.txt"
    job = LogModel(
        inputs=capture.inputs,
        output=capture.cases[0].output,
        params=provenance.get("runtime_parameters") or {},
        experiment=provenance.get("notebook") or name,
        run_name=f"export {name}",
        tags={
            "nb2prod.notebook": provenance.get("notebook") or "",
            "nb2prod.git_commit": provenance.get("git_commit") or "",
            "nb2prod.git_dirty": str(provenance.get("git_dirty")),
            "nb2prod.version": provenance.get("nb2prod_version") or "",
        },
        model_file=str(folder / "src" / name / "mlflow_model.py"),
        code=str(folder / "src" / name),
        requirements=[line for line in lock.read_text().splitlines() if line.strip()],
        provenance=provenance,
    )
    say(f"logging the model to MLflow at {redact_text(uri)}")
    with tempfile.TemporaryDirectory(prefix="nb2prod-mlflow-") as scratch:
        logged, error = _child(job, Path(scratch), uri, credentials, folder / "src", placeholders)
        if logged is None:
            scorecard.add("mlflow log_model", False, "logging failed", error)
            return
        scorecard.add("mlflow log_model", True, f"{logged['model_uri']} (run {logged['run_id']})")
        scorecard.logged = dict(logged)
        cases = [case.params for case in capture.cases]
        check = CheckModel(inputs=capture.inputs, model_uri=logged["model_uri"], cases=cases)
        results, error = _child(check, Path(scratch), uri, credentials, None, placeholders)
    if results is None:
        scorecard.add("mlflow pyfunc predict", False, "loading or predicting failed", error)
        return
    for case, value in zip(capture.cases, results):
        diff = differences(case.output, value)
        scorecard.add(f"mlflow pyfunc, {case.name}", not diff, "equal" if not diff else "", diff)


def _child(
    job: LogModel | CheckModel,
    scratch: Path,
    uri: str,
    credentials: Credentials,
    pythonpath: Path | None,
    placeholders: dict[str, str],
):
    """``job`` in a child Python; (its result, None) or (None, the error's last lines).
    A server's refusal of the user (401, 403) is raised: no check can pass then."""
    from nb2prod.tracking.store import refusal

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if credentials.renamed:  # only the variables the project names count
        env = {k: v for k, v in env.items() if not k.startswith("MLFLOW_TRACKING_USER")}
        env.pop("MLFLOW_TRACKING_PASSWORD", None)
    env.update(credentials.mlflow_environment())
    env["MLFLOW_TRACKING_URI"] = with_busy_timeout(uri)  # MLflow's own writes wait too
    # A server that is down should fail in seconds, not after MLflow's minutes of retries.
    env.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
    env.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "20")
    env.update(placeholders)  # the package's required settings, never their values
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    try:
        return call("nb2prod.exporter.mlflow_child", job, env=env, cwd=scratch), None
    except OSError as exc:
        raise EnvironmentProblem(f"cannot start Python for MLflow: {exc}") from None
    except ChildError as error:
        status = _REFUSALS.get(error.name) or http_status(Exception("\n".join(error.lines)))
        refused = refusal(status, uri, credentials, error.message)
        if refused is not None:
            raise refused from None
        return None, error.lines[-4:]


_REFUSALS = {"TrackingAuthFailed": 401, "TrackingForbidden": 403}  # the child's store said
