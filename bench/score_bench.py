"""Benchmark ``nb2prod score`` against the exported package's own ``predict``, run alongside.

Measures, in one run, on the same rows (by default 1,000,000 rows of scikit-learn's
breast cancer data, sampled with replacement, 30 float columns) scored by the example
classifier (example_notebooks/breast_cancer_classifier.ipynb, exported once):

1. ``local``: ``nb2prod score PKG --input rows.EXT --output out.EXT`` (the command, a fresh
   process, default chunk size) vs the **baseline**: a fresh Python process that does what
   the command does in one call with the package itself — reads the whole file with
   pandas, calls ``PKG.predict`` once on all rows, puts the predictions beside the input
   columns and writes the same output file (CSV, or Parquet without the index) — for CSV
   and Parquet.  Both sides pay the process start, the imports and ``load()``; the ratio
   is baseline time / nb2prod time (throughput of nb2prod relative to the baseline).  Peak
   memory (the child's max RSS, ``wait4``; this process stays small so it does not count
   in it) of each side is printed: chunks keep nb2prod's flat.  The outputs are compared
   after the timing (the same rows; floats within 1e-9, as a batch can change the last bit).
2. ``dask``: ``nb2prod score --executor dask --workers 2`` (a LocalCluster of 2 worker
   processes, started and stopped by the command) vs ``nb2prod score`` local, same rows,
   CSV; the ratio is local time / Dask time, and the outputs must be byte-identical.

Sides alternate, ``--runs`` each (default 3), medians compared.  Prints PASS/MISS per goal;
exits non-zero only when the benchmark itself breaks (or, with ``--strict``, when a goal
is missed).  See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is not a package
from common import BenchError, Goals, executable, heading, measure_in_workdir, print_machine, tail  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "example_notebooks" / "breast_cancer_classifier.ipynb"
PACKAGE = "bench_classifier"
MEASUREMENTS = ("local", "dask")
GOAL_LOCAL_RATIO = 0.8  # nb2prod score's throughput / the package's own one-call predict


def export_package(workdir: Path) -> Path:
    """The example classifier exported into ``workdir`` (its notebook runs once)."""
    project = workdir / "project"
    project.mkdir(exist_ok=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'bench'\n")
    shutil.copy(EXAMPLE, project / EXAMPLE.name)
    out = workdir / PACKAGE
    if not out.exists():
        command = [_nb2prod(), "export", EXAMPLE.name, "--name", PACKAGE, "-o", str(out)]
        done = subprocess.run(command, cwd=project, capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"export failed:\n{tail(done.stderr)}")
    return out


def make_rows(workdir: Path, rows: int) -> dict[str, Path]:
    """The same rows as CSV and Parquet, written by a child process: this one stays small,
    since a child's peak RSS (``wait4``) counts the pages it shared with it before exec."""
    paths = {"csv": workdir / "rows.csv", "parquet": workdir / "rows.parquet"}
    command = [sys.executable, __file__, "--rows-child", str(workdir), str(rows)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"writing the rows failed:\n{tail(done.stderr)}")
    return paths


def rows_child(workdir: str, rows: str) -> None:
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True).data
    frame = data.sample(int(rows), replace=True, random_state=0).reset_index(drop=True)
    frame.to_csv(Path(workdir, "rows.csv"), index=False)
    frame.to_parquet(Path(workdir, "rows.parquet"), index=False)


def same_rows(first: Path, second: Path) -> None:
    """The two outputs hold the same rows (floats within 1e-9); checked after the timing."""
    import pandas as pd

    read = pd.read_csv if first.suffix == ".csv" else pd.read_parquet
    pd.testing.assert_frame_equal(read(first), read(second), check_exact=False, rtol=1e-9)


def _nb2prod() -> str:
    found = executable("nb2prod")
    if found is None:
        raise BenchError("nb2prod is not installed beside this Python")
    return found


def timed(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of ``command`` run to completion; it must exit 0."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stdout, stderr = process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise BenchError(
            f"{' '.join(command[:3])} … exited {process.returncode}:\n{tail(stdout + stderr)}"
        )
    return seconds, usage.ru_maxrss / 1024


def package_name(folder: Path) -> str:
    return next(folder.glob("src/*/provenance.json")).parent.name


def baseline_child(source: str, target: str, package_src: str) -> None:
    """The baseline, in its own process: the whole file, one predict call, the same output."""
    sys.path.insert(0, package_src)
    import importlib

    import pandas as pd

    package = importlib.import_module(package_name(Path(package_src).parent))
    frame = pd.read_csv(source) if source.endswith(".csv") else pd.read_parquet(source)
    predictions = package.predict(frame).reset_index(drop=True)
    scored = pd.concat([frame, predictions], axis=1)
    if target.endswith(".csv"):
        scored.to_csv(target, index=False)
    else:
        scored.to_parquet(target, index=False)


def compare(args, package: Path, inputs: dict[str, Path], workdir: Path, goals, results):
    for fmt in ("csv", "parquet"):
        heading(f"local, {fmt}: nb2prod score vs the package's own predict in one call")
        out_score, out_base = workdir / f"score.{fmt}", workdir / f"baseline.{fmt}"
        score = [_nb2prod(), "score", str(package), "-i", str(inputs[fmt]), "-o", str(out_score),
                 "--force", "--chunksize", str(args.chunksize)]  # fmt: skip
        base = [sys.executable, __file__, "--baseline-child", str(inputs[fmt]), str(out_base),
                str(package / "src")]  # fmt: skip
        sides: dict[str, list[tuple[float, float]]] = {"nb2prod": [], "baseline": []}
        for run in range(args.runs):
            order = [("nb2prod", score), ("baseline", base)]
            for name, command in order if run % 2 == 0 else order[::-1]:
                sides[name].append(timed(command))
        mine = statistics.median(s for s, _ in sides["nb2prod"])
        theirs = statistics.median(s for s, _ in sides["baseline"])
        rows = args.rows
        for name, runs in sides.items():
            seconds = statistics.median(s for s, _ in runs)
            print(f"{name:<10} median {seconds:6.2f} s  {rows / seconds / 1e6:5.2f} M rows/s  "
                  f"peak RSS {max(m for _, m in runs):7.0f} MB  runs {[round(s, 2) for s, _ in runs]}")  # fmt: skip
        ratio = theirs / mine
        print(f"ratio nb2prod/baseline throughput   {ratio:.2f}x")
        results.setdefault("_pairs", []).append((out_score, out_base))
        results[f"local_{fmt}"] = {
            "rows": rows, "nb2prod_s": sides["nb2prod"], "baseline_s": sides["baseline"],
            "ratio": ratio,
        }  # fmt: skip
        goals.check(
            f"score {fmt} >= {GOAL_LOCAL_RATIO}x one-call predict",
            ratio >= GOAL_LOCAL_RATIO,
            f"{ratio:.2f}x ({rows / mine / 1e6:.2f} vs {rows / theirs / 1e6:.2f} M rows/s)",
        )


def dask_vs_local(args, package: Path, inputs: dict[str, Path], workdir: Path, results):
    heading("dask LocalCluster(2) vs local, csv: nb2prod score, same rows")
    outputs = {"local": workdir / "local.csv", "dask": workdir / "dask.csv"}
    commands = {
        name: [_nb2prod(), "score", str(package), "-i", str(inputs["csv"]), "-o", str(out),
               "--force", "--chunksize", str(args.chunksize)]
        + (["--executor", "dask", "--workers", "2"] if name == "dask" else [])
        for name, out in outputs.items()
    }  # fmt: skip
    sides: dict[str, list[float]] = {"local": [], "dask": []}
    for run in range(args.runs):
        for name in ("local", "dask") if run % 2 == 0 else ("dask", "local"):
            sides[name].append(timed(commands[name])[0])
    medians = {name: statistics.median(runs) for name, runs in sides.items()}
    for name, runs in sides.items():
        print(f"{name:<10} median {medians[name]:6.2f} s  "
              f"{args.rows / medians[name] / 1e6:5.2f} M rows/s  runs {[round(s, 2) for s in runs]}")  # fmt: skip
    ratio = medians["local"] / medians["dask"]
    print(f"ratio dask/local throughput         {ratio:.2f}x (cluster start included)")
    identical = outputs["local"].read_bytes() == outputs["dask"].read_bytes()
    print(f"outputs byte-identical              {identical}")
    if not identical:
        raise BenchError("the Dask executor wrote other bytes than the local one")
    results["dask"] = {"rows": args.rows, "seconds": sides, "ratio": ratio}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=MEASUREMENTS, help="(repeatable)")
    parser.add_argument("--rows", type=int, help="rows to score (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per side")
    parser.add_argument("--chunksize", type=int, default=100_000, help="nb2prod score's")
    parser.add_argument(
        "--quick", action="store_true", help="20,000 rows (unless --rows), 1 run (smoke tests)"
    )
    parser.add_argument("--workdir", type=Path, help="keep the export and files in DIR")
    parser.add_argument("--package", type=Path, help="score with this exported classifier")
    parser.add_argument("--json-out", type=Path, help="write all measurements to FILE as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--baseline-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--rows-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.only = tuple(args.only or MEASUREMENTS)
    args.rows = args.rows or (20_000 if args.quick else 1_000_000)
    if args.quick:
        args.runs, args.chunksize = 1, 5_000
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.baseline_child:
        baseline_child(*args.baseline_child)
        return 0
    if args.rows_child:
        rows_child(*args.rows_child)
        return 0
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print_machine(("pandas", "pyarrow", "scikit-learn", "dask", "distributed"))
    goals = Goals()
    results: dict = {"only": list(args.only), "rows": args.rows, "chunksize": args.chunksize}

    def measure_all(workdir: Path) -> None:
        heading("export and input (not timed)")
        package = args.package.resolve() if args.package else export_package(workdir)
        inputs = make_rows(workdir, args.rows)
        print(f"{package_name(package)} exported; {args.rows:,} rows as CSV ({inputs['csv'].stat().st_size / 1e6:.0f} MB)"
              f" and Parquet ({inputs['parquet'].stat().st_size / 1e6:.0f} MB)")  # fmt: skip
        if "local" in args.only:
            compare(args, package, inputs, workdir, goals, results)
        if "dask" in args.only:
            dask_vs_local(args, package, inputs, workdir, results)
        for first, second in results.pop("_pairs", []):
            same_rows(first, second)
            print(f"outputs {first.name} and {second.name}: the same rows (floats within 1e-9)")

    return measure_in_workdir("score_bench", args, goals, results, measure_all)


if __name__ == "__main__":
    sys.exit(main())
