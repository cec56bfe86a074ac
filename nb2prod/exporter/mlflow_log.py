"""``--log-model``: log the exported package to MLflow as a pyfunc model (models-from-code,
with a signature, its runtime parameters as a params schema and the example input), then
load it back the way a server would and check its answers against the notebook's.

Both steps run in child processes with ``MLFLOW_TRACKING_URI`` set there, so nb2prod never
touches MLflow's process-global tracking URI; the check runs without the exported project
on ``sys.path``, so it proves the logged copy of the code works on its own.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from nb2prod.credentials import redact_text
from nb2prod.errors import EnvironmentProblem
from nb2prod.exporter.capture import Capture
from nb2prod.exporter.compare import differences
from nb2prod.exporter.verify import Scorecard, read_provenance
from nb2prod.tracking.sqlite_store import with_busy_timeout
from nb2prod.tracking.uri import resolve_tracking_uri

_LOG = """
import os, pickle, sys
import mlflow
from mlflow.models import infer_signature
from nb2prod.tracking.store import TrackingStore

job = pickle.load(open(sys.argv[1], "rb"))
inputs = list(job["inputs"].values())
example = inputs[0] if len(inputs) == 1 else job["inputs"]
signature = infer_signature(example, job["output"], params=job["params"] or None)
# nb2prod's store handle: the embedded store opened under its lock, the experiment
# created once however many exports start together
experiment_id = TrackingStore(os.environ["MLFLOW_TRACKING_URI"]).experiment_id(job["experiment"])
mlflow.set_experiment(experiment_id=experiment_id)
with mlflow.start_run(run_name=job["run_name"], tags=job["tags"]) as run:
    info = mlflow.pyfunc.log_model(
        name="model",
        python_model=job["model_file"],
        code_paths=[job["code"]],
        pip_requirements=job["requirements"],
        input_example=example,
        signature=signature,
    )
    mlflow.log_dict(job["provenance"], "nb2prod/provenance.json")
pickle.dump({"model_uri": info.model_uri, "run_id": run.info.run_id}, open(sys.argv[2], "wb"))
"""

_CHECK = """
import pickle, sys
import mlflow

job = pickle.load(open(sys.argv[1], "rb"))
inputs = list(job["inputs"].values())
example = inputs[0] if len(inputs) == 1 else job["inputs"]
model = mlflow.pyfunc.load_model(job["model_uri"])
results = [model.predict(example, params=params or None) for params in job["cases"]]
pickle.dump(results, open(sys.argv[2], "wb"))
"""


def log_and_check(
    folder: Path,
    capture: Capture,
    scorecard: Scorecard,
    *,
    tracking_uri: str | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> None:
    folder = Path(folder).resolve()
    name, provenance = read_provenance(folder)
    uri = resolve_tracking_uri(tracking_uri, folder)
    lock = folder / "requirements.lock.txt"
    job = {
        "inputs": capture.inputs,
        "output": capture.cases[0].output,
        "params": provenance.get("runtime_parameters") or {},
        "experiment": provenance.get("notebook") or name,
        "run_name": f"export {name}",
        "tags": {
            "nb2prod.notebook": provenance.get("notebook") or "",
            "nb2prod.git_commit": provenance.get("git_commit") or "",
            "nb2prod.git_dirty": str(provenance.get("git_dirty")),
            "nb2prod.version": provenance.get("nb2prod_version") or "",
        },
        "model_file": str(folder / "src" / name / "mlflow_model.py"),
        "code": str(folder / "src" / name),
        "requirements": [line for line in lock.read_text().splitlines() if line.strip()],
        "provenance": provenance,
    }
    say(f"logging the model to MLflow at {redact_text(uri)}")
    with tempfile.TemporaryDirectory(prefix="nb2prod-mlflow-") as scratch:
        logged, error = _child(_LOG, job, Path(scratch), uri, pythonpath=folder / "src")
        if logged is None:
            scorecard.add("mlflow log_model", False, "logging failed", error)
            return
        scorecard.add("mlflow log_model", True, f"{logged['model_uri']} (run {logged['run_id']})")
        check = {"inputs": capture.inputs, "model_uri": logged["model_uri"]}
        check["cases"] = [case.params for case in capture.cases]
        results, error = _child(_CHECK, check, Path(scratch), uri, pythonpath=None)
    if results is None:
        scorecard.add("mlflow pyfunc predict", False, "loading or predicting failed", error)
        return
    for case, value in zip(capture.cases, results):
        diff = differences(case.output, value)
        scorecard.add(f"mlflow pyfunc, {case.name}", not diff, "equal" if not diff else "", diff)


def _child(script: str, job: dict, scratch: Path, uri: str, pythonpath: Path | None):
    """Run ``script`` on ``job`` in a child Python; (its result, None) or (None, error lines)."""
    job_file, result_file = scratch / "job.pkl", scratch / "result.pkl"
    job_file.write_bytes(pickle.dumps(job, protocol=4))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MLFLOW_TRACKING_URI"] = with_busy_timeout(uri)  # MLflow's own writes wait too
    # A server that is down should fail in seconds, not after MLflow's minutes of retries.
    env.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
    env.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "20")
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, str(job_file), str(result_file)],
            capture_output=True,
            text=True,
            env=env,
            cwd=scratch,
        )
    except OSError as exc:
        raise EnvironmentProblem(f"cannot start Python for MLflow: {exc}") from None
    if done.returncode != 0:
        return None, done.stderr.strip().splitlines()[-4:]
    return pickle.loads(result_file.read_bytes()), None
