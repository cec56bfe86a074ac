"""Smoke test of the grid benchmark (bench/grid_bench.py): ``--quick`` runs a grid of two
small forests once each way, sequential and on a LocalCluster that the command line starts
itself (the path no other test takes), and prints the ratio and the goal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import grid_bench  # bench/ is on sys.path: tests/conftest.py, loaded first, puts it there
import nbformat
import pytest

from nb2prod.notebook import load_notebook
from nb2prod.parameters import notebook_parameters
from nb2prod.roles import notebook_roles

from .conftest import goal_names, run_bench

pytest.importorskip("dask.distributed")


def test_the_quick_grid_benchmark_prints_both_times_the_ratio_and_the_goal(tmp_path: Path):
    out = tmp_path / "results.json"
    text = run_bench("grid_bench.py", "--quick", "--json-out", out, timeout=300)
    assert re.search(r"round 1 sequential\s+\d+\.\d s  \(2 runs recorded\)", text), text
    assert re.search(r"round 1 dask\s+\d+\.\d s  \(2 runs recorded\)", text), text
    assert re.search(r"ratio sequential/dask \d+\.\d\dx", text), text
    assert goal_names(text) == ["Dask 2 workers >= 1.6x faster"], text
    grid = json.loads(out.read_text())["grid"]
    assert grid["points"] == 2 and grid["workers"] == 2
    assert len(grid["wall_s"]["sequential"]) == len(grid["wall_s"]["dask"]) == 1
    assert grid["ratio"] == grid["best_s"]["sequential"] / grid["best_s"]["dask"]


def test_the_bench_notebook_is_a_job_with_its_parameters_and_metrics(tmp_path: Path):
    notebook = grid_bench.make_project(tmp_path, points=8)
    nbformat.validate(nbformat.read(str(notebook), as_version=4))
    loaded = load_notebook(notebook)
    assert list(notebook_parameters(loaded)) == ["trees", "seed"]
    assert sorted(notebook_roles(loaded).values()) == ["metrics", "parameters"]
    assert (tmp_path / "grid.yaml").read_text() == "seed: [0, 1, 2, 3, 4, 5, 6, 7]\n"
