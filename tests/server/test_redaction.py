"""The panel never shows a credential: a real Jupyter server asked to lint, list the runs of
and plan the export of a notebook holding an OpenAI key, a database URL with a password
and a password under a secret name (in its code and printed in its outputs), with runs a
user logged through MLflow directly; every response body is scanned for them."""

from __future__ import annotations

import json

import nbformat
import pytest
from tornado.httpclient import HTTPClientError

from ..conftest import code, write_notebook

TOKEN = "sk-proj-" + "Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3"
DB_PASSWORD = "Xq7m2Lp9vRt4"
DB_URL = f"postgresql://etl:{DB_PASSWORD}@db.internal/sales"
WAREHOUSE_PASSWORD = "Hb8nQ2wZ5yKs"
PLANTED = (TOKEN, DB_PASSWORD, WAREHOUSE_PASSWORD)


def _notebook(root):
    (root / "pyproject.toml").write_text("[project]\nname = 'lab'\n")
    path = write_notebook(
        root / "work" / "score.ipynb",
        [
            code(
                f"service_key = '{TOKEN}'\ndb_url = '{DB_URL}'\n"
                f"warehouse_password = '{WAREHOUSE_PASSWORD}'\nscale = 2.0",
                tags=["parameters"],
            ),
            code("print(service_key, db_url, warehouse_password)", count=1),
            code("xs = [1.0, 2.0]", tags=["nb2prod:example"]),
            code(
                "[x * scale for x in xs if service_key and warehouse_password]",
                tags=["nb2prod:predict"],
            ),
        ],
    )
    node = nbformat.read(path, as_version=4)
    node.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"{TOKEN} {DB_URL}\n"),
        nbformat.v4.new_output(
            "error",
            ename="OperationalError",
            evalue=f"password authentication failed: {WAREHOUSE_PASSWORD}",
            traceback=[f"connect({DB_URL!r})"],
        ),
    ]
    nbformat.write(node, path)
    return path


def _runs_logged_by_the_user(uri: str, notebook) -> None:
    """Runs of the notebook written with MLflow itself, not through nb2prod's masking."""
    from mlflow import MlflowClient

    from nb2prod.tracking.context import run_tags

    client = MlflowClient(uri)
    experiment = client.create_experiment("work/score.ipynb")
    run = client.create_run(experiment, run_name=f"run {TOKEN}", tags=run_tags(notebook))
    client.log_param(run.info.run_id, "connection", DB_URL)
    client.log_param(run.info.run_id, "key", TOKEN)
    client.log_param(run.info.run_id, "copy", WAREHOUSE_PASSWORD)
    client.set_tag(run.info.run_id, "nb2prod.error", f"login refused for {WAREHOUSE_PASSWORD}")
    client.set_tag(run.info.run_id, "nb2prod.cell_source", f"warehouse_password = {DB_URL!r}")
    client.set_terminated(run.info.run_id, "FAILED")


async def test_no_response_of_the_panel_holds_a_planted_credential(
    jp_fetch, post, jp_root_dir, monkeypatch, tmp_path
):
    notebook = _notebook(jp_root_dir)
    uri = f"sqlite:///{tmp_path}/runs.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    _runs_logged_by_the_user(uri, notebook)
    unsaved = json.loads(notebook.read_text())
    bodies = {
        "lint": await post("lint", {"path": "work/score.ipynb"}),
        "lint of unsaved JSON": await post("lint", {"notebook": unsaved}),
        "runs": await jp_fetch("nb2prod", "runs", params={"path": "work/score.ipynb"}),
        "export plan": await post("export", {"path": "work/score.ipynb", "dry_run": True}),
        "config": await jp_fetch("nb2prod", "config"),
    }
    answers = {what: response.body.decode() for what, response in bodies.items()}
    try:  # written (a credential becomes a setting read from the environment) or refused
        exported = await post("export", {"path": "work/score.ipynb", "name": "score"})
        answers["export"] = exported.body.decode()
    except HTTPClientError as refused:
        assert refused.code == 422, refused.response.body
        answers["export"] = refused.response.body.decode()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://etl:{DB_PASSWORD}@127.0.0.1:9")
    with pytest.raises(HTTPClientError) as down:  # an error's answer
        await jp_fetch("nb2prod", "runs", params={"path": "work/score.ipynb"})
    assert down.value.code == 503
    answers["runs from a store that is down"] = down.value.response.body.decode()
    lint = json.loads(answers["lint"])
    assert {"NB501", "NB502", "NB503"} <= {f["code"] for f in lint["findings"]}, answers["lint"]
    (run,) = json.loads(answers["runs"])["runs"]
    assert run["params"]["connection"] == "postgresql://etl:<redacted>@db.internal/sales"
    assert run["params"]["copy"] == "<redacted>" and "<redacted>" in run["error"]
    # a credential is a setting read from the environment, shown as the command line shows it
    shown = json.loads(answers["export plan"])["plan"]["runtime_parameters"]
    assert shown["scale"] == 2.0 and shown["service_key"] == "<from $SERVICE_KEY>", shown
    assert shown["warehouse_password"] == "<from $WAREHOUSE_PASSWORD>", shown
    for what, body in answers.items():
        for planted in PLANTED:
            assert planted not in body, f"{planted} in the {what} answer: {body[:2000]}"
