"""Smoke test of the scoring benchmark (bench/score_bench.py) on a few thousand rows, with
the classifier these tests exported: it times both sides, prints the ratio and its goal,
and checks the outputs agree.  ``make bench`` runs it on a million rows, Dask included."""

from __future__ import annotations

import json
import re

from ..conftest import goal_names, run_bench


def test_benchmark_prints_the_ratio_and_goals(classifier, tmp_path):
    out = tmp_path / "results.json"
    text = run_bench(
        "score_bench.py", "--quick", "--rows", "2000", "--only", "local", "--package", classifier,
        "--workdir", tmp_path / "work", "--json-out", out, timeout=300,
    )  # fmt: skip
    assert re.search(r"ratio nb2prod/baseline throughput\s+\d+\.\d\dx", text), text
    assert "the same rows (floats within 1e-9)" in text
    assert goal_names(text) == [
        "score csv >= 0.8x one-call predict",
        "score parquet >= 0.8x one-call predict",
    ]
    results = json.loads(out.read_text())
    assert results["rows"] == 2_000 and results["local_csv"]["ratio"] > 0
