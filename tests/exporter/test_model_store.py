"""Where ``--log-model`` and ``--register`` put the model: the store resolved for the
notebook, also when ``nb2prod verify FOLDER --log-model`` is given only the package (its
provenance names the notebook); the exported package is a project of its own."""

from __future__ import annotations

import json

import nbformat

from nb2prod.exporter.mlflow_log import model_store


def _exported(tmp_path):
    project = tmp_path / "project"
    package = project / "build" / "pkg"
    (package / "src" / "pkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (package / "pyproject.toml").write_text("[project]\nname = 'pkg'\n")
    nbformat.write(nbformat.v4.new_notebook(), project / "nb.ipynb")
    provenance = {"notebook": "nb.ipynb"}
    (package / "src" / "pkg" / "provenance.json").write_text(json.dumps(provenance))
    return project, package


def test_the_model_goes_to_the_notebooks_project_store(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    project, package = _exported(tmp_path)
    ours = f"sqlite:///{project}/.nb2prod/mlflow.db"
    assert model_store(None, project / "nb.ipynb").uri == ours  # export, --register
    assert model_store(None, None, package).uri == ours  # verify FOLDER: from provenance
    assert model_store("sqlite:///elsewhere.db", None, package).uri == "sqlite:///elsewhere.db"


def test_without_the_notebook_it_says_which_store_it_uses(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    project, package = _exported(tmp_path)
    (project / "nb.ipynb").unlink()
    said: list[str] = []
    store = model_store(None, None, package, say=said.append)
    assert store.uri == f"sqlite:///{package}/.nb2prod/mlflow.db"
    assert len(said) == 1 and "nb.ipynb" in said[0] and str(package) in said[0], said
