"""nb2prod: take Jupyter notebooks to production.

The Python API (see :mod:`nb2prod.api`)::

    import nb2prod

    report = nb2prod.lint(["notebooks/"])
    result = nb2prod.run("train.ipynb", {"alpha": 0.5})
    package = nb2prod.export("predict.ipynb", "build/churn", verify=True)
    scorecard = nb2prod.verify("build/churn")
    scored = nb2prod.score("build/churn", ["data/*.parquet"], "scored.parquet")
    report = nb2prod.check_drift("build/churn", "data/today.parquet")
"""

__version__ = "0.1.0"
__all__ = [
    "Nb2ProdError",
    "__version__",
    "check_drift",
    "export",
    "lint",
    "run",
    "score",
    "verify",
]

TYPE_CHECKING = False  # not `typing`'s: importing typing would cost `import nb2prod` 8 ms
if TYPE_CHECKING:  # what type checkers and editors see; at run time, __getattr__ below
    from nb2prod.api import check_drift, export, lint, run, score, verify
    from nb2prod.errors import Nb2ProdError

_API = {"check_drift", "export", "lint", "run", "score", "verify"}


def __getattr__(name: str):
    # Imported on first use: `import nb2prod` (every CLI command, `%load_ext nb2prod`)
    # stays as light as it was.
    if name in _API:
        from nb2prod import api

        value = getattr(api, name)
    elif name == "Nb2ProdError":
        from nb2prod.errors import Nb2ProdError as value
    else:
        raise AttributeError(f"module 'nb2prod' has no attribute {name!r}")
    globals()[name] = value
    return value


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
