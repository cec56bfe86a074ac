"""nb2prod's Python API, its front door as ``papermill.execute_notebook`` is papermill's:
what users call from their own code and what the command line calls.

Each function returns a typed result and raises an :class:`~nb2prod.errors.Nb2ProdError`
subclass when it cannot do what was asked; the error's ``exit_code`` is the one the command
line exits with and its ``hint`` says what to do.  Nothing here prints or exits: long work
reports progress through ``progress``, a callable taking one line of text.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nb2prod.drift.report import DriftReport
    from nb2prod.exporter.pipeline import ExportResult
    from nb2prod.exporter.verify import Scorecard
    from nb2prod.jobs.runner import JobResult
    from nb2prod.linter.engine import LintReport
    from nb2prod.scoring.score import ScoreResult

PathLike = str | os.PathLike
Progress = Callable[[str], None]


def _silent(_: str) -> None:
    pass


def lint(
    paths: PathLike | Sequence[PathLike] = ".",
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    profile: str | None = None,
    config: PathLike | None = None,
    isolated: bool = False,
    fix: bool = False,
    jobs: int | None = None,
) -> LintReport:
    """Lint the notebooks at ``paths`` (files or folders, walked for ``*.ipynb``).

    ``select``/``ignore``/``extend_select`` take rule codes, prefixes (``NB2``), names or
    ``ALL`` and override ``[tool.nb2prod.lint]``; ``profile`` is ``"explore"`` or
    ``"prod"``; ``config`` names the pyproject.toml to use, ``isolated`` ignores every one;
    ``fix`` applies the safe fixes in place.  The report's ``findings`` carry the fields of
    ``nb2prod lint --format json`` (``Finding.to_json()``), its ``files`` each file's status.
    """
    from nb2prod.config import LintOverrides
    from nb2prod.linter.engine import lint_paths

    overrides = LintOverrides(
        select=tuple(select) if select is not None else None,
        ignore=tuple(ignore),
        extend_select=tuple(extend_select),
        profile=profile,
        config_file=os.fspath(config) if config is not None else None,
        isolated=isolated,
    )
    chosen = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    return lint_paths(
        [os.fspath(p) for p in chosen], overrides, fix="fix" if fix else None, jobs=jobs
    )


def export(
    notebook: PathLike,
    output: PathLike | None = None,
    *,
    name: str | None = None,
    version: str = "0.1.0",
    force: bool = False,
    dry_run: bool = False,
    params: Mapping[str, Any] | None = None,
    cwd: PathLike | None = None,
    kernel: str | None = None,
    timeout: float | None = None,
    verify: bool = False,
    log_model: bool = False,
    tracking_uri: str | None = None,
    from_run: str | None = None,
    progress: Progress = _silent,
) -> ExportResult:
    """Export the tagged cells of ``notebook`` as an installable package in ``output``
    (default ``build/NAME`` next to the notebook, wherever this runs, as in the CLI, the
    magic and the panel); ``dry_run`` plans and lists the files without running or writing.
    An ``output`` that is not empty is written only with ``force``, and then only the files
    an earlier export wrote there are replaced: the user's are kept, and one of nb2prod's
    the user changed stops the export (``TargetExists``, naming it), as ``--force`` does.

    The notebook runs once, in ``cwd`` (default: the notebook's folder, as for
    :func:`run`), to capture its example input and answers (``params``: runtime parameter
    values to check besides the defaults, and build parameter values the notebook runs
    and the package is built with, recorded in provenance.json).  ``from_run``: an MLflow
    run of this notebook (in ``tracking_uri``'s store, default resolved as everywhere)
    whose build parameters the notebook runs with (``params`` win) and whose logged
    ``outputs/`` file a build parameter names (the model) is the one packaged.  With ``verify`` (or ``log_model``)
    the package is then checked as :func:`verify` does and ``result.scorecard`` holds the
    checks; ``log_model`` logs it to the store resolved for the notebook (its project's
    ``.nb2prod/mlflow.db`` by default, where its runs are), not the package's.
    Raises ``UsageError`` (refused: the message names the cell and the fix),
    ``NotebookFailed``, ``EnvironmentProblem``, and what :func:`verify` raises, whose
    ``result`` is then this function's (the export, its ``scorecard`` the failed checks).
    """
    from nb2prod.exporter.pipeline import ExportOptions, export_notebook

    result = export_notebook(
        ExportOptions(
            notebook=Path(notebook),
            name=name,
            output=Path(output) if output is not None else None,
            version=version,
            force=force,
            dry_run=dry_run,
            params={k: str(v) for k, v in (params or {}).items()},
            cwd=Path(cwd) if cwd is not None else None,
            kernel=kernel,
            timeout=timeout,
            from_run=from_run,
            tracking_uri=tracking_uri,
        ),
        say=progress,
    )
    if not dry_run and (verify or log_model):
        from nb2prod.errors import Nb2ProdError
        from nb2prod.exporter.verify import check_package

        try:
            result.scorecard = check_package(
                result.target,
                result.capture,
                log_model=log_model,
                tracking_uri=tracking_uri,
                notebook=Path(notebook),
                say=progress,
            )
        except Nb2ProdError as exc:  # the package was written: the error carries it
            result.scorecard, exc.result = exc.result, result
            raise
    return result


def verify(
    package_dir: PathLike,
    *,
    notebook: PathLike | None = None,
    params: Mapping[str, Any] | None = None,
    cwd: PathLike | None = None,
    kernel: str | None = None,
    timeout: float | None = None,
    log_model: bool = False,
    tracking_uri: str | None = None,
    progress: Progress = _silent,
) -> Scorecard:
    """Check that the package exported in ``package_dir`` gives its notebook's answers:
    run the notebook again (``notebook``, default the path in its provenance; in ``cwd``,
    default the notebook's folder), install the
    package in a fresh virtual environment and compare its answers, for the default and
    ``params`` runtime parameter values; run its tests and its CLI; with ``log_model``, log
    it to MLflow (the store resolved for the notebook, as :func:`export` does) and compare
    the logged model's answers too.

    Returns the scorecard when every check passes.  Raises ``EquivalenceMismatch`` (exit 5)
    when the answers differ, ``VerificationFailed`` (exit 1) when another check fails (both
    carry the ``scorecard``), ``NotebookFailed`` and ``EnvironmentProblem``.
    """
    from nb2prod.exporter.pipeline import recapture
    from nb2prod.exporter.verify import check_package

    capture, notes = recapture(
        Path(package_dir),
        {k: str(v) for k, v in (params or {}).items()},
        notebook=Path(notebook) if notebook is not None else None,
        cwd=cwd,
        kernel=kernel,
        timeout=timeout,
        say=progress,
    )
    for note in notes:
        progress(f"note: {note}")
    return check_package(
        Path(package_dir),
        capture,
        log_model=log_model,
        tracking_uri=tracking_uri,
        notebook=Path(notebook) if notebook is not None else None,
        say=progress,
    )


def run(
    notebook: PathLike,
    parameters: Mapping[str, Any] | None = None,
    *,
    output: PathLike | None = None,
    experiment: str | None = None,
    run_name: str | None = None,
    timeout: float | None = None,
    cwd: PathLike | None = None,
    kernel: str | None = None,
    tracking_uri: str | None = None,
    track: bool = True,
    artifacts: Sequence[PathLike] = (),
    progress: Progress = _silent,
) -> JobResult:
    """Run ``notebook`` as a job: papermill in a real kernel (in ``cwd``, default the
    notebook's folder) with ``parameters`` checked and typed against its ``parameters``
    cell, strict failure detection, one MLflow run.  The files the notebook creates or
    changes under ``artifacts`` (folders relative to where it runs; default the value of
    an ``output_dir`` parameter) are logged to the run as ``outputs/PATH``.

    Returns the result (status, parameters, metrics, MLflow run id, ``output``: the
    executed notebook, written only when asked for).  Raises ``UsageError`` for bad
    parameters, ``NotebookFailed`` (exit 4) when the notebook failed and
    ``TrackingUnavailable`` (exit 3) when it ran but could not be recorded; both carry the
    ``result``.
    """
    from nb2prod.jobs.runner import JobOptions, run_job

    result = run_job(
        JobOptions(
            notebook=Path(notebook),
            params=dict(parameters or {}),
            output=Path(output) if output is not None else None,
            experiment=experiment,
            run_name=run_name,
            timeout=timeout,
            cwd=Path(cwd) if cwd is not None else None,
            kernel=kernel,
            tracking_uri=tracking_uri,
            track=track,
            artifacts=[Path(a) for a in artifacts],
        ),
        say=progress,
    )
    problem = result.failure or result.tracking_error
    if problem is not None:
        problem.result = result
        raise problem
    return result


def score(
    model: str,
    inputs: PathLike | Sequence[PathLike],
    output: PathLike,
    *,
    params: Mapping[str, Any] | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    chunksize: int = 100_000,
    dtypes: Mapping[str, str] | None = None,
    force: bool = False,
    tracking_uri: str | None = None,
    progress: Progress = _silent,
) -> ScoreResult:
    """Score the rows of ``inputs`` (CSV or Parquet files or globs, in order) with
    ``model`` (an exported package's folder or installed name, or an MLflow model URI) and
    write them, followed by the prediction columns, to ``output`` (docs/score.md).

    ``params`` are the model's runtime parameters (text is typed as the model types it);
    ``executor`` is ``"local"`` (chunks of ``chunksize`` rows in this process) or
    ``"dask"`` (on ``scheduler``, else a local cluster of ``workers`` processes): the
    output is the same bytes either way.  Raises ``UsageError`` (exit 2) for bad input or
    parameters, ``EnvironmentProblem`` (3), ``ModelFailed`` (4) when the model raised; the
    output is never left half-written.
    """
    from nb2prod.scoring.score import score as score_files

    return score_files(
        model,
        [os.fspath(p) for p in ([inputs] if isinstance(inputs, (str, os.PathLike)) else inputs)],
        Path(output),
        params=dict(params or {}),
        executor=executor,
        scheduler=scheduler,
        workers=workers,
        chunksize=chunksize,
        dtypes=dtypes,
        force=force,
        tracking_uri=tracking_uri,
        progress=progress,
    )


def check_drift(
    model: PathLike | Mapping[str, Any],
    batch: Any,
    *,
    drift_share: float = 0.5,
    log: bool = False,
    tracking_uri: str | None = None,
    experiment: str | None = None,
) -> DriftReport:
    """Check ``batch`` (a DataFrame, or CSV/Parquet files or globs) for drift against the
    reference statistics of ``model``: a statistics file or dict
    (``nb2prod.drift.reference.reference_statistics``), an exported package's folder or
    installed name, or an MLflow model URI (docs/drift.md).

    The report's ``drift`` is the dataset's verdict, ``columns`` each column's test, PSI
    and verdict; ``to_json()`` and ``table()`` are what ``nb2prod drift`` prints.  With
    ``log``, the check is recorded as an MLflow run.  Raises ``UsageError`` (exit 2) when
    the batch's columns or types do not match the reference or the model has no statistics.
    """
    from nb2prod.drift.run import check_model

    return check_model(
        model,
        batch,
        drift_share=drift_share,
        tracking_uri=tracking_uri,
        log=log,
        experiment=experiment,
    )
