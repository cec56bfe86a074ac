"""Experiment tracking in MLflow: the one store resolver shared by kernel, CLI and server."""
