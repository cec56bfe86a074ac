"""The REST handlers of ``nb2prod/server/openapi.yaml``.

Every handler is an ``APIHandler`` (JSON errors, XSRF for cookie sessions) whose verbs are
``@tornado.web.authenticated`` then ``@authorized`` with the handler's ``auth_resource``.
Files are reached only through checked API paths inside the server root; lint and MLflow
calls run in a worker thread, and an export or the lint of a big notebook in a child
process, so the event loop (and every kernel's websocket) never waits on them.  Every bad
request is answered 4xx with a ``message`` (and where it helps a ``hint``), worded for the
panel (:mod:`nb2prod.server.wording`).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path, PurePosixPath
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler

from nb2prod import __version__
from nb2prod.errors import Nb2ProdError
from nb2prod.server.paths import checked_api_path, os_path_in_root
from nb2prod.server.wording import panel_text

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024  # larger bodies and notebooks are refused with 413
#: Bigger notebooks are linted in a child process: a thread would share the server's GIL.
LINT_IN_PROCESS_BYTES = 1024 * 1024
_FIX_FIELDS = {"code": (str,), "cell_id": (str, type(None)), "line": (int, type(None))}
_FIX_FIELDS["column"] = _FIX_FIELDS["line"]


class Nb2ProdHandler(APIHandler):
    auth_resource = "nb2prod"
    #: The credentials of the request's notebook, masked in its answer wherever they appear
    #: (a run's parameter under another name, a runtime parameter's default, an error).
    secrets: frozenset[str] = frozenset()

    @property
    def root_dir(self) -> str:
        return self.settings["server_root_dir"]

    def json_body(self) -> dict[str, Any]:
        if len(self.request.body or b"") > MAX_NOTEBOOK_BYTES:
            raise tornado.web.HTTPError(413, "the request is larger than nb2prod accepts")
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError as exc:
            raise tornado.web.HTTPError(400, f"the body is not JSON: {exc}") from None
        except RecursionError:
            raise tornado.web.HTTPError(400, "the body's JSON is nested too deeply") from None
        if not isinstance(body, dict):
            raise tornado.web.HTTPError(400, "the body must be a JSON object")
        return body

    async def notebook_path(self, value: object) -> tuple[str, Path]:
        """A checked notebook API path and its file, 404 when the contents API has none."""
        api_path = checked_api_path(value)
        if not api_path.endswith(".ipynb"):
            raise tornado.web.HTTPError(400, "path must name a .ipynb notebook")
        manager = self.contents_manager
        exists = await _maybe_async(manager.file_exists(api_path))
        if not exists:
            raise tornado.web.HTTPError(404, f"no notebook {api_path}")
        return api_path, os_path_in_root(self.root_dir, api_path)

    async def query_notebook(self) -> Path:
        """The notebook the query's ``path`` names, its credentials masked in the answer."""
        _api_path, file = await self.notebook_path(self.get_argument("path", ""))
        await self.mask_secrets_of(file)
        return file

    def finish(self, chunk: Any = None) -> Any:
        """Every answer, errors included, with each credential of a known format masked
        (token formats, ``user:password@`` in URLs, secret names given a literal) and
        :attr:`secrets`."""
        if isinstance(chunk, dict):
            from nb2prod.credentials.notebooks import redact_json

            chunk = redact_json(chunk, self.secrets)
        return super().finish(chunk)

    async def mask_secrets_of(self, file: Path) -> None:
        """Mask the credentials of the notebook ``file`` in this request's answer."""
        from nb2prod.server.operations import saved_secrets

        self.secrets = await asyncio.to_thread(saved_secrets, file)

    def fail(self, status: int, error: Nb2ProdError, **details: Any) -> None:
        self.set_status(status)
        root = self.root_dir
        answer = {"message": panel_text(error.message, root), "hint": panel_text(error.hint, root)}
        self.finish({**answer, "exit_code": error.exit_code, **details})

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Tornado's refusals (HTTPError) with their reason as ``message``, never a page."""
        exc = kwargs.get("exc_info", (None, None))[1]
        if isinstance(exc, tornado.web.HTTPError) and exc.log_message:
            self.set_header("Content-Type", "application/json")
            self.finish({"message": exc.log_message % exc.args if exc.args else exc.log_message})
            return
        super().write_error(status_code, **kwargs)


class VersionHandler(Nb2ProdHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        self.finish({"version": __version__})


class ConfigHandler(Nb2ProdHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        from nb2prod.credentials import redact_text
        from nb2prod.roles import ROLE_TAGS, ROLES
        from nb2prod.server.settings import mlflow_ui_url, tracking_uri

        self.finish(
            {
                "version": __version__,
                "tracking_uri": redact_text(tracking_uri(self.root_dir)),
                "mlflow_ui_url": mlflow_ui_url(self.root_dir, self.settings),
                "roles": list(ROLES),
                "role_tags": ROLE_TAGS,
            }
        )


class LintHandler(Nb2ProdHandler):
    auth_resource = "contents"

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        notebook, fix_only = body.get("notebook"), _fix_only(body.get("fix"))
        fix = bool(body.get("fix"))
        if notebook is None and "path" not in body:
            raise tornado.web.HTTPError(400, "give path or notebook")
        if notebook is not None and not isinstance(notebook, dict):
            raise tornado.web.HTTPError(400, "notebook must be notebook JSON")
        if fix and notebook is not None:
            raise tornado.web.HTTPError(400, "fix applies to the saved file: give path only")
        api_path, anchor, text = None, Path(self.root_dir) / "untitled.ipynb", None
        if "path" in body:
            api_path, anchor = await self.notebook_path(body["path"])
            if notebook is None and anchor.stat().st_size > MAX_NOTEBOOK_BYTES:
                self.set_status(413)
                self.finish(
                    {
                        "message": f"{api_path} is {anchor.stat().st_size / 2**20:.1f} MB, "
                        f"more than the panel lints ({MAX_NOTEBOOK_BYTES / 2**20:.0f} MB)",
                        "hint": "clear its outputs (Edit > Clear Outputs of All Cells) and save",
                    }
                )
                return
            if notebook is None:  # the saved file, read as text: positions stay exact
                model = await _maybe_async(
                    self.contents_manager.get(api_path, content=True, type="file", format="text")
                )
                text = model["content"]
        from nb2prod.server import operations

        request = operations.LintRequest(
            anchor=anchor,
            text=text,
            notebook=notebook,
            select=_codes(body.get("select")),
            ignore=_codes(body.get("ignore")) or (),
            profile=_choice(body.get("profile"), ("explore", "prod")),
            fix=fix,
            fix_only=fix_only,
        )
        size = len(text) if text is not None else len(self.request.body or b"")
        try:
            if size > LINT_IN_PROCESS_BYTES:
                answer, fixed = await operations.lint_in_child(request)
            else:
                answer, fixed = await asyncio.to_thread(operations.lint, request)
        except Nb2ProdError as exc:
            self.fail(400, exc)
            return
        except RecursionError:
            raise tornado.web.HTTPError(400, "the notebook's JSON is nested too deeply") from None
        if fixed is not None:  # written back through the contents manager, like a save
            model = {"type": "file", "format": "text", "content": fixed}
            await _maybe_async(self.contents_manager.save(model, api_path))
        self.finish(answer)


class RunsHandler(Nb2ProdHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        file = await self.query_notebook()
        try:
            max_results = int(self.get_argument("max_results", "20"))
        except ValueError:
            raise tornado.web.HTTPError(400, "max_results must be a number") from None
        if not 1 <= max_results <= 200:
            raise tornado.web.HTTPError(400, "max_results must be between 1 and 200")
        from nb2prod.errors import UsageError
        from nb2prod.server.operations import runs
        from nb2prod.tracking.store import TrackingUnavailable

        token = self.get_argument("page_token", None)
        try:
            answer = await asyncio.to_thread(runs, file, max_results, token, self.settings)
        except TrackingUnavailable as exc:
            self.fail(503, exc)
            return
        except UsageError as exc:  # the store refused the request: a page_token it never gave
            what = "page_token is not one this server gave" if token else "the store refused"
            self.fail(400, UsageError(f"{what}: {exc.message}", exc.hint))
            return
        self.finish(answer)


class ModelsHandler(Nb2ProdHandler):
    """The registered versions of the models exported from a notebook, with their aliases."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        file = await self.query_notebook()
        from nb2prod.server.operations import models
        from nb2prod.tracking.store import TrackingUnavailable

        try:
            answer = await asyncio.to_thread(models, file, self.settings)
        except TrackingUnavailable as exc:
            self.fail(503, exc)
            return
        self.finish(answer)


class ExportHandler(Nb2ProdHandler):
    auth_resource = "contents"

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        api_path, file = await self.notebook_path(body.get("path"))
        await self.mask_secrets_of(file)
        name = body.get("name")
        if name is not None and not isinstance(name, str):
            raise tornado.web.HTTPError(400, "name must be a string")
        target_api = self.target_of(body, api_path, name or default_name(file))
        target = os_path_in_root(self.root_dir, target_api)
        if target.exists() and not target.is_dir():
            raise tornado.web.HTTPError(400, f"{target_api} is a file: choose a folder")
        dry_run, overwrite = bool(body.get("dry_run")), bool(body.get("overwrite"))
        register = body.get("register")
        from nb2prod.server.operations import ExportRequest, earlier_export, export, export_in_child

        if register is not None:  # refused before anything runs, as the CLI's --register
            if not isinstance(register, str):
                raise tornado.web.HTTPError(400, "register must be a model name")
            if dry_run:
                raise tornado.web.HTTPError(400, "register and dry_run exclude each other")
            refusal = await asyncio.to_thread(_register_refusal, register, file)
            if refusal is not None:
                self.fail(422, refusal)
                return
        existing = earlier_export(target, file, self.root_dir)
        where = {"name": name or default_name(file), "target": target_api, "existing": existing}
        if existing and not dry_run:
            refusal = _replace_refusal(target_api, api_path, existing, overwrite)
            if existing["own"]:  # what Replace replaces and keeps, by the writer's rule
                refusal = await asyncio.to_thread(_replacing, target, target_api, refusal)
            if refusal:
                self.set_status(409)
                self.finish({**refusal, **where})
                return
        request = ExportRequest(
            file=file,
            name=name,
            target=target,
            dry_run=dry_run,
            # a plan writes nothing: it may look at a folder holding an earlier export
            overwrite=overwrite or (dry_run and bool(existing and existing["notebook"])),
            verify=bool(body.get("verify")),
            contract=bool(body.get("contract")),
            register=register,
        )
        try:
            # A plan runs no kernel: a thread will do; a real export or a contract gets a process.
            if request.dry_run and not request.contract:
                answer = await asyncio.to_thread(export, request)
            else:
                answer = await export_in_child(request)
        except Nb2ProdError as exc:
            self.fail(_export_status(exc), exc, **where)
            return
        answer["target"] = target_api
        answer["files"] = [f"{target_api}/{relative}" for relative in answer["files"]]
        answer["existing"] = existing if dry_run else None
        answer["notes"] = [panel_text(note) for note in answer.get("notes") or []]
        self.finish(answer)

    def target_of(self, body: dict[str, Any], api_path: str, name: str) -> str:
        """The checked output folder: ``target``, else ``folder``/NAME, else build/NAME
        next to the notebook (the CLI's default)."""
        from nb2prod.exporter.pipeline import default_output

        if body.get("target") is not None:
            return checked_api_path(body["target"], "target")
        folder = body.get("folder")
        if folder is not None and folder != "":
            folder = checked_api_path(folder, "folder")
            return checked_api_path(f"{folder}/{name}", "target")
        return checked_api_path(default_output(PurePosixPath(api_path), name).as_posix(), "target")


def _register_refusal(name: str, notebook: Path) -> Nb2ProdError | None:
    """Why ``name`` cannot be registered (None: it can): a bad name, or a notebook whose
    store has no registry."""
    from nb2prod.errors import UsageError
    from nb2prod.rollout.registry import check_register

    try:
        check_register(name, None, notebook)
    except UsageError as exc:
        return exc
    return None


def _replace_refusal(
    target: str, notebook: str, existing: dict[str, Any], overwrite: bool
) -> dict[str, str] | None:
    """Why ``target`` is not replaced (None: it may be): the panel replaces only the
    notebook's own earlier export, and only when asked to."""
    owner = existing["notebook"]
    if owner is None:
        return {
            "message": f"{target} holds files that are not an nb2prod export",
            "hint": "choose an empty or new output folder",
        }
    if not existing["own"]:
        return {
            "message": f"{target} holds the export of {owner}, not of {notebook}",
            "hint": "choose another package name or output folder",
        }
    if overwrite:
        return None
    return {
        "message": f"{target} holds the earlier export of {notebook}",
        "hint": "Replace it with the new export, or choose another package name or folder",
    }


def _replacing(target: Path, shown: str, refusal: dict[str, str] | None) -> dict[str, str] | None:
    """``refusal`` (None: Replace goes ahead) as the writer has it: Replace replaces only
    the files nb2prod wrote there, keeps the others, and stops at one the user changed."""
    from nb2prod.exporter.writer import replacing, target_conflict

    conflict = target_conflict(target, True, shown=shown, flag="Replace")
    if conflict is not None:
        return {"message": conflict.message, "hint": conflict.hint or ""}
    if refusal is not None:
        refusal = {**refusal, "message": f"{refusal['message']}; {replacing(target)}"}
    return refusal


def _fix_only(value: object) -> dict[str, Any] | None:
    """``fix``: true (every safe fix), false, or the finding whose fix alone applies."""
    if value is None or isinstance(value, bool):
        return None
    if not isinstance(value, dict) or "code" not in value or set(value) - set(_FIX_FIELDS):
        raise tornado.web.HTTPError(
            400, "fix must be true, false, or a finding's {code, cell_id, line, column}"
        )
    for key, item in value.items():
        if not isinstance(item, _FIX_FIELDS[key]) or isinstance(item, bool):
            raise tornado.web.HTTPError(400, f"fix.{key} has the wrong type")
    return dict(value)


def _codes(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise tornado.web.HTTPError(400, "select and ignore must be lists of rule codes")
    return tuple(value)


def _choice(value: object, choices: tuple[str, ...]) -> str | None:
    if value is not None and value not in choices:
        raise tornado.web.HTTPError(400, f"must be one of {', '.join(choices)}")
    return value  # type: ignore[return-value]


def default_name(file: Path) -> str:
    from nb2prod.exporter.pipeline import default_name as name_of

    return name_of(file)


async def _maybe_async(value):
    return await value if asyncio.iscoroutine(value) else value


HANDLERS = [
    ("version", VersionHandler),
    ("config", ConfigHandler),
    ("lint", LintHandler),
    ("runs", RunsHandler),
    ("models", ModelsHandler),
    ("export", ExportHandler),
]


def _export_status(error: Nb2ProdError) -> int:
    """An export's failure as HTTP, by the error's class: a conflict with what is in the
    output folder, the server's own environment, or a notebook that cannot be exported."""
    from nb2prod.errors import EnvironmentProblem
    from nb2prod.exporter.writer import TargetExists

    if isinstance(error, TargetExists):
        return 409
    if isinstance(error, EnvironmentProblem):
        return 503
    return 422
