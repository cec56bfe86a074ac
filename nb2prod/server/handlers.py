"""The REST handlers of ``nb2prod/server/openapi.yaml``.

Every handler is an ``APIHandler`` (JSON errors, XSRF for cookie sessions) whose verbs are
``@tornado.web.authenticated`` then ``@authorized`` with the handler's ``auth_resource``.
Files are reached only through checked API paths inside the server root; lint, export,
and MLflow calls run in a worker thread so the event loop (and every kernel's websocket)
never waits on them.
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

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024  # larger bodies are refused with 413


class Nb2ProdHandler(APIHandler):
    auth_resource = "nb2prod"

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

    def fail(self, status: int, error: Nb2ProdError) -> None:
        self.set_status(status)
        self.finish({"message": error.message, "hint": error.hint, "exit_code": error.exit_code})


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
        notebook, fix = body.get("notebook"), bool(body.get("fix"))
        if notebook is None and "path" not in body:
            raise tornado.web.HTTPError(400, "give path or notebook")
        if notebook is not None and not isinstance(notebook, dict):
            raise tornado.web.HTTPError(400, "notebook must be notebook JSON")
        if fix and notebook is not None:
            raise tornado.web.HTTPError(400, "fix applies to the saved file: give path only")
        api_path, anchor, text = None, Path(self.root_dir) / "untitled.ipynb", None
        if "path" in body:
            api_path, anchor = await self.notebook_path(body["path"])
            if notebook is None:  # the saved file, read as text: positions stay exact
                model = await _maybe_async(
                    self.contents_manager.get(api_path, content=True, type="file", format="text")
                )
                text = model["content"]
        from nb2prod.server.operations import LintRequest, lint

        request = LintRequest(
            anchor=anchor,
            text=text,
            notebook=notebook,
            select=_codes(body.get("select")),
            ignore=_codes(body.get("ignore")) or (),
            profile=_choice(body.get("profile"), ("explore", "prod")),
            fix=fix,
        )
        try:
            answer, fixed = await asyncio.to_thread(lint, request)
        except Nb2ProdError as exc:
            self.fail(400, exc)
            return
        if fixed is not None:  # written back through the contents manager, like a save
            model = {"type": "file", "format": "text", "content": fixed}
            await _maybe_async(self.contents_manager.save(model, api_path))
        self.finish(answer)


class RunsHandler(Nb2ProdHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        _api_path, file = await self.notebook_path(self.get_argument("path", ""))
        try:
            max_results = int(self.get_argument("max_results", "20"))
        except ValueError:
            raise tornado.web.HTTPError(400, "max_results must be a number") from None
        if not 1 <= max_results <= 200:
            raise tornado.web.HTTPError(400, "max_results must be between 1 and 200")
        from nb2prod.server.operations import runs
        from nb2prod.tracking.store import TrackingUnavailable

        token = self.get_argument("page_token", None)
        try:
            answer = await asyncio.to_thread(runs, file, max_results, token, self.settings)
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
        name = body.get("name")
        if name is not None and not isinstance(name, str):
            raise tornado.web.HTTPError(400, "name must be a string")
        from nb2prod.exporter.pipeline import default_name, default_output

        default_target = default_output(PurePosixPath(api_path), name or default_name(file))
        target_api = checked_api_path(body.get("target") or default_target.as_posix(), "target")
        target = os_path_in_root(self.root_dir, target_api)
        overwrite = bool(body.get("overwrite"))
        if target.exists() and any(target.iterdir()) and not overwrite and not body.get("dry_run"):
            self.set_status(409)
            self.finish({"message": f"{target_api} already exists", "hint": "set overwrite"})
            return
        from nb2prod.server.operations import ExportRequest, export, export_in_child

        request = ExportRequest(
            file=file,
            name=name,
            target=target,
            dry_run=bool(body.get("dry_run")),
            overwrite=overwrite,
            verify=bool(body.get("verify")),
        )
        try:
            # A plan runs no kernel: a thread will do; a real export gets a process.
            if request.dry_run:
                answer = await asyncio.to_thread(export, request)
            else:
                answer = await export_in_child(request)
        except Nb2ProdError as exc:
            self.fail(_export_status(exc), exc)
            return
        answer["target"] = target_api
        answer["files"] = [f"{target_api}/{relative}" for relative in answer["files"]]
        self.finish(answer)


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


async def _maybe_async(value):
    return await value if asyncio.iscoroutine(value) else value


HANDLERS = [
    ("version", VersionHandler),
    ("config", ConfigHandler),
    ("lint", LintHandler),
    ("runs", RunsHandler),
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
