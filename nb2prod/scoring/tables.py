"""The files ``nb2prod score`` reads and writes: CSV and Parquet, by extension.

Inputs are read in chunks of rows, in the order given (each glob's matches sorted), with
column types fixed once for the whole input: a CSV file's types are inferred from its
first ``SAMPLE_ROWS`` rows (as Dask infers them from a sample) unless ``--dtype`` names
them, a Parquet file's are in its schema.  The output is written to a temporary file
beside it and renamed into place at the end, so a failure never leaves half a file; its
bytes depend only on the rows, never on how they were chunked (Parquet row groups are
always ``ROW_GROUP_ROWS`` rows), so every executor writes the same file.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nb2prod.errors import UsageError

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
#: Rows read to fix the CSV column types and the types of the output's columns.
SAMPLE_ROWS = 10_000
#: Rows per row group of a Parquet output, whatever the chunks were.
ROW_GROUP_ROWS = 65_536


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


def read_schema(files: list[Path], fmt: str, dtypes: Mapping[str, str]) -> InputSchema:
    """Read the first rows of the first file and check every file has the same columns."""
    import pandas as pd

    unknown = set(dtypes)
    if fmt == "csv":
        sample = _csv(
            files[0],
            "its first rows",
            lambda: pd.read_csv(files[0], nrows=SAMPLE_ROWS, dtype=dict(dtypes)),
        )
        columns = [str(c) for c in sample.columns]
        for path in files[1:]:
            header = _csv(path, "its header", lambda path=path: pd.read_csv(path, nrows=0))
            _same_columns(path, columns, [str(c) for c in header.columns])
    else:
        first = _parquet_file(files[0])
        columns = _parquet_columns(first)
        for path in files[1:]:
            _same_columns(path, columns, _parquet_columns(_parquet_file(path)))
        batch = next(first.iter_batches(batch_size=SAMPLE_ROWS, columns=columns), None)
        sample = (
            _parquet_frame(batch, columns) if batch is not None else pd.DataFrame(columns=columns)
        )
        sample = sample.astype(dict(dtypes)) if dtypes else sample
    unknown -= set(columns)
    if unknown:
        raise UsageError(f"--dtype names columns the input lacks: {', '.join(sorted(unknown))}")
    return InputSchema(fmt, columns, dict(sample.dtypes), sample)


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


def read_chunks(
    schema: InputSchema, files: list[Path], chunksize: int
) -> Iterator[tuple[str, Any]]:
    """(where, frame) for each chunk of ``chunksize`` rows, in order; ``where`` names the
    file and the rows (1-based, as an editor counts data rows)."""
    for path in files:
        start = 0
        for frame in _chunks(schema, path, chunksize):
            rows = len(frame)
            yield f"{path} rows {start + 1}-{start + rows}", frame
            start += rows


def _chunks(schema: InputSchema, path: Path, chunksize: int) -> Iterator[Any]:
    import pandas as pd

    if schema.fmt == "csv":
        where = f"{path}"
        try:
            reader = pd.read_csv(path, chunksize=chunksize, dtype=schema.dtypes)
            start = 0
            while True:
                where = f"{path} rows {start + 1}-{start + chunksize}"
                frame = next(reader, None)
                if frame is None:
                    return
                start += len(frame)
                yield frame.reset_index(drop=True)
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            raise InputProblem(
                f"{where}: cannot read as CSV: {_reason(exc)}",
                "the column types come from the first rows of the first file; "
                "--dtype NAME=TYPE sets one (e.g. --dtype age=float64)",
            ) from None
    else:
        start = 0
        try:
            for batch in _parquet_file(path).iter_batches(
                batch_size=chunksize, columns=schema.columns
            ):
                frame = _parquet_frame(batch, schema.columns)
                start += len(frame)
                yield frame.astype(schema.dtypes)
        except (ValueError, TypeError, OSError) as exc:
            raise InputProblem(f"{path} rows {start + 1}-: cannot read: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__


class TableWriter:
    """Writes frames to ``target`` through a temporary file renamed at ``commit()``."""

    def __init__(self, target: Path, *, force: bool = False) -> None:
        self.target = target
        self.fmt = table_format(target, "output")
        if target.exists() and not force:
            raise UsageError(f"{target} already exists", "pass --force to replace it")
        if target.is_dir():
            raise UsageError(f"{target} is a folder", "name a .csv or .parquet file")
        if not target.parent.is_dir():
            raise UsageError(f"{target.parent}: no such folder")
        self.temporary = target.with_name(f".{target.name}.{os.urandom(4).hex()}.nb2prod.tmp")
        self.rows = 0
        self._handle: Any = None
        self._schema: Any = None
        self._pending: list[Any] = []
        self._pending_rows = 0

    def start(self, sample: Any) -> None:
        """Open the temporary file; ``sample`` (a frame) fixes the output's columns."""
        if self.fmt == "csv":
            self._handle = open(self.temporary, "x", encoding="utf-8", newline="")
            sample.iloc[:0].to_csv(self._handle, index=False)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            self._schema = pa.Schema.from_pandas(sample, preserve_index=False)
            self._handle = pq.ParquetWriter(self.temporary, self._schema)

    def write(self, frame: Any) -> None:
        self.rows += len(frame)
        if self.fmt == "csv":
            frame.to_csv(self._handle, header=False, index=False)
            return
        import pyarrow as pa

        self._pending.append(pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False))
        self._pending_rows += len(frame)
        if self._pending_rows >= ROW_GROUP_ROWS:
            self._flush(final=False)

    def _flush(self, *, final: bool) -> None:
        import pyarrow as pa

        table = pa.concat_tables(self._pending) if self._pending else None
        self._pending, self._pending_rows = [], 0
        if table is None:
            return
        whole = len(table) if final else len(table) - len(table) % ROW_GROUP_ROWS
        for offset in range(0, whole, ROW_GROUP_ROWS):
            piece = table.slice(offset, min(ROW_GROUP_ROWS, whole - offset))
            self._handle.write_table(piece, row_group_size=ROW_GROUP_ROWS)
        if whole < len(table):
            rest = table.slice(whole)
            self._pending, self._pending_rows = [rest], len(rest)

    def commit(self) -> None:
        """Close the temporary file and rename it over the target."""
        if self.fmt == "parquet":
            self._flush(final=True)
        self._handle.close()
        self._handle = None
        os.replace(self.temporary, self.target)

    def abort(self) -> None:
        """Remove the temporary file; the target is as it was."""
        if self._handle is not None:
            try:
                self._handle.close()
            except Exception:  # closing a half-written Parquet file may raise; it goes anyway
                pass
            self._handle = None
        self.temporary.unlink(missing_ok=True)
