"""``%nb2prod`` and ``%%nb2prod``: experiment tracking and nb2prod's tools from a notebook.

Cell magic::

    %%nb2prod track [--experiment E] [--run-name N] [--log VAR ...] [--artifact PATH ...] [--nested]
    %%nb2prod export|load|example|predict|metrics|skip|parameters   (a role marker)

Line magic::

    %nb2prod start [--experiment E] [--run-name N] | end | status
    %nb2prod lint [--select CODES] [--ignore CODES] [--profile explore|prod] [--show-info]
    %nb2prod export [--name PKG] [-o DIR] [--force] [--dry-run] [--verify] [--log-model]
    %nb2prod runs [--max N]
"""

from __future__ import annotations

import argparse
import shlex
import time
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class

from nb2prod.credentials import redact_text
from nb2prod.kernel.cell_body import run_body
from nb2prod.kernel.session import KernelSession
from nb2prod.roles import ROLES
from nb2prod.tracking.store import (
    ERROR_TAG,
    FAILED,
    FINISHED,
    KILLED,
    TrackingRejected,
    TrackingUnavailable,
    error_text,
)

_LINE_COMMANDS = ("start", "end", "status", "lint", "export", "runs")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument as IPython's one-line UsageError."""

    def error(self, message: str) -> None:
        raise UsageError(f"{self.prog}: {message}")

    def exit(self, status: int = 0, message: str | None = None) -> None:
        raise _HelpShown()


class _HelpShown(Exception):
    """``-h`` printed the help; nothing else to do."""


def _parser(command: str, cell: bool) -> _Parser:
    prefix = "%%nb2prod" if cell else "%nb2prod"
    parser = _Parser(prog=f"{prefix} {command}", add_help=True)
    if command in ("track", "start"):
        parser.add_argument("--experiment", help="experiment name [default: the notebook's path]")
        parser.add_argument("--run-name")
    if command == "track":
        parser.add_argument("--log", nargs="+", default=[], metavar="VAR")
        parser.add_argument("--artifact", nargs="+", default=[], metavar="PATH")
        parser.add_argument("--nested", action="store_true", help="a child of the notebook run")
    if command == "lint":
        parser.add_argument("--select", action="append", default=None)
        parser.add_argument("--ignore", action="append", default=[])
        parser.add_argument("--profile", choices=("explore", "prod"))
        parser.add_argument("--show-info", action="store_true", help="list info findings too")
    if command == "export":
        parser.add_argument("--name")
        parser.add_argument("-o", "--output")
        parser.add_argument("--force", action="store_true")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--verify", action="store_true")
        parser.add_argument("--log-model", action="store_true")
    if command == "runs":
        parser.add_argument("--max", type=int, default=10)
    return parser


@magics_class
class Nb2ProdMagics(Magics):
    def __init__(self, shell, session: KernelSession) -> None:
        super().__init__(shell)
        self.session = session

    @line_cell_magic
    def nb2prod(self, line: str, cell: str | None = None) -> Any:
        """nb2prod in the notebook: ``%%nb2prod track``, role markers, ``%nb2prod start``..."""
        __tracebackhide__ = True  # the user's traceback shows their code, not nb2prod's
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"%nb2prod: {exc}") from None
        command, rest = (words[0], words[1:]) if words else ("", [])
        if cell is not None:
            if command in ROLES:
                return self._role(command, rest, cell)
            if command == "track":
                return self._parse_then(self._track, "track", rest, cell)
            raise UsageError(
                f"%%nb2prod {command or ''}: unknown; use track or a role "
                f"({', '.join(ROLES)})".replace("  ", " ")
            )
        if command not in _LINE_COMMANDS:
            raise UsageError(f"%nb2prod {command}: unknown; use one of {', '.join(_LINE_COMMANDS)}")
        return self._parse_then(getattr(self, f"_{command}"), command, rest, None)

    def _parse_then(self, action, command: str, words: list[str], cell: str | None) -> Any:
        __tracebackhide__ = True
        try:
            args = _parser(command, cell is not None).parse_args(words)
        except _HelpShown:
            return None
        return action(args, cell) if cell is not None else action(args)

    # ------------------------------------------------------------------ cell magics

    def _role(self, role: str, words: list[str], cell: str) -> Any:
        """A role marker: the body runs exactly as if the first line were absent."""
        __tracebackhide__ = True
        if words:
            raise UsageError(f"%%nb2prod {role}: takes no arguments")
        if role == "metrics":
            return self._metrics(cell)
        result = run_body(self.shell, cell)
        if role == "parameters":
            self.session.parameter_names = _bound_names(cell)
        return result

    def _metrics(self, cell: str) -> Any:
        __tracebackhide__ = True
        result = run_body(self.shell, cell)
        log_metrics(self.session, cell, result)
        return result

    def _track(self, args, cell: str) -> Any:
        __tracebackhide__ = True
        session = self.session
        if not session.tracking:
            return run_body(self.shell, cell)
        # A cell of a job or of a notebook run logs into it; --nested gives a notebook
        # run a child run instead.
        own = not session.attached() or (args.nested and session.job_log is None)
        run_id, problem, params = None, None, {}
        if own:
            try:
                run_id = self._start_cell_run(args, cell)
                params = self._parameter_params()
            except (TrackingUnavailable, TrackingRejected) as exc:
                problem = exc
        started = time.perf_counter()
        try:
            result = run_body(self.shell, cell)
        except BaseException as exc:
            status = KILLED if isinstance(exc, KeyboardInterrupt) else FAILED
            self._finish(run_id, own, args, started, status, problem, params, error=exc)
            raise
        self._finish(run_id, own, args, started, FINISHED, problem, params)
        return result

    def _start_cell_run(self, args, cell: str) -> str:
        from nb2prod.kernel.outgoing import masked
        from nb2prod.tracking.context import run_tags

        session = self.session
        session.say_if_notebook_unknown()
        tags = run_tags(session.notebook_path(), cell_id=session.current_cell_id, source=cell)
        tags = masked(tags, session.secrets())
        parent = session.notebook_run.run_id if args.nested and session.notebook_run else None
        return session.store.start_run(
            session.experiment(args.experiment),
            run_name=args.run_name,
            tags=tags,
            parent_run_id=parent,
        )

    def _parameter_params(self) -> dict[str, str]:
        from nb2prod.tracking.values import param_text

        return {n: param_text(n, v) for n, v in self.session.parameter_values().items()}

    def _finish(
        self, run_id, own: bool, args, started, status: str, problem, params, error=None
    ) -> None:
        """Log what the cell asked for (one batch) and close its run, with why it failed
        (tag ``nb2prod.error``) when it raised; a store problem is one warning."""
        from nb2prod.tracking.values import param_text, sort_values

        duration = time.perf_counter() - started
        values, missing = {}, []
        for name in args.log:
            if name in self.shell.user_ns:
                values[name] = self.shell.user_ns[name]
            else:
                missing.append(name)
        # `--log n_estimators` of a parameters cell's name logs it as the parameter it is,
        # not as a metric: a number there is an input of the run, and MLflow's comparisons
        # set parameters against metrics.  Refusing it instead would fail a cell that ran
        # well over a word in its first line; the value logged is the one after the cell.
        inputs = set(self.session.known_parameters())
        logged = sort_values({n: v for n, v in values.items() if n not in inputs})
        logged.metrics["duration_s"] = duration
        given = {n: param_text(n, v) for n, v in values.items() if n in inputs}
        logged.params = {**params, **logged.params, **given}
        if missing:
            self.session.warn(f"not logged, not defined: {', '.join(missing)}")
        if problem is None:
            try:
                if not own:
                    self.session.log_attached(logged, args.artifact)
                    return
                from nb2prod.kernel.outgoing import log_files, masked, masked_logged

                store, secrets = self.session.store, self.session.secrets()
                tags = (
                    masked({ERROR_TAG: error_text(error)}, secrets) if error is not None else None
                )
                store.log(run_id, masked_logged(logged, secrets), tags=tags)
                log_files(store, run_id, args.artifact, secrets)
                store.end_run(run_id, status)
                return
            except (TrackingUnavailable, TrackingRejected, OSError) as exc:
                problem = exc  # OSError: an --artifact that does not exist
                if own:
                    self._close_quietly(run_id)
        what = _describe(logged, args.artifact)
        reason = getattr(problem, "message", None) or str(problem)
        self.session.warn(f"not logged to MLflow ({what}): {reason}; the cell itself ran")

    def _close_quietly(self, run_id: str) -> None:
        """End a run whose logging failed half-way, so it does not stay RUNNING."""
        try:
            self.session.store.end_run(run_id, FAILED)
        except (TrackingUnavailable, TrackingRejected):
            pass

    # ------------------------------------------------------------------ line magics

    def _start(self, args) -> None:
        try:
            run = self.session.start_notebook_run(args.experiment, args.run_name)
        except (TrackingUnavailable, TrackingRejected) as exc:
            self.session.warn(f"no notebook run started: {exc.message}")
            return
        print(f"nb2prod: run {run.run_id} started in experiment {run.experiment!r}")

    def _end(self, args) -> None:
        run = self.session.end_notebook_run()
        print(f"nb2prod: run {run.run_id} ended" if run else "nb2prod: no notebook run is active")

    def _status(self, args) -> None:
        session = self.session
        notebook = session.notebook_path()
        run = session.notebook_run
        lines = [
            f"notebook:       {notebook or 'unknown (not started by Jupyter)'}",
            f"tracking store: {redact_text(session.store.uri)}",
            f"experiment:     {session.experiment()}",
            f"notebook run:   {run.run_id if run else 'none (%nb2prod start begins one)'}",
        ]
        print("\n".join(lines))

    def _lint(self, args) -> None:
        from nb2prod.kernel.views import show_findings

        show_findings(self._require_notebook("lint"), args)

    def _export(self, args) -> None:
        from nb2prod.kernel.views import run_export

        run_export(self._require_notebook("export"), args)

    def _runs(self, args) -> None:
        from nb2prod.kernel.views import show_runs

        notebook = self.session.notebook_path()
        session = self.session
        show_runs(session.store, session.experiment(), notebook, args.max, session.secrets())

    def _require_notebook(self, command: str):
        notebook = self.session.notebook_path()
        if notebook is None:
            raise UsageError(
                f"%nb2prod {command}: this kernel does not know its notebook (Jupyter sets "
                "JPY_SESSION_NAME); run `nb2prod {command} NOTEBOOK` in a terminal instead"
            )
        return notebook


def log_metrics(session: KernelSession, source: str, shown: Any) -> None:
    """Log what the metrics cell ``source`` bound or showed (``shown``: the value of its
    final expression) to the attached run, else to a run of its own; a cell that logs
    nothing says what to write instead (nb2prod.kernel.metrics_cell)."""
    from nb2prod.kernel.metrics_cell import cell_metrics
    from nb2prod.tracking.values import Logged

    if not session.tracking:
        return
    metrics, warning = cell_metrics(source, session.shell.user_ns, shown)
    if warning:
        session.warn(warning)
        return
    logged = Logged(metrics=metrics)
    try:
        if session.attached():
            session.log_attached(logged, [])
            return
        from nb2prod.kernel.outgoing import masked
        from nb2prod.tracking.context import run_tags

        session.say_if_notebook_unknown()
        tags = run_tags(session.notebook_path(), cell_id=session.current_cell_id, source=source)
        tags = masked(tags, session.secrets())
        run_id = session.store.start_run(
            session.experiment(), tags={**tags, "nb2prod.kind": "metrics"}
        )
        session.store.log(run_id, logged)
        session.store.end_run(run_id, FINISHED)
    except (TrackingUnavailable, TrackingRejected) as exc:
        session.warn(f"not logged to MLflow ({_describe(logged, [])}): {exc.message}")


def _bound_names(cell: str) -> list[str]:
    """Names a cell body binds at module level, in order (nb2prod's own flow analysis)."""
    from nb2prod.flow import cell_names
    from nb2prod.syntax import parse_cell

    return list(cell_names(parse_cell(cell)).defines)


def _describe(logged, artifacts: list[str]) -> str:
    parts = [
        f"{len(logged.metrics)} metrics" if logged.metrics else "",
        f"{len(logged.params)} params" if logged.params else "",
        f"{len(logged.artifacts) + len(artifacts)} artifacts"
        if logged.artifacts or artifacts
        else "",
    ]
    return ", ".join(p for p in parts if p) or "the run"
