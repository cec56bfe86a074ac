"""Notebooks as jobs: ``nb2prod run`` (papermill, strict, tracked), grids, the pytest plugin."""
