"""The rendered package run once in a fresh interpreter of this environment, for ``probe``:
``python -I -m nb2prod.exporter.probe_child`` (isolated: no PYTHONPATH, no user site, no
current directory on ``sys.path``); a child of nb2prod.child's protocol.
"""

from __future__ import annotations

import builtins
import importlib
import pickle
import sys
from dataclasses import dataclass
from typing import Any

from nb2prod.child import serve

# Modules that import what pickled objects need to be rebuilt.
_UNPICKLERS = (
    "pickle", "_pickle", "copyreg", "joblib.numpy_pickle", "cloudpickle", "dill", "pandas.io.pickle"
)  # fmt: skip


@dataclass
class Probe:
    src: str  # the staging folder's src/, put first on sys.path
    name: str  # the package
    cases: str  # the pickled golden data: {"inputs": {...}, "cases": [{"params": ...}, ...]}


def probe(request: Probe) -> dict[str, list[str]]:
    """The top-level modules imported while unpickling the golden data (``golden``) and
    while the package loads and predicts on it (``package``).

    Only imports made by the package's own code, or made to rebuild pickled objects, count:
    a library's optional imports of whatever happens to be installed do not."""
    sys.path.insert(0, request.src)
    seen: dict[str, set[str]] = {"golden": set(), "package": set()}
    phase = "golden"

    def counts(caller: str) -> bool:
        # unpickling the golden file here: the C unpickler imports as this module does
        if phase == "golden" and caller == __name__:
            return True
        return any(caller == m or caller.startswith(m + ".") for m in (request.name, *_UNPICKLERS))

    def tracking_import(module, globals=None, locals=None, fromlist=(), level=0):
        caller = (globals if globals is not None else sys._getframe(1).f_globals).get("__name__")
        if level == 0 and counts(caller or ""):
            seen[phase].add(module.split(".")[0])
        return real_import(module, globals, locals, fromlist, level)

    real_import = builtins.__import__
    builtins.__import__ = tracking_import
    try:
        with open(request.cases, "rb") as fh:
            golden: dict[str, Any] = pickle.load(fh)
        phase = "package"
        package = importlib.import_module(request.name)
        package.load()
        for case in golden["cases"]:
            package.predict(*golden["inputs"].values(), **case["params"])
    finally:
        builtins.__import__ = real_import
    return {key: sorted(value) for key, value in seen.items()}


if __name__ == "__main__":
    serve(probe)
