"""What nb2prod knows inside one kernel: its notebook, its tracking store, the notebook-level
run (or the job run it belongs to), and the parameters cell's names.

Runs are named by id on every call (no fluent "active run"), a notebook-level run ends when
the kernel exits or when the cell that started it runs again (Run All from the top), and
a store that cannot be reached costs the user one warning, never a failed cell.
"""

from __future__ import annotations

import atexit
import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from nb2prod.environ import JOB_LOG_ENV, JOB_NOTEBOOK_ENV, NO_TRACK_ENV
from nb2prod.tracking.store import FINISHED, TrackingRejected, TrackingStore, TrackingUnavailable


@dataclass
class NotebookRun:
    run_id: str
    experiment: str
    started_by_cell: str | None  # the cell id of `%nb2prod start`, when the front end sent it
    steps: int = 0  # metrics logged into it so far, as steps


class KernelSession:
    """nb2prod's state in one IPython shell."""

    def __init__(self, shell) -> None:
        self.shell = shell
        self._store: TrackingStore | None = None
        self.notebook_run: NotebookRun | None = None
        self.parameter_names: list[str] = []  # from a cell tagged `parameters`, when seen
        self.current_cell_id: str | None = None
        self.current_tags: tuple[str, ...] = ()
        self.hooks = None  # set by the extension, which registers them
        atexit.register(self.end_notebook_run)

    # ------------------------------------------------------------------ where we are

    def notebook_path(self) -> Path | None:
        """The notebook this kernel runs: Jupyter's session name, a job's, or VS Code's."""
        for candidate in (
            os.environ.get(JOB_NOTEBOOK_ENV),
            os.environ.get("JPY_SESSION_NAME"),
            self.shell.user_ns.get("__session__"),
            self.shell.user_ns.get("__vsc_ipynb_file__"),
        ):
            if isinstance(candidate, str) and candidate.endswith(".ipynb"):
                return Path(candidate)
        return None

    @property
    def store(self) -> TrackingStore:
        if self._store is None:
            from nb2prod.tracking.uri import resolve_tracking_uri

            notebook = self.notebook_path()
            start = notebook.parent if notebook else Path.cwd()
            self._store = TrackingStore(resolve_tracking_uri(None, start))
        return self._store

    def experiment(self, explicit: str | None = None) -> str:
        if explicit:
            return explicit
        notebook = self.notebook_path()
        if notebook is None:
            return "notebooks"
        from nb2prod.tracking.context import notebook_label

        return notebook_label(notebook)

    @property
    def tracking(self) -> bool:
        return not os.environ.get(NO_TRACK_ENV)

    @property
    def job_log(self) -> Path | None:
        value = os.environ.get(JOB_LOG_ENV)
        return Path(value) if value else None

    def attached(self) -> bool:
        """Do cells log into something bigger: the job, or the notebook-level run?"""
        return self.job_log is not None or self.notebook_run is not None

    def log_attached(self, logged, artifacts: list[str]) -> None:
        """Log into the job's record, else into the notebook run (metrics as steps)."""
        if self.job_log is not None:
            self._append_to_job(logged, artifacts)
            return
        run = self.notebook_run
        self.store.log(run.run_id, logged, step=run.steps)
        run.steps += 1
        for path in artifacts:
            self.store.log_file(run.run_id, path)

    def _append_to_job(self, logged, artifacts: list[str]) -> None:
        import json

        folder = self.job_log.parent / "artifacts"
        files = [str(Path(path).resolve()) for path in artifacts]
        for name, write in logged.artifacts.items():
            folder.mkdir(exist_ok=True)
            write(str(folder / name))
            files.append(str(folder / name))
        line = {"metrics": logged.metrics, "params": logged.params, "files": files}
        with open(self.job_log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")

    # ------------------------------------------------------------------ notebook-level run

    def start_notebook_run(self, experiment: str | None, run_name: str | None) -> NotebookRun:
        from nb2prod.tracking.context import run_tags

        self.end_notebook_run()
        name = self.experiment(experiment)
        tags = run_tags(self.notebook_path(), cell_id=self.current_cell_id, kind="notebook")
        run_id = self.store.start_run(name, run_name=run_name, tags=tags)
        self.notebook_run = NotebookRun(run_id, name, self.current_cell_id)
        self.log_parameters(run_id)
        return self.notebook_run

    def end_notebook_run(self, status: str = FINISHED) -> NotebookRun | None:
        run, self.notebook_run = self.notebook_run, None
        if run is not None:
            try:
                self.store.end_run(run.run_id, status)
            except (TrackingUnavailable, TrackingRejected) as exc:
                self.warn(f"the notebook run {run.run_id} could not be ended: {exc.message}")
        return run

    def before_cell(self, info) -> None:
        """IPython's pre_run_cell: remember the cell; Run All from the top ends the run."""
        self.current_cell_id = getattr(info, "cell_id", None)
        meta = getattr(info, "cell_meta", None) or {}
        tags = meta.get("tags") if isinstance(meta, dict) else None
        self.current_tags = tuple(t for t in tags or () if isinstance(t, str))
        run = self.notebook_run
        if run and run.started_by_cell and run.started_by_cell == self.current_cell_id:
            self.end_notebook_run()

    # ------------------------------------------------------------------ parameters

    def parameter_values(self) -> dict[str, object]:
        """The current values of the parameters cell's names (papermill's injected values
        included), read from the notebook on disk when no tagged cell was seen."""
        names = self.parameter_names or self._parameter_names_on_disk()
        return {name: self.shell.user_ns[name] for name in names if name in self.shell.user_ns}

    def log_parameters(self, run_id: str) -> None:
        from nb2prod.tracking.values import Logged, param_text

        values = self.parameter_values()
        logged = Logged(params={name: param_text(name, v) for name, v in values.items()})
        self.store.log(run_id, logged)

    def _parameter_names_on_disk(self) -> list[str]:
        """Read again only when the notebook file changed: this runs for every tracked cell."""
        notebook = self.notebook_path()
        try:
            stamp = notebook.stat().st_mtime_ns if notebook else None
        except OSError:
            return []
        if stamp is None:
            return []
        return list(_parameter_names(notebook.resolve(), stamp))

    # ------------------------------------------------------------------ messages

    def warn(self, message: str) -> None:
        print(f"nb2prod: warning: {message}", file=sys.stderr)


@functools.lru_cache(maxsize=8)
def _parameter_names(notebook: Path, _mtime_ns: int) -> tuple[str, ...]:
    from nb2prod.errors import Nb2ProdError
    from nb2prod.notebook import load_notebook
    from nb2prod.parameters import notebook_parameters

    try:
        return tuple(notebook_parameters(load_notebook(notebook)))
    except Nb2ProdError:
        return ()
