"""``--summary FILE``: what ``nb2prod run`` and ``nb2prod export`` add to GitHub's step
summary, a Markdown table of jobs and an export's scorecard, with credentials masked."""

from __future__ import annotations

from nb2prod.cli.summary import RUNS_HEADER, append_export
from nb2prod.exporter.verify import Scorecard

from ..conftest import code, nb2prod_cli, write_notebook

TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


def test_runs_and_grids_add_rows_to_one_table_with_status_metrics_and_run(tmp_path, store_uri):
    (tmp_path / "pyproject.toml").write_text(f"[tool.nb2prod]\ntracking_uri = '{store_uri}'\n")
    notebook = write_notebook(
        tmp_path / "train.ipynb",
        [
            code("alpha = 0.5\napi_token = 'none'", tags=["parameters"]),
            code("%load_ext nb2prod"),
            code("%%nb2prod metrics\nscore = 1 / alpha"),
        ],
    )
    summary = tmp_path / "summary.md"
    summary.write_text("# the workflow's own heading\n")
    ok = nb2prod_cli("run", notebook, "-p", "api_token", TOKEN, "--summary", summary, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    (tmp_path / "grid.yaml").write_text("alpha: [0, 4]\n")
    grid = nb2prod_cli("run", notebook, "--grid", "grid.yaml", "--summary", summary, cwd=tmp_path)
    assert grid.returncode == 4, grid.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.count("### nb2prod run") == 1 and text.count(RUNS_HEADER) == 1  # one table
    first, second, third = text.strip().splitlines()[-3:]
    assert first.startswith("| `") and "train.ipynb" in first
    assert "api_token=<redacted>" in first and TOKEN not in text
    assert "✅ FINISHED" in first and "score=2" in first
    run_id = first.split(" | ")[-1].strip(" |`")
    assert len(run_id) == 8 and run_id in ok.stdout
    assert "alpha=0.0 " in second and "❌ FAILED: " in second and "ZeroDivisionError" in second
    assert "alpha=4.0 " in third and "✅ FINISHED" in third and "score=0.25" in third


def test_a_run_refused_before_it_starts_says_why(tmp_path):
    notebook = write_notebook(tmp_path / "nb.ipynb", [code("n = 1", tags=["parameters"])])
    summary = tmp_path / "summary.md"
    done = nb2prod_cli("run", notebook, "-p", "m", "2", "--summary", summary, cwd=tmp_path)
    assert done.returncode == 2
    text = summary.read_text(encoding="utf-8")
    assert "### nb2prod run `" in text and "❌ unknown parameter m" in text


def test_an_export_adds_its_checks_and_verdict(tmp_path):
    scorecard = Scorecard("churn", "churn.ipynb")
    scorecard.add("notebook ran", True, "papermill, 2.0 s")
    scorecard.add("predict, defaults", True, "ndarray (3,) equal (rtol=1e-06)")
    differing = [
        "output[0]: notebook 1.5, package 1.25",
        "output[1]: notebook 0.2, package 0.9",
        f"output[2]: notebook '{TOKEN}', package 'x'",
    ]
    scorecard.add("predict, threshold=0.3", False, "differs", differing)
    summary = tmp_path / "summary.md"
    append_export(str(summary), "churn.ipynb", tmp_path / "build" / "churn", scorecard)
    text = summary.read_text(encoding="utf-8")
    assert "### nb2prod export `churn.ipynb` → `" in text
    assert "| check | result | detail |" in text
    assert "| predict, defaults | ✅ pass | ndarray (3,) equal (rtol=1e-06) |" in text
    assert "| predict, threshold=0.3 | ❌ FAIL | differs |" in text
    assert (
        "<details><summary>predict, threshold=0.3: largest difference 0.7 (output[1])"
        "</summary>" in text
    )
    assert "output[0]: notebook 1.5, package 1.25" in text and TOKEN not in text
    assert "**NOT verified**" in text
