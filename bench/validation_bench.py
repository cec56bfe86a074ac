"""Benchmark the input check of an exported package (issue 15): what validation adds to a
1,000-row ``predict``, and what the package's import costs.

The package is the example breast cancer classifier (example_notebooks/), rendered as
export renders it, with a scikit-learn pipeline (scaler + logistic regression) trained
here on the bundled data and the contract inferred from the example input and the
training data.  Measured, in this process:

1. ``predict``: ``predict(rows)`` and ``predict(rows, validate="off")`` on 1,000 rows x 30
   columns, ``--calls`` each (default 600) in blocks of 10, the sides alternating; the best
   blocks compared (the medians printed too: a loaded machine adds to them).  Goal: the
   check adds at most 10 %.
2. ``check``: the check alone on the same rows (``_validation.checked``); with pandera
   installed in this Python, ``pandera.pandas.infer_schema(reference).validate(rows,
   lazy=True)`` beside it, for the record (nb2prod does not depend on it: docs/export.md).
3. ``import``: ``import PKG`` in a fresh process, best of ``--imports`` (default 7).
   Goal: under 50 ms (validation's modules, numpy and pandas load on the first predict).

Prints PASS/MISS; exits non-zero only when the benchmark breaks (or, with ``--strict``,
when a goal is missed).
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is not a package
from common import BenchError, Goals, heading, measure_in_workdir, print_machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NAME = "bench_classifier"
ROWS = 1000
GOAL_OVERHEAD = 0.10
GOAL_IMPORT = 0.050


def build_package(workdir: Path):
    """(module, rows, training data): the classifier package written to ``workdir`` and
    imported, and 1,000 rows drawn from the training data."""
    module, X_train = classifier_package(workdir)
    rows = X_train.sample(ROWS, replace=True, random_state=0).reset_index(drop=True)
    return module, rows, X_train


def classifier_package(workdir: Path, name: str = NAME):
    """(module, training data): the example classifier rendered as export renders it into
    ``workdir/project`` (tests/exporter/test_contract_package.py uses it too), with a
    model trained here and the contract inferred from the example input and the training
    data, and imported as ``name`` (its ``src`` folder put first on ``sys.path``)."""
    import joblib
    import pandas as pd
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from nb2prod.exporter.contract import infer_contract
    from nb2prod.exporter.plan import plan_export
    from nb2prod.exporter.render import Artifact, PackageSpec, render_package
    from nb2prod.exporter.requirements import Requirement
    from nb2prod.exporter.writer import write_tree
    from nb2prod.notebook import load_notebook

    data = load_breast_cancer(as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(
        data.data, data.target, test_size=0.25, random_state=7
    )
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    joblib.dump(model.fit(X_train, y_train), workdir / "model.joblib")
    plan = plan_export(load_notebook(ROOT / "example_notebooks/breast_cancer_classifier.ipynb"))
    example = {"X_new": X_test.head(8)}
    spec = PackageSpec(
        name=name,
        version="0.1.0",
        notebook="breast_cancer_classifier.ipynb",
        requirements=[Requirement("pandas", pd.__version__, ("pandas",))],
        lock=[],
        artifacts=[
            Artifact(
                "model_path", workdir / "model.joblib", "model.joblib", "artifacts/model.joblib"
            )
        ],
        inputs=example,
        contract=infer_contract(example, X_train),
    )
    write_tree(render_package(plan, spec), workdir / "project", force=True)
    sys.path.insert(0, str(workdir / "project" / "src"))
    return importlib.import_module(name), X_train


def time_calls(calls: dict, count: int, block: int = 10) -> dict[str, list[float]]:
    """Seconds per call of each callable: ``count`` calls in blocks of ``block``, the sides
    alternating block by block (so a busy moment of a shared machine hits both)."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for run in range(max(1, count // block)):
        order = list(calls.items())
        for name, call in order if run % 2 == 0 else order[::-1]:
            started = time.perf_counter()
            for _ in range(block):
                call()
            times[name].append((time.perf_counter() - started) / block)
    return times


def summary(runs: list[float]) -> tuple[float, float]:
    """(best, median) of the blocks: the best is what the code costs, the median what a
    shared machine's load adds to it."""
    return min(runs), statistics.median(runs)


def measure_predict(module, rows, args, goals: Goals, results: dict) -> None:
    heading(f"predict: {ROWS:,} rows x {rows.shape[1]} columns, --calls {args.calls}")
    module.predict(rows)  # load the model, import numpy/pandas and the check
    times = time_calls(
        {
            "validated": lambda: module.predict(rows),
            "off": lambda: module.predict(rows, validate="off"),
        },
        args.calls,
    )
    figures = {name: summary(runs) for name, runs in times.items()}
    for name, (best, median) in figures.items():
        side = "on " if name == "validated" else "off"
        print(
            f"predict, validate {side}   best {best * 1e3:7.3f} ms, median {median * 1e3:7.3f} ms"
        )
    overhead = figures["validated"][0] / figures["off"][0] - 1
    loaded = figures["validated"][1] / figures["off"][1] - 1
    print(f"validation overhead             {overhead:+.1%} (medians: {loaded:+.1%})")
    results["predict"] = {"seconds": figures, "overhead": overhead, "median_overhead": loaded}
    goals.check(
        f"validation <= {GOAL_OVERHEAD:.0%} of a {ROWS:,}-row predict",
        overhead <= GOAL_OVERHEAD,
        f"{overhead:+.1%} ({(figures['validated'][0] - figures['off'][0]) * 1e3:.2f} ms)",
    )


def measure_check(module, rows, reference, args, results: dict) -> None:
    heading("check alone (the hand-written numpy/pandas check; pandera when installed)")
    checked = importlib.import_module(f"{NAME}._validation").checked
    calls = {"nb2prod": lambda: checked({"X_new": rows})}
    try:
        import pandera.pandas as pa
    except ImportError:
        print("pandera is not installed here: its figures are in docs/export.md")
    else:
        schema = pa.infer_schema(reference)
        calls["pandera"] = lambda: schema.validate(rows, lazy=True)
    times = time_calls(calls, max(20, args.calls // 5), block=2)
    results["check"] = {}
    for name, runs in times.items():
        best, median = summary(runs)
        results["check"][name] = {"best": best, "median": median}
        print(f"{name:<10} best {best * 1e3:7.3f} ms, median {median * 1e3:7.3f} ms")


def measure_import(workdir: Path, args, goals: Goals, results: dict) -> None:
    heading(f"import {NAME} in a fresh process, best of {args.imports}")
    code = (
        f"import sys, time; t = time.perf_counter(); import {NAME}; "
        "print(time.perf_counter() - t, 'pandas' in sys.modules, 'numpy' in sys.modules)"
    )
    seconds = []
    for _ in range(args.imports):
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=workdir / "project" / "src",
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise BenchError(f"import {NAME} failed: {done.stderr.strip()[-500:]}")
        took, pandas, numpy = done.stdout.split()
        if pandas == "True" or numpy == "True":
            raise BenchError(f"import {NAME} imported pandas or numpy")
        seconds.append(float(took))
    best = min(seconds)
    print(
        f"import {NAME:<18} best {best * 1e3:6.1f} ms, median {statistics.median(seconds) * 1e3:6.1f} ms"
    )
    results["import"] = {"seconds": seconds}
    goals.check(
        f"import {NAME} < {GOAL_IMPORT * 1e3:.0f} ms", best < GOAL_IMPORT, f"{best * 1e3:.1f} ms"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=600, help="timed predict calls per side")
    parser.add_argument("--imports", type=int, default=7, help="fresh-process imports")
    parser.add_argument("--quick", action="store_true", help="40 calls, 3 imports (smoke tests)")
    parser.add_argument("--workdir", type=Path, help="keep the files in DIR")
    parser.add_argument("--json-out", type=Path, help="write all measurements to FILE as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    if args.quick:
        args.calls, args.imports = 40, 3
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print_machine(("numpy", "pandas", "scikit-learn", "pandera"))
    goals = Goals()
    results: dict = {"rows": ROWS}

    def measure_all(workdir: Path) -> None:
        module, rows, reference = build_package(workdir)
        measure_predict(module, rows, args, goals, results)
        measure_check(module, rows, reference, args, results)
        measure_import(workdir, args, goals, results)

    return measure_in_workdir("validation_bench", args, goals, results, measure_all)


if __name__ == "__main__":
    sys.exit(main())
