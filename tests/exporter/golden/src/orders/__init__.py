"""orders: the predictions of notebooks/orders.ipynb, exported by nb2prod.

``predict(order, **runtime_params)`` returns what the notebook's predict cells return;
``load()`` runs its load cells, once. This file is generated: change the notebook and
export again rather than editing it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from orders._params import Params

__version__ = "1.2.0"
__all__ = [
    "InputError",
    "InputWarning",
    "Params",
    "__version__",
    "load",
    "predict",
    "predict_registered",
]

if TYPE_CHECKING:
    from orders._validation import InputError, InputWarning


def __getattr__(name: str) -> Any:
    """``InputError`` and ``InputWarning``, imported on first use: the input check's
    module loads with the first ``predict``, keeping ``import orders`` fast."""
    if name in ("InputError", "InputWarning"):
        from orders import _validation

        return getattr(_validation, name)
    if (
        name == "RegisteredModelError"
    ):  # predict_registered's: the model could not answer
        from orders import _registered

        return _registered.RegisteredModelError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_load_lock = threading.Lock()
_loaded = False


def load() -> None:
    """Run the notebook's load cells; later calls return at once."""
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if not _loaded:
            from orders import _notebook

            _notebook._nb2prod_load()
            _loaded = True


def predict_registered(
    model_uri: str,
    data: Any,
    /,
    *,
    tracking_uri: str | None = None,
    **runtime_params: Any,
) -> Any:
    """The prediction of the MLflow model ``model_uri`` (``models:/NAME@champion``,
    ``models:/NAME/VERSION``, ``runs:/RUN_ID/model``) rather than of this package's code,
    for ``data`` shaped as ``predict`` takes it.

    The model is loaded and asked in a child process (it is usually another version of
    this package), from the store ``tracking_uri`` (default: ``MLFLOW_TRACKING_URI``).
    Needs the ``[mlflow]`` extra.  Its input errors raise ``InputError``; a missing model,
    an unreachable store or a failure raise ``orders.RegisteredModelError`` (``exit_code`` 2, 3, 4).
    """
    from orders._registered import predict_registered as child_predict

    return child_predict(
        model_uri, data, tracking_uri=tracking_uri, params=runtime_params
    )[0]


def predict(
    order, /, *, validate: str = "on", strict: bool = False, **runtime_params: Any
) -> Any:
    """The notebook's prediction for `order`.

    Runtime parameters, with the notebook's defaults (see ``Params``):

    - ``discount`` (float, default ``0.0``): fraction taken off
    - ``currency`` (str, default ``'EUR'``): shown with totals
    - ``rounding`` (int, default ``2``): decimals
    - ``express`` (bool, default ``False``): next-day delivery
    - ``extras`` (list, default ``['gift']``): add-ons allowed

    An unknown name raises TypeError; a value of the wrong type is converted when that is
    safe (``"0.7"`` for a float) and refused otherwise.

    The input is checked against the input contract (``orders schema``) before the
    notebook's code runs: missing or extra columns, types that cannot be converted safely,
    nulls where none were seen and empty input raise ``InputError`` listing every problem;
    values outside the range seen and unseen categories warn (``InputWarning``), or raise
    with ``strict=True``. ``validate="off"`` skips the check.
    """
    params = Params.from_mapping(runtime_params)
    if validate not in ("on", "off"):
        raise TypeError(f"validate={validate!r}: use 'on' or 'off'")
    if validate == "on":
        from orders._validation import checked

        (order,) = checked({"order": order}, strict=strict).values()
    load()
    from orders import _notebook

    return _notebook._nb2prod_predict(
        order,
        discount=params.discount,
        currency=params.currency,
        rounding=params.rounding,
        express=params.express,
        extras=params.extras,
    )
