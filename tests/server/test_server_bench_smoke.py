"""The server benchmark runs end to end (a real Jupyter server) and reports its goal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "bench" / "server_bench.py"


def test_the_server_benchmark_runs(tmp_path):
    out = tmp_path / "server.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--cells", "40", "--json-out", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "lint endpoint under 150 ms" in done.stdout and "ratio lint/contents read" in done.stdout
    assert set(json.loads(out.read_text())["medians_ms"]) == {
        "lint (saved file)",
        "lint (unsaved JSON)",
        "peer: GET /api/contents",
    }
