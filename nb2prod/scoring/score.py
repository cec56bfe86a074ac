"""``nb2prod score``: a model applied to every row of CSV or Parquet files.

The steps, whatever the executor: resolve the model and type the parameters (errors
before any row is read), fix the input's columns and types from the first rows, score
those rows (their prediction columns fix the output's), then score every chunk in input
order and write it through a temporary file that is renamed at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nb2prod.errors import UsageError
from nb2prod.scoring.executors import ScoreJob, get_executor
from nb2prod.scoring.local import located
from nb2prod.scoring.model import resolve_model, typed_params
from nb2prod.scoring.tables import SAMPLE_ROWS, input_files, read_schema
from nb2prod.scoring.writer import TableWriter

DEFAULT_CHUNKSIZE = 100_000


@dataclass
class ScoreResult:
    """What ``score`` wrote: ``rows`` rows of ``columns`` (the predictions last) to ``output``."""

    output: Path
    rows: int
    files: list[Path]
    columns: list[str]
    predictions: list[str]
    model: str
    executor: str
    seconds: float
    params: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        inputs = str(self.files[0]) if len(self.files) == 1 else f"{len(self.files)} files"
        rate = self.rows / self.seconds if self.seconds else 0.0
        return (
            f"scored {self.rows:,} rows of {inputs} with {self.model} ({self.executor}) in "
            f"{self.seconds:.1f} s ({rate:,.0f} rows/s) -> {self.output}\n"
            f"  predictions: {', '.join(self.predictions)}"
        )


def score(
    model: str,
    inputs: Sequence[str],
    output: str | Path,
    *,
    params: Mapping[str, Any] | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    chunksize: int = DEFAULT_CHUNKSIZE,
    dtypes: Mapping[str, str] | None = None,
    force: bool = False,
    tracking_uri: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> ScoreResult:
    """Score the rows of ``inputs`` (files or globs, in order) with ``model`` (an exported
    package's folder or name, or an MLflow model URI) and write them with their prediction
    columns to ``output`` (.csv or .parquet).  ``params`` are the model's runtime
    parameters as text (``--param``), typed as the model types them; ``dtypes`` sets the
    type of CSV columns (``{"age": "float64"}``).  Raises UsageError (exit 2) for bad
    input, EnvironmentProblem (3), ModelFailed (4) when the model raises."""
    started = time.perf_counter()
    if chunksize < 1:
        raise UsageError("--chunksize must be at least 1")
    target = Path(output)
    files, fmt = input_files(list(inputs))
    if any(target.exists() and target.resolve() == path.resolve() for path in files):
        raise UsageError(f"{target}: refusing to write the output over an input")
    writer = TableWriter(target, force=force)
    spec = resolve_model(model, tracking_uri=tracking_uri)
    typed = typed_params(spec, params or {})
    schema = read_schema(files, fmt, dtypes or {})
    job = ScoreJob(spec, typed, files, schema, chunksize)
    options = {"scheduler": scheduler, "workers": workers}
    where = f"{schema.sample_path} rows 1-{min(SAMPLE_ROWS, len(schema.sample))}"
    with get_executor(executor, options) as runner:
        progress(f"scoring with {spec} ({executor})")
        sample = located(where, runner.sample, job)
        output_dtypes = dict(sample.dtypes)
        try:
            encoder = writer.start(sample)
            for where, encoded in runner.scored(job, output_dtypes, encoder):
                writer.append(encoded)
                progress(f"{writer.rows:,} rows scored ({where})")
            writer.commit()
        except BaseException:
            writer.abort()
            raise
    columns = [str(c) for c in sample.columns]
    return ScoreResult(
        output=target,
        rows=writer.rows,
        files=files,
        columns=columns,
        predictions=columns[len(schema.columns) :],
        model=str(spec),
        executor=executor,
        seconds=time.perf_counter() - started,
        params=typed,
    )
