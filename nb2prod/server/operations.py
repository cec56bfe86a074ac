"""The work behind the REST handlers, free of tornado: runs and small lints run in a worker
thread; an export runs in a child process (``python -m nb2prod.server.operations``, a child
of nb2prod.child's protocol), since it runs a kernel (papermill's event loop must not meet
the server's) and may take minutes; so does the lint of a big notebook, which would hold
the server's GIL (and every kernel's websocket) for seconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nb2prod.child import ChildError, call_async, serve


@dataclass
class LintRequest:
    anchor: Path  # where the notebook lives: its project's configuration applies
    text: str | None = None  # the saved file, as the contents manager read it
    notebook: dict | None = None  # unsaved JSON from the browser, linted instead
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    profile: str | None = None
    fix: bool = False
    #: Fix only this finding (``code``, ``cell_id``, ``line``, ``column``); None: every one.
    fix_only: dict[str, Any] | None = None


def _is_picked(finding, picked: dict[str, Any] | None) -> bool:
    if picked is None:
        return True
    return all(getattr(finding, key) == value for key, value in picked.items())


def lint(request: LintRequest) -> tuple[dict[str, Any], str | None]:
    """Findings as ``nb2prod lint --format json`` gives them, each with its rule's summary,
    and with ``fix`` the fixed text for the caller to save (None when nothing changed)."""
    from nb2prod.config import LintOverrides, lint_settings
    from nb2prod.linter.engine import fixed_text, lint_notebook
    from nb2prod.notebook import parse_notebook

    overrides = LintOverrides(select=request.select, ignore=request.ignore, profile=request.profile)
    settings = lint_settings(str(request.anchor), overrides)
    text = json.dumps(request.notebook) if request.notebook is not None else request.text
    notebook = parse_notebook(text or "", str(request.anchor))
    fixed, count = None, 0
    if request.fix:
        fixed, count = fixed_text(notebook, settings, lambda f: _is_picked(f, request.fix_only))
    if fixed is not None:
        notebook = parse_notebook(fixed, str(request.anchor))
    findings = lint_notebook(notebook, settings, shown=request.anchor.name)
    answer = {"version": 1, "findings": _shown(findings, request.anchor.name), "fixed": count}
    return _masked(answer, [cell.source for cell in notebook.cells]), fixed


def _masked(answer: dict[str, Any], sources: list[str]) -> dict[str, Any]:
    """``answer`` with the credentials of the notebook's code masked wherever they appear
    (a finding's message quoting an output), besides every credential of a known format
    (the handler masks those)."""
    from nb2prod.credentials.notebooks import notebook_secrets, redact_json

    return redact_json(answer, notebook_secrets(sources))


def saved_secrets(file: Path) -> frozenset[str]:
    """The credentials the code of the notebook ``file`` holds, as saved (none when it
    cannot be read: the handler's masking of known formats still applies)."""
    from nb2prod.credentials.notebooks import notebook_secrets
    from nb2prod.errors import Nb2ProdError
    from nb2prod.notebook import load_notebook

    try:
        return frozenset(notebook_secrets(cell.source for cell in load_notebook(file).cells))
    except (Nb2ProdError, OSError):
        return frozenset()


def _shown(findings, name: str) -> list[dict]:
    from nb2prod.linter.rule import REGISTRY

    shown = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        data = finding.to_json()
        data["path"] = name
        rule = REGISTRY.get(finding.code)
        data["doc"] = rule.summary() if rule else ""
        shown.append(data)
    return shown


_STORES: dict[str, Any] = {}


def _store_of(file: Path):
    """The store resolved for the notebook ``file``'s project, one MLflow client per store
    and user."""
    from nb2prod.server.settings import tracking_uri
    from nb2prod.tracking.auth import credentials_for
    from nb2prod.tracking.store import TrackingStore

    uri, credentials = tracking_uri(file.parent), credentials_for(file.parent)
    return _STORES.setdefault(f"{uri} {credentials}", TrackingStore(uri, credentials))


def runs(file: Path, max_results: int, page_token: str | None, tornado_settings) -> dict:
    """The notebook's runs from the store resolved for its project, each with its
    ``kind`` (cell, job, drift, promote, shadow, …), ``verdict`` and ``model``."""
    from nb2prod.server.settings import mlflow_ui_url
    from nb2prod.tracking.context import notebook_label

    found, token = _store_of(file).runs(
        notebook=notebook_label(file), max_results=max_results, page_token=page_token
    )
    ui = mlflow_ui_url(file.parent, tornado_settings)
    answer = []
    for run in found:
        data = run.to_json()
        data["kind"] = run.tags.get("nb2prod.kind") or "cell"
        data["verdict"] = run.tags.get("nb2prod.verdict") or None
        data["model"] = run.tags.get("nb2prod.model") or None
        data["ui_url"] = f"{ui.rstrip('/')}/#/runs/{run.run_id}" if ui else None
        answer.append(data)
    return {"runs": answer, "next_page_token": token}


def models(file: Path, tornado_settings) -> dict:
    """The registered versions exported from the notebook ``file`` (their ``nb2prod.notebook``
    tag is its label), by model, in the store resolved for its project; a store without a
    registry answers no models and says why in ``unavailable``."""
    from urllib.parse import quote

    from nb2prod.rollout.registry import NoRegistry, Registry
    from nb2prod.server.settings import mlflow_ui_url
    from nb2prod.tracking.context import notebook_label

    try:
        registry = Registry(_store_of(file))
    except NoRegistry as exc:
        return {"models": [], "unavailable": f"{exc.message}: {exc.hint}"}
    ui = (mlflow_ui_url(file.parent, tornado_settings) or "").rstrip("/")
    answer = []
    for model in registry.versions_of_notebook(notebook_label(file)):
        page = f"{ui}/#/models/{quote(model.name, safe='')}/versions" if ui else None
        versions = [
            {
                "version": v.version,
                "aliases": v.aliases,
                "run_id": v.run_id,
                "created": v.created,
                "commit": v.tags.get("nb2prod.git_commit") or None,
                "ui_url": f"{page}/{v.version}" if page else None,
            }
            for v in model.versions
        ]
        answer.append({"name": model.name, "aliases": model.aliases, "versions": versions})
    return {"models": answer, "unavailable": None}


@dataclass
class ExportRequest:
    file: Path
    name: str | None
    target: Path
    dry_run: bool = False
    overwrite: bool = False
    verify: bool = False
    #: With ``dry_run``: run the notebook to answer the input contract the export would ship.
    contract: bool = False
    #: A model name: log the verified package to the notebook's store, register a version.
    register: str | None = None


async def export_in_child(request: ExportRequest) -> dict[str, Any]:
    """``export(request)`` in a child process; its named errors come back as themselves."""
    try:
        return await call_async("nb2prod.server.operations", request)
    except ChildError as error:
        raise _error_of(error) from None


def _error_of(error: ChildError, what: str = "the export") -> Exception:
    """The child's error as its own class again (the adapter's answer depends on it)."""
    import importlib

    from nb2prod.errors import Nb2ProdError

    module, _, name = error.kind.rpartition(".")
    try:
        kind = getattr(importlib.import_module(module), name, None) if module else None
    except ImportError:
        kind = None
    if not (isinstance(kind, type) and issubclass(kind, Nb2ProdError)):
        return Nb2ProdError(f"{what} failed: {error.lines[-1] if error.lines else error}")
    rebuilt = kind.__new__(kind)
    Nb2ProdError.__init__(rebuilt, error.message, error.hint)
    return rebuilt


def export(request: ExportRequest) -> dict[str, Any]:
    """:func:`nb2prod.export` (and its verification) of the saved notebook, as the panel's
    answer; raises the exporter's errors, but failed checks are the panel's to show."""
    import nb2prod
    from nb2prod.errors import Nb2ProdError
    from nb2prod.exporter.settings import shown

    registered = None
    try:
        if request.dry_run and request.contract:
            result = _contract_preview(request)
        else:
            result = nb2prod.export(
                request.file,
                request.target,
                name=request.name,
                force=request.overwrite,
                dry_run=request.dry_run,
                verify=request.verify,
                log_model=bool(request.register),
            )
        if request.register and not request.dry_run and result.scorecard is not None:
            registered = _registered(result.scorecard.logged, request.register, request.file)
    except Nb2ProdError as exc:
        if exc.result is None or exc.result.scorecard is None:
            raise
        result = exc.result  # written, and verified: the scorecard says what failed
    plan, spec, card = result.plan, result.spec, result.scorecard
    return {
        "name": spec.name,
        "files": result.files,
        "plan": {
            "inputs": plan.inputs,
            "output": plan.output,
            # a required setting as the command line shows it: ``<from $SERVICE_KEY>``
            "runtime_parameters": {
                n: shown(n, plan.settings) if n in plan.settings else plan.specs[n].default
                for n in plan.runtime_params
            },
            "build_parameters": plan.build_params,
            "roles": {role: [c.number for c in cells] for role, cells in plan.cells.items()},
            "dependencies": [r.compatible for r in spec.requirements],
        },
        "notes": result.notes,
        "scorecard": None
        if card is None
        else {"ok": card.ok, "checks": [c.__dict__ for c in card.checks], "text": card.text()},
        "contract": spec.contract,  # what _contract.json holds; a plan's: None
        "registered": registered,
    }


def _contract_preview(request: ExportRequest):
    """The plan, with the input contract of a notebook run (nothing written)."""
    from nb2prod.exporter.pipeline import ExportOptions, preview_contract

    options = ExportOptions(
        notebook=request.file, name=request.name, output=request.target, force=request.overwrite
    )
    return preview_contract(options)


def _registered(logged: dict[str, str], name: str, notebook: Path) -> dict[str, Any]:
    """Register the logged model as a new version of ``name``, as the CLI's ``--register``
    does, in the store it was logged to."""
    from nb2prod.rollout.registry import register_export

    version = register_export(logged, name, None, notebook)
    return {
        "name": version.name,
        "version": version.version,
        "uri": version.uri,
        "run_id": version.run_id,
    }


def _handle(request: ExportRequest | LintRequest) -> Any:
    """The child's one entry: an export, or the lint of a notebook too big for a thread."""
    return lint(request) if isinstance(request, LintRequest) else export(request)


async def lint_in_child(request: LintRequest) -> tuple[dict[str, Any], str | None]:
    """``lint(request)`` in a child process; an nb2prod error comes back as itself."""
    try:
        return await call_async("nb2prod.server.operations", request)
    except ChildError as error:
        raise _error_of(error, "linting the notebook") from None


def earlier_export(target: Path, notebook: Path, root_dir: str) -> dict[str, Any] | None:
    """What the output folder holds already: None when it is empty or new, else
    ``{"notebook": the API path of the notebook it is an export of (None: it is no
    export), "own": True when that is ``notebook``}``."""
    import os

    from nb2prod.config import find_project_root

    if not target.is_dir() or not any(target.iterdir()):
        return None
    found = sorted(target.glob("src/*/provenance.json"))
    try:
        recorded = (
            json.loads(found[0].read_text(encoding="utf-8")).get("notebook") if found else None
        )
    except (OSError, ValueError, AttributeError):
        recorded = None
    if not isinstance(recorded, str) or not recorded:
        return {"notebook": None, "own": False}
    source = Path(os.path.realpath(find_project_root(notebook.parent) / recorded))
    root = Path(os.path.realpath(root_dir))
    shown = source.relative_to(root).as_posix() if root in source.parents else recorded
    return {"notebook": shown, "own": source == Path(os.path.realpath(notebook))}


if __name__ == "__main__":
    serve(_handle)
