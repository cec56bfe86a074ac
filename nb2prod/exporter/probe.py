"""Run the rendered package once, outside the notebook, to learn what it needs at run time.

Imports say only part of it: a model saved with joblib needs scikit-learn to load, though
no exported cell imports sklearn.  So, like MLflow's requirement inference, the package is
imported from the staging folder in a fresh interpreter of this environment, ``load()`` and
``predict()`` run on the captured example, and the modules that appear are mapped to the
distributions installed here.  Modules that only unpickling the golden data needs (pandas'
pyarrow-backed strings) go to the ``test`` extra instead.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from nb2prod.child import ChildError, call
from nb2prod.exporter.plan import ExportRefusal
from nb2prod.exporter.probe_child import Probe
from nb2prod.exporter.settings import placeholder_environment

# A file the code opens by a path written in it: nothing shipped it with the package.
_NO_FILE = re.compile(
    r"(?:FileNotFoundError|OSError): \[Errno 2\] No such file or directory: '([^']+)'"
)


@dataclass
class RuntimeModules:
    package: list[str]  # imported by load/predict
    golden: list[str]  # imported by unpickling the golden input and outputs


def probe_modules(
    staging: Path, name: str, cases_file: Path, settings: dict[str, str]
) -> RuntimeModules:
    """Top-level modules the package imports when it loads and predicts; ``settings``
    ({parameter: variable}) are set to their placeholders there, as in verification."""
    request = Probe(src=str(staging / "src"), name=name, cases=str(cases_file))
    env = {**os.environ, **placeholder_environment(settings)}
    try:
        found = call("nb2prod.exporter.probe_child", request, flags=["-I"], cwd=staging, env=env)
    except ChildError as error:
        last = error.lines[-1]
        missing = re.fullmatch(r"ModuleNotFoundError: No module named '([\w.]+)'", last)
        unshipped = _NO_FILE.search(last)
        if missing:
            hint = (
                f"`{missing.group(1)}` is importable beside the notebook but not installed: "
                "the package does not carry your project's own modules; install them as a "
                "package, or move what predict needs into an export cell"
            )
        elif unshipped:
            path = unshipped.group(1)
            hint = (
                f"the package ships only the files its build parameters name, and {path!r} is "
                "a path in the code: make it a parameter (`model_path = "
                f"{path!r}` in the parameters cell, read by the load cell) and export again"
            )
        else:
            hint = (
                "the code relies on something the notebook had that its tagged cells do not "
                "provide; run the load and predict cells in a fresh kernel to see where"
            )
        raise ExportRefusal(
            f"the exported package fails outside the notebook: {last}", hint
        ) from None
    return RuntimeModules(package=found["package"], golden=found["golden"])
