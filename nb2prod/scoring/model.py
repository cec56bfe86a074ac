"""Which model ``nb2prod score`` applies, and that model loaded once per process.

A model is an exported package (the folder ``nb2prod export -o`` wrote, or the name of an
installed one) or an MLflow model URI (``runs:/…``, ``models:/name@alias``, a folder
holding an ``MLmodel`` file).  ``ModelSpec`` names it in a few picklable fields, so a Dask
worker can load the same model; ``loaded(spec)`` loads it once per process (the
worker-level cache) and returns something with ``predict(frame, params)``.

The cache holds what cannot change: a package's files (by digest), a run's model, a
registered version.  A name that moves (``models:/NAME@ALIAS``, ``models:/NAME/latest``)
is resolved to its version by ``resolve_model`` on every score (one registry call), so a
kernel, the Jupyter server or a Dask worker answers with the version the alias names now,
and every chunk of one score with the same version.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib
import importlib.util
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nb2prod.errors import EXIT_NOTEBOOK_FAILED, EnvironmentProblem, Nb2ProdError, UsageError

MLFLOW_SCHEMES = ("runs:/", "models:/")


class ModelFailed(Nb2ProdError):
    """The model raised while loading or predicting (exit 4, as a failed notebook)."""

    exit_code = EXIT_NOTEBOOK_FAILED


@dataclass(frozen=True)
class ModelSpec:
    """A model as a worker can find it again.

    ``kind`` is ``package`` or ``mlflow``.  For a package, ``name`` is its import name,
    ``folder`` the ``src`` folder of an exported project (None: installed) and ``digest``
    the SHA-256 of that folder's files (so a worker never reuses another version).  For
    MLflow, ``name`` is the model URI, ``tracking_uri`` the store it is read from and
    ``version`` the ``models:/NAME/VERSION`` an alias (or ``latest``) named when resolved.
    """

    kind: str
    name: str
    folder: str | None = None
    digest: str | None = None
    tracking_uri: str | None = None
    version: str | None = None

    def __str__(self) -> str:
        if self.version is None:
            return self.name
        return f"{self.name}, version {self.version.rsplit('/', 1)[-1]}"

    @property
    def model_uri(self) -> str:
        """The MLflow URI loaded: the registered version, when an alias named it."""
        return self.version or self.name


def resolve_model(text: str, *, tracking_uri: str | None = None) -> ModelSpec:
    """``text`` (a folder, an installed package's name or an MLflow URI) as a ModelSpec."""
    from nb2prod.tracking.uri import resolve_tracking_uri

    path = Path(text)
    if text.startswith(MLFLOW_SCHEMES) or "://" in text or (path / "MLmodel").is_file():
        model_uri = str(path.resolve()) if (path / "MLmodel").is_file() else text
        uri = resolve_tracking_uri(tracking_uri, Path.cwd())
        spec = ModelSpec("mlflow", model_uri, tracking_uri=uri)
        return dataclasses.replace(spec, version=_registered_version(spec))
    if path.is_dir():
        from nb2prod.exporter.verify import read_provenance

        name, _ = read_provenance(path)  # refuses a folder nb2prod did not export
        src = (path / "src").resolve()
        return ModelSpec("package", name, folder=str(src), digest=folder_digest(src / name))
    if not text.isidentifier():
        raise UsageError(
            f"{text}: no such folder, and not a package name or an MLflow model URI",
            "pass the folder `nb2prod export -o` wrote, an installed package's name, "
            "or runs:/RUN_ID/model, models:/NAME@ALIAS, models:/NAME/VERSION",
        )
    found = importlib.util.find_spec(text)
    if found is None or not found.submodule_search_locations:
        raise UsageError(
            f"{text}: no installed package of that name, and no such folder",
            f"pip install the exported package, or pass its folder ({text} is not a path here)",
        )
    folder = Path(next(iter(found.submodule_search_locations)))
    if not (folder / "provenance.json").is_file():
        raise UsageError(f"{text} is installed but is not a package nb2prod exported")
    return ModelSpec("package", text)


def _registered_version(spec: ModelSpec) -> str | None:
    """``models:/NAME/VERSION`` for a ``models:/NAME@ALIAS`` or ``models:/NAME/latest``
    URI as the registry answers now; None for a URI that names one model for good."""
    rest = spec.name[len("models:/") :] if spec.name.startswith("models:/") else ""
    name, at, alias = rest.partition("@")
    if not at:
        name, _, alias = rest.partition("/")
        if alias != "latest":
            return None
    mlflow = _mlflow()
    with tracking_env(spec.tracking_uri):
        try:
            client = mlflow.MlflowClient()
            if at:
                version = client.get_model_version_by_alias(name, alias).version
            else:
                quoted = name.replace("'", "\\'")
                found = client.search_model_versions(f"name = '{quoted}'")
                version = max((int(v.version) for v in found), default=None)
        except Exception as exc:
            raise _mlflow_problem(spec, exc) from None
    if version is None:
        raise UsageError(f"{spec.name}: model {name} has no registered version (or no such model)")
    return f"models:/{name}/{version}"


def folder_digest(folder: Path) -> str:
    """SHA-256 over the names and contents of the files under ``folder`` (caches excluded)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


class LoadedModel:
    """A model ready to predict: ``predict(frame, params)`` gives its raw answer."""

    def __init__(self, predict: Callable[[Any, Mapping[str, Any]], Any]) -> None:
        self._predict = predict

    def predict(self, frame: Any, params: Mapping[str, Any]) -> Any:
        return self._predict(frame, params)


_CACHE: dict[ModelSpec, LoadedModel] = {}
#: How many times this process loaded each model (once, unless it failed): tests read it.
LOADS: dict[ModelSpec, int] = {}
_CACHE_LOCK = threading.Lock()
#: Package folders shipped to this process by a Dask worker plugin: digest -> src folder.
SHIPPED: dict[str, str] = {}


def loaded(spec: ModelSpec) -> LoadedModel:
    """The model of ``spec``, loaded once per process (on Dask: once per worker)."""
    model = _CACHE.get(spec)
    if model is None:
        with _CACHE_LOCK:
            model = _CACHE.get(spec)
            if model is None:
                LOADS[spec] = LOADS.get(spec, 0) + 1
                model = _load(spec)
                _CACHE[spec] = model
    return model


def _load(spec: ModelSpec) -> LoadedModel:
    if spec.kind == "mlflow":
        return _load_mlflow(spec)
    module = import_package(spec)
    cli = importlib.import_module(f"{spec.name}.cli")
    inputs = list(getattr(cli, "INPUTS", []))
    if len(inputs) != 1:
        raise UsageError(
            f"{spec.name}.predict takes {len(inputs)} inputs ({', '.join(inputs)}); "
            "nb2prod score gives it one table",
            "score a package whose predict cell reads one input",
        )
    try:
        module.load()
    except Exception as exc:
        raise ModelFailed(f"{spec.name}.load() failed: {_line(exc)}") from None
    as_input = cli.as_input
    return LoadedModel(lambda frame, params: module.predict(as_input(frame), **params))


def import_package(spec: ModelSpec) -> Any:
    """The package of ``spec`` imported here: from its (shipped) folder, else installed."""
    folder = SHIPPED.get(spec.digest or "", spec.folder)
    if folder is not None:
        if not Path(folder, spec.name).is_dir():
            raise EnvironmentProblem(
                f"{spec.name}: {folder} is not on this machine",
                "a remote Dask worker gets a package folder only through nb2prod score "
                "--scheduler (which ships it); or install the package on the workers",
            )
        _forget_other_copy(spec.name, Path(folder))
        if sys.path[:1] != [folder]:  # first, ahead of another folder with that package
            sys.path[:] = [folder, *(p for p in sys.path if p != folder)]
    try:
        return importlib.import_module(spec.name)
    except ImportError as exc:
        raise EnvironmentProblem(
            f"{spec.name} cannot be imported here: {_line(exc)}",
            "install the package's dependencies (its requirements.lock.txt) in this environment",
        ) from None


def _forget_other_copy(name: str, folder: Path) -> None:
    """Drop an imported package ``name`` that came from elsewhere (another version)."""
    module = sys.modules.get(name)
    where = getattr(module, "__file__", None)
    if module is None or (where and Path(where).resolve().is_relative_to(folder.resolve())):
        return
    for key in [k for k in sys.modules if k == name or k.startswith(f"{name}.")]:
        del sys.modules[key]
    importlib.invalidate_caches()


@contextlib.contextmanager
def tracking_env(uri: str | None) -> Iterator[None]:
    """``MLFLOW_TRACKING_URI`` set to ``uri`` for the duration (MLflow reads it when no
    tracking URI was set in the process); nb2prod never calls ``mlflow.set_tracking_uri``."""
    if uri is None:
        yield
        return
    from nb2prod.environ import environment
    from nb2prod.tracking.sqlite_store import with_busy_timeout

    retries = os.environ.get("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")  # fail in seconds
    with (
        environment(
            MLFLOW_TRACKING_URI=with_busy_timeout(uri),
            MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR="false",  # the command shows its own
            MLFLOW_HTTP_REQUEST_MAX_RETRIES=retries,
        ),
        warnings.catch_warnings(),
    ):
        # MLflow's notes on type hints and versions are for the model's author, not here;
        # it sets its own filters around them, so they are dropped when shown
        shown = warnings.showwarning

        def show(message, category, filename, *args, **kwargs):
            if not (issubclass(category, UserWarning) and f"{os.sep}mlflow{os.sep}" in filename):
                shown(message, category, filename, *args, **kwargs)

        warnings.showwarning = show
        yield


def _mlflow() -> Any:
    try:
        import mlflow.pyfunc
    except ImportError:
        raise EnvironmentProblem(
            "an MLflow model URI needs MLflow", "pip install 'nb2prod' brings mlflow-skinny"
        ) from None
    return mlflow


def _load_mlflow(spec: ModelSpec) -> LoadedModel:
    mlflow = _mlflow()
    with tracking_env(spec.tracking_uri):
        try:
            local = Path(mlflow.artifacts.download_artifacts(artifact_uri=spec.model_uri))
            # Two versions are usually one package name: MLflow only puts a version's code
            # folder first on sys.path, so another version imported here would be reused.
            code = local / "code"
            for module in code.iterdir() if code.is_dir() else ():
                _forget_other_copy(module.name.removesuffix(".py"), code)
            model = mlflow.pyfunc.load_model(str(local), suppress_warnings=True)
        except Exception as exc:
            raise _mlflow_problem(spec, exc) from None
    return LoadedModel(lambda frame, params: model.predict(frame, params=dict(params) or None))


def _mlflow_problem(spec: ModelSpec, exc: Exception) -> Nb2ProdError:
    from nb2prod.credentials import redact_text

    text = _line(exc)
    where = redact_text(spec.tracking_uri or "")
    if any(word in text for word in ("RESOURCE_DOES_NOT_EXIST", "not found", "No such file")):
        return UsageError(f"{spec.name}: no such model in {where}: {text}")
    if isinstance(exc, (ImportError, ModuleNotFoundError)):
        return EnvironmentProblem(f"{spec.name}: loading needs a module missing here: {text}")
    if "Connection" in text or "Max retries" in text:
        return EnvironmentProblem(f"{spec.name}: cannot reach {where}: {text}")
    return ModelFailed(f"loading {spec.name} failed: {text}")


def typed_params(spec: ModelSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """``--param`` values typed as the model types them; an unknown name or a value of the
    wrong type is a UsageError naming the valid parameters."""
    if spec.kind == "mlflow":
        return _mlflow_params(spec, values)
    module = import_package(spec)
    try:
        chosen = module.Params.from_mapping(dict(values))
    except TypeError as exc:
        raise UsageError(f"{spec.name}: {exc}") from None
    return {name: getattr(chosen, name) for name in values}


_CONVERT: dict[str, Callable[[str], Any]] = {
    "long": int,
    "integer": int,
    "float": float,
    "double": float,
    "string": str,
}


def _mlflow_params(spec: ModelSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    if not values:
        return {}
    mlflow = _mlflow()
    with tracking_env(spec.tracking_uri):
        try:
            info = mlflow.models.get_model_info(spec.model_uri)
        except Exception as exc:
            raise _mlflow_problem(spec, exc) from None
    schema = info.signature.params if info.signature is not None else None
    specs = {p.name: p for p in (schema.params if schema else [])}
    unknown = sorted(set(values) - set(specs))
    if unknown:
        valid = ", ".join(specs) or "none"
        raise UsageError(
            f"{spec.name}: unknown parameter {', '.join(unknown)}; valid runtime parameters: "
            f"{valid}"
        )
    typed = {}
    for name, value in values.items():
        kind = specs[name].dtype.name
        if not isinstance(value, str):  # from Python: MLflow checks it against the schema
            typed[name] = value
            continue
        try:
            typed[name] = _bool(value) if kind == "boolean" else _CONVERT.get(kind, str)(value)
        except ValueError:
            raise UsageError(f"parameter {name} must be {kind}, not {value!r}") from None
    return typed


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise ValueError(text)


def _line(exc: BaseException) -> str:
    from nb2prod.errors import first_line

    return first_line(exc)
