"""Runtime parameters of ``predict``, with the defaults of the notebook's parameters cell.

Build parameters (prices_path) were fixed when the package was exported;
their values are in provenance.json.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

_TYPES = {
    "discount": "float",
    "currency": "str",
    "rounding": "int",
    "express": "bool",
    "extras": "list",
}
BUILD_PARAMETERS = ("prices_path",)


@dataclass(frozen=True)
class Params:
    """The parameters ``predict`` takes per call; the defaults are the notebook's."""

    discount: float = 0.0
    """fraction taken off"""

    currency: str = "EUR"
    """shown with totals"""

    rounding: int = 2
    """decimals"""

    express: bool = False
    """next-day delivery"""

    extras: list = field(default_factory=lambda: ["gift"])
    """add-ons allowed"""

    def __post_init__(self) -> None:
        for item in fields(self):
            value = _convert(item.name, getattr(self, item.name), _TYPES[item.name])
            object.__setattr__(self, item.name, value)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Params:
        """Params from ``{name: value}``; unknown names raise TypeError naming the valid ones."""
        unknown = sorted(set(values) - set(_TYPES))
        if unknown:
            raise TypeError(_unknown_message(unknown))
        return cls(**values)


def _unknown_message(unknown: list[str]) -> str:
    valid = ", ".join(_TYPES) or "none"
    fixed = [name for name in unknown if name in BUILD_PARAMETERS]
    message = (
        f"unknown parameter {', '.join(unknown)}; valid runtime parameters: {valid}"
    )
    if fixed:
        message += f" ({', '.join(fixed)} was fixed when the package was exported)"
    return message


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _convert(name: str, value: Any, kind: str) -> Any:
    """``value`` as a ``kind``; converts only what cannot lose information."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()  # a numpy scalar
    if kind == "any":
        return value
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
    elif kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
    elif kind == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
    elif kind == "str":
        if isinstance(value, str):
            return value
    elif kind in ("list", "dict"):
        wanted = list if kind == "list" else dict
        if isinstance(value, tuple) and kind == "list":
            value = list(value)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        if isinstance(value, wanted):
            return value
    raise TypeError(f"parameter {name} must be {kind}, not {value!r}")
