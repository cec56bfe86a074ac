"""The working-directory rule: `nb2prod run`, `nb2prod export`, `nb2prod verify` and the CI
workflow `nb2prod init --ci github` writes run a notebook in its own folder (as Jupyter and
papermill do) unless `--cwd` says otherwise, so a notebook reading `../data/x.csv` works
in all of them wherever the command starts.  On scikit-learn's OLS example reading its
data from a CSV file beside the notebooks' folder (tests/public/ols.py)."""

from __future__ import annotations

import json

from ..conftest import nb2prod_cli as run
from ..public import ols
from ..test_scaffold import nb2prod_commands, workflow


def _project(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    notebook = ols.ols_csv_project(root)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    return root, notebook, elsewhere


def test_the_ci_workflow_runs_notebooks_in_their_folder_without_cwd(tmp_path, store_uri):
    root, notebook, _ = _project(tmp_path)
    assert run("init", "--ci", "github", cwd=root).returncode == 0
    flow = workflow(root)
    # Each job lints its own notebook first and reports its run; the run and export are:
    job = [argv for argv in nb2prod_commands(flow["jobs"]["jobs"]) if argv[1] == "run"]
    export = [argv for argv in nb2prod_commands(flow["jobs"]["export"]) if argv[1] == "export"]
    assert [argv[:3] for argv in job] == [["nb2prod", "run", "notebooks/plot_ols.ipynb"]]
    assert export == [
        [
            "nb2prod",
            "export",
            "notebooks/plot_ols.ipynb",
            "-o",
            "build/plot_ols",
            "--force",
            "--verify",
            "--summary",
            "$GITHUB_STEP_SUMMARY",
        ]
    ]
    assert "--cwd" not in json.dumps(flow)
    # The job's command as CI runs it, from the project root.
    (root / "executed").mkdir()
    summary = tmp_path / "summary.md"  # what GitHub names $GITHUB_STEP_SUMMARY
    argv = [str(summary) if a == "$GITHUB_STEP_SUMMARY" else a for a in job[0][1:]]
    done = run(*argv, "--tracking-uri", store_uri, cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "| `notebooks/plot_ols.ipynb` |" in summary.read_text(encoding="utf-8")
    assert not (root / "ols.joblib").exists() and (notebook.parent / "ols.joblib").is_file()


def test_export_and_verify_run_the_notebook_in_its_folder_from_anywhere(tmp_path):
    root, notebook, elsewhere = _project(tmp_path)
    out = root / "build" / "plot_ols"
    exported = run("export", notebook, "-o", out, cwd=elsewhere)
    assert exported.returncode == 0, exported.stdout + exported.stderr
    assert (out / "src/plot_ols/artifacts/ols.joblib").is_file()
    assert not (elsewhere / "ols.joblib").exists()
    verified = run("verify", out, cwd=elsewhere)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "PASS  predict, defaults" in verified.stdout


def test_cwd_still_chooses_where_the_notebook_runs(tmp_path):
    root, notebook, elsewhere = _project(tmp_path)
    refused = run("export", notebook, "-o", root / "pkg", "--cwd", elsewhere, cwd=root)
    assert refused.returncode == 4, refused.stderr
    assert "diabetes.csv" in refused.stderr and str(elsewhere) in refused.stderr
    assert not (root / "pkg").exists()
