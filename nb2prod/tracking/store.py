"""One MLflow tracking store, used through an ``MlflowClient`` bound to its URI.

Never MLflow's fluent API: its process-global tracking URI and "active run" are what make
notebooks log to the wrong store and leak "Run ... is already active".  Every call names
its run.  A store that cannot be reached raises TrackingUnavailable, which callers in a
kernel turn into one warning while the user's cell goes on.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from nb2prod.credentials import redact_text
from nb2prod.environ import environment
from nb2prod.errors import EnvironmentProblem, UsageError, first_line
from nb2prod.tracking.auth import Credentials, denied_action, http_status
from nb2prod.tracking.sqlite_store import StoreUnusable, checkpoint, sqlite_path
from nb2prod.tracking.uri import artifact_root, prepare_local_store, resolve_tracking_uri
from nb2prod.tracking.values import Logged

FINISHED, FAILED, KILLED = "FINISHED", "FAILED", "KILLED"
#: Why a run failed, one line: a tracked cell's exception, a job's failure message.
ERROR_TAG = "nb2prod.error"
_MAX_ERROR_LENGTH = 500


def error_text(error: BaseException | str) -> str:
    """``ValueError: boom`` (or a message) as the one line ``nb2prod runs`` shows; never
    a credential."""
    if isinstance(error, BaseException):
        said = str(error).strip()
        error = f"{type(error).__name__}: {said}" if said else type(error).__name__
    lines = error.strip().splitlines()
    line = redact_text(lines[0] if lines else "")
    return line if len(line) <= _MAX_ERROR_LENGTH else line[: _MAX_ERROR_LENGTH - 1] + "…"


class TrackingUnavailable(EnvironmentProblem):
    """The tracking store cannot be reached (server down, database locked, bad URI)."""


class TrackingAuthFailed(TrackingUnavailable):
    """The server does not know this user, or not with this password (HTTP 401)."""


class TrackingForbidden(TrackingUnavailable):
    """The server knows the user, who may not do this (HTTP 403)."""


class TrackingRejected(UsageError):
    """The store answered but refused a write (a parameter logged twice with two values)."""


_REJECTIONS = {"INVALID_PARAMETER_VALUE", "RESOURCE_ALREADY_EXISTS", "RESOURCE_DOES_NOT_EXIST"}


#: A server that went down is given up on after two quick retries, not MLflow's minutes of
#: them; a user's own settings of these win.
_HTTP_DEFAULTS = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1"}
#: MLflow reads credentials from os.environ at each request: calls that set them for
#: their length take turns.
_ENVIRONMENT_LOCK = threading.RLock()

CONNECT_TIMEOUT_S = 3.0
ANSWER_TIMEOUT_S = 60.0  # 10 jobs ending at once on 2 cores kept a server busy for > 3 s


@dataclass
class RunSummary:
    run_id: str
    name: str
    status: str
    start_time: int  # ms since the epoch
    end_time: int | None
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    experiment: str = ""

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "error": self.error}

    @property
    def error(self) -> str | None:
        """Why the run failed, as nb2prod recorded it (None when it did not, or did not
        say)."""
        return self.tags.get(ERROR_TAG) if self.status != FINISHED else None

    @property
    def started(self) -> datetime:
        """When the run started, in this machine's time zone."""
        return datetime.fromtimestamp(self.start_time / 1000, tz=timezone.utc).astimezone()


class TrackingStore:
    """The store at ``uri``; MLflow is imported on first use (it costs over a second)."""

    #: After a failure, calls fail at once for this long instead of waiting on the network.
    RETRY_AFTER_S = 30.0

    def __init__(self, uri: str, credentials: Credentials | None = None) -> None:
        self.uri = uri
        self.credentials = credentials or Credentials()
        self._client = None
        self._experiments: dict[str, str] = {}
        self._down_until = 0.0
        self._last_error: TrackingUnavailable | None = None

    # ------------------------------------------------------------------ runs

    def start_run(
        self,
        experiment: str,
        run_name: str | None = None,
        tags: dict[str, str] | None = None,
        parent_run_id: str | None = None,
        start_time: int | None = None,
    ) -> str:
        """Create a RUNNING run and return its id (``start_time`` in ms, default now)."""
        tags = dict(tags or {})
        if parent_run_id:
            tags["mlflow.parentRunId"] = parent_run_id
        experiment_id = self.experiment_id(experiment)
        run = self._call(
            lambda c: c.create_run(
                experiment_id, start_time=start_time, run_name=run_name, tags=tags
            )
        )
        return run.info.run_id

    def log(
        self,
        run_id: str,
        logged: Logged,
        tags: dict[str, str] | None = None,
        step: int | None = None,
        history: Sequence[tuple[str, float, int]] = (),
    ) -> None:
        """Metrics (at ``step``, plus ``history`` as (name, value, step)), params and tags
        in one batch, then the artifacts."""
        from mlflow.entities import Metric, Param, RunTag

        now = int(time.time() * 1000)
        metrics = [Metric(k, v, now, step or 0) for k, v in logged.metrics.items()]
        metrics += [Metric(k, v, now, s) for k, v, s in history]
        params = [Param(k, v) for k, v in logged.params.items()]
        run_tags = [RunTag(k, v) for k, v in (tags or {}).items()]
        if metrics or params or run_tags:
            self._call(
                lambda c: c.log_batch(
                    run_id, metrics=metrics, params=params, tags=run_tags, synchronous=True
                )
            )
        if logged.artifacts:
            with tempfile.TemporaryDirectory(prefix="nb2prod-artifacts-") as folder:
                for name, write in logged.artifacts.items():
                    write(os.path.join(folder, name))
                self._call(lambda c: c.log_artifacts(run_id, folder))

    def log_file(self, run_id: str, path: str | Path, artifact_path: str | None = None) -> None:
        self._call(lambda c: c.log_artifact(run_id, str(path), artifact_path))

    def end_run(self, run_id: str, status: str = FINISHED, end_time: int | None = None) -> None:
        # Against a tracking server MLflow would print "View run ... at" links into the
        # user's cell output (and fetch the run again to do it).
        with environment(MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT="true"):
            self._call(lambda c: c.set_terminated(run_id, status, end_time=end_time))

    def runs(
        self,
        experiment: str | None = None,
        notebook: str | None = None,
        max_results: int = 50,
        page_token: str | None = None,
    ) -> tuple[list[RunSummary], str | None]:
        """Runs newest first, of one experiment or all; ``notebook`` filters on the
        ``nb2prod.notebook`` tag.  Returns the runs and the next page's token."""

        def search(client):
            if experiment:
                found = client.get_experiment_by_name(experiment)
                ids = [found.experiment_id] if found else []
            else:
                ids = [e.experiment_id for e in client.search_experiments()]
            if not ids:
                return [], None
            where = f"tags.`nb2prod.notebook` = '{_quoted(notebook)}'" if notebook else ""
            page = client.search_runs(
                ids,
                filter_string=where,
                max_results=max_results,
                order_by=["attributes.start_time DESC"],
                page_token=page_token,
            )
            names = {i: client.get_experiment(i).name for i in {r.info.experiment_id for r in page}}
            return [_summary(run, names) for run in page], page.token

        return self._call(search)

    def run(self, run_id: str) -> RunSummary:
        """One run; TrackingRejected when the store has none with that id."""
        return self._call(lambda c: _summary(c.get_run(run_id), {}))

    def artifact_files(self, run_id: str, folder: str) -> list[str]:
        """The paths of the files a run logged directly in ``folder``."""
        found = self._call(lambda c: c.list_artifacts(run_id, folder))
        return [item.path for item in found if not item.is_dir]

    def download(self, run_id: str, path: str, folder: Path) -> Path:
        """A file the run logged, copied into ``folder``; returns where it is."""
        return Path(self._call(lambda c: c.download_artifacts(run_id, path, str(folder))))

    # ------------------------------------------------------------------ plumbing

    def experiment_id(self, name: str) -> str:
        """The experiment called ``name``, created (artifacts beside an embedded store) when
        it does not exist."""
        if name not in self._experiments:
            self._experiments[name] = self._call(
                lambda client: _get_or_create_experiment(client, name, artifact_root(self.uri))
            )
        return self._experiments[name]

    @property
    def client(self):
        if self._client is None:
            logging.getLogger("mlflow.store.db.utils").setLevel(logging.WARNING)
            logging.getLogger("alembic").setLevel(logging.WARNING)
            with warnings.catch_warnings():
                # MLflow imports tqdm.auto, which warns in a kernel without ipywidgets.
                warnings.filterwarnings("ignore", message="IProgress not found")
                from mlflow import MlflowClient

            self._client = MlflowClient(tracking_uri=prepare_local_store(self.uri))
        return self._client

    def checkpoint(self) -> None:
        """Move the embedded store's write-ahead log into the database file, so that the
        file alone holds every run even if this process ends without closing it (a CI job
        may upload just ``mlflow.db``)."""
        database = sqlite_path(self.uri)
        if database is not None:
            checkpoint(database)

    def call(self, action):
        """``action(client)`` with the failures of :meth:`_call`, for work beyond runs (the
        model registry: ``nb2prod.rollout.registry``)."""
        return self._call(action)

    def _call(self, action):
        """``action(client)``, with every failure to reach the store as TrackingUnavailable."""
        if time.monotonic() < self._down_until and self._last_error is not None:
            raise self._last_error
        try:
            with self._mlflow_environment():
                self._check_server()
                answer = action(self.client)
            self._last_error = None
            return answer
        except ImportError as exc:
            raise EnvironmentProblem(
                f"MLflow cannot be imported: {exc}", "pip install mlflow-skinny"
            ) from None
        except Exception as exc:  # MLflow raises many types: network, SQL, REST errors
            if getattr(exc, "error_code", None) in _REJECTIONS:
                raise TrackingRejected(first_line(exc)) from exc
            refused = refusal(http_status(exc), self.uri, self.credentials, first_line(exc))
            if refused is not None:
                raise refused from None  # answered at once: nothing to wait out
            if isinstance(exc, StoreUnusable):
                self._last_error = TrackingUnavailable(exc.message, exc.hint)
            else:
                self._last_error = TrackingUnavailable(
                    f"the tracking store {redact_text(self.uri)} cannot be used: {first_line(exc)}",
                    "check that it is reachable (MLFLOW_TRACKING_URI, [tool.nb2prod] tracking_uri)",
                )
            self._down_until = time.monotonic() + self.RETRY_AFTER_S
            raise self._last_error from exc

    def _mlflow_environment(self) -> contextlib.AbstractContextManager:
        """MLflow's variables for a call to a server: this store's user, and few retries."""
        if not self.uri.startswith(("http://", "https://")):
            return contextlib.nullcontext()
        values = {k: v for k, v in _HTTP_DEFAULTS.items() if k not in os.environ}
        if self.credentials.renamed:  # only the named variables count, set or not
            values.update({"MLFLOW_TRACKING_USERNAME": "", "MLFLOW_TRACKING_PASSWORD": ""})
            values.update(self.credentials.mlflow_environment())
        return _locked_environment(values) if values else contextlib.nullcontext()

    def _check_server(self) -> None:
        first = self._client is None or self._last_error is not None
        if first and self.uri.startswith(("http://", "https://")):
            check_server_answers(self.uri)


@contextlib.contextmanager
def _locked_environment(values: dict[str, str]):
    with _ENVIRONMENT_LOCK, environment(**values):
        yield


def refusal(
    status: int | None, uri: str, credentials: Credentials, detail: str
) -> TrackingUnavailable | None:
    """A server's 401 or 403 as one clear error naming the server and the user (never
    the password); None for any other answer."""
    server, who = redact_text(uri), credentials.who()
    if status == 401:
        return TrackingAuthFailed(
            f"the tracking server {server} refused {who}: wrong user name or password",
            credentials.what_to_set(),
        )
    if status == 403:
        return TrackingForbidden(
            f"the tracking server {server} denied {who} permission to {denied_action(detail)}",
            "ask the server's admin for EDIT permission on the experiment (a new one: "
            "permission to create it), or log elsewhere with --experiment",
        )
    return None


def open_store(explicit: str | None, start: str | os.PathLike) -> TrackingStore:
    """The store for work on ``start`` (a notebook or a folder), with its credentials."""
    from nb2prod.tracking.auth import credentials_for

    return TrackingStore(resolve_tracking_uri(explicit, start), credentials_for(start))


def check_server_answers(uri: str) -> None:
    """Raise when the tracking server at ``uri`` is down.  One that is down fails here in
    seconds (MLflow's own client would retry for minutes while the user's cell waits); one
    that is up but busy, as when many jobs end at once, is given time to answer."""
    import requests  # MLflow's own HTTP client: the same proxies and CA bundle

    insecure = os.environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() == "true"
    verify = False if insecure else os.environ.get("MLFLOW_TRACKING_SERVER_CERT_PATH") or True
    # Any answer, even 401 or 404, means it is up; only reaching it can fail.
    requests.get(
        uri.rstrip("/") + "/health", timeout=(CONNECT_TIMEOUT_S, ANSWER_TIMEOUT_S), verify=verify
    ).close()


def _get_or_create_experiment(client, name: str, artifact_location: str | None) -> str:
    """The id of experiment ``name``, created when missing.  Jobs started together all find
    it missing and all create it; the losers' "already exists" means it is there, so they
    read it back instead of failing."""
    found = client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    try:
        return client.create_experiment(name, artifact_location=artifact_location)
    except Exception as exc:
        if getattr(exc, "error_code", None) != "RESOURCE_ALREADY_EXISTS":
            raise
        found = client.get_experiment_by_name(name)
        if found is None:  # deleted meanwhile, or another kind of conflict: report it
            raise
        return found.experiment_id


def _summary(run, experiment_names: dict[str, str]) -> RunSummary:
    info, data = run.info, run.data
    return RunSummary(
        run_id=info.run_id,
        name=info.run_name or "",
        status=info.status,
        start_time=info.start_time,
        end_time=info.end_time,
        params=dict(data.params),
        metrics=dict(data.metrics),
        tags={k: v for k, v in data.tags.items() if not k.startswith("mlflow.")},
        experiment=experiment_names.get(info.experiment_id, ""),
    )


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")
