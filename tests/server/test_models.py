"""GET /nb2prod/models and the verdicts of GET /nb2prod/runs, against a real Jupyter server
and a real SQLite MLflow store: a notebook's registered versions with their aliases, never
another notebook's; drift and promotion runs listed under the notebook they came from."""

from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError

from ..conftest import code, write_notebook

NO_AUTH = {"Authorization": ""}


async def _refusal(call) -> tuple[int, dict]:
    with pytest.raises(HTTPClientError) as info:
        await call
    body = info.value.response.body if info.value.response else b""
    return info.value.code, json.loads(body or b"{}")


def _json(response) -> dict:
    return json.loads(response.body.decode())


@pytest.fixture
def store(monkeypatch, tmp_path):
    """The SQLite store the server resolves for every notebook (MLFLOW_TRACKING_URI)."""
    from nb2prod.tracking.store import TrackingStore

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return TrackingStore(uri)


@pytest.fixture
def other(jp_root_dir, notebook):
    """A second notebook of the same project."""
    return write_notebook(jp_root_dir / "work" / "other.ipynb", [code("x = 1")])


def _register(store, name: str, notebook, commit: str | None = None):
    """A version of ``name`` registered as ``nb2prod export --register`` registers one: a
    run of the notebook (with its tags) that logged the model, the version tagged from it."""
    from nb2prod.rollout.registry import Registry
    from nb2prod.tracking.context import run_tags

    tags = run_tags(notebook, kind="export", packages=False)
    if commit:
        tags["nb2prod.git_commit"] = commit
    run_id = store.start_run("exports", run_name=f"export {name}", tags=tags)
    store.end_run(run_id)
    return Registry(store).register(name, f"runs:/{run_id}/model", run_id)


async def test_a_notebooks_versions_with_their_aliases_and_never_another_notebooks(
    jp_fetch, notebook, other, store, monkeypatch
):
    from nb2prod.rollout.registry import Registry

    monkeypatch.setenv("NB2PROD_MLFLOW_UI_URL", "http://mlflow.example/")
    params = {"path": "work/churn.ipynb"}
    empty = _json(await jp_fetch("nb2prod", "models", params=params))
    assert empty == {"models": [], "unavailable": None}

    first = _register(store, "churn", notebook)
    second = _register(store, "churn", notebook, commit="abc1234")
    _register(store, "churn", other)  # version 3 of the same model, from the other notebook
    _register(store, "other_model", other)
    Registry(store).set_champion("churn", "2")

    answer = _json(await jp_fetch("nb2prod", "models", params=params))
    assert answer["unavailable"] is None
    (model,) = answer["models"]
    assert model["name"] == "churn" and model["aliases"] == {"champion": "2"}
    assert [v["version"] for v in model["versions"]] == ["2", "1"]  # newest first
    newest, oldest = model["versions"]
    assert newest["aliases"] == ["champion"] and oldest["aliases"] == []
    assert newest["run_id"] == second.run_id and oldest["run_id"] == first.run_id
    assert newest["commit"] == "abc1234" and oldest["commit"] is None
    assert newest["created"] >= oldest["created"] > 1_700_000_000_000  # ms
    assert newest["ui_url"] == "http://mlflow.example/#/models/churn/versions/2"

    theirs = _json(await jp_fetch("nb2prod", "models", params={"path": "work/other.ipynb"}))
    assert [(m["name"], [v["version"] for v in m["versions"]]) for m in theirs["models"]] == [
        ("churn", ["3"]),
        ("other_model", ["1"]),
    ]


async def test_a_store_without_registry_is_said_and_one_down_is_503(
    jp_fetch, notebook, monkeypatch, tmp_path
):
    params = {"path": "work/churn.ipynb"}
    monkeypatch.setenv("MLFLOW_TRACKING_URI", (tmp_path / "mlruns").as_uri())
    answer = _json(await jp_fetch("nb2prod", "models", params=params))
    assert answer["models"] == []
    line = answer["unavailable"]
    assert "no model registry" in line and "sqlite:///" in line and "\n" not in line
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
    status, refused = await _refusal(jp_fetch("nb2prod", "models", params=params))
    assert status == 503 and refused["message"]


async def test_models_needs_a_token_and_a_notebook_inside_the_root(jp_fetch, notebook, store):
    status, _ = await _refusal(
        jp_fetch("nb2prod", "models", params={"path": "work/churn.ipynb"}, headers=NO_AUTH)
    )
    assert status in (401, 403)
    for path, expected in [
        ("../outside.ipynb", 403),
        ("%2e%2e/outside.ipynb", None),
        ("/etc/passwd", 403),
        ("work/missing.ipynb", 404),
        ("work/notes.txt", 400),
        ("", 400),
    ]:
        status, answer = await _refusal(jp_fetch("nb2prod", "models", params={"path": path}))
        assert status == expected if expected else status in (400, 403, 404), (path, status)


async def test_drift_and_promotion_runs_are_listed_under_their_notebook_with_verdicts(
    jp_fetch, jp_root_dir, notebook, other, store
):
    """A drift check of a package exported from the notebook (its provenance names it) and
    a promotion of a version registered from it: the runs answer gives kind and verdict."""
    import pandas as pd

    import nb2prod
    from nb2prod.drift import STATS_FILE
    from nb2prod.drift.reference import reference_statistics
    from nb2prod.rollout.record import record
    from nb2prod.rollout.registry import Registry

    reference = pd.DataFrame({"rate": [0.5 + i / 100 for i in range(200)]})
    package = jp_root_dir / "work" / "build" / "churn" / "src" / "churn"
    package.mkdir(parents=True)
    (package / "provenance.json").write_text(json.dumps({"notebook": "work/churn.ipynb"}))
    (package / STATS_FILE).write_text(json.dumps(reference_statistics(reference)))
    checked = nb2prod.check_drift(package.parent.parent, reference * 3, log=True)
    assert checked.drift

    version = _register(store, "churn", notebook)
    registry = Registry(store)
    empty: dict = {}
    for kind, verdict, notebook_tag in [
        ("promote", "first champion", version.tags["nb2prod.notebook"]),
        ("shadow", "agree", None),  # no notebook known: not listed
    ]:
        record(registry, "churn", kind, run_name=kind, metrics={}, params=empty,
               verdict=verdict, report=empty, notebook=notebook_tag)  # fmt: skip

    listed = _json(await jp_fetch("nb2prod", "runs", params={"path": "work/churn.ipynb"}))
    found = [(r["kind"], r["verdict"], r["model"]) for r in listed["runs"]]
    assert found == [
        ("promote", "first champion", "churn"),
        ("export", None, None),  # the run that logged the registered model
        ("drift", "drift", "churn"),
    ]
    theirs = _json(await jp_fetch("nb2prod", "runs", params={"path": "work/other.ipynb"}))
    assert theirs["runs"] == []
