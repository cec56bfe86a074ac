"""nb2prod.child with real child processes (tests/child_handlers.py), and its standalone
copy in a fresh virtual environment where nb2prod is not installed."""

from __future__ import annotations

import ast
import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from nb2prod.child import Child, ChildDied, ChildError, call, call_async, copy_standalone
from nb2prod.exporter.verify import clean_env

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = "tests.child_handlers"


def _child() -> Child:
    return Child(HANDLERS, cwd=ROOT)


def test_a_round_trip_carries_pickled_values_larger_than_a_pipe():
    value = {"array": np.arange(300_000), "bytes": bytes(range(256)) * 4096, "none": None}
    answer = call(HANDLERS, ("echo", value), cwd=ROOT)
    assert answer.keys() == value.keys() and answer["bytes"] == value["bytes"]
    assert (answer["array"] == value["array"]).all() and answer["none"] is None


def test_two_round_trips_on_one_child_and_replies_read_later():
    with _child() as child:
        child.send(("echo", 1))  # the child answers while the parent does something else
        child.send(("echo", [2]))
        assert child.receive() == 1
        assert child.receive() == [2]
        assert child.call(("echo", "three")) == "three"
        pid = child.process.pid
    assert child.process.returncode == 0 and pid


def test_what_the_handler_prints_to_stdout_leaves_the_replies_intact():
    with _child() as child:
        assert child.call(("noisy", {"kept": True})) == {"kept": True}
        assert child.call(("echo", 2)) == 2


def test_an_nb2prod_error_arrives_with_its_class_message_hint_and_exit_code():
    with pytest.raises(ChildError) as caught:
        call(HANDLERS, ("usage", "bad value", "use a good one"), cwd=ROOT)
    error = caught.value
    assert (error.kind, error.name) == ("nb2prod.errors.UsageError", "UsageError")
    assert (error.message, error.hint, error.exit_code) == ("bad value", "use a good one", 2)
    assert error.lines[-1] == "nb2prod.errors.UsageError: bad value (use a good one)"
    assert any("child_handlers.py" in line for line in error.lines)  # a short traceback


def test_other_errors_arrive_too_and_the_child_keeps_serving():
    with _child() as child:
        with pytest.raises(ChildError) as caught:
            child.call(("nonsense",))
        assert caught.value.kind == "builtins.ValueError" and caught.value.hint is None
        assert str(caught.value) == "ValueError: no such request: nonsense"
        with pytest.raises(ChildError, match="pickle"):
            child.call(("unpicklable",))
        assert child.call(("echo", "still here")) == "still here"


def test_a_child_killed_mid_request_is_a_clear_error_not_a_hang():
    with _child() as child:
        child.call(("echo", "started"))
        child.send(("sleep", 60))
        threading.Timer(0.5, os.kill, [child.process.pid, signal.SIGKILL]).start()
        started = time.monotonic()
        with pytest.raises(ChildDied, match=r"tests.child_handlers was killed \(signal 9\)"):
            child.receive()
    assert time.monotonic() - started < 30


def test_a_crash_brings_the_tail_of_stderr():
    with pytest.raises(ChildDied) as caught:
        call(HANDLERS, ("crash",), cwd=ROOT)
    assert "ended (exit status 7) before it replied: last words" in str(caught.value)
    assert caught.value.lines[-1] == "last words"


def test_no_reply_within_the_timeout_stops_the_child():
    started = time.monotonic()
    with pytest.raises(ChildDied, match="gave no reply within 1 s"):
        call(HANDLERS, ("sleep", 60), cwd=ROOT, timeout=1)
    assert time.monotonic() - started < 30


def test_the_async_call_speaks_the_same_frames():
    assert asyncio.run(call_async(HANDLERS, ("noisy", [1, 2]), cwd=ROOT)) == [1, 2]
    with pytest.raises(ChildError) as caught:
        asyncio.run(call_async(HANDLERS, ("usage", "no", None), cwd=ROOT))
    assert caught.value.name == "UsageError" and caught.value.exit_code == 2
    with pytest.raises(ChildDied, match="last words"):
        asyncio.run(call_async(HANDLERS, ("crash",), cwd=ROOT))


def test_the_protocol_module_imports_nothing_heavy():
    probe = "import sys, nb2prod.child; print(sorted({'asyncio', 'pickle', 'subprocess', 'threading'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.parametrize("module", ["child.py", "exporter/verify_child.py"])
def test_the_modules_a_foreign_python_runs_use_the_standard_library_only(module):
    tree = ast.parse((ROOT / "nb2prod" / module).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            assert (node.level, node.module) == (2, "child")  # the copied protocol
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        assert all(name.partition(".")[0] in sys.stdlib_module_names for name in names), names


def test_the_standalone_driver_runs_in_a_fresh_venv_without_nb2prod(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True, env=clean_env(),
    ).stdout.strip()  # fmt: skip
    Path(purelib, "tinypkg.py").write_text(
        "def predict(values, *, scale=1):\n"
        "    print('predicting')  # user code printing to stdout\n"
        "    return [v * scale for v in values]\n"
    )
    folder = tmp_path / "driver"
    driver = copy_standalone("nb2prod.exporter.verify_child", folder)
    assert driver == "nb2prod_standalone.exporter.verify_child"
    with Child(driver, python=python, cwd=folder, env=clean_env()) as child:
        assert isinstance(child.call({"import": "tinypkg"}), float)
        cases = [{}, {"scale": 3}, {"scale": None}]
        results = child.call({"predict": "tinypkg", "inputs": {"values": [1, 2]}, "cases": cases})
        assert [r.get("value") for r in results] == [[1, 2], [3, 6], None]
        assert not results[2]["ok"] and "TypeError" in results[2]["error"]
        with pytest.raises(ChildError) as caught:
            child.call({"import": "nb2prod"})
        assert str(caught.value) == "ModuleNotFoundError: No module named 'nb2prod'"
        assert child.call({"import": "code"}) >= 0  # the standard library's, not exporter/code.py
