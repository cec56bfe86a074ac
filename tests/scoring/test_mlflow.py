"""``nb2prod score`` of a model that ``nb2prod export --register`` logged and registered
in an embedded MLflow store: ``runs:/``, the logged model's ``models:/m-…``, the registered
version and its alias give the package folder's bytes; the store is named explicitly,
MLflow's global state untouched."""

from __future__ import annotations

import re

import pytest

from nb2prod.errors import UsageError
from nb2prod.scoring.score import score

from ..conftest import nb2prod_cli
from .conftest import export_example, parcels


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """(package folder, store URI, run id, logged model URI) of one ``--log-model`` export,
    registered as version 1 of ``quotes`` (``--register``) in the store of the notebook's
    project, not of the exported package (a project of its own)."""
    root = tmp_path_factory.mktemp("logged")
    store = f"sqlite:///{root}/logged_quotes-project/.nb2prod/mlflow.db"
    folder = export_example(root, "shipping_quotes.ipynb", "logged_quotes", "--register", "quotes")
    assert not (folder / ".nb2prod").exists()
    from mlflow import MlflowClient

    client = MlflowClient(store)
    experiment = client.get_experiment_by_name("shipping_quotes.ipynb")
    run = client.search_runs([experiment.experiment_id])[0]
    model = next(m for m in client.search_logged_models([experiment.experiment_id]))
    return folder, store, run.info.run_id, f"models:/{model.model_id}"


def test_mlflow_uris_score_as_the_package_and_type_its_parameters(logged, tmp_path, monkeypatch):
    folder, store, run_id, model_uri = logged
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    parcels(700).to_csv(tmp_path / "p.csv", index=False)
    expected = tmp_path / "package.csv"
    params = {"express": "true", "fuel_surcharge": "0.1"}
    score(str(folder), [str(tmp_path / "p.csv")], expected, params=params, chunksize=300)
    from mlflow import MlflowClient

    registry = MlflowClient(store)
    version = registry.get_model_version("quotes", "1")  # export --register made it
    assert version.run_id == run_id and version.tags["nb2prod.run_id"] == run_id
    assert version.tags["nb2prod.notebook"] == "shipping_quotes.ipynb"
    assert registry.get_run(run_id).data.tags["nb2prod.registered_as"] == "quotes/1"
    assert not registry.get_registered_model("quotes").aliases  # registering moves none
    registry.set_registered_model_alias("quotes", "champion", version.version)
    for uri in (f"runs:/{run_id}/model", model_uri, "models:/quotes/1", "models:/quotes@champion"):
        out = tmp_path / f"{re.sub(r'[^a-z0-9]', '_', uri)}.csv"
        result = score(
            uri, [str(tmp_path / "p.csv")], out, params=params, chunksize=300, tracking_uri=store
        )
        assert result.predictions == ["prediction"]
        assert out.read_bytes() == expected.read_bytes(), uri
    import mlflow

    assert mlflow.get_tracking_uri() != store  # never set in this process

    # (one test: the export with --log-model is the slow part) parameters and models that
    # are not there
    with pytest.raises(UsageError, match="unknown parameter expres; valid runtime parameters"):
        score(
            f"runs:/{run_id}/model", [str(tmp_path / "p.csv")], tmp_path / "o.csv",
            params={"expres": "1"}, tracking_uri=store,
        )  # fmt: skip
    done = nb2prod_cli(
        "score", f"runs:/{run_id}/model", "-i", tmp_path / "p.csv", "-o", tmp_path / "o.csv",
        "--param", "fuel_surcharge=lots", "--tracking-uri", store,
    )  # fmt: skip
    assert done.returncode == 2 and "fuel_surcharge must be double" in done.stderr
    missing = nb2prod_cli(
        "score", "runs:/0123456789abcdef0123456789abcdef/model", "-i", tmp_path / "p.csv",
        "-o", tmp_path / "o.csv", "--tracking-uri", store,
    )  # fmt: skip
    assert missing.returncode == 2, missing.stderr
    assert not (tmp_path / "o.csv").exists()
