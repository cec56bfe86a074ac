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
        self.current_source = ""  # the cell running now, as the front end sent it
        self._previous_source = ""
        # Under papermill (no tags reach the kernel): the names of its injected cell, and
        # of the cell run just before it, the parameters cell, when it only sets literals.
        self.injected_names: list[str] = []
        self.papermill_defaults: list[str] = []
        self._found: Path | None = None  # the notebook find_notebooks found
        self._looked_for: str | None = None  # the cell source it last looked with
        self._said_unknown = False
        self.hooks = None  # set by the extension, which registers them
        atexit.register(self.end_notebook_run)

    # ------------------------------------------------------------------ where we are

    def notebook_path(self) -> Path | None:
        """The notebook this kernel runs: a job's (or ``NB2PROD_NOTEBOOK`` set by hand),
        Jupyter's session name, VS Code's; else the one papermill's or nbconvert's command,
        papermill's output or the working folder shows to hold the running cell
        (nb2prod.kernel.locate)."""
        for candidate in (
            os.environ.get(JOB_NOTEBOOK_ENV),
            os.environ.get("JPY_SESSION_NAME"),
            self.shell.user_ns.get("__session__"),
            self.shell.user_ns.get("__vsc_ipynb_file__"),
        ):
            if isinstance(candidate, str) and candidate.endswith(".ipynb"):
                return Path(candidate)
        if self._found is None and self.current_source and self._looked_for != self.current_source:
            from nb2prod.kernel.locate import find_notebooks

            self._looked_for = self.current_source  # once per cell run, not per call
            told = self.shell.user_ns.get("PAPERMILL_INPUT_PATH")  # --inject-input-path
            found = find_notebooks(self.current_source, (told,) if isinstance(told, str) else ())
            self._found = found[0] if len(found) == 1 else None
        return self._found

    def say_if_notebook_unknown(self) -> None:
        """Once per kernel, on the cell's stderr: a run is about to be recorded without
        its notebook; say what that costs, what is still logged and how to name it."""
        if self._said_unknown or self.notebook_path() is not None:
            return
        self._said_unknown = True
        names = self.known_parameters()
        params = f"the parameters {', '.join(names)}" if names else "no parameters (none seen)"
        self.warn(
            "this kernel cannot tell which notebook it runs (no Jupyter session or VS Code "
            "names it, and no papermill or nbconvert command, papermill output or notebook "
            "in the working folder holds this cell); runs go to the experiment "
            f"{self.experiment()!r} without the nb2prod.notebook tag, so `nb2prod runs "
            f"NOTEBOOK` does not list them. Still logged: {params}, the --log values, the "
            "cell's source and duration. Name the notebook with NB2PROD_NOTEBOOK=PATH in "
            "the kernel's environment (or papermill's --inject-input-path)"
        )

    @property
    def store(self) -> TrackingStore:
        if self._store is None:
            from nb2prod.errors import ConfigError
            from nb2prod.tracking.store import open_store

            notebook = self.notebook_path()
            try:
                self._store = open_store(None, notebook.parent if notebook else Path.cwd())
            except ConfigError as exc:  # a password in pyproject.toml: a warning, not a
                # failed cell; asked again at the next call, so a fixed file counts
                raise TrackingUnavailable(exc.message, exc.hint) from None
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
        """Log into the job's record, else into the notebook run (metrics as steps), with
        credentials masked."""
        from nb2prod.kernel.outgoing import log_files, masked, masked_logged

        secrets = self.secrets()
        if self.job_log is not None:  # the job masks the files it records, not the values
            logged.params = masked(logged.params, secrets)
            self._append_to_job(logged, artifacts)
            return
        run = self.notebook_run
        self.store.log(run.run_id, masked_logged(logged, secrets), step=run.steps)
        run.steps += 1
        log_files(self.store, run.run_id, artifacts, secrets)

    def secrets(self) -> frozenset[str]:
        """The credentials to mask in what this kernel logs: those of the cells run so far
        (IPython's history as typed, and the cell running now) and of secret parameters."""
        from nb2prod.kernel.outgoing import known_secrets

        history = getattr(self.shell, "history_manager", None)
        typed = history.input_hist_raw if history is not None else ()  # as typed: `%env X=…`
        sources = [*typed, self.current_source]
        return known_secrets(sources, self.parameter_values())

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
        self.say_if_notebook_unknown()
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
        self._previous_source, self.current_source = (
            self.current_source,
            getattr(info, "raw_cell", "") or "",
        )
        if self.current_source.startswith("# Parameters"):
            self._papermill_injection()
        meta = getattr(info, "cell_meta", None) or {}
        tags = meta.get("tags") if isinstance(meta, dict) else None
        self.current_tags = tuple(t for t in tags or () if isinstance(t, str))
        run = self.notebook_run
        if run and run.started_by_cell and run.started_by_cell == self.current_cell_id:
            self.end_notebook_run()

    def _papermill_injection(self) -> None:
        """papermill's injected cell runs right after the parameters cell (no tags reach
        the kernel): remember both cells' names."""
        from nb2prod.kernel.locate import injected_names, literal_names

        injected = injected_names(self.current_source)
        if injected is not None:
            self.injected_names = injected
            self.papermill_defaults = literal_names(self._previous_source) or []

    # ------------------------------------------------------------------ parameters

    def known_parameters(self) -> list[str]:
        """The parameters cell's names: from its tag when the front end sent it, else from
        the notebook on disk, else the cell papermill injected after; plus the names
        papermill injected."""
        names = self.parameter_names or self._parameter_names_on_disk()
        return list(dict.fromkeys([*(names or self.papermill_defaults), *self.injected_names]))

    def parameter_values(self) -> dict[str, object]:
        """The current values of the parameters cell's names (papermill's injected values
        included), read from the notebook on disk when no tagged cell was seen."""
        names = self.known_parameters()
        return {name: self.shell.user_ns[name] for name in names if name in self.shell.user_ns}

    def log_parameters(self, run_id: str) -> None:
        from nb2prod.kernel.outgoing import masked
        from nb2prod.tracking.values import Logged, param_text

        values = self.parameter_values()
        params = {name: param_text(name, v) for name, v in values.items()}
        self.store.log(run_id, Logged(params=masked(params, self.secrets())))

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
        """On the cell's stderr; in a job also into its record, for ``nb2prod run`` to
        print (the cells nb2prod adds to a job are not kept in its output)."""
        print(f"nb2prod: warning: {message}", file=sys.stderr)
        if self.job_log is not None:
            import json

            with open(self.job_log, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"warnings": [message]}) + "\n")


@functools.lru_cache(maxsize=8)
def _parameter_names(notebook: Path, _mtime_ns: int) -> tuple[str, ...]:
    from nb2prod.errors import Nb2ProdError
    from nb2prod.notebook import load_notebook
    from nb2prod.parameters import notebook_parameters

    try:
        return tuple(notebook_parameters(load_notebook(notebook)))
    except Nb2ProdError:
        return ()
