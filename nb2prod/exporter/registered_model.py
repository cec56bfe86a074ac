"""``PKG predict --model MODEL_URI`` and ``PKG.predict_registered``: predict with a model in
an MLflow store (``models:/NAME@champion``, ``models:/NAME/3``, ``runs:/ID/model``) instead
of the package's own code, so a deployment built on the package follows the alias.  Copied
into every package as ``src/NAME/_registered.py``; it runs without nb2prod.

The model is usually another version of this same package (an export logged as a pyfunc
with ``code_paths=["src/NAME"]``), and MLflow only puts a model's code folder first on
``sys.path``: in a process that has imported NAME, the running package's code would
answer.  So a child process, ``python -m NAME._registered FOLDER``, forgets its own copy of
NAME before MLflow loads the model, and the request, the input, the reply and the
prediction go through files in FOLDER.  Standard library only at import; MLflow (the
package's ``[mlflow]`` extra) is imported in the child.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import pickle
import re
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

#: The exit codes of the command: no such model, a bad parameter or input; MLflow missing
#: or the store unreachable; the model failed to load or predict.
EXIT_USAGE, EXIT_ENVIRONMENT, EXIT_FAILED = 2, 3, 4


class RegisteredModelError(Exception):
    """The model could not answer; ``exit_code`` says why (2, 3 or 4), the message what to do."""

    def __init__(self, message: str, exit_code: int, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.problems = problems  # the model's InputError: each problem with the input


def predict_registered(
    model_uri: str,
    data: Any,
    *,
    tracking_uri: str | None = None,
    params: dict[str, Any] | None = None,
) -> tuple[Any, str | None]:
    """The prediction of ``model_uri`` for ``data`` (one input as itself, several as a dict
    by name), and the registered version that answered (None for ``runs:/``).

    ``tracking_uri`` (else ``MLFLOW_TRACKING_URI``) is the store.  Text ``params`` are typed
    as the model's signature types them.  The model's own input errors come back as this
    package's ``InputError``; anything else as ``RegisteredModelError``.
    """
    store = tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
    if not store:
        raise RegisteredModelError(
            f"{model_uri}: which MLflow store? Set MLFLOW_TRACKING_URI or pass --tracking-uri",
            EXIT_USAGE,
        )
    if importlib.util.find_spec("mlflow") is None:
        raise RegisteredModelError(_needs_mlflow(), EXIT_ENVIRONMENT)
    package = __package__ or ""
    with tempfile.TemporaryDirectory(prefix=f"{package}-model-") as temporary:
        folder = Path(temporary)
        request = {"model_uri": model_uri, "store": _redacted(store), "params": params or {}}
        (folder / "request.json").write_text(json.dumps(request), encoding="utf-8")
        with open(folder / "input.pkl", "wb") as fh:
            pickle.dump(data, fh, protocol=4)
        done = subprocess.run(
            [sys.executable, "-m", __name__, str(folder)],
            env=_child_environment(store),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
        )
        said = done.stdout.decode(errors="replace")
        reply_path = folder / "reply.json"
        if not reply_path.is_file():
            sys.stderr.write(said)
            raise RegisteredModelError(
                f"{model_uri}: the process predicting with it ended ({done.returncode}) "
                "without an answer; its output is above",
                EXIT_FAILED,
            )
        reply = json.loads(reply_path.read_text(encoding="utf-8"))
        if said and (reply["exit_code"] == EXIT_FAILED or reply["exit_code"] == 0):
            sys.stderr.write(said)  # the model's warnings, or why it failed
        if reply["problems"] is not None:
            validation = importlib.import_module(f"{package}._validation")
            raise validation.InputError(reply["problems"])
        if reply["exit_code"]:
            raise RegisteredModelError(reply["message"], reply["exit_code"])
        with open(folder / "result.pkl", "rb") as fh:
            return pickle.load(fh), reply["version"]  # noqa: S301 - our own child's pickle


def _child_environment(store: str) -> dict[str, str]:
    """The child's variables: the store, no progress bars, quick failures, and this
    package's folder on the path (it may have been found by other means than the path)."""
    path = [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]
    return {
        **os.environ,
        "MLFLOW_TRACKING_URI": store,
        "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": os.environ.get("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1"),
        "PYTHONPATH": os.pathsep.join(filter(None, path)),
    }


def _needs_mlflow() -> str:
    distribution = (__package__ or "PACKAGE").replace("_", "-")
    return f"a model URI needs MLflow: pip install '{distribution}[mlflow]'"


def _redacted(uri: str) -> str:
    """``uri`` without a user and password (``http://user:secret@host``)."""
    return re.sub(r"//[^/@]*@", "//", uri)


# --------------------------------------------------------------------------- the child


def child(folder: Path) -> None:
    """Answer the request in ``folder``: ``reply.json``, and ``result.pkl`` when it worked."""
    _forget(__package__ or "")
    request = json.loads((folder / "request.json").read_text(encoding="utf-8"))
    reply: dict[str, Any] = {"exit_code": 0, "message": "", "problems": None, "version": None}
    try:
        result, reply["version"] = _answer(request, folder / "input.pkl")
        with open(folder / "result.pkl", "wb") as fh:
            pickle.dump(result, fh, protocol=4)
    except RegisteredModelError as exc:
        reply.update(exit_code=exc.exit_code, message=str(exc), problems=exc.problems)
    (folder / "reply.json").write_text(json.dumps(reply), encoding="utf-8")


def _forget(package: str) -> None:
    """Drop the running package (``-m`` imported it) so the model imports its own code."""
    for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
        del sys.modules[name]
    importlib.invalidate_caches()


def _answer(request: dict[str, Any], input_path: Path) -> tuple[Any, str | None]:
    try:
        import mlflow.pyfunc
    except ImportError:
        raise RegisteredModelError(_needs_mlflow(), EXIT_ENVIRONMENT) from None
    _quiet_mlflow()
    uri, store = request["model_uri"], request["store"]
    try:
        loaded, version = _version(mlflow.MlflowClient(), uri)
        model = mlflow.pyfunc.load_model(loaded, suppress_warnings=True)
    except RegisteredModelError:
        raise
    except Exception as exc:
        raise _problem(uri, store, exc) from None
    params = _typed(uri, model, request["params"])
    with open(input_path, "rb") as fh:
        data = pickle.load(fh)  # noqa: S301 - our own parent's pickle
    try:
        return model.predict(data, params=params or None), version
    except Exception as exc:
        names = {kind.__name__ for kind in type(exc).__mro__}
        if names & {"InputError", "MissingSetting"}:
            raise RegisteredModelError(
                str(exc), EXIT_USAGE, getattr(exc, "problems", None)
            ) from None
        if getattr(exc, "error_code", "") == "INVALID_PARAMETER_VALUE":  # MLflow's schema check
            said = str(exc).rpartition("Error: ")[2] if "enforce schema" in str(exc) else _line(exc)
            shown = " ".join(said.split())
            message = f"{uri}: the input does not fit its signature: {shown}"
            raise RegisteredModelError(message, EXIT_USAGE) from None
        traceback.print_exc()
        raise RegisteredModelError(f"{uri} failed to predict: {_line(exc)}", EXIT_FAILED) from None


def _quiet_mlflow() -> None:
    """Drop MLflow's notes for a model's author (type hints, versions) as they are shown:
    MLflow sets its own warning filters around them."""
    import warnings

    shown = warnings.showwarning

    def show(message: Any, category: Any, filename: str, *args: Any, **kwargs: Any) -> None:
        if not (issubclass(category, UserWarning) and f"{os.sep}mlflow{os.sep}" in filename):
            shown(message, category, filename, *args, **kwargs)

    warnings.showwarning = show


def _version(client: Any, uri: str) -> tuple[str, str | None]:
    """The URI to load (``models:/NAME/VERSION`` for an alias or ``latest``, resolved once)
    and the registered version it is (None for a run's model)."""
    if not uri.startswith("models:/"):
        return uri, None
    name, at, alias = uri[len("models:/") :].partition("@")
    if at:
        version = str(client.get_model_version_by_alias(name, alias).version)
        return f"models:/{name}/{version}", version
    name, _, version = name.partition("/")
    if version == "latest":
        quoted = name.replace("'", "\\'")
        found = [int(v.version) for v in client.search_model_versions(f"name = '{quoted}'")]
        if not found:
            raise RegisteredModelError(f"{uri}: model {name} has no version", EXIT_USAGE)
        version = str(max(found))
    return f"models:/{name}/{version}", version


def _problem(uri: str, store: str, exc: Exception) -> RegisteredModelError:
    text = _line(exc)
    if any(word in text for word in ("RESOURCE_DOES_NOT_EXIST", "not found", "No such file")):
        return RegisteredModelError(f"{uri}: no such model in {store}: {text}", EXIT_USAGE)
    if "Connection" in text or "Max retries" in text:
        return RegisteredModelError(f"{uri}: cannot reach {store}: {text}", EXIT_ENVIRONMENT)
    if isinstance(exc, ImportError):
        message = f"{uri}: loading needs a module missing here: {text}"
        return RegisteredModelError(message, EXIT_ENVIRONMENT)
    traceback.print_exc()
    return RegisteredModelError(f"loading {uri} failed: {text}", EXIT_FAILED)


_TYPES: dict[str, Any] = {"long": int, "integer": int, "float": float, "double": float}


def _typed(uri: str, model: Any, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` typed as the model's params schema types them (text from ``--param``)."""
    if not values:
        return {}
    schema = model.metadata.get_params_schema()
    specs = {p.name: p.dtype.name for p in (schema.params if schema else [])}
    unknown = sorted(set(values) - set(specs))
    if unknown:
        raise RegisteredModelError(
            f"{uri}: unknown parameter {', '.join(unknown)}; its runtime parameters: "
            f"{', '.join(specs) or 'none'}",
            EXIT_USAGE,
        )
    typed = {}
    for name, value in values.items():
        kind = specs[name]
        try:
            if not isinstance(value, str) or kind == "string":
                typed[name] = value
            elif kind == "boolean":
                typed[name] = {"true": True, "false": False}[value.strip().lower()]
            else:
                typed[name] = _TYPES.get(kind, str)(value)
        except (KeyError, ValueError):
            raise RegisteredModelError(
                f"parameter {name} must be {kind}, not {value!r}", EXIT_USAGE
            ) from None
    return typed


def _line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")


if __name__ == "__main__":
    child(Path(sys.argv[1]))
