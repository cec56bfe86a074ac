"""Rules about paths, data and the environment a notebook silently depends on: absolute and
user-specific paths, data read from literal files, ``cd``, ``sys.path`` and other notebooks."""

from __future__ import annotations

import ast

from nb2prod.linter.rule import Rule, Severity
from nb2prod.linter.rules import _io
from nb2prod.linter.rules._callees import callees
from nb2prod.linter.rules._magic_uses import MagicUse, command_words, magic_uses
from nb2prod.linter.rules._path_text import (
    is_absolute_path,
    is_allowed,
    is_relative_file,
    user_location,
)
from nb2prod.linter.rules._string_sites import shown_text, string_sites


class HardcodedAbsolutePath(Rule):
    """
    ## What it does
    Finds absolute filesystem paths in string literals and f-strings.  They are POSIX
    paths such as ``/data/train.csv`` or ``/mnt/shared/x``, Windows paths such as
    ``C:\\data`` or ``D:/x``, UNC shares (``\\\\server\\share``) and ``file://``
    URLs.  URLs of remote storage (``s3://``, ``gs://``, ``https://``), docstrings,
    regular expressions, web routes such as ``"/api/v1/predict"``, ``/dev``, ``/proc``,
    ``/sys`` and the ``parameters`` cell are not reported.  A ``/word`` string counts as a path when it
    has a file extension, starts with a known filesystem root (``/data``, ``/mnt``,
    ``/opt``, ...) or is passed to a path or IO function (``open``, ``Path``,
    ``os.path.join``, ``pd.read_*``, ``to_csv``, ...).  Paths need not exist.

    ## Why it blocks production
    A job runs on another machine or in a container where that path does not exist or
    holds other data; the notebook fails, or silently reads the wrong file.

    ## Example
    ```python
    df = pd.read_csv("/mnt/team/data/train.csv")
    ```

    ## Use instead
    ```python
    # parameters cell
    DATA_DIR = "/mnt/team/data"
    ```
    ```python
    df = pd.read_csv(os.path.join(DATA_DIR, "train.csv"))
    ```

    ## Fix
    None: move the path to the `parameters` cell (or read it from an environment
    variable).  Prefixes that are the same everywhere can be allowed with the option
    `allowed-path-prefixes` (default `["/tmp"]`).
    """

    code = "NB201"
    name = "hardcoded-absolute-path"
    family = "paths"
    severity = Severity.ERROR
    options = {"allowed-path-prefixes": ["/tmp"]}

    def check(self, ctx):
        allowed = ctx.option(self.code, "allowed-path-prefixes")
        for site in string_sites(ctx):
            path = site.path
            if user_location(path, site.flows_into_io) or site.env_default:
                continue  # NB202 reports user-specific paths; env defaults are configurable
            if is_absolute_path(path, site.flows_into_io) and not is_allowed(path, allowed):
                message = (
                    f"hardcoded absolute path '{shown_text(path.text)}'; make it a parameter "
                    "(a variable in the `parameters` cell) so jobs can point it elsewhere"
                )
                yield self.report(ctx, message, site.cell, node=site.node)


class UserSpecificPath(Rule):
    """
    ## What it does
    Finds paths that only exist on one person's machine or one hosted notebook service.
    They are home folders (``/Users/<name>/``, ``/home/<name>/``, ``/root/``, ``C:\\Users\\...``,
    ``~/...``), Google Colab (``/content/``, ``/content/drive``), Kaggle (``/kaggle/input``),
    mounted macOS volumes (``/Volumes/...``) and personal synced folders (OneDrive,
    Dropbox, Desktop, Downloads).  Docstrings, URLs and the ``parameters`` cell are not
    checked.

    ## Why it blocks production
    The job runs as another user, on another machine, without the Colab or Kaggle file
    system; the path does not exist there.

    ## Example
    ```python
    df = pd.read_excel(r"C:\\Users\\alice\\Downloads\\sales_final_v2.xlsx")
    ```

    ## Use instead
    ```python
    # parameters cell
    SALES_FILE = "data/sales.xlsx"
    ```
    ```python
    df = pd.read_excel(SALES_FILE)
    ```

    ## Fix
    None: put the data where the job can reach it (project folder, shared storage,
    object store) and make its location a parameter.  A prefix that is valid where jobs
    run can be allowed with `allowed-path-prefixes`.
    """

    code = "NB202"
    name = "user-specific-path"
    family = "paths"
    severity = Severity.ERROR
    options = {"allowed-path-prefixes": ["/tmp"]}

    def check(self, ctx):
        allowed = ctx.option(self.code, "allowed-path-prefixes")
        for site in string_sites(ctx):
            where = user_location(site.path, site.flows_into_io)
            if where and not is_allowed(site.path, allowed):
                message = (
                    f"'{shown_text(site.path.text)}' is in {where}, which jobs elsewhere do not "
                    "have; make it a parameter (a variable in the `parameters` cell) and keep "
                    "the data where jobs can reach it"
                )
                yield self.report(ctx, message, site.cell, node=site.node)


class HardcodedDataPath(Rule):
    """
    ## What it does
    Finds data read from a literal relative file path.  For example
    ``pd.read_csv("data/train.csv")``, ``open("labels.txt")``, ``np.load("x.npy")``,
    ``joblib.load("model.pkl")`` or ``Path("cfg.json").read_text()``.  A database file
    is data read from its path too: ``sqlite3.connect("../data/chinook.sqlite")``,
    ``duckdb.connect("data/x.duckdb")``, ``create_engine("sqlite:///../data/x.db")``
    (an in-memory database or a server's URL such as ``postgresql://...`` is not; an
    absolute path is NB201's).  Paths built only from literals
    (``os.path.join("data", "x.csv")``) count too; a path that uses a variable does not.

    Neither does a file the notebook itself wrote before, with the same literal path: by
    ``open(path, "w")``, ``df.to_csv``/``to_parquet``/``to_json``/``to_pickle``/``to_excel``,
    ``model.save``, ``joblib.dump``, ``torch.save``, ``np.save``, ``savefig``, or a Keras
    ``ModelCheckpoint``/``CSVLogger`` callback (``ModelCheckpoint("best.keras")`` then
    ``keras.models.load_model("best.keras")``).  A file read before the notebook writes
    it (a cache overwritten in place) must exist beforehand, so it is still reported.

    ## Why it blocks production
    A job cannot be pointed at new data without editing the notebook, and the path
    depends on the working folder the job happens to start in.

    ## Example
    ```python
    train = pd.read_csv("data/train.csv")
    ```

    ## Use instead
    ```python
    # parameters cell
    TRAIN_PATH = "data/train.csv"
    ```
    ```python
    train = pd.read_csv(TRAIN_PATH)
    ```

    ## Fix
    None: move the path into the `parameters` cell.
    """

    code = "NB203"
    name = "hardcoded-data-path"
    family = "paths"
    severity = Severity.WARNING

    def check(self, ctx):
        written: list[str] = []
        for access in _io.file_accesses(ctx):
            target = _io.normalized(access.text)
            earlier = any(target == w or target.startswith(w + "/") for w in written)
            if access.reads and is_relative_file(access.text) and not earlier:
                if not ctx.is_parameters(access.cell):
                    message = (
                        f"reads data from the literal path '{shown_text(access.text)}'; make it a "
                        "parameter (a variable in the `parameters` cell) so jobs can point it "
                        "elsewhere"
                    )
                    yield self.report(ctx, message, access.cell, node=access.node)
            if access.writes:
                written.append(target)


class WorkingDirectoryChange(Rule):
    """
    ## What it does
    Finds changes of the working directory.  They are ``os.chdir(...)``, ``%cd``,
    automagic ``cd dir``, ``%pushd`` and ``%popd``.

    ## Why it blocks production
    Every relative path after it depends on where the notebook was started and on which
    cells ran before; run twice, or from another folder, it points somewhere else.
    Exported code that changes the directory also moves the application that imports it.

    ## Example
    ```python
    %cd ../data
    df = pd.read_csv("train.csv")
    ```

    ## Use instead
    ```python
    # parameters cell
    DATA_DIR = "../data"
    ```
    ```python
    df = pd.read_csv(os.path.join(DATA_DIR, "train.csv"))
    ```

    ## Fix
    None: build paths from a base-folder parameter instead of changing folder.
    """

    code = "NB204"
    name = "working-directory-change"
    family = "paths"
    severity = Severity.ERROR

    _CALLS = frozenset({"os.chdir", "os.fchdir", "posix.chdir"})
    _MAGICS = frozenset({"cd", "pushd", "popd"})
    _ADVICE = "build paths from a base-folder parameter instead (`os.path.join(DATA_DIR, ...)`)"

    def check(self, ctx):
        for use in magic_uses(ctx):
            if use.kind == "line_magic" and use.name in self._MAGICS:
                message = f"`{use.shown}` changes the working directory; {self._ADVICE}"
                yield self.report(ctx, message, use.cell, span=use.span)
        if not callees(ctx).any_qualified(self._CALLS):
            return
        for cell, _parsed, call, qualified in ctx.calls():
            if qualified in self._CALLS:
                message = f"`{qualified}()` changes the working directory; {self._ADVICE}"
                yield self.report(ctx, message, cell, node=call)


class SysPathMutation(Rule):
    """
    ## What it does
    Finds changes of the module search path.  They are
    ``sys.path.append/insert/extend(...)``
    (and ``remove``/``pop``/``clear``), ``sys.path += ...``, ``sys.path = ...``,
    ``sys.path[...] = ...`` and ``site.addsitedir(...)``.

    ## Why it blocks production
    Imports then work only from this folder layout and this machine; the job or the
    exported package fails with ``ModuleNotFoundError``, or imports another copy.

    ## Example
    ```python
    sys.path.append("../src")
    from features import build_features
    ```

    ## Use instead
    Make ``src`` an installable package (``pyproject.toml``) and install it
    (``pip install -e .``), then:
    ```python
    from features import build_features
    ```

    ## Fix
    None: package the code and declare it as a dependency.
    """

    code = "NB205"
    name = "sys-path-mutation"
    family = "paths"
    severity = Severity.WARNING

    _METHODS = frozenset({"append", "insert", "extend", "remove", "pop", "clear"})
    _ADVICE = "install the code as a package (`pip install -e .`) and import it instead"

    def check(self, ctx):
        called = callees(ctx)
        if "site.addsitedir" in called.qualified or called.any_written(self._METHODS):
            yield from self._calls(ctx)
        for index in ctx.indexes:
            for node in index.nodes(ast.Assign, ast.AugAssign, ast.AnnAssign):
                target = self._assigned_sys_path(ctx, node)
                if target is not None:
                    message = (
                        f"assigning to `sys.path` changes where imports are found; {self._ADVICE}"
                    )
                    yield self.report(ctx, message, index.cell, node=node)

    def _calls(self, ctx):
        for cell, _parsed, call, qualified in ctx.calls():
            func = call.func
            if qualified == "site.addsitedir" or (
                isinstance(func, ast.Attribute)
                and func.attr in self._METHODS
                and ctx.qualified_name(func.value) == "sys.path"
            ):
                shown = qualified if qualified == "site.addsitedir" else f"sys.path.{func.attr}"
                message = f"`{shown}()` changes where imports are found; {self._ADVICE}"
                yield self.report(ctx, message, cell, node=call)

    @staticmethod
    def _assigned_sys_path(ctx, node: ast.AST) -> ast.expr | None:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        else:
            return None
        for target in targets:
            if isinstance(target, ast.Subscript):
                target = target.value
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "path"
                and ctx.qualified_name(target) == "sys.path"
            ):
                return target
        return None


def _runs_notebook(words: list[str], databricks: bool) -> bool:
    """``%run`` of a notebook: an ``.ipynb`` file, or on Databricks any path that is not a
    ``.py`` script (``%run ./shared/setup`` runs the notebook ``setup``)."""
    paths = [w for w in words if not w.startswith("-")]
    if any(p.lower().endswith(".ipynb") for p in paths):
        return True
    return databricks and bool(paths) and not paths[0].lower().endswith(".py")


class NotebookAsDependency(Rule):
    """
    ## What it does
    Finds a notebook that runs or imports another notebook.  This is ``%run other.ipynb``
    (with any flags), ``%store -r``, ``import import_ipynb``, ``nbimporter``, ``importnb``,
    ``from ipynb.fs.full.other import f`` and ``dbutils.notebook.run(...)`` (also
    ``mssparkutils``/``notebookutils``), and in notebooks exported from Databricks
    ``%run ./other`` (a notebook there has no extension).  ``%run script.py`` is not
    reported.

    ## Why it blocks production
    The notebook no longer stands alone: it needs the other notebook's file, kernel
    state or stored variables, which an exported package or a scheduled job does not
    have, and a change there silently changes this notebook's results.

    ## Example
    ```python
    %run ./feature_engineering.ipynb
    model.fit(build_features(df), y)
    ```

    ## Use instead
    ```python
    from features import build_features  # features.py, a module under version control
    model.fit(build_features(df), y)
    ```

    ## Fix
    None: move the shared code into a Python module; pass data between notebooks as
    files or parameters.
    """

    code = "NB206"
    name = "notebook-as-dependency"
    family = "paths"
    severity = Severity.ERROR

    _IMPORTERS = frozenset({"import_ipynb", "nbimporter", "importnb", "ipynb_importer"})
    _RUNNERS = frozenset(
        {
            "dbutils.notebook.run",
            "mssparkutils.notebook.run",
            "mssparkutils.notebook.runMultiple",
            "notebookutils.notebook.run",
            "notebookutils.notebook.runMultiple",
        }
    )
    _ADVICE = "move the shared code into a Python module and import it"

    def check(self, ctx):
        for use in magic_uses(ctx):
            yield from self._magic(ctx, use)
        for index in ctx.indexes:
            for node in index.nodes(ast.Import, ast.ImportFrom):
                module = self._notebook_import(node)
                if module:
                    message = f"`{module}` imports code from another notebook; {self._ADVICE}"
                    yield self.report(ctx, message, index.cell, node=node)
        if not callees(ctx).any_qualified(self._RUNNERS):
            return
        for cell, _parsed, call, qualified in ctx.calls():
            if qualified in self._RUNNERS:
                message = f"`{qualified}()` runs another notebook; {self._ADVICE}"
                yield self.report(ctx, message, cell, node=call)

    def _magic(self, ctx, use: MagicUse):
        if use.kind != "line_magic" or use.args is None:
            return
        words = command_words(use.args)
        if use.name == "run" and _runs_notebook(words, ctx.notebook.is_databricks):
            message = (
                f"`{use.shown}` runs another notebook inside this one, which then depends on "
                f"it; {self._ADVICE}"
            )
            yield self.report(ctx, message, use.cell, span=use.span)
        elif use.name == "store" and "-r" in words:
            message = (
                f"`{use.shown}` restores variables another notebook stored; pass the data as "
                "files or parameters instead"
            )
            yield self.report(ctx, message, use.cell, span=use.span)

    def _notebook_import(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules = [node.module]
        else:
            return None
        for module in modules:
            root = module.split(".")[0]
            if root in self._IMPORTERS or module == "ipynb.fs" or module.startswith("ipynb.fs."):
                return module
        return None
