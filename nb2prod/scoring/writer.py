"""The output of ``nb2prod score``: written to a temporary file beside it and renamed into
place at the end, so a failure never leaves half a file.  Its bytes depend only on the
rows, never on how they arrived (a Parquet output's row groups are always
``ROW_GROUP_ROWS`` rows), so every executor writes the same file.

A scored chunk is first *encoded* (``Encoder``: CSV text, or an Arrow table of the
output's schema), which is the costly part of writing; the encoder is a small picklable
object, so the Dask executor encodes on the workers, in parallel, and the submitter only
appends what they return, in order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nb2prod.errors import UsageError
from nb2prod.scoring.tables import table_format

#: Rows per row group of a Parquet output, whatever the chunks were.
ROW_GROUP_ROWS = 65_536


@dataclass(frozen=True)
class Encoder:
    """Turns a scored frame into what ``TableWriter.append`` takes: ``(rows, payload)``."""

    fmt: str
    schema: Any = None  # Parquet: the output's Arrow schema

    def __call__(self, frame: Any) -> tuple[int, Any]:
        if self.fmt == "csv":
            return len(frame), frame.to_csv(header=False, index=False).encode("utf-8")
        import pyarrow as pa

        try:
            table = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
        except (pa.ArrowException, ValueError, TypeError) as exc:
            from nb2prod.errors import first_line
            from nb2prod.scoring.model import ModelFailed

            raise ModelFailed(
                f"the predictions cannot be written as Parquet: {first_line(exc)}"
            ) from None
        return len(frame), table


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

    def start(self, sample: Any) -> Encoder:
        """Open the temporary file; ``sample`` (a frame) fixes the output's columns.
        Returns the encoder of this output's chunks."""
        if self.fmt == "csv":
            self._handle = open(self.temporary, "xb")
            self._handle.write(sample.iloc[:0].to_csv(index=False).encode("utf-8"))
            return Encoder("csv")
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._schema = pa.Schema.from_pandas(sample, preserve_index=False)
        self._handle = pq.ParquetWriter(self.temporary, self._schema)
        return Encoder("parquet", self._schema)

    def append(self, encoded: tuple[int, Any]) -> None:
        """Append one encoded chunk (``Encoder``'s answer), after those before it."""
        rows, payload = encoded
        self.rows += rows
        if self.fmt == "csv":
            self._handle.write(payload)
            return
        self._pending.append(payload)
        self._pending_rows += rows
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
