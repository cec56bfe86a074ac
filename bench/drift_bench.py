"""Benchmark ``nb2prod.check_drift`` against a hand-written check with scipy, run alongside.

Measures, in one run, on the same rows (by default a batch of 1,000,000 rows x 20 columns
drawn from scikit-learn's breast cancer data with a little noise, a fifth of it shifted):

1. ``large``: a reference of 100,000 rows (Wasserstein, as Evidently above 1,000 rows).
   nb2prod: ``check_drift(stats, batch)`` from the shipped statistics.  The **peer**: what
   a hand-written check does with the raw reference rows: per column scipy's exact
   ``wasserstein_distance`` (normed by the reference's std) and PSI over the reference's
   deciles with ``np.histogram``.
2. ``small``: a reference of 1,000 rows (KS).  nb2prod as above; the peer: per column
   scipy's ``ks_2samp`` on the raw rows and the same PSI.
3. ``cli``: ``nb2prod drift STATS --input batch.parquet`` in a fresh process (reading the
   file and the imports included), for information.

Both sides get the batch as the same in-memory DataFrame; sides alternate, ``--runs``
each (default 3), medians compared; the ratio is the peer's time / nb2prod's.  The
per-column verdicts of both sides are compared after the timing.  Goal (issue 15): 1M rows
x 20 columns checked in under 2 s.  Prints PASS/MISS; exits non-zero only when the
benchmark itself breaks (or, with ``--strict``, when a goal is missed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is not a package
from common import BenchError, Goals, executable, heading, measure_in_workdir, print_machine, tail  # noqa: E402

COLUMNS = 20
GOAL_SECONDS = 2.0
SHIFTED = 4  # columns of the batch moved by half a standard deviation


def make_data(rows: int, reference_rows: int):
    """(reference, batch): rows of the breast cancer data's first 20 columns, drawn with
    replacement, with noise of 2 % of each column's spread; the batch's first 4 columns
    shifted."""
    import numpy as np
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True).data.iloc[:, :COLUMNS]
    spread = data.std().to_numpy()
    rng = np.random.default_rng(0)

    def draw(count: int, seed: int):
        frame = data.sample(count, replace=True, random_state=seed).reset_index(drop=True)
        return frame + rng.normal(0, 0.02, frame.shape) * spread

    batch = draw(rows, 2)
    batch.iloc[:, :SHIFTED] += 0.5 * spread[:SHIFTED]
    return draw(reference_rows, 1), batch


def peer_check(reference, batch, test: str) -> dict[str, bool]:
    """The hand-written check: scipy on the raw reference rows, PSI with np.histogram."""
    import numpy as np
    from scipy.stats import ks_2samp, wasserstein_distance

    verdicts = {}
    for name in reference.columns:
        a, b = reference[name].to_numpy(), batch[name].to_numpy()
        if test == "wasserstein":
            drift = wasserstein_distance(a, b) / max(a.std(), 0.001) >= 0.1
        else:
            drift = ks_2samp(a, b).pvalue < 0.05
        edges = np.quantile(a, np.linspace(0, 1, 11))
        edges[0], edges[-1] = -np.inf, np.inf
        p = np.histogram(a, edges)[0] / len(a)
        q = np.histogram(b, edges)[0] / len(b)
        p, q = np.where(p == 0, 1e-4, p), np.where(q == 0, 1e-4, q)
        float(((q - p) * np.log(q / p)).sum())  # the PSI, as nb2prod reports it
        verdicts[name] = bool(drift)
    return verdicts


def compare(args, regime: str, reference_rows: int, batch, reference_frame, goals, results):
    from nb2prod.drift.check import check_drift
    from nb2prod.drift.reference import reference_statistics

    test = "wasserstein" if regime == "large" else "ks"
    heading(
        f"{regime}: {reference_rows:,}-row reference ({test}), batch {len(batch):,} x {COLUMNS}"
    )
    started = time.perf_counter()
    stats = reference_statistics(reference_frame)
    built = time.perf_counter() - started
    size = len(json.dumps(stats))
    print(f"statistics built in {built:.2f} s, {size / 1e3:.0f} kB of JSON (not timed below)")
    check_drift(stats, batch.iloc[:1000])  # imports scipy and pandas' parts once, as the peer's
    sides: dict[str, list[float]] = {"nb2prod": [], "peer": []}
    cpu: dict[str, list[float]] = {"nb2prod": [], "peer": []}  # this process's, all threads
    outcome: dict = {}

    def mine():
        outcome["nb2prod"] = check_drift(stats, batch)

    def theirs():
        outcome["peer"] = peer_check(reference_frame, batch, test)

    for run in range(args.runs):
        order = [("nb2prod", mine), ("peer", theirs)]
        for name, call in order if run % 2 == 0 else order[::-1]:
            started, used = time.perf_counter(), time.process_time()
            call()
            sides[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - used)
    medians = {name: statistics.median(runs) for name, runs in sides.items()}
    for name, runs in sides.items():
        print(f"{name:<10} median {medians[name]:6.2f} s  {len(batch) / medians[name] / 1e6:5.2f} "
              f"M rows/s  CPU {statistics.median(cpu[name]):6.2f} s  "
              f"runs {[round(s, 2) for s in runs]}")  # fmt: skip
    ratio = medians["peer"] / medians["nb2prod"]
    print(f"ratio peer/nb2prod time             {ratio:.2f}x")
    report = outcome["nb2prod"]
    mine_verdicts = {c.column: c.drift for c in report.columns}
    differ = sorted(n for n, v in outcome["peer"].items() if mine_verdicts[n] != v)
    print(f"columns drifted                     nb2prod {len(report.drifted)}, peer "
          f"{sum(outcome['peer'].values())}; verdicts differ on {differ or 'none'}")  # fmt: skip
    if len(differ) > 1:
        raise BenchError(f"nb2prod and scipy disagree on {differ}")
    results[regime] = {"rows": len(batch), "reference_rows": reference_rows, "seconds": sides,
                       "cpu_seconds": cpu, "ratio": ratio, "differ": differ}  # fmt: skip
    goals.check(
        f"{regime}: {len(batch) // 1000:,}k x {COLUMNS} checked < {GOAL_SECONDS:g} s",
        medians["nb2prod"] < GOAL_SECONDS,
        f"{medians['nb2prod']:.2f} s ({ratio:.1f}x faster than scipy on the rows)",
    )
    return stats


def command_line(workdir: Path, stats: dict, batch, results) -> None:
    heading("cli: nb2prod drift STATS --input batch.parquet (fresh process, file read included)")
    stats_file, parquet = workdir / "stats.json", workdir / "batch.parquet"
    stats_file.write_text(json.dumps(stats))
    batch.to_parquet(parquet, index=False)
    nb2prod = executable("nb2prod")
    if nb2prod is None:
        raise BenchError("nb2prod is not installed beside this Python")
    started = time.perf_counter()
    done = subprocess.run([nb2prod, "drift", str(stats_file), "-i", str(parquet), "--format", "json"],
                          capture_output=True, text=True)  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise BenchError(f"nb2prod drift exited {done.returncode}:\n{tail(done.stderr)}")
    check = json.loads(done.stdout)["seconds"]
    print(f"nb2prod drift      {seconds:6.2f} s in all, of which the check {check:.2f} s "
          f"(exit {done.returncode})")  # fmt: skip
    results["cli"] = {"seconds": seconds, "check_seconds": check, "exit": done.returncode}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, help="rows in the batch (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per side")
    parser.add_argument(
        "--quick", action="store_true", help="20,000 rows (unless --rows), 1 run (smoke tests)"
    )
    parser.add_argument("--workdir", type=Path, help="keep the files in DIR")
    parser.add_argument("--json-out", type=Path, help="write all measurements to FILE as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    args.rows = args.rows or (20_000 if args.quick else 1_000_000)
    if args.quick:
        args.runs = 1
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print_machine(("numpy", "pandas", "scipy", "pyarrow"))
    goals = Goals()
    results: dict = {"rows": args.rows, "columns": COLUMNS}

    def measure_all(workdir: Path) -> None:
        large_rows = min(100_000, args.rows // 2)
        reference, batch = make_data(args.rows, large_rows)
        stats = compare(args, "large", large_rows, batch, reference, goals, results)
        compare(args, "small", 1000, batch, reference.iloc[:1000], goals, results)
        command_line(workdir, stats, batch, results)

    return measure_in_workdir("drift_bench", args, goals, results, measure_all)


if __name__ == "__main__":
    sys.exit(main())
