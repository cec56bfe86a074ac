"""Drift checks: a batch of inputs compared with statistics of the reference data.

``reference.py`` summarises a DataFrame into JSON-able statistics (quantiles, bins,
category counts; never the rows), ``measures.py`` computes the tests from those statistics
and the new batch, ``check.py`` picks the tests and decides, ``report.py`` holds the result
and its table and JSON, ``source.py`` finds the statistics of a model and reads the batch,
``record.py`` logs a check to MLflow.  Only numpy is needed until a check runs; pandas and
scipy are imported inside the functions that use them.
"""

from __future__ import annotations

#: The statistics file an exported package ships beside its ``provenance.json``.
STATS_FILE = "_reference_stats.json"
#: The version of the statistics format (``"format"`` in the file).
STATS_FORMAT = 1
