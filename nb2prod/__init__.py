"""nb2prod: take Jupyter notebooks to production."""

__version__ = "0.1.0"


def load_ipython_extension(ipython) -> None:
    """``%load_ext nb2prod`` (or ``c.InteractiveShellApp.extensions = ["nb2prod"]``)."""
    from nb2prod.kernel.extension import load

    load(ipython)


def unload_ipython_extension(ipython) -> None:
    from nb2prod.kernel.extension import unload

    unload(ipython)


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "nb2prod.server"}]


def _jupyter_labextension_paths() -> list[dict]:
    return [{"src": "labextension", "dest": "nb2prod"}]
