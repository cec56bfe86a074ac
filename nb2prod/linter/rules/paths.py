"""Rules about paths, data and the environment a notebook silently depends on: absolute and
user-specific paths, data read from literal files, ``cd``, ``sys.path`` and other notebooks."""

from __future__ import annotations

import ast
import functools
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from nb2prod.linter.context import CellIndex, NotebookContext
from nb2prod.linter.rule import Rule, Severity
from nb2prod.linter.rules import _io
from nb2prod.linter.rules._callees import callees
from nb2prod.linter.rules._path_text import (
    PLACEHOLDER,
    LocalPath,
    is_absolute_path,
    is_allowed,
    is_relative_file,
    local_path,
    may_be_local_path,
    user_location,
)
from nb2prod.notebook import Cell

# --------------------------------------------------------------------------- string literals


@dataclass(frozen=True)
class StringSite:
    """A string literal (or f-string) of a cell that may be a path, with what it flows into."""

    cell: Cell
    node: ast.expr
    path: LocalPath
    flows_into_io: bool  # an argument of a path/IO call, or assigned to a name that is one
    env_default: bool  # the default of os.getenv / os.environ.get


#: Methods whose first argument is a web route, not a path (``@app.get("/health")``).
ROUTE_METHODS = frozenset(
    "route get post put patch delete head options websocket api_route add_url_rule "
    "add_api_route add_route add_websocket_route add_api_websocket_route mount url_for "
    "redirect".split()
)
#: Methods that compare against a prefix rather than use the location.
COMPARE_METHODS = frozenset({"startswith", "endswith", "removeprefix", "removesuffix"})
WEB_MODULES = frozenset(
    "flask fastapi starlette django aiohttp bottle tornado quart sanic litestar falcon "
    "requests httpx urllib3 gradio streamlit".split()
)
ENV_GETTERS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})


def string_sites(ctx: NotebookContext) -> list[StringSite]:
    """Path-like string literals outside the parameters cell, docstrings, regexes and routes."""
    return ctx.shared(_string_sites)


def _string_sites(ctx: NotebookContext) -> list[StringSite]:
    path_names = _PathNames(ctx)
    return [
        site
        for index in ctx.indexes
        if not ctx.is_parameters(index.cell)
        for site in _cell_sites(ctx, index, path_names)
    ]


class _PathNames:
    """:func:`_names_used_as_paths`, worked out when a path is first assigned to a name."""

    def __init__(self, ctx: NotebookContext) -> None:
        self.ctx = ctx

    @functools.cached_property
    def names(self) -> set[str]:
        return _names_used_as_paths(self.ctx)


def _cell_sites(ctx, index: CellIndex, path_names: _PathNames) -> Iterator[StringSite]:
    for node in index.nodes(ast.Constant, ast.JoinedStr):
        if isinstance(node, ast.Constant) and not may_be_local_path(node.value):
            continue  # nearly every constant: no parent to look up
        text = _string_text(node, index.parents)
        if text is None:
            continue
        path = local_path(text)
        if path is None:
            continue
        usage = _usage(ctx, node, index.parents, path_names)
        if usage is not None:
            yield StringSite(index.cell, node, path, *usage)


def _string_text(node: ast.AST, parents: dict) -> str | None:
    """The text of a str literal or f-string (fields as {…}); None for other nodes."""
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, str):
            return None
        return None if isinstance(parents.get(node), ast.JoinedStr) else node.value
    if isinstance(node, ast.JoinedStr) and not isinstance(parents.get(node), ast.FormattedValue):
        return "".join(v.value if isinstance(v, ast.Constant) else PLACEHOLDER for v in node.values)
    return None


def _usage(ctx, node: ast.expr, parents: dict, path_names: _PathNames) -> tuple[bool, bool] | None:
    """``(flows_into_io, env_default)`` for a string, or None when it is not used as a path."""
    child, parent, keyword, direct = _climb(node, parents)
    if isinstance(parent, ast.Expr) and direct:
        return None  # a docstring, or a string used as a comment
    if isinstance(parent, ast.Compare):
        return None  # compared with, not used: `if cwd.startswith(...)`-style detection
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and child is parent.value:
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        return bool(names and names & path_names.names), False
    if not isinstance(parent, ast.Call) or child is parent.func:
        return False, False
    qualified = ctx.qualified_name(parent.func)
    method = parent.func.attr if isinstance(parent.func, ast.Attribute) else None
    callee = method or (qualified.rsplit(".", 1)[-1] if qualified else None)
    takes_paths = _io.takes_paths(qualified, parent.func)
    index = next((i for i, arg in enumerate(parent.args) if arg is child), None)
    if _is_regex_call(qualified, parent.func) or method in COMPARE_METHODS:
        return None
    route_argument = direct and (index == 0 or keyword in ("path", "rule", "location"))
    if (
        callee in ROUTE_METHODS
        and route_argument
        and not takes_paths
        and _on_web_app(ctx, parent.func)
    ):
        return None
    env_default = qualified in ENV_GETTERS and (index == 1 or keyword == "default")
    return takes_paths, env_default


def _climb(node: ast.AST, parents: dict) -> tuple[ast.AST, ast.AST | None, str | None, bool]:
    """Up through keywords and expression operators to the node that uses the string."""
    child, parent, keyword, direct = node, parents.get(node), None, True
    while isinstance(parent, (ast.keyword, ast.BinOp, ast.IfExp)):
        if isinstance(parent, ast.keyword):
            keyword = parent.arg
        else:
            direct = False
        child, parent = parent, parents.get(parent)
    return child, parent, keyword, direct


def _on_web_app(ctx: NotebookContext, func: ast.expr) -> bool:
    """True unless the callee comes from an imported module that is not a web framework.

    ``app.get("/health")`` (``app`` a notebook variable) and ``flask.redirect("/login")`` are
    routes; ``drive.mount("/content/drive")`` (``google.colab.drive``) is not.
    """
    root = func
    while isinstance(root, ast.Attribute):
        root = root.value
    if isinstance(root, ast.Call):
        return _on_web_app(ctx, root.func)  # FastAPI().get(...), APIRouter(prefix=...).post(...)
    if not isinstance(root, ast.Name) or root.id not in ctx.imports:
        return True
    return ctx.imports[root.id].split(".")[0] in WEB_MODULES


def _is_regex_call(qualified: str | None, func: ast.expr) -> bool:
    if qualified and qualified.split(".")[0] in ("re", "regex"):
        return True
    # pandas' .str.contains / .str.extract / ... take regular expressions
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Attribute)
        and (func.value.attr == "str")
    )


def _names_used_as_paths(ctx: NotebookContext) -> set[str]:
    """Names passed (alone or inside a path expression) to calls that take paths."""
    names: set[str] = set()
    for _cell, _parsed, call, qualified in ctx.calls():
        if not _io.takes_paths(qualified, call.func):
            continue
        values = [*call.args, *(k.value for k in call.keywords)]
        for operand in _path_operands(values, ctx.qualified_name):
            if isinstance(operand, ast.Name):
                names.add(operand.id)
    return names


def _path_operands(values: list[ast.expr], qualify: Callable) -> Iterator[ast.expr]:
    """The leaves of path expressions: through ``+``, ``/``, f-strings and path builders."""
    stack = list(values)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinOp):
            stack += [node.left, node.right]
        elif isinstance(node, ast.JoinedStr):
            stack += [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
        elif isinstance(node, ast.Starred):
            stack.append(node.value)
        elif isinstance(node, ast.Call) and qualify(node.func) in _io.PATH_BUILDERS:
            stack += [*node.args, *(k.value for k in node.keywords)]
        else:
            yield node


def _shown(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- magics


@dataclass(frozen=True)
class MagicUse:
    """A line or cell magic, written as ``%name args`` or ``get_ipython().run_line_magic(...)``."""

    cell: Cell
    kind: str  # "line_magic" or "cell_magic"
    name: str
    args: str | None  # None when the arguments are not a literal
    span: tuple[int, int, int, int]

    @property
    def shown(self) -> str:
        sign = "%%" if self.kind == "cell_magic" else "%"
        return f"{sign}{self.name} {self.args}".strip() if self.args else f"{sign}{self.name}"


def magic_uses(ctx: NotebookContext) -> list[MagicUse]:
    """Every magic of the notebook, from IPython syntax and from explicit API calls."""
    return ctx.shared(_magic_uses)


def _magic_uses(ctx: NotebookContext) -> list[MagicUse]:
    return list(_find_magic_uses(ctx))


def _find_magic_uses(ctx: NotebookContext) -> Iterator[MagicUse]:
    for cell, escape in ctx.escapes():
        if escape.kind in ("line_magic", "cell_magic"):
            span = (escape.line, escape.column, escape.line, escape.end_column)
            yield MagicUse(cell, escape.kind, escape.name, escape.args, span)
    if not callees(ctx).any_written(_MAGIC_METHODS):
        return
    for cell, parsed, call, _qualified in ctx.calls():
        use = _magic_call(call)
        if use is not None:
            yield MagicUse(cell, use[0], use[1], use[2], parsed.position(call))


#: Methods :func:`_magic_call` recognises.
_MAGIC_METHODS = ("run_line_magic", "run_cell_magic", "magic")


def _magic_call(call: ast.Call) -> tuple[str, str, str | None] | None:
    func = call.func
    if not isinstance(func, ast.Attribute) or not call.args:
        return None
    words = [
        a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
        for a in call.args
    ]
    if func.attr in ("run_line_magic", "run_cell_magic") and words[0]:
        kind = "line_magic" if func.attr == "run_line_magic" else "cell_magic"
        return (
            kind,
            words[0].lstrip("%"),
            words[1].strip() if len(words) > 1 and words[1] is not None else None,
        )
    receiver = func.value
    from_ipython = (
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Name)
        and (receiver.func.id == "get_ipython")
    )
    if func.attr == "magic" and from_ipython and words[0]:
        name, _, args = words[0].lstrip("%").partition(" ")
        return "line_magic", name, args.strip()
    return None


def command_words(args: str) -> list[str]:
    """A magic's arguments split like a shell would (tolerating unbalanced quotes)."""
    try:
        return shlex.split(args)
    except ValueError:
        return args.split()


# --------------------------------------------------------------------------- rules


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
                    f"hardcoded absolute path '{_shown(path.text)}'; make it a parameter "
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
                    f"'{_shown(site.path.text)}' is in {where}, which jobs elsewhere do not "
                    "have; make it a parameter (a variable in the `parameters` cell) and keep "
                    "the data where jobs can reach it"
                )
                yield self.report(ctx, message, site.cell, node=site.node)


class HardcodedDataPath(Rule):
    """
    ## What it does
    Finds data read from a literal relative file path.  For example
    ``pd.read_csv("data/train.csv")``, ``open("labels.txt")``, ``np.load("x.npy")``,
    ``joblib.load("model.pkl")`` or ``Path("cfg.json").read_text()``.  Paths built only
    from literals (``os.path.join("data", "x.csv")``) count too; a path that uses a
    variable does not, and neither does a file an earlier cell wrote.

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
                        f"reads data from the literal path '{_shown(access.text)}'; make it a "
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
