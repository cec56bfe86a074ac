"""A child of nb2prod.child's protocol for tests/test_child.py: ``python -m
tests.child_handlers`` from the repository's root; each request names what to do."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

from nb2prod.child import MAGIC, serve
from nb2prod.errors import UsageError


def handle(request: tuple) -> Any:
    what, *args = request
    if what == "echo":
        return args[0]
    if what == "noisy":  # everything user code might write to stdout, a frame's start too
        print("from print()", MAGIC)
        sys.stdout.flush()
        os.write(1, MAGIC + b"\x00" * 8 + b"from fd 1\n")
        subprocess.run([sys.executable, "-c", "print('from a grandchild')"], check=True)
        return args[0]
    if what == "usage":
        raise UsageError(args[0], args[1])
    if what == "sleep":
        time.sleep(args[0])
        return "woke"
    if what == "crash":
        print("last words", file=sys.stderr, flush=True)
        os._exit(7)
    if what == "unpicklable":
        return lambda: None
    raise ValueError(f"no such request: {what}")


if __name__ == "__main__":
    serve(handle)
