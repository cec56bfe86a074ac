"""NB207 (paths family): data, models and logins fetched over the network while the
notebook runs.  A module of its own because ``paths.py`` is near the size limit."""

from __future__ import annotations

import ast
import functools
import re

from nb2prod.linter.rule import Rule, Severity
from nb2prod.linter.rules._callees import callees
from nb2prod.linter.rules._commands import Command, commands
from nb2prod.linter.rules._string_sites import shown_code as _shown
from nb2prod.linter.rules._string_sites import shown_text

_URL = re.compile(r"(?:https?|ftp)://", re.IGNORECASE)
#: Programs that download when a command line runs them (``!wget``, ``!curl``).
_DOWNLOADERS = re.compile(r"(?:^|[;&|(]\s*|\bsudo\s+)(wget|curl|gdown)\b")

#: Calls that download only when given a literal URL (a URL parameter is the right pattern).
_URL_CALLS = frozenset(
    "urllib.request.urlretrieve urllib.request.urlopen urllib.urlretrieve urllib.urlopen "
    "requests.get requests.post requests.request httpx.get httpx.post httpx.stream "
    "wget.download keras.utils.get_file tensorflow.keras.utils.get_file".split()
)
_URL_READERS = frozenset(
    "read_csv read_json read_parquet read_excel read_html read_table read_xml read_fwf "
    "read_feather read_pickle read_orc read_stata read_sas read_ipc read_ndjson "
    "scan_csv scan_parquet scan_ndjson".split()
)
_READER_MODULES = ("pandas.", "polars.", "dask.dataframe.", "modin.pandas.")
#: scikit-learn's downloaders (its bundled ``load_iris`` and the like read no network).
_SKLEARN_FETCHERS = frozenset(
    "fetch_openml fetch_california_housing fetch_20newsgroups fetch_20newsgroups_vectorized "
    "fetch_covtype fetch_kddcup99 fetch_lfw_people fetch_lfw_pairs fetch_olivetti_faces "
    "fetch_rcv1 fetch_species_distributions fetch_file fetch_mldata".split()
)
#: Calls that always download (unless told to stay offline), qualified name -> what.
_DOWNLOADS = {
    "nltk.download": "NLTK data",
    "tensorflow_datasets.load": "a TensorFlow dataset",
    "torch.hub.load": "a model from PyTorch Hub",
    "torch.hub.load_state_dict_from_url": "model weights",
    "torch.hub.download_url_to_file": "a file",
    "seaborn.load_dataset": "a seaborn example dataset",
    "statsmodels.datasets.get_rdataset": "an R dataset",
    "statsmodels.api.datasets.get_rdataset": "an R dataset",
    "statsmodels.datasets.webuse": "a Stata dataset",
    "statsmodels.api.datasets.webuse": "a Stata dataset",
    "yfinance.download": "market data",
    "xarray.tutorial.open_dataset": "a tutorial dataset",
    "xarray.tutorial.load_dataset": "a tutorial dataset",
    "pooch.retrieve": "a file",
}
#: river's datasets that download their file on first use (``base.RemoteDataset``).
_DOWNLOADS.update(
    (f"river.datasets.{name}", "a river dataset")
    for name in (
        "BETH Bikes CreditCard CriteoAds Elec2 HTTP Higgs Insects Keystroke MaliciousURL "
        "MovieLens100K Music Restaurants SMSSpam SMTP TREC07 Taxis WebTraffic".split()
    )
)
#: Every call into pandas_datareader reads from a web service.
_DATAREADER = "pandas_datareader."
#: Loaders that download their dataset on first use: yellowbrick's ``load_concrete()``, ...
_FIRST_USE_LOADERS = ("yellowbrick.datasets.load_",)
_KERAS_DATASETS = ("keras.datasets.", "tensorflow.keras.datasets.", "tf_keras.datasets.")
#: ``load_dataset`` builders that read local files (given by ``data_files``).
_LOCAL_BUILDERS = frozenset(
    "csv json parquet text arrow pandas imagefolder audiofolder videofolder webdataset "
    "generator sql xml".split()
)
_LOGINS = {
    "huggingface_hub.notebook_login": "token",
    "huggingface_hub.interpreter_login": "token",
    "huggingface_hub.login": "token",
    "wandb.login": "key",
}
_READER_CALLS = frozenset(m + r for m in _READER_MODULES for r in _URL_READERS)
#: Qualified callees that may download; and last names distinctive enough to look for.
_URL_QUALIFIED = _URL_CALLS | _READER_CALLS
_OTHER_QUALIFIED = frozenset({*_DOWNLOADS, *_LOGINS})
_WRITTEN = _SKLEARN_FETCHERS | {"load_data", "load_dataset", "from_pretrained", "push_to_hub"}
_CACHE = (
    "download it once into the project's data folder (or a cache) and read it from a path "
    "given as a parameter"
)


class NetworkFetch(Rule):
    """
    ## What it does
    Finds downloads and logins that happen while the notebook runs.  They are
    ``urllib.request.urlretrieve``/``urlopen``, ``requests.get``/``post``, ``httpx.get``
    and ``pd.read_csv``/``read_json``/``read_parquet``/``read_excel``/``read_html`` given
    a literal ``http(s)://`` or ``ftp://`` URL (also through a variable bound to one, or
    through a function of the notebook's that downloads the URL it is given),
    ``!wget``/``!curl`` command lines, scikit-learn's ``fetch_*`` datasets
    (``fetch_openml``, ``fetch_california_housing``, ...), ``keras.datasets.<x>.load_data()``,
    ``nltk.download()``, ``tensorflow_datasets.load()``, ``torch.hub.load()``,
    ``torchvision.datasets.X(..., download=True)``, example datasets fetched from the web
    (seaborn's ``load_dataset``, statsmodels' ``get_rdataset``/``webuse``,
    ``xarray.tutorial``), ``pooch.retrieve``, market data (``yfinance.download``,
    any ``pandas_datareader`` reader), river's remote datasets (``datasets.Bikes()``) and
    yellowbrick's (``load_concrete()``), a
    package's own ``download_*()`` function
    (``download_robot_execution_failures()``), and Hugging Face
    ``datasets.load_dataset("name")`` and ``*.from_pretrained("name")`` without a pinned
    ``revision=``.  It also finds ``huggingface_hub.notebook_login()``, ``login()`` from
    ``huggingface_hub`` and ``wandb.login()`` without a token, and ``push_to_hub()``.  A
    URL or name taken from the ``parameters`` cell, bundled datasets (``load_iris``,
    ``load_digits``, ...), ``load_dataset("csv", data_files=...)`` and a model the notebook
    saved itself are not reported.

    ## Why it blocks production
    A job then depends on a server nobody pinned or cached: it fails when the site is
    down, rate-limits or blocks the job's network, and silently trains on other data
    when the file or model behind the name changes.  A login waits for someone to
    paste a token, and a push publishes from every run.

    ## Example
    ```python
    housing = fetch_california_housing(as_frame=True)
    tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
    ```

    ## Use instead
    ```python
    # parameters cell
    DATA_PATH = "data/california_housing.csv"
    MODEL_DIR = "models/bert-base-uncased"
    ```
    ```python
    housing = pd.read_csv(DATA_PATH)
    tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
    ```

    ## Fix
    None: download the data or model once into the project's data folder or a cache and
    read it from a path given as a parameter, or pin its version (``revision=`` a commit);
    give logins a token from an environment variable (``HF_TOKEN``, ``WANDB_API_KEY``).
    """

    code = "NB207"
    name = "network-fetch"
    family = "paths"
    severity = Severity.WARNING

    def check(self, ctx):
        for command in commands(ctx):
            if not ctx.is_parameters(command.cell):
                yield from self._command(ctx, command)
        called = callees(ctx)
        torchvision = any(o.startswith("torchvision") for o in ctx.imports.values())
        targets = _OTHER_QUALIFIED
        helpers: frozenset[str] = frozenset()
        if called.any_qualified(_URL_QUALIFIED) and any(
            "://" in cell.source for cell in ctx.code_cells
        ):
            targets = _OTHER_QUALIFIED | _URL_QUALIFIED  # only a literal URL can be reported
            helpers = _download_helpers(ctx)
        elif not (
            torchvision
            or called.any_qualified(targets)
            or called.any_written(_WRITTEN)
            or called.any_qualified_prefix((_DATAREADER, *_FIRST_USE_LOADERS))
            or any(name.startswith("download") for name in called.written)
        ):
            return
        strings = _Strings(ctx)
        for cell, _parsed, call, qualified in ctx.calls():
            func = call.func
            written = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            qualified = qualified or ""
            helper = written in helpers and isinstance(func, ast.Name)
            if (
                qualified in targets
                or written in _WRITTEN
                or helper
                or qualified.startswith((_DATAREADER, *_FIRST_USE_LOADERS))
                or (written.startswith("download") and "." in qualified)
                or (torchvision and qualified.startswith("torchvision.datasets."))
            ) and not ctx.is_parameters(cell):
                message = self._message(strings, call, qualified, written, helper)
                if message:
                    yield self.report(ctx, message, cell, node=call)

    def _command(self, ctx, command: Command):
        match = _DOWNLOADERS.search(command.text)
        if match and command.via != "magic":
            message = (
                f"`{command.shown}` downloads with {match.group(1)} while the notebook runs; "
                f"{_CACHE}"
            )
            yield self.report(ctx, message, command.cell, span=command.span)

    def _message(
        self, strings: _Strings, call: ast.Call, qualified: str, written: str, helper: bool
    ):
        if qualified in _URL_CALLS or qualified in _READER_CALLS or helper:
            url = next(filter(None, map(strings.url, _arguments(call))), None)
            shown = f"`{_shown(call.func)}()`" if url else ""
            return url and f"{shown} downloads '{shown_text(url)}' on every run; {_CACHE}"
        shown = f"`{_shown(call.func)}()`"
        if written in _SKLEARN_FETCHERS and qualified.startswith("sklearn.datasets."):
            if _keyword_is(call, "download_if_missing", False):
                return None
            return f"{shown} downloads a dataset on every fresh machine; {_CACHE}"
        if written == "load_data" and qualified.startswith(_KERAS_DATASETS):
            return f"{shown} downloads a Keras dataset on every fresh machine; {_CACHE}"
        if qualified.startswith(_DATAREADER):
            return f"{shown} reads market data from a web service while the notebook runs; {_CACHE}"
        if qualified.startswith(_FIRST_USE_LOADERS):
            return f"{shown} downloads its dataset on every fresh machine; {_CACHE}"
        if qualified in _DOWNLOADS:
            if _keyword_is(call, "download", False):
                return None
            return f"{shown} downloads {_DOWNLOADS[qualified]} while the notebook runs; {_CACHE}"
        if written.startswith("download") and not _keyword_is(call, "download", False):
            # a package's own downloader: download_robot_execution_failures(), ...
            return f"{shown} downloads while the notebook runs; {_CACHE}"
        if qualified.startswith("torchvision.datasets.") and _keyword_is(call, "download", True):
            return f"{shown} with `download=True` downloads a dataset; {_CACHE}"
        if written in ("from_pretrained", "load_dataset"):
            return self._hub(strings, call, qualified, written, shown)
        if qualified in _LOGINS:
            if call.args or any(k.arg == _LOGINS[qualified] for k in call.keywords):
                return None
            variable = "WANDB_API_KEY" if qualified.startswith("wandb") else "HF_TOKEN"
            return (
                f"{shown} asks someone to log in, and a job has no one to answer; give the job "
                f"a token in the environment variable {variable} instead"
            )
        if written == "push_to_hub":
            return (
                f"{shown} publishes to the Hugging Face Hub from every run; publish from a "
                "release step, with a token from the environment variable HF_TOKEN"
            )
        return None

    @staticmethod
    def _hub(strings: _Strings, call: ast.Call, qualified: str, written: str, shown: str):
        if written == "load_dataset" and qualified not in ("datasets.load_dataset", ""):
            return None
        if _keyword_is(call, "local_files_only", True) or _pinned(call):
            return None
        name = strings.literal(call.args[0]) if call.args else None
        if name is None or name in strings.saved or _local_path(name):
            return None  # a parameter, a folder the notebook wrote, or not known
        if written == "load_dataset" and name in _LOCAL_BUILDERS:
            return None
        what = "a dataset" if written == "load_dataset" else "a model"
        return (
            f"{shown} downloads {what} '{shown_text(name)}' from the Hugging Face Hub while "
            "the notebook runs; pin `revision=` to a commit and cache it, or save it into the "
            "project and load it from a path given as a parameter"
        )


def _download_helpers(ctx) -> frozenset[str]:
    """Functions the notebook defines that download from an address they are given
    (``def download_file(url): requests.get(url)``): called with a literal URL, they
    download it."""
    downloads = {id(call) for _c, _p, call, qualified in ctx.calls() if qualified in _URL_QUALIFIED}
    return frozenset(
        statement.name
        for _cell, _parsed, tree in ctx.trees()
        for statement in tree.body
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
        and any(id(node) in downloads for node in ast.walk(statement))
    )


class _Strings:
    """Module-level string constants of the notebook, to follow ``url = "https://..."``;
    computed only when a call needs them."""

    def __init__(self, ctx):
        self._ctx = ctx

    @functools.cached_property
    def _bindings(self) -> tuple[set[str], dict[str, str]]:
        parameters: set[str] = set()
        bound: dict[str, str] = {}
        for cell, _parsed, tree in self._ctx.trees():
            in_parameters = self._ctx.is_parameters(cell)
            for statement in tree.body:
                if not isinstance(statement, ast.Assign):
                    continue
                text = _constant(statement.value)
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        if in_parameters:
                            parameters.add(target.id)
                        elif text is not None:
                            bound.setdefault(target.id, text)
        return parameters, bound

    @functools.cached_property
    def saved(self) -> set[str]:
        """Folders the notebook writes models to (``save_pretrained``, ``output_dir=``)."""
        saved: set[str] = set()
        for _cell, _parsed, call, _qualified in self._ctx.calls():
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr == "save_pretrained" and call.args:
                saved.add(self.literal(call.args[0]) or "")
            saved.update(
                self.literal(k.value) or "" for k in call.keywords if k.arg == "output_dir"
            )
        return saved

    def literal(self, node: ast.expr) -> str | None:
        """The string ``node`` stands for: a literal, or a name bound to one outside the
        ``parameters`` cell (None for a parameter or anything else)."""
        if isinstance(node, ast.Name):
            parameters, bound = self._bindings
            return None if node.id in parameters else bound.get(node.id)
        return _constant(node)

    def url(self, node: ast.expr) -> str | None:
        text = self.literal(node)
        return text if text and _URL.match(text) else None


def _constant(node: ast.expr) -> str | None:
    """A string literal, or the literal start of an f-string or ``"..." + x``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        return _constant(node.values[0])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _constant(node.left)
    return None


def _arguments(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(k.value for k in call.keywords if k.arg)]


def _keyword_is(call: ast.Call, name: str, value: bool) -> bool:
    return any(
        k.arg == name and isinstance(k.value, ast.Constant) and k.value.value is value
        for k in call.keywords
    )


def _pinned(call: ast.Call) -> bool:
    """``revision=`` given, and not a branch that moves (``main``)."""
    for keyword in call.keywords:
        if keyword.arg == "revision":
            value = keyword.value
            return not (isinstance(value, ast.Constant) and value.value in ("main", "master"))
    return False


def _local_path(name: str) -> bool:
    return name.startswith(("/", "./", "../", "~", "\\")) or (len(name) > 1 and name[1] == ":")
