"""Record how each notebook of the outcome sample ends when run headless: ``bench/outcomes.json``.

For every source of ``outcome_sources.txt`` a fresh environment is built once in
``bench/.cache/outcome/venvs/NAME-VERSION`` (``pip install NAME[EXTRAS]==VERSION
ipykernel matplotlib nbclient``: the project with the extras it declares for its notebooks,
nothing else, as a new user would), and every sampled notebook is run
by ``outcome_runner.py`` in its own folder with the network refused
(``outcome_offline/sitecustomize.py``), no standard input, ``--cell-timeout`` seconds a cell
and ``--notebook-timeout`` seconds in all.  The first failure (cell, exception, message) is
written to ``bench/outcomes.json``, which is committed: recording takes about an hour,
``outcome_bench.py`` then only lints.  Results are written as they come, so an interrupted
recording resumes where it stopped; ``--only TEXT`` re-records the notebooks whose name
contains TEXT.

    .venv/bin/python bench/record_outcomes.py [--only TEXT] [--cell-timeout 120]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from outcome_corpus import (
    OUTCOME_DIR,
    OUTCOMES_FILE,
    SOURCE_DIR,
    OutcomeSource,
    extracted,
    read_sources,
    sample,
)

BENCH_DIR = Path(__file__).resolve().parent
VENV_DIR = OUTCOME_DIR / "venvs"
RUNNER = BENCH_DIR / "outcome_runner.py"
OFFLINE = BENCH_DIR / "outcome_offline"
RUNNER_PACKAGES = ("ipykernel", "matplotlib", "nbclient")
#: Keeps a notebook extra that asks for torch on the CPU build pip finds on this machine.
CONSTRAINTS = BENCH_DIR / "outcome_constraints.txt"


def environment(source: OutcomeSource) -> tuple[Path, dict[str, str]]:
    """(python, versions) of the source's fresh environment, built on first use."""
    venv = VENV_DIR / source.label
    python = venv / "bin" / "python"
    marker = venv / ".complete"
    arguments = source.install_arguments(extracted(source))
    spec = " ".join(arguments)
    if not marker.is_file() or marker.read_text() != spec:
        print(f"  building the environment of {source.label}: {spec} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        env = {**os.environ, "PIP_CONSTRAINT": str(CONSTRAINTS)}
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
            + [*arguments, *RUNNER_PACKAGES],
            check=True,
            env=env,
        )
        subprocess.run(
            [str(python), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
            check=True,
            capture_output=True,
        )
        marker.write_text(spec)
    frozen = subprocess.run(
        [str(python), "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    versions = {item["name"].lower(): item["version"] for item in json.loads(frozen)}
    return python, versions


def run_notebook(python: Path, path: Path, cell_timeout: int, notebook_timeout: int) -> dict:
    env = {
        # the kernel picks its own plotting backend (inline), as under papermill
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("MLFLOW_", "PIP_")) and k != "MPLBACKEND"
        },
        "PYTHONPATH": str(OFFLINE),
        "JUPYTER_PLATFORM_DIRS": "1",
        # the environment's own kernel, before any "python3" kernel of the user's
        "JUPYTER_PATH": str(python.parent.parent / "share" / "jupyter"),
    }
    try:
        finished = subprocess.run(
            [str(python), str(RUNNER), str(path), str(cell_timeout), str(notebook_timeout)],
            capture_output=True,
            text=True,
            timeout=notebook_timeout + cell_timeout + 60,
            env=env,
            cwd=path.parent,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "evalue": "the runner did not finish"}
    lines = finished.stdout.strip().splitlines()
    if finished.returncode != 0 or not lines:
        return {"status": "runner-error", "evalue": finished.stderr.strip()[-500:]}
    return json.loads(lines[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="re-record the notebooks whose name contains this")
    parser.add_argument("--cell-timeout", type=int, default=120)
    parser.add_argument("--notebook-timeout", type=int, default=300)
    args = parser.parse_args(argv)

    recorded = json.loads(OUTCOMES_FILE.read_text()) if OUTCOMES_FILE.is_file() else {}
    notebooks = recorded.setdefault("notebooks", {})
    recorded["environments"] = recorded.get("environments", {})
    recorded["settings"] = {
        "cell_timeout": args.cell_timeout,
        "notebook_timeout": args.notebook_timeout,
        "network": "refused",
    }
    for source in read_sources():
        sampled = sample(source)
        if args.only:
            todo = [nb for nb in sampled if args.only in nb.name]
        else:
            todo = [nb for nb in sampled if notebooks.get(nb.name, {}).get("sha256") != nb.sha256]
        if not todo:
            continue
        python, versions = environment(source)
        recorded["environments"][source.label] = {
            name: versions[name]
            for name in sorted(versions)
            if name in (source.sdist.name, "numpy", "pandas", "scikit-learn", "scipy")
            or name in ("matplotlib", "ipykernel")
        }
        for number, notebook in enumerate(todo, 1):
            started = time.monotonic()
            outcome = run_notebook(python, notebook.path, args.cell_timeout, args.notebook_timeout)
            for key in ("evalue", "traceback"):  # no paths of this machine in a committed file
                if key in outcome:
                    outcome[key] = (
                        outcome[key]
                        .replace(str(python.parent.parent), "<env>")
                        .replace(str(SOURCE_DIR), "<src>")
                    )
            notebooks[notebook.name] = {"sha256": notebook.sha256, **outcome}
            print(
                f"[{source.label} {number}/{len(todo)}] {outcome['status']:<8} "
                f"{outcome.get('ename', '')} {time.monotonic() - started:5.1f}s {notebook.name}",
                flush=True,
            )
            OUTCOMES_FILE.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
    OUTCOMES_FILE.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
