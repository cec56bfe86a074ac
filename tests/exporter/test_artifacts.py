"""A model the notebook saves outside its own folder (issue 16, item 8): a notebook in
``notebooks/`` that saves ``../models/model.pkl`` and loads it back.  Named by a build
parameter inside the project, it is shipped; outside the project, or written as a path in
the load cell's code, the export stops with why and what to do."""

from __future__ import annotations

from pathlib import Path

from ..conftest import code, write_notebook
from ..conftest import nb2prod_cli as run


def _project(root: Path, path: str, *, as_parameter: bool = True) -> Path:
    """``root/notebooks/train.ipynb``: saves a model at ``path`` (relative to its folder),
    loads it back in its load cell, and predicts with it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    parameters = f"model_path = {path!r}\nscale = 2.0" if as_parameter else "scale = 2.0"
    where = "model_path" if as_parameter else repr(path)
    return write_notebook(
        root / "notebooks" / "train.ipynb",
        [
            code(parameters, tags=["parameters"]),
            code(
                "import os, pickle\n"
                f"os.makedirs(os.path.dirname({where}), exist_ok=True)\n"
                f"with open({where}, 'wb') as f:\n    pickle.dump({{'w': 3.0}}, f)"
            ),
            code(
                f"import pickle\nwith open({where}, 'rb') as f:\n    model = pickle.load(f)",
                tags=["nb2prod:load"],
            ),
            code("xs = [1.0, 2.0]", tags=["nb2prod:example"]),
            code("[x * model['w'] * scale for x in xs]", tags=["nb2prod:predict"]),
        ],
    )


def test_a_model_saved_to_a_models_folder_beside_the_notebooks_is_shipped(tmp_path):
    notebook = _project(tmp_path, "../models/model.pkl")
    out = tmp_path / "dist" / "train"
    result = run("export", notebook, "-o", out, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "artifacts: ../models/model.pkl" in result.stdout
    shipped = out / "src/train/artifacts/models/model.pkl"
    assert shipped.read_bytes() == (tmp_path / "models/model.pkl").read_bytes()
    code_ = (out / "src/train/_notebook.py").read_text()
    assert 'model_path = str(_nb2prod_artifacts / "artifacts/models/model.pkl")' in code_


def test_a_model_the_package_cannot_ship_stops_the_export_saying_why(tmp_path):
    outside = _project(tmp_path / "project", "../../shared/model.pkl")
    result = run("export", outside, "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "build parameter `model_path` = '../../shared/model.pkl' names" in result.stderr
    assert "outside the folder the notebook ran in" in result.stderr
    assert "save the file inside the project" in result.stderr
    assert not (tmp_path / "out").exists()

    literal = _project(tmp_path / "literal", "../models/model.pkl", as_parameter=False)
    result = run("export", literal, "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "No such file or directory: '../models/model.pkl'" in result.stderr
    assert "the package ships only the files its build parameters name" in result.stderr
    assert "make it a parameter (`model_path = '../models/model.pkl'`" in result.stderr
