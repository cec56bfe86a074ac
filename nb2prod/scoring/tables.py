"""The files ``nb2prod score`` reads: CSV and Parquet, by extension.

Inputs are read in chunks, in the order given (each glob's matches sorted), with column
types fixed once for the whole input: a CSV file's types are inferred from its first
``SAMPLE_ROWS`` rows (as Dask infers them from a sample) unless ``--dtype`` names them, a
Parquet file's are in its schema.  ``chunk_plan`` cuts the input the same way for every
executor.  A CSV file is cut at line ends: a quoted field holding a line break is not
supported (as with Dask's ``read_csv``).
"""

from __future__ import annotations

import glob
import io
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nb2prod.errors import UsageError

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
#: Rows read to fix the CSV column types and the types of the output's columns.
SAMPLE_ROWS = 10_000


class InputProblem(UsageError):
    """An input file that cannot be scored: missing, unreadable, of the wrong shape."""


def table_format(path: Path, what: str) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"{path}: unknown {what} format {path.suffix or '(no extension)'!r}",
            "use .csv or .parquet",
        )
    return fmt


def input_files(patterns: Sequence[str]) -> tuple[list[Path], str]:
    """The files ``patterns`` name, in order (each glob's matches sorted), and their format."""
    if not patterns:
        raise UsageError("no input", "pass --input FILE_OR_GLOB")
    files: list[Path] = []
    for pattern in patterns:
        if glob.has_magic(pattern):
            matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True))
            matches = [p for p in matches if p.is_file()]
            if not matches:
                raise InputProblem(f"{pattern}: matches no file")
            files += matches
        elif Path(pattern).is_file():
            files.append(Path(pattern))
        else:
            raise InputProblem(f"{pattern}: no such file")
    formats = {table_format(p, "input") for p in files}
    if len(formats) > 1:
        raise InputProblem("the inputs mix CSV and Parquet files", "score each format on its own")
    return files, formats.pop()


@dataclass
class InputSchema:
    """The columns of every input file and their types, fixed before any chunk is read."""

    fmt: str
    columns: list[str]
    dtypes: dict[str, Any]
    sample: Any = field(repr=False)  # the first rows, read with those types
    bytes_per_row: float = 1.0  # CSV: of the first rows, to cut chunks of about N rows
    sample_path: Path | None = None  # the file the first rows come from


def read_schema(files: list[Path], fmt: str, dtypes: Mapping[str, str]) -> InputSchema:
    """Check every file has the first one's columns; read the first rows of the first
    file that has rows (they fix the types)."""
    import pandas as pd

    if fmt == "csv":
        first = _csv(files[0], "its header", lambda: pd.read_csv(files[0], nrows=0))
        columns = [str(c) for c in first.columns]
        for path in files[1:]:
            header = _csv(path, "its header", lambda path=path: pd.read_csv(path, nrows=0))
            _same_columns(path, columns, [str(c) for c in header.columns])
    else:
        columns = _parquet_columns(_parquet_file(files[0]))
        for path in files[1:]:
            _same_columns(path, columns, _parquet_columns(_parquet_file(path)))
    unknown = set(dtypes) - set(columns)
    if unknown:
        raise UsageError(f"--dtype names columns the input lacks: {', '.join(sorted(unknown))}")
    for path in files:
        sample = _sample(path, fmt, columns, dtypes)
        if len(sample):
            per_row = _bytes_per_row(path, len(sample)) if fmt == "csv" else 1.0
            return InputSchema(fmt, columns, dict(sample.dtypes), sample, per_row, path)
    raise InputProblem(f"{files[0] if len(files) == 1 else 'the input files'}: no rows to score")


def _sample(path: Path, fmt: str, columns: list[str], dtypes: Mapping[str, str]) -> Any:
    import pandas as pd

    if fmt == "csv":
        read = lambda: pd.read_csv(path, nrows=SAMPLE_ROWS, dtype=dict(dtypes))  # noqa: E731
        return _csv(path, "its first rows", read)
    batch = next(_parquet_file(path).iter_batches(batch_size=SAMPLE_ROWS, columns=columns), None)
    sample = _parquet_frame(batch, columns) if batch is not None else pd.DataFrame()
    return sample.astype(dict(dtypes)) if dtypes and len(sample) else sample


def _bytes_per_row(path: Path, rows: int) -> float:
    with open(path, "rb") as fh:
        fh.readline()
        begin = fh.tell()
        for _ in range(max(rows, 1)):
            if not fh.readline():
                break
        return max(1.0, (fh.tell() - begin) / max(rows, 1))


def _same_columns(path: Path, expected: list[str], found: list[str]) -> None:
    if found != expected:
        raise InputProblem(
            f"{path}: its columns differ from the first file's "
            f"(missing: {', '.join(c for c in expected if c not in found) or 'none'}; "
            f"extra: {', '.join(c for c in found if c not in expected) or 'none'})",
            "score files of the same shape together",
        )


def _csv(path: Path, what: str, read):
    try:
        return read()
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise InputProblem(f"{path}: cannot read {what} as CSV: {_reason(exc)}") from None


def _parquet_file(path: Path):
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        raise InputProblem(f"{path}: cannot read it as Parquet: {_reason(exc)}") from None


def _parquet_columns(parquet) -> list[str]:
    """The file's columns, a pandas index saved as a column first (as Dask reads it)."""
    names = list(parquet.schema_arrow.names)
    metadata = parquet.schema_arrow.pandas_metadata or {}
    index = [c for c in metadata.get("index_columns", []) if isinstance(c, str) and c in names]
    return index + [n for n in names if n not in index]


def _parquet_frame(batch, columns: list[str]):
    import pyarrow as pa

    return pa.Table.from_batches([batch]).select(columns).to_pandas(ignore_metadata=True)


@dataclass(frozen=True)
class Chunk:
    """One chunk of an input file: CSV lines from byte ``begin`` to ``end`` (whole lines),
    or Parquet rows ``begin`` to ``end``.  Every executor cuts the input into the same
    chunks, so the model sees the same batches (its floating-point sums can depend on the
    batch: BLAS kernels block rows) and the output is the same, bit for bit."""

    path: str
    begin: int
    end: int


def chunk_plan(schema: InputSchema, files: list[Path], chunksize: int) -> Iterator[Chunk]:
    """The chunks of ``files`` in order: Parquet ``chunksize`` rows each; CSV about as many
    (``chunksize`` times the first rows' bytes per line, ended at a line end)."""
    for path in files:
        if schema.fmt == "parquet":
            rows = _parquet_file(path).metadata.num_rows
            for begin in range(0, rows, chunksize):
                yield Chunk(str(path), begin, min(begin + chunksize, rows))
            continue
        size = max(1, int(chunksize * schema.bytes_per_row))
        with open(path, "rb") as fh:
            fh.readline()  # the header
            begin, total = fh.tell(), os.fstat(fh.fileno()).st_size
            while begin < total:
                fh.seek(min(begin + size, total))
                fh.readline()  # on to the end of that line
                end = min(fh.tell(), total)
                yield Chunk(str(path), begin, end)
                begin = end


def read_chunk(chunk: Chunk, fmt: str, columns: list[str], dtypes: Mapping[str, Any]) -> Any:
    """The rows of ``chunk`` as a DataFrame of ``columns`` typed ``dtypes``."""
    import pandas as pd

    if fmt == "parquet":
        parquet = _parquet_file(Path(chunk.path))
        starts, row = [], 0
        for group in range(parquet.metadata.num_row_groups):
            starts.append(row)
            row += parquet.metadata.row_group(group).num_rows
        groups = [
            g
            for g, start in enumerate(starts)
            if start < chunk.end and start + parquet.metadata.row_group(g).num_rows > chunk.begin
        ]
        table = parquet.read_row_groups(groups, columns=columns)
        table = table.slice(chunk.begin - starts[groups[0]], chunk.end - chunk.begin)
        return table.select(columns).to_pandas(ignore_metadata=True).astype(dict(dtypes))
    with open(chunk.path, "rb") as fh:
        fh.seek(chunk.begin)
        data = fh.read(chunk.end - chunk.begin)
    try:
        return pd.read_csv(
            io.BytesIO(data), header=None, names=columns, dtype=dict(dtypes), index_col=False
        )
    except pd.errors.EmptyDataError:  # blank lines only
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def read_chunks(
    schema: InputSchema, files: list[Path], chunksize: int
) -> Iterator[tuple[str, Any]]:
    """(where, frame) for each chunk of the plan, in order, read one at a time; ``where``
    names the file and the rows (1-based, as an editor counts data rows)."""
    rows: dict[str, int] = {}
    batches: dict[str, Iterator[Any]] = {}
    for chunk in chunk_plan(schema, files, chunksize):
        start = rows.get(chunk.path, 0)
        try:
            if schema.fmt == "parquet":  # one pass over the file, row groups of any size
                if chunk.path not in batches:
                    batches = {chunk.path: _batches(schema, chunk.path, chunksize)}
                frame = next(batches[chunk.path])
            else:
                frame = read_chunk(chunk, schema.fmt, schema.columns, schema.dtypes)
        except (ValueError, TypeError, OSError, UnicodeDecodeError) as exc:
            raise unreadable(f"{chunk.path} rows {start + 1}-", exc) from None
        rows[chunk.path] = start + len(frame)
        yield f"{chunk.path} rows {start + 1}-{start + len(frame)}", frame


def _batches(schema: InputSchema, path: str, chunksize: int) -> Iterator[Any]:
    """The plan's Parquet chunks of ``path`` in one pass (batches of exactly ``chunksize``)."""
    parquet = _parquet_file(Path(path))
    for batch in parquet.iter_batches(batch_size=chunksize, columns=schema.columns):
        yield _parquet_frame(batch, schema.columns).astype(schema.dtypes)


def unreadable(where: str, exc: BaseException) -> InputProblem:
    return InputProblem(
        f"{where}: cannot read: {_reason(exc)}",
        "the column types come from the first rows of the first file; "
        "--dtype NAME=TYPE sets one (e.g. --dtype age=float64)",
    )


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__
