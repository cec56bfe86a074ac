"""The Jupyter server extension: nb2prod's REST API for the JupyterLab panel
(``openapi.yaml`` documents it)."""

from __future__ import annotations


def _load_jupyter_server_extension(serverapp) -> None:
    from jupyter_server.utils import url_path_join

    from nb2prod.server.handlers import HANDLERS

    web_app = serverapp.web_app
    base = web_app.settings["base_url"]
    web_app.add_handlers(
        ".*$", [(url_path_join(base, "nb2prod", name), handler) for name, handler in HANDLERS]
    )
    serverapp.log.info("nb2prod server extension loaded: %s", url_path_join(base, "nb2prod"))
