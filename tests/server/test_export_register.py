"""The panel's export answers the input contract (a preview runs the notebook and writes
nothing) and registers the verified model in the notebook's project store, as
``nb2prod export --register NAME`` does; a registration that cannot happen is refused
before anything runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

NOTEBOOK = "breast_cancer_classifier.ipynb"
EXAMPLE = Path(__file__).parents[2] / "example_notebooks" / NOTEBOOK
TARGET = "work/build/breast_cancer_classifier"


async def _refused(call) -> tuple[int, dict]:
    with pytest.raises(HTTPClientError) as info:
        await call
    return info.value.code, json.loads(info.value.response.body)


@pytest.fixture
def cancer(jp_root_dir, monkeypatch):
    """The example notebook in a project of the server root, whose store is the project's
    own (``.nb2prod/mlflow.db``), as the panel's user has it."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    (jp_root_dir / "pyproject.toml").write_text("[project]\nname = 'lab'\n")
    (jp_root_dir / "work").mkdir()
    shutil.copy(EXAMPLE, jp_root_dir / "work" / NOTEBOOK)
    return jp_root_dir / "work" / NOTEBOOK


async def test_contract_preview_then_two_registered_exports(post, cancer, jp_root_dir, monkeypatch):
    from sklearn.datasets import load_breast_cancer

    from nb2prod.tracking.context import notebook_label
    from nb2prod.tracking.store import TrackingStore

    body = {"path": f"work/{NOTEBOOK}"}
    plan = json.loads((await post("export", {**body, "dry_run": True})).body)
    assert plan["contract"] is None and plan["registered"] is None

    def in_process(_request):
        raise AssertionError("the notebook ran in the server's process")

    monkeypatch.setattr("nb2prod.server.operations.export", in_process)  # a kernel: a child
    preview = await post("export", {**body, "dry_run": True, "contract": True}, request_timeout=300)
    previewed = json.loads(preview.body)
    table = previewed["contract"]["inputs"]["X_new"]
    columns = list(load_breast_cancer(as_frame=True).data.columns)
    assert [c["name"] for c in table["columns"]] == columns
    assert table["source"] == "reference" and table["rows_seen"] == 569  # the reference cell
    assert previewed["files"] == plan["files"] and previewed["registered"] is None
    assert not (jp_root_dir / TARGET).exists()  # nothing written

    store = TrackingStore(f"sqlite:///{jp_root_dir}/.nb2prod/mlflow.db")
    registered = {**body, "register": "cancer"}
    first = json.loads((await post("export", registered, request_timeout=600)).body)
    assert first["scorecard"]["ok"], first["scorecard"]["text"]
    shipped = jp_root_dir / TARGET / "src/breast_cancer_classifier/_contract.json"
    assert first["contract"] == json.loads(shipped.read_text())
    assert first["contract"] == previewed["contract"]  # the preview is what ships
    assert first["registered"]["version"] == "1" and first["registered"]["name"] == "cancer"
    assert first["registered"]["uri"] == "models:/cancer/1"
    (version,) = store.call(lambda c: c.search_model_versions("name = 'cancer'"))
    assert version.run_id == first["registered"]["run_id"]
    assert version.tags["nb2prod.notebook"] == notebook_label(cancer) == f"work/{NOTEBOOK}"

    again = {**registered, "overwrite": True}
    second = json.loads((await post("export", again, request_timeout=600)).body)
    assert second["registered"]["version"] == "2", second["scorecard"]
    found = store.call(lambda c: c.search_model_versions("name = 'cancer'"))
    assert sorted(str(v.version) for v in found) == ["1", "2"]


async def test_a_registration_that_cannot_happen_is_refused_before_anything_runs(
    post, notebook, jp_root_dir, monkeypatch
):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    body = {"path": "work/churn.ipynb"}
    status, answer = await _refused(post("export", {**body, "register": "m", "dry_run": True}))
    assert status == 400 and "dry_run" in answer["message"]
    status, answer = await _refused(post("export", {**body, "register": 7}))
    assert status == 400 and "register" in answer["message"]

    status, answer = await _refused(post("export", {**body, "register": "churn/v2"}))
    assert status == 422 and "'churn/v2'" in answer["message"] and answer["hint"], answer
    assert not (jp_root_dir / "work/build").exists()
    assert not (jp_root_dir / ".nb2prod").exists()  # no store was created either

    monkeypatch.setenv("MLFLOW_TRACKING_URI", (jp_root_dir / "mlruns").as_uri())
    status, answer = await _refused(post("export", {**body, "register": "churn"}))
    assert status == 422 and "no model registry" in answer["message"], answer
    assert "sqlite" in answer["hint"]
    assert not (jp_root_dir / "work/build").exists() and not (jp_root_dir / "mlruns").exists()
