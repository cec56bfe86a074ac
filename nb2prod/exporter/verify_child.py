"""The package's side of ``nb2prod verify``, inside the fresh virtual environment where
nb2prod is not installed: import the installed package, then call its ``predict`` on each
golden case.  A child of nb2prod.child's protocol with two round trips, so the import is
timed before unpickling the golden data imports pandas and the like.

Standard library only, and the protocol imported relatively: verify runs a copy of this
file and of nb2prod/child.py as a package of their own (``child.copy_standalone``).
Requests and replies are plain data, since this module's classes would have another name
there.
"""

from __future__ import annotations

import importlib
import time
import traceback
from typing import Any

from ..child import serve


def handle(request: dict[str, Any]) -> Any:
    """``{"import": PACKAGE}`` gives the seconds the import took;
    ``{"predict": PACKAGE, "inputs": {...}, "cases": [params, ...]}`` the outcome of each
    case: ``{"ok": True, "value", "seconds"}`` or ``{"ok": False, "error", "seconds"}``."""
    if "import" in request:
        started = time.perf_counter()
        importlib.import_module(request["import"])
        return time.perf_counter() - started
    return predict_cases(request["predict"], request["inputs"], request["cases"])


def predict_cases(package: str, inputs: dict[str, Any], cases: list[dict[str, Any]]) -> list:
    module = importlib.import_module(package)  # imported already, by the first request
    results: list[dict[str, Any]] = []
    for params in cases:
        started = time.perf_counter()
        try:
            value = module.predict(*inputs.values(), **params)
            results.append({"ok": True, "value": value})
        except Exception:
            results.append({"ok": False, "error": traceback.format_exc(limit=-3)})
        results[-1]["seconds"] = time.perf_counter() - started
    return results


if __name__ == "__main__":
    serve(handle)
