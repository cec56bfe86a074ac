"""Smoke test of the drift benchmark (bench/drift_bench.py): ``--quick`` checks 20,000 rows
of 20 columns against both references next to scipy on the raw rows, runs the command line
once, and prints the ratios and the goals."""

from __future__ import annotations

import json
import re
from pathlib import Path

import drift_bench  # bench/ is on sys.path: tests/conftest.py, loaded first, puts it there

from .conftest import goal_names, run_bench


def test_the_quick_drift_benchmark_prints_times_ratios_and_goals(tmp_path: Path):
    out = tmp_path / "results.json"
    text = run_bench("drift_bench.py", "--quick", "--json-out", out, timeout=300)
    assert len(re.findall(r"ratio peer/nb2prod time\s+\d+\.\d\dx", text)) == 2, text
    assert re.search(r"nb2prod drift\s+\d+\.\d\d s in all, of which the check", text), text
    assert goal_names(text) == ["large: 20k x 20 checked < 2 s", "small: 20k x 20 checked < 2 s"]
    results = json.loads(out.read_text())
    assert (
        results["large"]["reference_rows"] == 10_000 and results["small"]["reference_rows"] == 1000
    )
    assert results["cli"]["exit"] == 0  # 4 of 20 columns shifted: under half, no dataset drift


def test_the_shifted_columns_are_the_ones_both_sides_see_drift():
    reference, batch = drift_bench.make_data(2000, 2000)
    verdicts = drift_bench.peer_check(reference, batch, "wasserstein")
    assert [name for name, drift in verdicts.items() if drift] == list(
        batch.columns[: drift_bench.SHIFTED]
    )
