"""Smoke test of the tracking benchmark (bench/track_bench.py), load_ext measurement only.

The track and run measurements drive a kernel for dozens of tracked cells and run the job
notebook a dozen times (a minute or two); ``make bench`` runs them.  Here only the part
that takes seconds runs: ``%load_ext nb2prod`` in fresh kernels next to autoreload, its
ratio, its goal line and the check that MLflow stays unimported."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import track_bench  # bench/ is on sys.path: tests/conftest.py, loaded first, puts it there

from nb2prod.notebook import load_notebook
from nb2prod.parameters import notebook_parameters
from nb2prod.roles import notebook_roles

from .conftest import goal_names, run_bench


def test_load_ext_benchmark_prints_ratio_and_goal(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    text = run_bench(
        "track_bench.py",
        "--quick",
        "--only",
        "load_ext",
        "--json-out",
        str(out),
        "--workdir",
        str(tmp_path / "work"),
        timeout=60,
    )
    assert re.search(r"ratio nb2prod/autoreload\s+\d+\.\d\dx", text), text
    assert "mlflow in sys.modules after it: 0 of 3 kernels" in text, text
    assert goal_names(text) == ["%load_ext nb2prod under 100 ms, no mlflow"], text
    assert "== %%nb2prod track" not in text and "== nb2prod run" not in text  # --only load_ext
    assert not (tmp_path / "work" / "store").exists()  # no store needed, none migrated
    results = json.loads(out.read_text())
    assert results["only"] == ["load_ext"]
    load_ext = results["load_ext"]
    assert len(load_ext["nb2prod_s"]) == len(load_ext["autoreload_s"]) == 3
    assert load_ext["mlflow_imported"] == 0 and "mlflow" not in load_ext["added_modules"]
    assert 0 < load_ext["median_s"] < 5


def test_the_bench_notebooks_have_the_roles_the_measurements_need(tmp_path: Path) -> None:
    project = track_bench.make_project(tmp_path)
    job = load_notebook(project.job)
    assert list(notebook_parameters(job)) == ["n", "seed"]
    assert sorted(notebook_roles(job).values()) == ["metrics", "parameters"]
    tracking = load_notebook(project.notebook)
    assert list(notebook_parameters(tracking)) == ["alpha", "epochs"]
    assert tracking.cells[2].source == track_bench.TRACKED
    for path in (project.job, project.notebook):
        nbformat.validate(nbformat.read(str(path), as_version=4))
    assert project.store_uri == f"sqlite:///{tmp_path}/store/mlflow.db"
