"""nb2prod: take Jupyter notebooks to production."""

__version__ = "0.1.0"
