"""Parameter files and grids for ``nb2prod run``: ``-f params.yaml`` holds one set of
values; ``--grid grid.yaml`` maps names to lists and runs one job per combination."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from nb2prod.errors import UsageError


def read_yaml_mapping(path: Path, what: str) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: the {what} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise UsageError(f"{path}: the {what} must map parameter names to values")
    return data


def combinations(grid: dict[str, Any]) -> list[dict[str, Any]]:
    """Every combination of the grid's lists, in file order (a scalar is a list of one)."""
    names = list(grid)
    choices = [value if isinstance(value, list) else [value] for value in grid.values()]
    if any(not values for values in choices):
        empty = [name for name, values in zip(names, choices) if not values]
        raise UsageError(f"the grid gives no value for {', '.join(empty)}")
    return [dict(zip(names, values)) for values in itertools.product(*choices)]
