"""``orders predict --input FILE [--param NAME=VALUE ...] [--output FILE] [--model URI]``,
``orders schema [--format table|json]`` and ``orders drift --input FILE``.

Files are read and written by extension: .csv and .parquet (through pandas), .json.
Without ``--output`` the prediction is printed as JSON.  An input that does not fit the
input contract is refused with every problem listed (exit 2).  ``--model models:/NAME@champion``
predicts with that MLflow model instead of this package's code (``_registered.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any

from orders._drift_command import add_parser as add_drift_parser
from orders._drift_command import run as run_drift
from orders._validation import InputError, InputWarning

#: How the notebook's example input looked, so files are read into the same shape.
INPUT_KIND = "records"
INPUTS = ["order"]
FORMATS = (".csv", ".json", ".parquet")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="orders",
        description="Predictions of notebooks/orders.ipynb, exported by nb2prod.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    predict = commands.add_parser(
        "predict",
        help="predict for the rows of an input file",
        description="input: order: list of dict(sku: str, qty: int) (all of it: orders schema)",
    )
    predict.add_argument(
        "--input", required=True, type=Path, help="a .csv, .json or .parquet file"
    )
    predict.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a runtime parameter: discount (default 0.0); currency (default 'EUR'); rounding (default 2); express (default False); extras (default ['gift'])",
    )
    predict.add_argument(
        "--output", type=Path, help="where to write (.csv, .json, .parquet)"
    )
    predict.add_argument(
        "--strict",
        action="store_true",
        help="refuse values outside the range seen, unseen categories",
    )
    predict.add_argument(
        "--no-validate",
        action="store_true",
        help="skip the input check (validated upstream)",
    )
    predict.add_argument(
        "--model",
        metavar="MODEL_URI",
        help="predict with this MLflow model instead of this package's code: "
        "models:/NAME@champion, models:/NAME/VERSION or runs:/RUN_ID/model "
        "(needs the [mlflow] extra)",
    )
    predict.add_argument(
        "--tracking-uri",
        metavar="URI",
        help="the MLflow store of --model (default: $MLFLOW_TRACKING_URI)",
    )
    schema = commands.add_parser(
        "schema", help="show the input contract predict checks"
    )
    schema.add_argument("--format", choices=("table", "json"), default="table")
    add_drift_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "drift":
        return run_drift(args, "orders")
    if args.command == "schema":
        return show_schema(args.format)

    if args.model is not None:
        if args.strict or args.no_validate:
            parser.error(
                "--strict and --no-validate are for this package's code, not --model"
            )
        return predict_registered(args)
    if args.tracking_uri is not None:
        parser.error("--tracking-uri is the store of --model")
    from orders import predict as predict_with

    try:
        params = dict(_parameter(text) for text in args.param)
        inputs = read_input(args.input)
        validate = "off" if args.no_validate else "on"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InputWarning)
            result = predict_with(
                *inputs, validate=validate, strict=args.strict, **params
            )
        for warning in caught:
            if issubclass(warning.category, InputWarning):
                print(f"orders: warning: {warning.message}", file=sys.stderr)
            else:  # the notebook's own warnings, as Python shows them
                warnings.showwarning(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
        write_output(result, args.output)
    except (InputError, TypeError, OSError) as exc:
        print(f"orders: error: {exc}", file=sys.stderr)
        return 2
    return 0


def predict_registered(args: argparse.Namespace) -> int:
    """``predict --model``: the answers of the MLflow model, in a child process."""
    from orders._registered import RegisteredModelError
    from orders._registered import predict_registered as predict_with

    try:
        params = dict(_parameter(text) for text in args.param)
        inputs = read_input(args.input)
        data = inputs[0] if len(INPUTS) == 1 else dict(zip(INPUTS, inputs))
        result, version = predict_with(
            args.model, data, tracking_uri=args.tracking_uri, params=params
        )
        if version is not None and not args.model.endswith(f"/{version}"):  # an alias
            print(f"orders: {args.model} is version {version}", file=sys.stderr)
        write_output(result, args.output)
    except RegisteredModelError as exc:
        print(f"orders: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (InputError, OSError) as exc:
        print(f"orders: error: {exc}", file=sys.stderr)
        return 2
    return 0


def show_schema(form: str) -> int:
    """Print the input contract: a table, or the JSON predict checks against."""
    from orders._schema import table
    from orders._validation import contract

    if form == "json":
        print(json.dumps(contract(), indent=2))
    else:
        print(table(contract()))
    return 0


def _parameter(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise InputError(f"--param {text!r}: write NAME=VALUE")
    return name.strip(), value


def read_input(path: Path) -> list[Any]:
    """The positional inputs of ``predict``, read from ``path``."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"{path}: unknown input format; use one of {', '.join(FORMATS)}"
        )
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
    else:
        pd = _pandas(suffix)
        data = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    if len(INPUTS) != 1:
        if not isinstance(data, dict) or set(data) != set(INPUTS):
            raise InputError(
                f"{path}: give a JSON object with the keys {', '.join(INPUTS)}"
            )
        return [data[name] for name in INPUTS]
    return [as_input(data)]


def as_input(data: Any) -> Any:
    """``data`` (a table or parsed JSON) in the shape of the notebook's example input."""
    if INPUT_KIND == "dataframe":
        return data if hasattr(data, "columns") else _pandas(".json").DataFrame(data)
    if INPUT_KIND == "series":
        frame = data if hasattr(data, "columns") else _pandas(".json").DataFrame(data)
        return frame.iloc[:, 0]
    if INPUT_KIND == "ndarray":
        import numpy as np

        return np.asarray(data.to_numpy() if hasattr(data, "to_numpy") else data)
    if INPUT_KIND == "records" and hasattr(data, "to_dict"):
        return data.to_dict(orient="records")
    if INPUT_KIND == "list" and hasattr(data, "columns"):
        return data.iloc[:, 0].tolist()
    if INPUT_KIND == "list" and hasattr(data, "tolist"):
        return data.tolist()
    return data


def write_output(result: Any, path: Path | None) -> None:
    """Write ``result`` to ``path`` by its extension, or print it as JSON."""
    suffix = path.suffix.lower() if path else ".json"
    if suffix not in FORMATS:
        raise InputError(
            f"{path}: unknown output format; use one of {', '.join(FORMATS)}"
        )
    if suffix == ".json":
        text = json.dumps(_jsonable(result), indent=2) + "\n"
        if path is None:
            sys.stdout.write(text)
        else:
            path.write_text(text, encoding="utf-8")
        return
    frame = _frame(result, _pandas(suffix))
    keep_index = not _plain_index(frame)
    if suffix == ".csv":
        frame.to_csv(path, index=keep_index)
    else:
        frame.to_parquet(path, index=keep_index)


def _pandas(suffix: str):
    try:
        import pandas
    except ImportError:
        raise InputError(f"{suffix} files need pandas: pip install pandas") from None
    return pandas


def _frame(result: Any, pd):
    if hasattr(result, "columns"):
        return result
    if hasattr(result, "to_frame"):
        return result.to_frame(
            name=result.name if result.name is not None else "prediction"
        )
    values = _jsonable(result)
    return pd.DataFrame(
        {"prediction": values if isinstance(values, list) else [values]}
    )


def _plain_index(frame) -> bool:
    index = frame.index
    return type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1


def _jsonable(value: Any) -> Any:
    if hasattr(
        value, "to_json"
    ):  # pandas: its own conversion of dates, NaN and numpy types
        orient = "records" if hasattr(value, "columns") else "values"
        return json.loads(value.to_json(orient=orient))
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value
