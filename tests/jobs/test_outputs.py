"""A job keeps the files it writes: ``nb2prod run --artifacts DIR`` (or the value of an
``output_dir`` parameter) logs them to its run as ``outputs/PATH``, so each job of a grid
keeps its own model although they all write the same path."""

from __future__ import annotations

from pathlib import Path

import joblib

from ..public.ols import ols_output_dir_notebook
from .test_run import _runs, run


def _project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "old.txt").write_text("written before the job")
    ols_output_dir_notebook(tmp_path)
    return tmp_path


def _outputs(client, run_id: str, folder: str = "outputs") -> list[str]:
    found = []
    for item in client.list_artifacts(run_id, folder):
        found += _outputs(client, run_id, item.path) if item.is_dir else [item.path]
    return found


def test_each_job_of_a_grid_keeps_the_model_it_wrote(tmp_path, store_uri):
    project = _project(tmp_path)
    (project / "grid.yaml").write_text("test_rows: [20, 40]\n")
    result = run("run", "plot_ols.ipynb", "--grid", "grid.yaml", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    runs, client = _runs(store_uri)
    assert len(runs) == 2
    models = {}
    for job in runs:  # no --artifacts: the notebook's `output_dir` parameter says where
        run_id = job.info.run_id
        assert _outputs(client, run_id) == ["outputs/models/ols.joblib"]  # not old.txt
        local = client.download_artifacts(run_id, "outputs/models/ols.joblib", str(tmp_path))
        models[job.data.params["test_rows"]] = joblib.load(local).coef_[0]
        Path(local).unlink()
    assert models["20"] != models["40"]  # each its own, not the last one written


def test_artifacts_names_the_folders_to_keep(tmp_path, store_uri):
    project = _project(tmp_path)
    result = run(
        "run", "plot_ols.ipynb", "-p", "output_dir", "elsewhere", "-p", "model_path",
        "elsewhere/m.joblib", "--artifacts", "elsewhere", "--artifacts", "models", cwd=project,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (job,), client = _runs(store_uri)
    assert _outputs(client, job.info.run_id) == ["outputs/elsewhere/m.joblib"]
    outside = run("run", "plot_ols.ipynb", "--artifacts", "..", cwd=project)
    assert outside.returncode == 2 and "not inside the job's working folder" in outside.stderr
