"""Where a drift check's two sides come from: the reference statistics of a model (a
statistics file, an exported package's folder or name, an MLflow model URI) and the batch
(CSV or Parquet files, read whole).

An exported package ships its statistics as ``<package>/_reference_stats.json`` (beside
``provenance.json``); a pyfunc model logged from it carries the package in its ``code/``
folder, so the same file is found there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nb2prod.drift import STATS_FILE
from nb2prod.drift.reference import check_statistics
from nb2prod.errors import UsageError

NO_STATISTICS_HINT = (
    "export the package again with reference data (a cell tagged nb2prod:reference), or "
    "pass a statistics file written by nb2prod.drift.reference.reference_statistics"
)


def load_statistics(model: str, *, tracking_uri: str | None = None) -> tuple[dict[str, Any], str]:
    """The reference statistics of ``model`` and the file they were read from."""
    path = Path(model)
    if path.is_file():
        return read_statistics(path), str(path)
    if path.is_dir() and (path / STATS_FILE).is_file():  # a package's own folder
        return read_statistics(path / STATS_FILE), str(path / STATS_FILE)
    if model.endswith(".json"):
        raise UsageError(f"{model}: no such file")
    from nb2prod.scoring.model import resolve_model

    spec = resolve_model(model, tracking_uri=tracking_uri)
    if spec.kind == "mlflow":
        return _from_mlflow(spec.name, spec.tracking_uri)
    if spec.folder is not None:
        found = Path(spec.folder, spec.name, STATS_FILE)
    else:
        import importlib.util

        located = importlib.util.find_spec(spec.name)
        assert located is not None and located.submodule_search_locations  # resolve_model checked
        found = Path(next(iter(located.submodule_search_locations)), STATS_FILE)
    if not found.is_file():
        raise UsageError(f"{model}: the package ships no reference statistics", NO_STATISTICS_HINT)
    return read_statistics(found), str(found)


def read_statistics(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read it: {exc}") from None
    try:
        stats = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not JSON ({exc})", NO_STATISTICS_HINT) from None
    return check_statistics(stats, str(path))


def _from_mlflow(model_uri: str, tracking_uri: str | None) -> tuple[dict[str, Any], str]:
    """The statistics inside a logged pyfunc model (its ``code/<package>/``)."""
    import tempfile

    from nb2prod.credentials import redact_text
    from nb2prod.errors import EnvironmentProblem, first_line
    from nb2prod.scoring.model import tracking_env

    try:
        import mlflow.artifacts
    except ImportError:
        raise EnvironmentProblem(
            "an MLflow model URI needs MLflow", "pip install 'nb2prod' brings mlflow-skinny"
        ) from None
    with tempfile.TemporaryDirectory(prefix="nb2prod-drift-") as folder:
        with tracking_env(tracking_uri):
            try:
                local = Path(mlflow.artifacts.download_artifacts(model_uri, dst_path=folder))
            except Exception as exc:  # MLflow raises many types: REST, SQL, missing files
                where = redact_text(tracking_uri or "")
                raise UsageError(
                    f"{model_uri}: cannot read it from {where}: {first_line(exc)}"
                ) from None
        found = sorted(local.glob(f"code/*/{STATS_FILE}")) + sorted(local.glob(STATS_FILE))
        if not found:
            raise UsageError(
                f"{model_uri}: the model carries no reference statistics", NO_STATISTICS_HINT
            )
        return read_statistics(found[0]), f"{model_uri} ({found[0].relative_to(local)})"


def read_batch(inputs: list[str]) -> Any:
    """The rows of ``inputs`` (CSV or Parquet files or globs, one format) as one
    DataFrame; an unreadable or empty input is an InputProblem (exit 2)."""
    import pandas as pd

    from nb2prod.scoring.tables import InputProblem, input_files

    files, fmt = input_files(inputs)
    frames = []
    for path in files:
        try:
            if fmt == "parquet":
                import pyarrow.parquet as pq

                table = pq.read_table(path)
                # one array per column, no copy into one block: the check reads columns
                frames.append(
                    table.to_pandas(ignore_metadata=True, split_blocks=True, self_destruct=True)
                )
            else:
                frames.append(pd.read_csv(path, engine="pyarrow"))
        except Exception as exc:  # pandas and pyarrow raise many types for a bad file
            from nb2prod.errors import first_line

            raise InputProblem(
                f"{path}: cannot read it as {fmt.upper()}: {first_line(exc)}"
            ) from None
    for path, other in zip(files[1:], frames[1:]):
        if list(other.columns) != list(frames[0].columns):
            raise InputProblem(
                f"{path}: its columns differ from {files[0]}'s",
                "check files of the same shape together",
            )
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if len(frame) == 0:
        raise InputProblem(
            f"{files[0] if len(files) == 1 else 'the input files'}: no rows to check"
        )
    return frame
