"""Functions and methods that take filesystem paths, and the literal files a notebook
reads and writes through them; shared by the path rules.

Qualified names are what ``NotebookContext.qualified_name`` gives (``pd.read_csv`` ->
``pandas.read_csv``).  Methods are matched by name only, because their receiver is
usually a notebook variable (``df.to_csv``) whose type nb2prod cannot know.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from nb2prod.linter.rules._callees import Callees, callees

if TYPE_CHECKING:
    from nb2prod.linter.context import NotebookContext
    from nb2prod.notebook import Cell


@dataclass(frozen=True)
class Access:
    """Where a call's path argument is and, for ``open``-like calls, its mode argument."""

    path_index: int = 0
    mode_index: int | None = None
    default_mode: str = "r"  # "w" for writers
    keywords: tuple[str, ...] = ()  # keyword names of the path argument; () = PATH_KEYWORDS
    database: str = ""  # "file": a database file (":memory:" is none); "url": a SQLAlchemy URL


_READ = Access()
_WRITE = Access(default_mode="w")
_WRITE_SECOND = Access(path_index=1, default_mode="w", keywords=("dst", "filename", "f", "to_path"))
_OPEN = Access(mode_index=1)
_OPEN_BINARY = Access(mode_index=1, default_mode="rb")
_DATABASE = Access(keywords=("database",), database="file")
_DATABASE_URL = Access(keywords=("url",), database="url")
_CHECKPOINT = Access(default_mode="w", keywords=("filepath", "filename"))

#: Calls that open a file to read or write, as their mode says.
_OPENERS: dict[str, Access] = {
    "open": _OPEN,
    "builtins.open": _OPEN,
    "io.open": _OPEN,
    "codecs.open": _OPEN,
    "gzip.open": _OPEN_BINARY,
    "bz2.open": _OPEN_BINARY,
    "lzma.open": _OPEN_BINARY,
}
#: Calls that read a file (NB203), by qualified name.
READERS: dict[str, Access] = {
    **_OPENERS,
    "tarfile.open": _OPEN,
    "zipfile.ZipFile": _OPEN,
    "h5py.File": _OPEN,
    "netCDF4.Dataset": _OPEN,
    "numpy.load": _READ,
    "numpy.loadtxt": _READ,
    "numpy.genfromtxt": _READ,
    "numpy.fromfile": _READ,
    "numpy.memmap": _READ,
    "joblib.load": _READ,
    "torch.load": _READ,
    "torch.jit.load": _READ,
    "safetensors.torch.load_file": _READ,
    "onnx.load": _READ,
    "onnxruntime.InferenceSession": _READ,
    "PIL.Image.open": _READ,
    "cv2.imread": _READ,
    "cv2.VideoCapture": _READ,
    "imageio.imread": _READ,
    "imageio.v2.imread": _READ,
    "imageio.v3.imread": _READ,
    "skimage.io.imread": _READ,
    "tifffile.imread": _READ,
    "matplotlib.pyplot.imread": _READ,
    "matplotlib.image.imread": _READ,
    "librosa.load": _READ,
    "soundfile.read": _READ,
    "scipy.io.loadmat": _READ,
    "scipy.io.mmread": _READ,
    "scipy.io.wavfile.read": _READ,
    "xarray.open_dataset": _READ,
    "xarray.open_dataarray": _READ,
    "xarray.open_mfdataset": _READ,
    "xarray.open_zarr": _READ,
    "xarray.load_dataset": _READ,
    "geopandas.read_file": _READ,
    "pyarrow.parquet.read_table": _READ,
    "pyarrow.parquet.ParquetFile": _READ,
    "pyarrow.csv.read_csv": _READ,
    "pyarrow.feather.read_table": _READ,
    "pyarrow.feather.read_feather": _READ,
    "openpyxl.load_workbook": _READ,
    "pandas.ExcelFile": _READ,
    "pandas.HDFStore": _READ,
    "tensorflow.keras.models.load_model": _READ,
    "tensorflow.saved_model.load": _READ,
    "tensorflow.io.read_file": _READ,
    "keras.models.load_model": _READ,
    "keras.saving.load_model": _READ,
    # a database file is data read from its path too
    "sqlite3.connect": _DATABASE,
    "duckdb.connect": _DATABASE,
    "sqlalchemy.create_engine": _DATABASE_URL,
    "sqlalchemy.engine.create_engine": _DATABASE_URL,
    "sqlalchemy.ext.asyncio.create_async_engine": _DATABASE_URL,
}
#: Every ``<module>.read_*`` (and polars ``scan_*``) of these modules reads a file.
READER_PREFIXES = (
    "pandas.read_",
    "polars.read_",
    "polars.scan_",
    "dask.dataframe.read_",
    "modin.pandas.read_",
    "geopandas.read_",
    "cudf.read_",
)
#: ... except these, which read from a database, the clipboard or a web service.
NOT_FILE_READERS = frozenset(
    "pandas.read_clipboard pandas.read_sql pandas.read_sql_query pandas.read_sql_table "
    "pandas.read_gbq polars.read_database polars.read_database_uri "
    "dask.dataframe.read_sql dask.dataframe.read_sql_query dask.dataframe.read_sql_table".split()
)
#: Methods that read a file named by their first argument (``model.load_weights("w.h5")``).
READ_METHODS = frozenset({"load_weights", "load_model"})
#: Methods of ``pathlib.Path`` that read the file the path names.
PATH_READ_METHODS = frozenset({"read_text", "read_bytes", "open"})

#: Calls that write a file (an earlier write makes a later read of the same path fine).
WRITERS: dict[str, Access] = {
    **_OPENERS,
    "h5py.File": _OPEN,
    "numpy.save": _WRITE,
    "numpy.savez": _WRITE,
    "numpy.savez_compressed": _WRITE,
    "numpy.savetxt": _WRITE,
    "joblib.dump": _WRITE_SECOND,
    "torch.save": _WRITE_SECOND,
    "cv2.imwrite": _WRITE,
    "scipy.io.savemat": _WRITE,
    "matplotlib.pyplot.savefig": _WRITE,
    "urllib.request.urlretrieve": _WRITE_SECOND,
    "shutil.copy": _WRITE_SECOND,
    "shutil.copyfile": _WRITE_SECOND,
    "shutil.copy2": _WRITE_SECOND,
    "shutil.move": _WRITE_SECOND,
    "shutil.unpack_archive": _WRITE_SECOND,
    # Keras callbacks that write the file their fit produces (the best model, the log)
    **{
        f"{keras}.callbacks.{callback}": _CHECKPOINT
        for keras in ("keras", "tensorflow.keras", "tf_keras")
        for callback in ("ModelCheckpoint", "CSVLogger")
    },
}
#: Methods that write a file named by their first argument (``df.to_csv("out.csv")``).
WRITE_METHODS = frozenset(
    "to_csv to_parquet to_excel to_json to_pickle to_feather to_hdf to_netcdf to_stata "
    "to_orc to_zarr to_html to_xml savefig save save_model save_weights save_pretrained "
    "write_csv write_parquet write_json write_ipc write_text write_bytes extractall "
    "download_file".split()
)

#: Calls, other than readers and writers, whose arguments are filesystem paths.
PATH_FUNCTIONS = frozenset(
    "os.chdir os.listdir os.scandir os.walk os.stat os.lstat os.mkdir os.makedirs "
    "os.remove os.unlink os.rmdir os.removedirs os.rename os.replace os.symlink os.link "
    "os.access os.chmod os.chown os.fspath os.startfile glob.glob glob.iglob "
    "sys.path.append sys.path.insert site.addsitedir sqlite3.connect tempfile.mkdtemp "
    "tempfile.mkstemp shelve.open fnmatch.fnmatch mlflow.log_artifact "
    "mlflow.log_artifacts mlflow.set_tracking_uri dbm.open".split()
)
#: Every function of these modules takes paths.
PATH_PREFIXES = ("os.path.", "posixpath.", "ntpath.", "pathlib.", "shutil.")
#: Methods whose arguments are paths (besides the read and write methods).
PATH_METHODS = frozenset(
    "joinpath with_name relative_to open read_csv read_parquet read_json log_artifact "
    "log_artifacts from_pretrained glob rglob chdir listdir".split()
)
#: Functions that build a path from their arguments (``os.path.join("data", "x.csv")``).
PATH_BUILDERS = frozenset(
    "os.path.join posixpath.join ntpath.join pathlib.Path pathlib.PurePath "
    "pathlib.PosixPath pathlib.WindowsPath pathlib.PurePosixPath pathlib.PureWindowsPath".split()
)
#: Builders that make a ``pathlib`` object (their ``.read_text()`` reads the file).
PATHLIB_CLASSES = frozenset(name for name in PATH_BUILDERS if name.startswith("pathlib."))


def reader_access(qualified: str | None, func: ast.expr) -> Access | None:
    """How a call reads a file, or None when it is not a known reader."""
    if qualified is not None:
        if qualified in READERS:
            return READERS[qualified]
        if qualified.startswith(READER_PREFIXES) and qualified not in NOT_FILE_READERS:
            return _READ
        if qualified.rsplit(".", 1)[-1] not in READ_METHODS:
            return None
    if isinstance(func, ast.Attribute) and func.attr in READ_METHODS:
        return _READ
    return None


def writer_access(qualified: str | None, func: ast.expr) -> Access | None:
    """How a call writes a file, or None when it is not a known writer."""
    if qualified is not None and qualified in WRITERS:
        return WRITERS[qualified]
    if isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS:
        return _WRITE
    return None


def takes_paths(qualified: str | None, func: ast.expr) -> bool:
    """True when a call's arguments are (or build) filesystem paths."""
    if qualified is not None and (
        qualified in PATH_FUNCTIONS
        or qualified.startswith(PATH_PREFIXES)
        or qualified in READERS
        or qualified in WRITERS
        or qualified.startswith(READER_PREFIXES)
    ):
        return True
    return isinstance(func, ast.Attribute) and (
        func.attr in PATH_METHODS
        or func.attr in WRITE_METHODS
        or func.attr in READ_METHODS
        or func.attr in PATH_READ_METHODS
    )


def argument(call: ast.Call, index: int, keywords: tuple[str, ...] = ()) -> ast.expr | None:
    """The ``index``-th positional argument of ``call``, else the first of ``keywords`` given."""
    positional = [a for a in call.args if not isinstance(a, ast.Starred)]
    if len(positional) == len(call.args) and index < len(positional):
        return positional[index]
    for keyword in call.keywords:
        if keyword.arg in keywords:
            return keyword.value
    return None


#: Keyword names libraries use for the path argument.
PATH_KEYWORDS = tuple(
    "file filepath_or_buffer path path_or_buf path_or_buffer io fname filename filepath fp f "
    "source name uri urlpath filenames model_file path_or_paths paths src dst to_path".split()
)


def path_argument(call: ast.Call, access: Access) -> ast.expr | None:
    return argument(call, access.path_index, access.keywords or PATH_KEYWORDS)


#: SQLAlchemy URLs of file databases: ``sqlite:///rel.db``, ``sqlite:////abs.db``,
#: ``sqlite+pysqlite:///x.db``, ``duckdb:///x.duckdb`` (the path after three slashes).
_FILE_DATABASE_URL = re.compile(r"(?:sqlite|duckdb)(?:\+\w+)?:///([^?]*)")
#: Database names that are no file.
_NOT_DATABASE_FILES = frozenset({"", ":memory:", ":default:"})


def database_url_path(text: str) -> str | None:
    """The file a SQLAlchemy URL of a file database names (``sqlite:///data/x.db`` ->
    ``data/x.db``); None for a server's URL or an in-memory database."""
    match = _FILE_DATABASE_URL.match(text)
    if match is None or match[1] in _NOT_DATABASE_FILES:
        return None
    return match[1]


def _database_file(text: str, access: Access) -> str | None:
    """The file a database call opens, as :func:`file_accesses` reports it."""
    if access.database == "url":
        return database_url_path(text)
    return None if text in _NOT_DATABASE_FILES else text


def mode_of(call: ast.Call, access: Access) -> str | None:
    """The literal mode a call opens its file with; None when it is not a literal."""
    if access.mode_index is None:
        return access.default_mode
    mode = argument(call, access.mode_index, ("mode",))
    if mode is None:
        return access.default_mode
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return mode.value
    return None


# --------------------------------------------------------------------------- literal paths


def literal_path(expr: ast.expr | None, qualify: Callable) -> tuple[str, ast.expr] | None:
    """``(text, node to report)`` when ``expr`` builds a path from literals only, else None.

    ``"data/x.csv"``, ``os.path.join("data", "x.csv")``, ``Path("data") / "x.csv"``; a
    variable anywhere in it (``os.path.join(DATA_DIR, "x.csv")``) means it is configurable.
    """
    if expr is None:
        return None
    text = _literal_text(expr, qualify)
    if text is None:
        return None
    strings = [
        n for n in ast.walk(expr) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]
    return text, strings[0] if len(strings) == 1 and not isinstance(expr, ast.JoinedStr) else expr


def _literal_text(node: ast.expr, qualify: Callable) -> str | None:
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        parts = [cast(str, v.value) for v in node.values if isinstance(v, ast.Constant)]
        return "".join(parts) if len(parts) == len(node.values) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
        left, right = _literal_text(node.left, qualify), _literal_text(node.right, qualify)
        if left is None or right is None:
            return None
        return left + right if isinstance(node.op, ast.Add) else posixpath.join(left, right)
    if isinstance(node, ast.Call) and node.args and not node.keywords:
        if qualify(node.func) in PATH_BUILDERS:
            texts = [_literal_text(a, qualify) for a in node.args]
            return None if None in texts else posixpath.join(*cast("list[str]", texts))
    return None


def _pathlib_receiver(func: ast.expr, qualify: Callable) -> ast.expr | None:
    """The receiver of ``Path(...).read_text()``-style calls when it is a pathlib object."""
    if not isinstance(func, ast.Attribute):
        return None
    receiver = func.value
    leftmost = receiver
    while isinstance(leftmost, ast.BinOp) and isinstance(leftmost.op, ast.Div):
        leftmost = leftmost.left
    if isinstance(leftmost, ast.Call) and qualify(leftmost.func) in PATHLIB_CLASSES:
        return receiver
    return None


@dataclass(frozen=True)
class FileAccess:
    cell: Cell
    call: ast.Call
    text: str
    node: ast.expr
    reads: bool
    writes: bool


def file_accesses(ctx: NotebookContext) -> Iterator[FileAccess]:
    """Reads and writes of files named by literal paths, in document order."""
    if not _may_access_files(callees(ctx)):
        return
    qualify = ctx.qualified_name
    for cell, _parsed, call, qualified in ctx.calls():
        if not _may_access_file(call, qualified):
            continue  # most calls: neither a reader, a writer nor a pathlib method
        access = reader_access(qualified, call.func) or writer_access(qualified, call.func)
        if access is not None:
            found = literal_path(path_argument(call, access), qualify)
            if found and access.database:
                text = _database_file(found[0], access)
                found = (text, found[1]) if text is not None else None
            mode = mode_of(call, access)
            if found and mode is not None:
                yield FileAccess(cell, call, *found, *_reads_writes(mode))
            continue
        receiver = _pathlib_receiver(call.func, qualify)
        found = literal_path(receiver, qualify)
        if found is None:
            continue
        method = cast(ast.Attribute, call.func).attr  # a pathlib receiver's method
        if method == "open":
            mode = mode_of(call, Access(mode_index=0))
            if mode is not None:
                yield FileAccess(cell, call, *found, *_reads_writes(mode))
        elif method in ("read_text", "read_bytes"):
            yield FileAccess(cell, call, *found, True, False)
        elif method in ("write_text", "write_bytes", "touch"):
            yield FileAccess(cell, call, *found, False, True)


#: Methods of a ``pathlib`` object whose file :func:`file_accesses` follows.
_PATHLIB_FILE_METHODS = frozenset(
    {"open", "read_text", "read_bytes", "write_text", "write_bytes", "touch"}
)
_FILE_METHODS = READ_METHODS | WRITE_METHODS | _PATHLIB_FILE_METHODS


def _may_access_file(call: ast.Call, qualified: str | None) -> bool:
    """A cheap first test: False for a call that reads or writes no file."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _FILE_METHODS:
        return True
    return qualified is not None and (
        qualified in READERS or qualified in WRITERS or qualified.startswith(READER_PREFIXES)
    )


def _may_access_files(called: Callees) -> bool:
    """Whether any call can be a reader, a writer or a method of a ``pathlib`` object."""
    return (
        called.any_qualified(READERS)
        or called.any_qualified(WRITERS)
        or called.any_qualified(PATHLIB_CLASSES)
        or called.any_qualified_prefix(READER_PREFIXES)
        or called.any_written(READ_METHODS)
        or called.any_written(WRITE_METHODS)
    )


def _reads_writes(mode: str) -> tuple[bool, bool]:
    """Whether an ``open`` mode reads and whether it writes (``"r+"`` does both)."""
    return "r" in mode, any(c in mode for c in "wax+")


def normalized(text: str) -> str:
    """A literal path in one spelling, so a write and a later read of it match."""
    return posixpath.normpath(text.replace("\\", "/"))
