"""Batch scoring (``nb2prod score``): an exported package or a logged MLflow model applied
to CSV or Parquet files, in chunks on this machine or in partitions on Dask.

``model.py`` resolves the model, ``tables.py`` reads and writes the files, ``frames.py``
turns a model's answer into prediction columns, ``executors.py`` runs it locally or on
Dask; ``score.py`` is the entry point.  pandas, pyarrow, Dask and MLflow are imported
inside the functions that need them.
"""
