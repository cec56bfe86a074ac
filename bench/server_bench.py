"""Benchmark the server extension's lint endpoint (issue 5): a 200-cell notebook, linted by
``POST /nb2prod/lint`` on a real Jupyter server, against Jupyter's own contents endpoint
reading the same notebook in the same run (the peer: what opening it costs anyway).

Measured, interleaved, median of N requests after a warm-up, over loopback:

1. ``POST /nb2prod/lint {"path": ...}`` (the saved file) and ``{"notebook": ...}`` (the
   unsaved JSON the panel sends while you type);
2. ``GET /api/contents/PATH`` of the same notebook (peer).

The goal is server-side time under 150 ms; the client-side time measured here includes
HTTP and JSON on both ends, so it is an upper bound.  Also printed: the size of the
panel's JavaScript (what it adds to JupyterLab's load).

Prints PASS/MISS; exits non-zero only when the benchmark itself breaks (or, with
``--strict``, when the goal is missed).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat

GOAL_MS = 150.0
TOKEN = "bench-token"


def make_notebook(path: Path, cells: int) -> None:
    """A realistic 200-cell notebook: imports, data loading, plots, magics, a few problems."""
    sources = [
        "import os\nimport numpy as np\nimport pandas as pd\nfrom sklearn.model_selection import train_test_split",
        "n_estimators = 100  # trees\nthreshold = 0.5",
    ]
    patterns = [
        "df_{i} = pd.read_csv('data/part_{i}.csv')\ndf_{i}.head()",
        "features_{i} = [c for c in df_{i}.columns if c.startswith('f')]\nlen(features_{i})",
        "def transform_{i}(frame):\n    frame = frame.copy()\n    frame['x'] = frame['a'] * {i}\n    return frame",
        "result_{i} = transform_{i}(df_{i})\nresult_{i}.describe()",
        "%time total_{i} = result_{i}['x'].sum()",
        "values_{i} = np.random.rand(10)\nvalues_{i}.mean()",
    ]
    for i in range(cells - len(sources)):
        sources.append(patterns[i % len(patterns)].format(i=i))
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell(source, execution_count=n + 1) for n, source in enumerate(sources)
    ]
    notebook.cells[1].metadata["tags"] = ["parameters"]
    nbformat.write(notebook, path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, port: int) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
        f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={TOKEN}", "--ServerApp.jpserver_extensions={'nb2prod': True}",
    ]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            request(port, "GET", "nb2prod/version")
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the Jupyter server did not start")


def request(port: int, method: str, path: str, body: dict | None = None) -> bytes:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/{path}",
        data=data,
        method=method,
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as response:
        return response.read()


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def bundle_kb() -> float | None:
    static = Path(__file__).resolve().parents[1] / "nb2prod" / "labextension" / "static"
    if not static.is_dir():
        return None
    return sum(p.stat().st_size for p in static.rglob("*.js")) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--requests", type=int, default=21)
    parser.add_argument("--quick", action="store_true", help="5 requests each")
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    rounds = 5 if args.quick else args.requests

    with tempfile.TemporaryDirectory(prefix="nb2prod-server-bench-") as folder:
        root = Path(folder)
        (root / "pyproject.toml").write_text("[project]\nname = 'bench'\n")
        make_notebook(root / "big.ipynb", args.cells)
        unsaved = json.loads((root / "big.ipynb").read_text())
        port = free_port()
        server = start_server(root, port)
        try:
            calls = {
                "lint (saved file)": lambda: request(
                    port, "POST", "nb2prod/lint", {"path": "big.ipynb"}
                ),
                "lint (unsaved JSON)": lambda: request(
                    port, "POST", "nb2prod/lint", {"path": "big.ipynb", "notebook": unsaved}
                ),
                "peer: GET /api/contents": lambda: request(port, "GET", "api/contents/big.ipynb"),
            }
            findings = json.loads(calls["lint (saved file)"]())["findings"]
            for call in calls.values():  # warm-up
                call()
            samples: dict[str, list[float]] = {name: [] for name in calls}
            for _ in range(rounds):
                for name, call in calls.items():
                    samples[name].append(timed(call))
        finally:
            server.terminate()
            server.wait(timeout=30)

    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"== POST /nb2prod/lint: {args.cells}-cell notebook, median of {rounds}, interleaved ==")
    print(f"findings    {len(findings)}")
    for name, value in medians.items():
        print(f"{name:<28} {value:8.1f} ms  (min {min(samples[name]):.1f})")
    worst = max(medians["lint (saved file)"], medians["lint (unsaved JSON)"])
    peer = medians["peer: GET /api/contents"]
    print(f"ratio lint/contents read                    {worst / peer:.2f}x")
    size = bundle_kb()
    if size is not None:
        print(f"panel JavaScript (nb2prod/labextension/static/*.js): {size:.0f} kB, loaded once")
    passed = worst < GOAL_MS
    print("== goals ==")
    print(f"{'PASS' if passed else 'MISS'}  lint endpoint under {GOAL_MS:.0f} ms (200 cells)"
          f"    {worst:.1f} ms client-side (contents read {peer:.1f} ms)")  # fmt: skip
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(
            json.dumps({"medians_ms": medians, "goal_ms": GOAL_MS, "passed": passed}, indent=2)
        )
    return 1 if args.strict and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
