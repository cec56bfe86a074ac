"""A gate for tests/concurrency.py, loaded by every process started with this folder on
PYTHONPATH and ``NB2PROD_TEST_GATE`` set to a folder: a process that has just imported
MLflow (a job's recorder or a kernel's tracked cell; what it does next is open the store)
says so with a file ``arrived-PID`` there and waits until the test writes ``go``.  So they
all open the store at the same instant, as processes on more cores would."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import time

_GATE = os.environ.get("NB2PROD_TEST_GATE")


def _wait_at_the_gate() -> None:
    open(os.path.join(_GATE, f"arrived-{os.getpid()}"), "w").close()
    deadline = time.monotonic() + 120
    while not os.path.exists(os.path.join(_GATE, "go")) and time.monotonic() < deadline:
        time.sleep(0.01)


class _AfterMlflow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != "mlflow":
            return None
        sys.meta_path.remove(self)  # once, and the real finders do the finding
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            execute = spec.loader.exec_module

            def exec_module(module):
                execute(module)
                _wait_at_the_gate()

            spec.loader.exec_module = exec_module
        return spec


if _GATE:
    sys.meta_path.insert(0, _AfterMlflow())
