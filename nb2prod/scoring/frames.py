"""One chunk scored: the model's answer turned into prediction columns beside the input.

The output of ``nb2prod score`` holds each input row, its columns as read, followed by the
prediction column(s): the columns of a DataFrame the model returns, a Series' name, else
``prediction`` (``prediction_0``, ``prediction_1``, … for a 2-D array).  A prediction
column named like an input column is written as ``prediction_<name>``.  Every executor
calls ``score_frame``, so every executor writes the same rows with the same types.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from nb2prod.errors import UsageError
from nb2prod.scoring.model import ModelFailed, ModelSpec, loaded


class MissingColumns(UsageError):
    """The model needs columns the input does not have (an input problem: exit 2)."""


class ContractProblem(UsageError):
    """An exported package's input check refused the rows (its InputError: exit 2)."""


def score_frame(
    frame: Any,
    spec: ModelSpec,
    params: Mapping[str, Any],
    input_dtypes: Mapping[str, Any],
    output_dtypes: Mapping[str, Any] | None = None,
) -> Any:
    """``frame`` (one chunk, read with ``input_dtypes``) and its prediction columns, typed
    as ``output_dtypes`` (the scored sample's) when given."""
    frame = conform(frame.reset_index(drop=True), input_dtypes, "the input")
    model = loaded(spec)
    try:
        result = model.predict(frame, params)
    except Exception as exc:
        problems = getattr(exc, "problems", None)
        if type(exc).__name__ == "InputError" and isinstance(problems, list):
            shown = "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
            raise ContractProblem(
                f"the input does not fit the model's input contract: {shown}",
                "see the package's input contract: PKG schema",
            ) from None
        missing = missing_columns(exc, frame)
        if missing:
            raise MissingColumns(
                f"the model needs column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}, which the input lacks"
            ) from None
        from nb2prod.errors import first_line

        raise ModelFailed(f"the model raised {first_line(exc)}") from None
    scored = with_predictions(frame, prediction_columns(result, len(frame)))
    return scored if output_dtypes is None else conform(scored, output_dtypes, "the predictions")


def prediction_columns(result: Any, rows: int) -> Any:
    """The model's answer for ``rows`` rows as a DataFrame of prediction columns."""
    import numpy as np
    import pandas as pd

    if isinstance(result, pd.DataFrame):
        columns = result.reset_index(drop=True)
        columns.columns = [str(c) for c in columns.columns]
    elif isinstance(result, pd.Series):
        name = "prediction" if result.name is None else str(result.name)
        columns = result.reset_index(drop=True).to_frame(name=name)
    elif isinstance(result, (np.ndarray, list, tuple)):
        if isinstance(result, (list, tuple)) and result and isinstance(result[0], dict):
            columns = pd.DataFrame(list(result))
        else:
            array = np.asarray(result)
            if array.ndim == 1:
                columns = pd.DataFrame({"prediction": array})
            elif array.ndim == 2:
                columns = pd.DataFrame(
                    array, columns=[f"prediction_{i}" for i in range(array.shape[1])]
                )
            else:
                raise ModelFailed(
                    f"the model returned a {array.ndim}-D array; score needs one row per input row"
                )
    else:
        raise ModelFailed(
            f"the model returned {type(result).__name__}, not one prediction per row "
            "(a DataFrame, Series, array or list)"
        )
    if len(columns) != rows:
        raise ModelFailed(f"the model returned {len(columns)} predictions for {rows} rows")
    return columns


def with_predictions(frame: Any, predictions: Any) -> Any:
    """The input rows followed by the prediction columns."""
    import pandas as pd

    taken = set(frame.columns)
    predictions = predictions.rename(
        columns={c: f"prediction_{c}" for c in predictions.columns if c in taken}
    )
    return pd.concat([frame, predictions], axis=1)


def conform(frame: Any, dtypes: Mapping[str, Any], what: str) -> Any:
    """``frame`` with the columns and types of the first rows; a column that cannot take
    them is an error."""
    if list(frame.columns) != list(dtypes):
        raise ModelFailed(
            f"{what} columns are {', '.join(map(str, frame.columns))}, "
            f"not those of the first rows ({', '.join(map(str, dtypes))})"
        )
    changed = {c: t for c, t in dtypes.items() if frame[c].dtype != t}
    if not changed:
        return frame
    try:
        return frame.astype(changed)
    except (ValueError, TypeError) as exc:
        names = ", ".join(f"{c} ({frame[c].dtype}, not {t})" for c, t in changed.items())
        raise ModelFailed(
            f"the types of {what} differ from the first rows': {names}: {exc}"
        ) from None


_SKLEARN_MISSING = re.compile(r"yet now missing:\s*((?:\s*- .+\n?)+)")
_MLFLOW_MISSING = re.compile(r"missing inputs:? \[([^\]]*)\]")


def missing_columns(exc: BaseException, frame: Any) -> list[str]:
    """The input columns ``exc`` says the model missed, when it says so (a KeyError of a
    column name, scikit-learn's and MLflow's messages); else []."""
    present = {str(c) for c in frame.columns}
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
        key = exc.args[0]
        # a key that is a value of the input (an unknown category) is the model's problem
        is_value = any(
            (frame[c] == key).any()
            for c in frame.columns
            if frame[c].dtype.kind in "OSU" or str(frame[c].dtype) in ("str", "string")
        )
        return [key] if key not in present and not is_value else []
    text = str(exc)
    found = _SKLEARN_MISSING.search(text)
    if found:
        names = [
            line.strip()[2:].strip()
            for line in found.group(1).splitlines()
            if line.strip().startswith("- ")
        ]
        return [n for n in names if n and n not in present and n != "..."]
    found = _MLFLOW_MISSING.search(text)
    if found:
        names = [n.strip().strip("'\"") for n in found.group(1).split(",")]
        return [n for n in names if n and n not in present]
    return []
