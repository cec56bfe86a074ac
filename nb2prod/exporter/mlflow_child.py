"""The MLflow side of ``--log-model``, in a child process that ``mlflow_log`` starts with
``MLFLOW_TRACKING_URI`` set for it: log the exported package as a pyfunc model, or load a
logged model back and predict with it.  ``python -m nb2prod.exporter.mlflow_child``; a
child of nb2prod.child's protocol.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from nb2prod.child import serve


@dataclass
class LogModel:
    """Log the package at ``code`` (its ``mlflow_model.py`` is ``model_file``)."""

    inputs: dict[str, Any]
    output: Any
    params: dict[str, Any]
    experiment: str
    run_name: str
    tags: dict[str, str]
    model_file: str
    code: str
    requirements: list[str]
    provenance: dict[str, Any]


@dataclass
class CheckModel:
    """Load ``model_uri`` and predict on the inputs with each case's parameters."""

    inputs: dict[str, Any]
    model_uri: str
    cases: list[dict[str, Any]]


def handle(request: LogModel | CheckModel) -> Any:
    if isinstance(request, LogModel):
        return log_model(request)
    return check_model(request)


def log_model(job: LogModel) -> dict[str, str]:
    """``{"model_uri", "run_id"}`` of the logged model."""
    import mlflow
    from mlflow.models import infer_signature

    from nb2prod.tracking.store import TrackingStore

    example = _example(job.inputs)
    signature = infer_signature(example, job.output, params=job.params or None)
    # nb2prod's store handle: the embedded store opened under its lock, the experiment
    # created once however many exports start together
    experiment_id = TrackingStore(os.environ["MLFLOW_TRACKING_URI"]).experiment_id(job.experiment)
    mlflow.set_experiment(experiment_id=experiment_id)
    with mlflow.start_run(run_name=job.run_name, tags=job.tags) as run:
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=job.model_file,
            code_paths=[job.code],
            pip_requirements=job.requirements,
            input_example=example,
            signature=signature,
        )
        mlflow.log_dict(job.provenance, "nb2prod/provenance.json")
    return {"model_uri": info.model_uri, "run_id": run.info.run_id}


def check_model(job: CheckModel) -> list[Any]:
    """The model's answer for each case, loaded the way a server would load it."""
    import mlflow

    example = _example(job.inputs)
    model = mlflow.pyfunc.load_model(job.model_uri)
    return [model.predict(example, params=params or None) for params in job.cases]


def _example(inputs: dict[str, Any]) -> Any:
    """One input as itself, several as a dict (how the pyfunc model takes them)."""
    values = list(inputs.values())
    return values[0] if len(values) == 1 else inputs


if __name__ == "__main__":
    serve(handle)
