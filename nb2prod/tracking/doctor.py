"""``nb2prod doctor``: can this project's runs be recorded?  One check per line, each with
what to fix: which tracking store (and where that choice came from), whether it answers,
whose credentials it accepts, and whether that user may create or read the experiment
and log a run in it (a probe run, created and deleted again).

Each check needs the ones before it; after a failure the rest are skipped.  MLflow is
imported only by the checks that open the store.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nb2prod.errors import Nb2ProdError

PROBE_RUN = "nb2prod-doctor-probe"
#: The experiment probed when no notebook and no --experiment says which.
DEFAULT_EXPERIMENT = "nb2prod-doctor"


@dataclass
class Check:
    name: str
    ok: bool | None  # None: skipped, a check before it failed
    detail: str
    fix: str | None = None


@dataclass
class _State:
    explicit: str | None
    start: Path
    experiment: str
    uri: str = ""
    store: object = None


def diagnose(
    explicit_uri: str | None, start: str | os.PathLike, experiment: str | None = None
) -> list[Check]:
    """The checks for work on ``start`` (a notebook or a folder); ``experiment`` is the one
    probed (default: the notebook's, else ``nb2prod-doctor``)."""
    start = Path(start)
    if experiment is None and start.suffix == ".ipynb":
        from nb2prod.tracking.context import notebook_label

        experiment = notebook_label(start)
    state = _State(explicit_uri, start, experiment or DEFAULT_EXPERIMENT)
    checks: list[Check] = []
    for name, step in _STEPS:
        if checks and not checks[-1].ok:
            checks.append(Check(name, None, "skipped: the check above failed"))
            continue
        try:
            checks.append(Check(name, True, step(state)))
        except Nb2ProdError as exc:
            checks.append(Check(name, False, exc.message, exc.hint))
    return checks


def _uri(state: _State) -> str:
    from nb2prod.credentials import redact_text
    from nb2prod.tracking.uri import resolve_tracking_uri, tracking_uri_source

    state.uri = resolve_tracking_uri(state.explicit, state.start)
    return f"{redact_text(state.uri)} (from {tracking_uri_source(state.explicit, state.start)})"


def _credentials(state: _State) -> str:
    from nb2prod.tracking.auth import credentials_for
    from nb2prod.tracking.store import TrackingStore

    credentials = credentials_for(state.start)
    state.store = TrackingStore(state.uri, credentials)
    if not _is_server(state.uri):
        return "not used: a database store, no server to sign in to"
    password = "set" if credentials.has_password else "not set"
    return (
        f"{credentials.who()}, password {password} ({credentials.password_env}); "
        f"variables from {credentials.source}"
    )


def _reach(state: _State) -> str:
    from nb2prod.tracking.store import TrackingUnavailable, check_server_answers

    if not _is_server(state.uri):
        _store(state).runs(max_results=1)  # opens (creates, upgrades) the store
        return "the store opens"
    try:
        check_server_answers(state.uri)
    except Exception as exc:  # requests' connection errors and timeouts
        from nb2prod.credentials import redact_text
        from nb2prod.errors import first_line

        raise TrackingUnavailable(
            f"the tracking server {redact_text(state.uri)} does not answer: {first_line(exc)}",
            "start it (deploy/README.md), or check the URI and the network",
        ) from None
    return "the server answers (/health)"


def _sign_in(state: _State) -> str:
    _store(state).runs(max_results=1)  # any call the server must authenticate
    if not _is_server(state.uri):
        return "not needed"
    who = _store(state).credentials.who()
    return f"the server accepts {who}" if _store(state).credentials.username else "no sign-in asked"


def _experiment(state: _State) -> str:
    _store(state).experiment_id(state.experiment)
    return f"experiment {state.experiment!r} read (created when missing)"


def _log_run(state: _State) -> str:
    from nb2prod.tracking.store import FINISHED, TrackingForbidden
    from nb2prod.tracking.values import Logged

    store = _store(state)
    run_id = store.start_run(state.experiment, PROBE_RUN, tags={"nb2prod.kind": "doctor"})
    store.log(run_id, Logged(params={"probe": "1"}, metrics={"probe": 1.0}))
    store.end_run(run_id, FINISHED)
    try:
        store._call(lambda client: client.delete_run(run_id))
    except TrackingForbidden:  # EDIT logs runs; deleting one needs MANAGE
        return (
            f"a probe run was created and logged to in {state.experiment!r}; it stays "
            f"({PROBE_RUN}, run {run_id}): deleting a run needs MANAGE permission"
        )
    return f"a probe run was created, logged to and deleted in {state.experiment!r}"


def _store(state: _State):
    from nb2prod.tracking.store import TrackingStore

    assert isinstance(state.store, TrackingStore)
    return state.store


def _is_server(uri: str) -> bool:
    return uri.startswith(("http://", "https://"))


_STEPS: list[tuple[str, Callable[[_State], str]]] = [
    ("tracking URI", _uri),
    ("credentials", _credentials),
    ("reach the store", _reach),
    ("sign in", _sign_in),
    ("create or read the experiment", _experiment),
    ("log a run", _log_run),
]
