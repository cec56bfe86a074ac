"""The magics in a plain IPython shell (a terminal, not Jupyter): no notebook is known, and
tables are text."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
from IPython.testing.globalipapp import start_ipython
shell = start_ipython()
shell.run_line_magic("load_ext", "nb2prod")
result = shell.run_cell("%%nb2prod track --log score\\nscore = 0.5\\nscore * 4")
print("RESULT", result.result, result.success)
shell.run_line_magic("nb2prod", "runs")
lint = shell.run_cell("%nb2prod lint")
print("LINT OK", lint.success)
"""


def test_a_terminal_shell_tracks_and_prints_text(tmp_path, store_uri):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"MLFLOW_TRACKING_URI": store_uri, "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert "RESULT 2.0 True" in done.stdout, done.stdout + done.stderr
    assert "1 run(s) of notebooks" in done.stdout and "score=0.5" in done.stdout
    assert "<table>" not in done.stdout
    assert "LINT OK False" in done.stdout
    assert "does not know its notebook" in done.stdout + done.stderr
