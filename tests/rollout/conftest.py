"""Rollout tests: two exports of the breast cancer classifier, one well regularised and
one nearly constant, logged as pyfunc models to one embedded SQLite store once per test
run (xdist workers share them through a lock) and registered afresh by each test under a
name of its own, so tests do not depend on each other's aliases."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..conftest import built_once

EXAMPLES = Path(__file__).parents[2] / "example_notebooks"
#: Build parameters of the two exports: C=1 scores ~0.96 accuracy, C=1e-5 about 0.63
#: (it calls almost nothing malignant).
GOOD, BAD = "1.0", "0.00001"


def _export_and_log(root: Path, store: str, regularization: str) -> dict[str, str]:
    import nb2prod
    from nb2prod.exporter.mlflow_log import log_and_check
    from nb2prod.exporter.verify import Scorecard

    project = root / f"project-{regularization}"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    notebook = project / "breast_cancer_classifier.ipynb"
    shutil.copy(EXAMPLES / notebook.name, notebook)
    # the same package name twice: the versions differ only in their model file
    result = nb2prod.export(
        notebook, root / f"bc-{regularization}", name="bc_model",
        params={"regularization": regularization},
    )  # fmt: skip
    # the notebook's reference cell (data.data) gave the package its drift statistics
    from nb2prod.drift import STATS_FILE

    assert (result.target / "src" / "bc_model" / STATS_FILE).is_file()
    scorecard = Scorecard("bc_model", notebook.name)
    log_and_check(result.target, result.capture, scorecard, tracking_uri=store)
    assert scorecard.ok and scorecard.logged, scorecard.text()
    return {**scorecard.logged, "package": str(result.target)}


def _build(root: Path) -> dict:
    from sklearn.datasets import load_breast_cancer

    store = f"sqlite:///{root}/mlflow.db"
    data = load_breast_cancer(as_frame=True)
    labelled = data.data.sample(240, random_state=5)
    labelled["malignant"] = data.target.loc[labelled.index] == 0
    labelled.to_csv(root / "labelled.csv", index=False)
    batch = labelled.drop(columns=["malignant"])
    batch.to_csv(root / "batch.csv", index=False)
    batch.assign(**{"mean radius": batch["mean radius"] * 1.5}).to_csv(
        root / "shifted.csv", index=False
    )  # a batch whose mean radius drifted
    return {
        "store": store,
        "labelled": str(root / "labelled.csv"),
        "batch": str(root / "batch.csv"),
        "shifted": str(root / "shifted.csv"),
        "good": _export_and_log(root, store, GOOD),
        "bad": _export_and_log(root, store, BAD),
    }


@pytest.fixture(scope="session")
def logged(tmp_path_factory, worker_id) -> dict:
    """``store``, the ``labelled``, ``batch`` and ``shifted`` files, and the ``good`` and
    ``bad`` logged models (``model_uri``, ``run_id``, the exported ``package`` folder)."""
    return built_once(tmp_path_factory, worker_id, "rollout", _build)


@pytest.fixture
def registry(logged):
    from nb2prod.rollout.registry import Registry
    from nb2prod.tracking.store import TrackingStore

    return Registry(TrackingStore(logged["store"]))


@pytest.fixture
def register(logged, registry, request):
    """``register("good", "bad", …)``: a model named after the test with those versions
    (1, 2, …); returns its name."""

    def make(*which: str, champion: str | None = None) -> str:
        name = request.node.name.replace("[", "_").replace("]", "")
        for kind in which:
            registry.register(name, logged[kind]["model_uri"], logged[kind]["run_id"])
        if champion is not None:
            registry.set_champion(name, champion)
        return name

    return make
