"""Drift checks: a batch of inputs compared with statistics of the reference data.

``reference.py`` summarises a DataFrame into JSON-able statistics (quantiles, bins,
category counts; never the rows), ``measures.py`` computes the tests from those statistics
and the new batch, ``check.py`` picks the tests and decides, ``report.py`` holds the result
and its table and JSON, ``source.py`` finds the statistics of a model and reads the batch,
``record.py`` logs a check to MLflow, ``run.py`` does it all for ``nb2prod drift``.  The
engine (``reference``, ``measures``, ``check``, ``report``, ``problems``) imports nothing
of nb2prod outside this folder, and only relatively, so an exported package can carry a
copy (``engine_files``).  Nothing heavy is imported until a check runs: numpy, pandas and
scipy inside the functions that use them.
"""

from __future__ import annotations

#: The statistics file an exported package ships beside its ``provenance.json``.
STATS_FILE = "_reference_stats.json"

#: The modules an exported package copies to check drift without nb2prod.
ENGINE = ("problems", "reference", "measures", "report", "check")


def engine_files() -> list:
    """The engine's source files (``pathlib.Path``), to copy into a package's folder."""
    from pathlib import Path

    return [Path(__file__).with_name(f"{name}.py") for name in ENGINE]
