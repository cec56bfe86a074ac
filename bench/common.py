"""What the benchmarks share: goals and their report, headings, small statistics, the
machine, finding tools, writing notebooks and the working folder a run measures in.

bench/ is not a package: each script puts this folder on ``sys.path`` and imports it.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path


class BenchError(Exception):
    """The benchmark itself broke (a tool or a cell failed): its figures would mean nothing."""


class Goals:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str]] = []

    def check(self, name: str, passed: bool, measured: str) -> None:
        self.rows.append((name, "PASS" if passed else "MISS", measured))

    @property
    def missed(self) -> bool:
        return any(status == "MISS" for _, status, _ in self.rows)

    def report(self, results: dict, json_out: Path | None, strict: bool) -> int:
        """Print PASS/MISS per goal, write ``results`` (goals included) to ``json_out``;
        the exit code: 1 only for a missed goal with ``strict``."""
        heading("goals")
        for name, status, measured in self.rows:
            print(f"{status:<5} {name:<46} {measured}")
        results["goals"] = [{"goal": n, "status": s, "measured": m} for n, s, m in self.rows]
        if json_out:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(results, indent=2, default=str) + "\n")
        return 1 if strict and self.missed else 0


def heading(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 74 - len(title)))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def read_lines(path: str) -> list[str]:
    try:
        with open(path) as fh:
            return fh.readlines()
    except OSError:
        return []


def cpu_model() -> str:
    found = (line for line in read_lines("/proc/cpuinfo") if line.startswith("model name"))
    return next((line.split(":", 1)[1].strip() for line in found), platform.processor() or "?")


def print_machine(distributions: tuple[str, ...]) -> None:
    """The heading each benchmark starts with: cores, Python, nb2prod and the versions of
    the distributions it measures."""
    from importlib.metadata import PackageNotFoundError, version

    import nb2prod

    heading("machine")
    print(f"cores             {os.cpu_count()} ({cpu_model()})")
    print(f"python            {platform.python_version()} ({sys.executable})")
    print(f"nb2prod           {nb2prod.__version__} ({Path(nb2prod.__file__).parent})")
    for distribution in distributions:
        try:
            print(f"{distribution:<17} {version(distribution)}")
        except PackageNotFoundError:
            print(f"{distribution:<17} not installed")


def executable(name: str) -> str | None:
    """``name`` beside this Python (the venv), else on PATH; None when neither has it."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def python_notebook(cells: list):
    """An nbformat v4 notebook of ``cells`` with a Python 3 kernel, as Jupyter saves one."""
    import nbformat  # only where a benchmark writes notebooks

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.cells = cells
    return notebook


def measure_in_workdir(
    name: str,
    args,
    goals: Goals,
    results: dict,
    measure: Callable[[Path], None],
    errors: tuple[type[BaseException], ...] = (),
) -> int:
    """``measure(workdir)`` in ``args.workdir`` (kept) or a temporary folder (removed), then
    the goals' report; a BenchError (or one of ``errors``) is one line and exit 2."""
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix=f"{name.replace('_', '-')}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        measure(workdir.resolve())
    except (BenchError, subprocess.CalledProcessError, *errors) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return goals.report(results, args.json_out, args.strict)
