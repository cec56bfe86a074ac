"""The package as an MLflow pyfunc model, logged from code (``mlflow.models.set_model``).

``nb2prod export --log-model`` logs it; by hand::

    mlflow.pyfunc.log_model(
        name="model",
        python_model="src/orders/mlflow_model.py",
        code_paths=["src/orders"],
        pip_requirements="requirements.lock.txt",
    )

Needs MLflow: ``pip install 'orders[mlflow]'``.
"""

from __future__ import annotations

from typing import Any

import mlflow
from mlflow.pyfunc import PythonModel

import orders
from orders.cli import as_input


class NotebookModel(PythonModel):
    """Loads once per process (``load_context``), then predicts per batch."""

    def load_context(self, context: Any) -> None:
        orders.load()

    def predict(
        self, context: Any, model_input: Any, params: dict[str, Any] | None = None
    ) -> Any:
        # MLflow hands lists and records over as a DataFrame: shape them like the example.
        return orders.predict(as_input(model_input), **(params or {}))


mlflow.models.set_model(NotebookModel())
