"""Run inside the fresh virtual environment by ``nb2prod verify``: import the installed
package, call ``predict`` on each golden case, and pickle what came back.

Standard library only: this file runs where nb2prod is not installed.
Usage: python _driver.py PACKAGE CASES.pkl RESULTS.pkl
"""

import importlib
import pickle
import sys
import time
import traceback


def main() -> None:
    package, cases_path, results_path = sys.argv[1:4]
    started = time.perf_counter()
    module = importlib.import_module(package)
    imported = time.perf_counter() - started
    with open(cases_path, "rb") as fh:
        golden = pickle.load(fh)
    inputs = list(golden["inputs"].values())
    results = []
    for case in golden["cases"]:
        started = time.perf_counter()
        try:
            value = module.predict(*inputs, **case["params"])
            results.append({"ok": True, "value": value})
        except Exception:
            results.append({"ok": False, "error": traceback.format_exc(limit=-3)})
        results[-1]["seconds"] = time.perf_counter() - started
    with open(results_path, "wb") as fh:
        pickle.dump({"import_seconds": imported, "results": results}, fh, protocol=4)


if __name__ == "__main__":
    main()
