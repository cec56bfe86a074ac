"""Smoke test of the export benchmark (bench/export_bench.py), render measurement only.

The predict and import measurements export a notebook, run it with papermill and install
the package into a fresh venv (about a minute); ``make bench`` runs them.  Here only the
part that needs none of that runs: planning and rendering the synthetic notebook, its
ratio to the naive copy and its goal line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import export_bench  # bench/ is on sys.path: tests/conftest.py, loaded first, puts it there
import nbformat
import pytest

from nb2prod.exporter.plan import plan_export
from nb2prod.notebook import load_notebook

from .conftest import goal_names, run_bench


def test_render_benchmark_prints_ratio_and_goal(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    text = run_bench(
        "export_bench.py",
        "--quick",
        "--only",
        "render",
        "--json-out",
        str(out),
        timeout=60,
    )
    assert re.search(r"ratio nb2prod/naive copy \(plan \+ render\)\s+\d+\.\d\dx", text), text
    assert "100 export, 1 load, 1 example, 4 predict, 193 untagged" in text
    assert goal_names(text) == ["plan + render 300 cells under 1 s"], text
    assert "export and install" not in text and "== predict" not in text  # --only render
    results = json.loads(out.read_text())
    assert results["only"] == ["render"]
    render = results["render"]
    assert render["code_cells"] == 300
    assert len(render["nb2prod_s"]) == len(render["naive_copy_s"]) == 2
    assert render["median_s"]["total"] > 0 and render["ratio_median"] > 0


@pytest.mark.parametrize("code_cells", [12, 100, 300])
def test_the_synthetic_notebook_is_exportable_as_designed(tmp_path: Path, code_cells) -> None:
    notebook, counts = export_bench.synthetic_notebook(code_cells)
    path = tmp_path / "synthetic.ipynb"
    nbformat.validate(notebook)
    nbformat.write(notebook, str(path))
    assert sum(counts.values()) == code_cells
    assert sum(cell.cell_type == "code" for cell in notebook.cells) == code_cells
    plan = plan_export(load_notebook(path))
    assert plan.inputs == ["rows"] and plan.runtime_params == ["threshold"]
    assert len(plan.role("export")) == counts["export"]
    assert len(plan.role("predict")) == counts["predict"] == 4
