"""``PKG drift --input FILE [--output report.json] [--format table|json]``: the exported
package's drift check, copied into every package as ``src/NAME/_drift_command.py``.

It compares a batch with the statistics export shipped beside it (``_reference_stats.json``)
using the package's copy of nb2prod's drift engine (``_drift/``), so it runs without
nb2prod, with the exit codes of ``nb2prod drift``: 0 no drift, 1 drift, 2 bad input (or no
statistics: the notebook had no reference cell).  Standard library only at import; pandas
and the engine are imported when a check runs.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

STATS_FILE = "_reference_stats.json"
FORMATS = (".csv", ".parquet", ".json")


class BatchError(ValueError):
    """A batch file the command cannot read; the message says why."""


def add_parser(commands: Any) -> None:
    """The ``drift`` subcommand, on the package CLI's subparsers."""
    drift = commands.add_parser(
        "drift",
        help="check a batch of inputs for drift against the training data's statistics",
        description="Compare a batch (CSV, Parquet or JSON rows) with the statistics of the "
        "notebook's reference data, column by column (KS / chi-squared for a reference of up "
        "to 1,000 rows, Wasserstein / Jensen-Shannon above; PSI reported). Exit codes: 0 no "
        "drift, 1 drift, 2 bad input or no statistics.",
    )
    drift.add_argument(
        "--input", required=True, type=Path, help="a .csv, .parquet or .json file"
    )
    drift.add_argument(
        "--output", type=Path, help="also write the JSON report to this file"
    )
    drift.add_argument(
        "--format", choices=("table", "json"), default="table", help="what to print"
    )


def run(args: Any, prog: str) -> int:
    """Check ``args.input``; print the table or JSON; return the exit code."""
    stats_path = Path(__file__).with_name(STATS_FILE)
    if not stats_path.is_file():
        _error(
            prog,
            "this package ships no reference statistics: tag the notebook's cell that ends "
            "with the training data nb2prod:reference and export again",
        )
        return 2
    engine = importlib.import_module(f"{__package__}._drift.check")
    try:
        stats = json.loads(stats_path.read_text(encoding="utf-8"))
        frame = read_batch(args.input)
        source = {
            "model": prog,
            "statistics": stats_path.name,
            "input": str(args.input),
        }
        report = engine.check_drift(stats, frame, source=source)
        text = json.dumps(report.to_json(), indent=2) + "\n"
        if args.output is not None:
            if args.output.exists() and args.output.resolve() == args.input.resolve():
                raise BatchError(
                    f"{args.output}: refusing to write the report over the input"
                )
            args.output.write_text(text, encoding="utf-8")
    except (ValueError, OSError) as exc:  # the engine's DriftInputError is a ValueError
        _error(prog, _one_line(exc))
        return 2
    sys.stdout.write(text if args.format == "json" else report.table() + "\n")
    return 1 if report.drift else 0


def read_batch(path: Path) -> Any:
    """The rows of ``path`` as a DataFrame, by its extension."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise BatchError(
            f"{path}: unknown input format; use one of {', '.join(FORMATS)}"
        )
    try:
        import pandas as pd
    except ImportError:
        raise BatchError("drift checks need pandas: pip install pandas") from None
    if not path.is_file():
        raise BatchError(f"{path}: no such file")
    try:
        if suffix == ".csv":
            return pd.read_csv(path)
        if suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.DataFrame(json.loads(path.read_text(encoding="utf-8")))
    except ImportError as exc:  # parquet without pyarrow
        raise BatchError(f"{path}: {exc}") from None
    except ValueError as exc:  # pandas' parser errors, bad JSON, an empty file
        what = f"{path}: cannot read it as {suffix[1:].upper()}: {_one_line(exc)}"
        raise BatchError(what) from None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _error(prog: str, message: str) -> None:
    print(f"{prog}: error: {message}", file=sys.stderr)
