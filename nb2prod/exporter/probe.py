"""Run the rendered package once, outside the notebook, to learn what it needs at run time.

Imports say only part of it: a model saved with joblib needs scikit-learn to load, though
no exported cell imports sklearn.  So, like MLflow's requirement inference, the package is
imported from the staging folder in a fresh interpreter of this environment, ``load()`` and
``predict()`` run on the captured example, and the modules that appear are mapped to the
distributions installed here.  Modules that only unpickling the golden data needs (pandas'
pyarrow-backed strings) go to the ``test`` extra instead.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from nb2prod.exporter.plan import ExportRefusal

_SCRIPT = """
import builtins, importlib, json, pickle, sys
src, name, cases = sys.argv[1:4]
sys.path.insert(0, src)
# Only imports made by the package's own code, or made to rebuild pickled objects, count:
# a library's optional imports of whatever happens to be installed do not.
unpicklers = (
    "pickle", "_pickle", "copyreg", "joblib.numpy_pickle", "cloudpickle", "dill", "pandas.io.pickle"
)
seen = {"golden": set(), "package": set()}
phase = ["golden"]
real_import = builtins.__import__

def counts(caller):
    if phase[0] == "golden" and caller == "__main__":
        return True
    return any(caller == m or caller.startswith(m + ".") for m in (name, *unpicklers))

def tracking_import(module, globals=None, locals=None, fromlist=(), level=0):
    caller = (globals if globals is not None else sys._getframe(1).f_globals).get("__name__")
    if level == 0 and counts(caller or ""):
        seen[phase[0]].add(module.split(".")[0])
    return real_import(module, globals, locals, fromlist, level)

builtins.__import__ = tracking_import
with open(cases, "rb") as fh:
    golden = pickle.load(fh)
phase[0] = "package"
package = importlib.import_module(name)
package.load()
for case in golden["cases"]:
    package.predict(*golden["inputs"].values(), **case["params"])
print(json.dumps({key: sorted(value) for key, value in seen.items()}))
"""


@dataclass
class RuntimeModules:
    package: list[str]  # imported by load/predict
    golden: list[str]  # imported by unpickling the golden input and outputs


def probe_modules(staging: Path, name: str, cases_file: Path) -> RuntimeModules:
    """Top-level modules the package imports when it loads and predicts."""
    done = subprocess.run(
        [sys.executable, "-I", "-c", _SCRIPT, str(staging / "src"), name, str(cases_file)],
        capture_output=True,
        text=True,
        cwd=staging,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        missing = re.fullmatch(r"ModuleNotFoundError: No module named '([\w.]+)'", last)
        hint = (
            f"`{missing.group(1)}` is importable beside the notebook but not installed: the "
            "package does not carry your project's own modules; install them as a package, "
            "or move what predict needs into an export cell"
            if missing
            else "the code relies on something the notebook had that its tagged cells do not "
            "provide; run the load and predict cells in a fresh kernel to see where"
        )
        raise ExportRefusal(f"the exported package fails outside the notebook: {last}", hint)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return RuntimeModules(package=found["package"], golden=found["golden"])
