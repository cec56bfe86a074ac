"""``nb2prod run``: one notebook as a papermill job, strictly checked and tracked in MLflow.

The job gets typed parameters (checked against the parameters cell: an unknown name is an
error, not papermill's warning), an MLflow run with its parameters, the metrics of its
metrics cells and tracked cells, the executed notebook and an HTML rendering, and a status.
A raised exception, a failing magic, ``!cmd`` exiting non-zero, ``sys.exit(1)`` and a dead
kernel all fail it (exit 4).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nb2prod.atomic import write_atomically
from nb2prod.environ import JOB_LOG_ENV, JOB_NOTEBOOK_ENV, NO_TRACK_ENV, environment
from nb2prod.errors import Nb2ProdError, NotebookFailed, NotebookReadError, UsageError
from nb2prod.jobs.outputs import snapshot, watched_folders, written_since
from nb2prod.notebook import Notebook, import_nbformat, notebook_from_bytes
from nb2prod.papermill_run import run_papermill
from nb2prod.parameters import ParamSpec, coerce, notebook_parameters
from nb2prod.roles import notebook_roles

_JOB_TAG = "nb2prod-job"  # cells nb2prod adds to the copy it runs, removed from the output
_ERROR_BANNER = "papermill-error-cell-tag"
# The extension is loaded by its hook, not `%load_ext`: IPython's extension manager then
# does not list it, so the notebook's own `%load_ext nb2prod` loads it (the hook returns the
# session already there) instead of printing "already loaded" into the output notebook.
_SETUP = (
    "from nb2prod.kernel.strict_job import enable_strict, load_for_job\n"
    "load_for_job(get_ipython())\n"
    "enable_strict(get_ipython())"
)


@dataclass
class JobOptions:
    notebook: Path
    params: dict[str, Any] = field(default_factory=dict)  # name -> value or command-line text
    output: Path | None = None
    experiment: str | None = None
    run_name: str | None = None
    timeout: float | None = None
    cwd: Path | None = None
    kernel: str | None = None
    tracking_uri: str | None = None
    track: bool = True
    # folders whose new files the run keeps (relative to where the notebook runs); by
    # default the value of an `output_dir` parameter
    artifacts: list[Path] = field(default_factory=list)
    # the run's tags when they were read elsewhere: a job run on a copy of the project (a
    # Dask worker's), which has no git repository and no pyproject.toml to read them from
    tags: dict[str, str] | None = None


@dataclass
class JobResult:
    notebook: str
    params: dict[str, Any]
    status: str  # FINISHED or FAILED
    seconds: float
    run_id: str | None = None
    output: Path | None = None
    failure: NotebookFailed | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    tracking_error: Nb2ProdError | None = None  # the job ran but could not be recorded


def typed_job_params(specs: dict[str, ParamSpec], given: dict[str, Any]) -> dict[str, Any]:
    """``given`` checked against the parameters cell and typed like its defaults."""
    if given and not specs:
        raise UsageError(
            f"parameters given ({', '.join(given)}) but the notebook has no parameters cell",
            "tag the cell holding the defaults `parameters`",
        )
    unknown = [name for name in given if name not in specs]
    if unknown:
        raise UsageError(
            f"unknown parameter {', '.join(unknown)}",
            f"the parameters cell defines: {', '.join(specs)}",
        )
    return {name: coerce(specs[name], value, f"-p {name}") for name, value in given.items()}


def check_job(options: JobOptions) -> tuple[Notebook, dict[str, ParamSpec], dict[str, Any]]:
    """The notebook, its parameters cell and the typed values of ``options.params``;
    UsageError (nothing run) for a notebook that cannot run or parameters it does not take."""
    path = Path(options.notebook)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NotebookReadError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    notebook = notebook_from_bytes(data, str(path))
    if not notebook.is_python:
        raise UsageError(f"{path}: the kernel language is {notebook.language}; jobs run Python")
    _check_syntax(notebook)
    specs = notebook_parameters(notebook)
    params = typed_job_params(specs, options.params)
    if options.output and options.output.resolve() == path.resolve():
        raise UsageError("-o would overwrite the notebook itself", "write the output elsewhere")
    return notebook, specs, params


def run_job(options: JobOptions, say: Callable[[str], None] = lambda _: None) -> JobResult:
    """Run the notebook; a failed notebook gives a FAILED result (the caller exits 4)."""
    path = Path(options.notebook)
    notebook, specs, params = check_job(options)
    workdir = Path(options.cwd) if options.cwd else path.resolve().parent
    watched = watched_folders(list(options.artifacts), specs, params, workdir)
    recorder = _recorder(options, path) if options.track else None
    before = snapshot(watched) if recorder else {}
    say(f"running {path}")
    started, started_ms = time.perf_counter(), _now_ms()
    failure = None
    with tempfile.TemporaryDirectory(prefix="nb2prod-job-") as scratch:
        executed, job_log = Path(scratch) / path.name, Path(scratch) / "job-log.jsonl"
        try:
            with _job_environment(job_log if recorder else None, path):
                _execute(notebook, params, executed, options, Path(scratch))
        except NotebookFailed as exc:
            failure = exc
        except BaseException:
            if recorder:
                recorder.close()
            raise
        seconds = time.perf_counter() - started
        for warning in _job_warnings(job_log):  # the kernel's: a metrics cell logged nothing
            say(f"warning: {warning}")
        written = written_since(watched, before, workdir) if recorder else []
        secrets = _secrets(notebook, {**{n: s.default for n, s in specs.items()}, **params})
        output = _clean_output(executed, params, specs, options.output, secrets)
        result = JobResult(
            notebook=str(path),
            params={**{n: s.default for n, s in specs.items()}, **params},
            status="FAILED" if failure else "FINISHED",
            seconds=seconds,
            output=output,
            failure=failure,
        )
        if recorder:
            from nb2prod.tracking.context import run_tags

            tags = options.tags or run_tags(path, kind="job", packages=False)
            written = _redact_files(written, secrets, Path(scratch) / "redacted")
            _record(recorder, result, started_ms, job_log, executed, tags, written, secrets)
    return result


def _secrets(notebook: Notebook, params: dict[str, Any]) -> set[str]:
    """The credentials to mask in everything the job keeps: those in the notebook's code
    and the values of its secret parameters."""
    from nb2prod.credentials import looks_secret
    from nb2prod.credentials.notebooks import notebook_secrets

    values = [v for n, v in params.items() if isinstance(v, str) and looks_secret(n, v)]
    return notebook_secrets([c.source for c in notebook.cells if c.is_code], values)


def _redact_files(
    files: list[tuple[str, str]], secrets: set[str], folder: Path
) -> list[tuple[str, str]]:
    """``files`` (path, artifact folder), each text file holding a credential replaced by
    a masked copy of the same name under ``folder``."""
    from nb2prod.credentials.notebooks import redact_file

    kept = []
    for number, (path, where) in enumerate(files):
        copy = folder / str(number) / Path(path).name
        kept.append((str(copy) if redact_file(Path(path), copy, secrets) else path, where))
    return kept


def _check_syntax(notebook: Notebook) -> None:
    """Refuse a notebook with a code cell that does not parse (IPython syntax allowed)
    before a kernel starts: papermill would run every cell before it first."""
    from nb2prod.syntax import parse_cell

    for cell in notebook.cells:
        if not cell.is_code:
            continue
        error = parse_cell(cell.source).error
        if error is not None:
            raise UsageError(
                f"{notebook.path}: {cell.label}, line {error.line}: syntax error: {error.message}",
                "fix the cell so it runs; nothing was run",
            )


def _recorder(options: JobOptions, path: Path):
    from nb2prod.jobs.recorder import Recorder
    from nb2prod.tracking.auth import credentials_for
    from nb2prod.tracking.context import notebook_label
    from nb2prod.tracking.uri import resolve_tracking_uri

    uri = resolve_tracking_uri(options.tracking_uri, path)
    experiment = options.experiment or notebook_label(path)
    return Recorder(uri, experiment, options.run_name, credentials_for(path))


def _record(
    recorder,
    result: JobResult,
    started_ms: int,
    job_log: Path,
    executed: Path,
    tags: dict[str, str],
    written: list[tuple[str, str]],
    secrets: set[str],
):
    """Hand the finished job to the recorder; a store problem is kept on the result."""
    from nb2prod.jobs.recorder import JobRecord
    from nb2prod.tracking.store import ERROR_TAG, TrackingUnavailable, error_text
    from nb2prod.tracking.values import param_text

    params = {name: param_text(name, value) for name, value in result.params.items()}
    tags = dict(tags)
    if result.failure is not None:
        tags[ERROR_TAG] = error_text(result.failure.message)
    history, files = _read_job_log(job_log, params)
    logged = job_log.parent / "logged"  # what tracked cells logged (frames, --artifact)
    files = [path for path, _ in _redact_files([(f, "") for f in files], secrets, logged)]
    if executed.exists():
        html = _html(executed)  # here, where nbformat is loaded: the recorder stays light
        files = [str(executed), *([str(html)] if html else []), *files]
    record = JobRecord(
        status=result.status,
        start_time=started_ms,
        end_time=_now_ms(),
        params=params,
        metrics=history,
        tags=tags,
        files=files,
        outputs=written,
    )
    try:
        answer = recorder.record(record)
    except TrackingUnavailable as exc:
        result.tracking_error = exc
        if result.output is None and executed.exists():  # without -o: keep it anyway
            result.output = _keep_unrecorded(executed, Path(result.notebook))
            exc.message += f"; the executed notebook is kept in {result.output}"
        return
    finally:
        recorder.close()
    result.run_id, result.metrics = answer["run_id"], answer["metrics"]


def _keep_unrecorded(executed: Path, notebook: Path) -> Path:
    """A job that ran but could not be recorded keeps its executed notebook in
    ``<project root>/.nb2prod/unrecorded/NAME-TIME.ipynb``."""
    from nb2prod.config import find_project_root

    folder = find_project_root(notebook.resolve().parent) / ".nb2prod" / "unrecorded"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = folder / f"{notebook.stem}-{stamp}-{os.getpid()}.ipynb"
    write_atomically(target, executed.read_bytes())
    return target


def _read_job_log(job_log: Path, params: dict[str, str]) -> tuple[list, list[str]]:
    """Metrics as (name, value, step) — a name logged again is its next step — and files;
    parameters the cells logged join ``params`` (the parameters cell's win)."""
    history: list[tuple[str, Any, int]] = []
    files: list[str] = []
    steps: dict[str, int] = {}
    if job_log.exists():
        for line in job_log.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            for name, value in entry.get("metrics", {}).items():
                history.append((name, value, steps.get(name, 0)))
                steps[name] = steps.get(name, 0) + 1
            for name, value in entry.get("params", {}).items():
                params.setdefault(name, value)
            files += entry.get("files", [])
    return history, files


def _job_warnings(job_log: Path) -> list[str]:
    """What the job's kernel warned about (its cells' output is the notebook's, and the
    cells nb2prod adds are not kept)."""
    if not job_log.exists():
        return []
    lines = job_log.read_text(encoding="utf-8").splitlines()
    return [warning for line in lines for warning in json.loads(line).get("warnings", [])]


def _html(executed: Path) -> Path | None:
    """An HTML rendering of the executed notebook, beside it."""
    try:
        from nbconvert import HTMLExporter
    except ImportError:
        return None
    body, _ = HTMLExporter().from_filename(str(executed))
    target = executed.with_suffix(".html")
    target.write_text(body, encoding="utf-8")
    return target


def _now_ms() -> int:
    return int(time.time() * 1000)


# --------------------------------------------------------------------------- execution


def _execute(notebook: Notebook, params: dict, executed: Path, options: JobOptions, scratch: Path):
    nbformat = import_nbformat()
    node = nbformat.reads(notebook.text, as_version=4)
    _add_job_cells(node, notebook)
    source = scratch / "job-input.ipynb"
    nbformat.write(node, source)
    run_papermill(
        source,
        executed,
        parameters=params,
        cwd=options.cwd or Path(options.notebook).resolve().parent,
        kernel=options.kernel,
        timeout=options.timeout,
        cell_failure=lambda exc: _cell_failure(notebook, executed, exc),
    )


def _add_job_cells(node, notebook: Notebook) -> None:
    """Insert the setup cell, and after each metrics cell spelled as a tag or comment, a
    cell that logs the numbers it bound (``%%nb2prod metrics`` logs by itself)."""
    nbformat = import_nbformat()

    from nb2prod.flow import cell_names
    from nb2prod.syntax import parse_cell

    def job_cell(source: str):
        return nbformat.v4.new_code_cell(source, metadata={"tags": [_JOB_TAG]})

    roles = notebook_roles(notebook)
    cells = [job_cell(_SETUP)]
    for index, cell in enumerate(node.cells):
        cells.append(cell)
        if roles.get(index) == "metrics" and not cell.source.lstrip().startswith("%%nb2prod"):
            names = list(cell_names(parse_cell(notebook.cells[index].source)).defines)
            log = "from nb2prod.kernel.strict_job import log_cell_metrics\n"
            cells.append(job_cell(f"{log}log_cell_metrics(get_ipython(), {names!r})"))
    node.cells = cells


class CellFailed(NotebookFailed):
    """A cell of the job failed; ``source`` and ``traceback`` say which and how."""

    def __init__(self, message: str, hint: str, source: str, traceback: str) -> None:
        super().__init__(message, hint)
        self.source = source
        self.traceback = traceback


def _cell_failure(notebook: Notebook, executed: Path, exc) -> NotebookFailed:
    """Name the user's cell: count the executed notebook's cells, skipping nb2prod's own
    and papermill's injected parameters."""
    label, source, traceback = f"cell {exc.cell_index}", "", ""
    try:
        cells = import_nbformat().read(executed, as_version=4).cells
        # papermill puts an error banner first once it has counted the cells
        cells = [c for c in cells if _ERROR_BANNER not in c.get("metadata", {}).get("tags", [])]
        failed = cells[exc.cell_index]
        source = failed.source
        errors = [o for o in failed.get("outputs", []) if o.get("output_type") == "error"]
        traceback = _plain("\n".join(errors[-1].get("traceback", []))) if errors else ""
        user = [c for c in cells if not _is_added(c)]
        number = user.index(failed) + 1 if failed in user else None
        if number is not None and number <= len(notebook.cells):
            label = notebook.cells[number - 1].label
    except (OSError, ValueError, IndexError):
        pass
    kind = "exited" if exc.ename == "SystemExit" else "raised"
    mask = _console_mask(notebook)
    return CellFailed(
        mask(f"the notebook failed in {label}: {exc.ename}: {exc.evalue}"),
        f"the cell {kind}; the executed notebook shows the traceback",
        mask(source),
        mask(traceback or f"{exc.ename}: {exc.evalue}"),
    )


def _console_mask(notebook: Notebook) -> Callable[[str], str]:
    """Masks the credentials of ``notebook``'s code in what the console shows."""
    from nb2prod.credentials.notebooks import notebook_secrets, redact_string

    secrets = notebook_secrets([c.source for c in notebook.cells if c.is_code])
    return lambda text: redact_string(text, secrets)


def _plain(text: str) -> str:
    """Text without the terminal colour codes of IPython's tracebacks."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _is_added(cell) -> bool:
    tags = cell.get("metadata", {}).get("tags", [])
    return _JOB_TAG in tags or "injected-parameters" in tags


def _job_environment(job_log: Path | None, notebook: Path):
    """The kernel inherits these: the extension logs into the job's record, or nowhere."""
    values = {JOB_NOTEBOOK_ENV: str(notebook.resolve())}
    if job_log is not None:
        values[JOB_LOG_ENV] = str(job_log)
    else:
        values[NO_TRACK_ENV] = "1"
    return environment(**values)


def _clean_output(
    executed: Path, params, specs, output: Path | None, secrets: set[str]
) -> Path | None:
    """The executed notebook without nb2prod's cells and with its credentials masked
    (secret parameter values, and ``secrets`` wherever they appear: sources, outputs,
    metadata), written atomically to ``output``."""
    if not executed.exists():
        return None
    nbformat = import_nbformat()

    from nb2prod.tracking.values import REDACTED, param_text

    node = nbformat.read(executed, as_version=4)
    node.cells = [c for c in node.cells if _JOB_TAG not in c.get("metadata", {}).get("tags", [])]
    secret = [n for n, v in params.items() if param_text(n, v) == REDACTED]
    for cell in node.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = "\n".join(
                f"{line.split('=')[0].strip()} = '{REDACTED}'"
                if line.split("=")[0].strip() in secret
                else line
                for line in cell.source.splitlines()
            )
    recorded = node.metadata.get("papermill", {})
    for key in ("parameters",):
        for name in secret:
            if name in recorded.get(key, {}):
                recorded[key][name] = REDACTED
    for key in ("input_path", "output_path"):  # absolute paths of this machine
        recorded.pop(key, None)
    from nb2prod.credentials.notebooks import redact_notebook

    redact_notebook(node, secrets)
    nbformat.write(node, executed)
    if output is None:
        return None
    output.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(output, executed.read_bytes())
    return output
