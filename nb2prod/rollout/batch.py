"""One batch scored by registered versions, each in a child process of its own.

Two versions of a model are usually two exports of one notebook: the same package name,
different code and artifacts.  Loaded into one process, the second would reuse the first's
imported package (MLflow only prepends its code folder to ``sys.path``) and answer with the
first's model, so every version is scored by its own child (``batch_child``), with
nb2prod score's loading and scoring (``scoring.model``, ``scoring.frames``).  The children
run side by side.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nb2prod.errors import EnvironmentProblem, Nb2ProdError, UsageError
from nb2prod.rollout.batch_child import ScoreVersion
from nb2prod.rollout.registry import Registry, Version
from nb2prod.scoring.tables import InputProblem, table_format


def read_table(path: str | Path) -> Any:
    """The whole CSV or Parquet file at ``path`` as a DataFrame."""
    import pandas as pd

    path = Path(path)
    fmt = table_format(path, "data")
    if not path.is_file():
        raise InputProblem(f"{path}: no such file")
    try:
        frame = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
    except Exception as exc:
        from nb2prod.errors import first_line

        raise InputProblem(f"{path}: cannot be read as {fmt}: {first_line(exc)}") from None
    if frame.empty:
        raise InputProblem(f"{path}: has no rows")
    return frame


def predictions(
    registry: Registry,
    versions: Sequence[Version],
    frame: Any,
    params: Mapping[str, str] | None = None,
) -> list[Any]:
    """Each version's prediction columns for the rows of ``frame`` (a DataFrame each), with
    the same runtime parameters ``params`` (``--param``)."""
    from nb2prod.child import Child, ChildError

    env = dict(os.environ)
    env.update(registry.store.credentials.mlflow_environment())
    env.pop("PYTHONPATH", None)  # the model's own code comes from the registry
    with tempfile.TemporaryDirectory(prefix="nb2prod-rollout-") as scratch:
        children = []
        try:
            for version in versions:
                child = Child("nb2prod.rollout.batch_child", env=env, cwd=scratch)
                children.append(child)
                request = ScoreVersion(version.uri, registry.store.uri, frame, dict(params or {}))
                child.send(request)
            answers = []
            for version, child in zip(versions, children):
                try:
                    answers.append(child.receive())
                except ChildError as error:
                    raise _problem(version, error) from None
            return answers
        except OSError as exc:
            raise EnvironmentProblem(f"cannot start Python to score a model: {exc}") from None
        finally:
            for child in children:
                child.close()


def _problem(version: Version, error: Any) -> Nb2ProdError:
    """The child's error as an nb2prod error with its exit code, naming the version (one
    that was not an nb2prod error is the model failing: exit 4)."""
    from nb2prod.scoring.model import ModelFailed

    problem = ModelFailed(
        f"version {version.version} of {version.name}: {error.message or error}", error.hint
    )
    if error.exit_code is not None:
        problem.exit_code = error.exit_code
    return problem


def prediction_column(columns: Any, target: str | None, chosen: str | None) -> str:
    """Which of a model's prediction columns answers for ``target``: ``chosen``
    (``--prediction``), the only one, else the one named like the target or ``prediction``."""
    names = [str(c) for c in columns.columns]
    if chosen is not None:
        if chosen not in names:
            raise UsageError(
                f"the model has no prediction column {chosen!r} (it predicts {', '.join(names)})"
            )
        return chosen
    if len(names) == 1:
        return names[0]
    for name in (target, f"prediction_{target}", "prediction"):
        if name in names:
            return name
    raise UsageError(
        f"the model predicts {', '.join(names)}: which one answers for {target or 'the batch'}?",
        "name it with --prediction COLUMN",
    )
