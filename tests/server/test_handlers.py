"""The REST API against a real Jupyter server: happy paths, authentication, traversal,
overwrite refusal, malformed bodies, a huge notebook."""

from __future__ import annotations

import inspect
import json
import os

import nbformat
import pytest
from tornado.httpclient import HTTPClientError

from nb2prod.server.handlers import HANDLERS

from ..conftest import code, write_notebook

NO_AUTH = {"Authorization": ""}


async def _status(call) -> int:
    try:
        response = await call
    except HTTPClientError as exc:
        return exc.code
    return response.code


def _json(response) -> dict:
    return json.loads(response.body.decode())


def test_every_handler_verb_is_authenticated_and_authorized():
    for _name, handler in HANDLERS:
        for verb in ("get", "post", "put", "patch", "delete"):
            method = handler.__dict__.get(verb)
            if method is None:
                continue
            source = inspect.getsource(method)
            assert "@tornado.web.authenticated" in source and "@authorized" in source, (
                handler.__name__,
                verb,
            )
            assert source.index("@tornado.web.authenticated") < source.index("@authorized")
    assert {h.auth_resource for n, h in HANDLERS if n in ("lint", "export")} == {"contents"}
    assert {h.auth_resource for n, h in HANDLERS if n not in ("lint", "export")} == {"nb2prod"}


async def test_without_a_token_every_endpoint_is_forbidden(jp_fetch, notebook):
    calls = [
        jp_fetch("nb2prod", "version", headers=NO_AUTH),
        jp_fetch("nb2prod", "config", headers=NO_AUTH),
        jp_fetch("nb2prod", "runs", params={"path": "work/churn.ipynb"}, headers=NO_AUTH),
        jp_fetch("nb2prod", "lint", method="POST", body="{}", headers=NO_AUTH),
        jp_fetch("nb2prod", "export", method="POST", body="{}", headers=NO_AUTH),
    ]
    for call in calls:
        assert await _status(call) == 403


async def test_version_and_config(jp_fetch, monkeypatch, jp_root_dir):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "postgresql+psycopg2://ml:s3cretpassw0rd@db:5432/ml")
    assert _json(await jp_fetch("nb2prod", "version")) == {"version": "0.1.0"}
    config = _json(await jp_fetch("nb2prod", "config"))
    assert "s3cretpassw0rd" not in json.dumps(config)
    assert (
        config["tracking_uri"].startswith("postgresql+psycopg2://")
        and "@db:5432" in config["tracking_uri"]
    )
    assert config["role_tags"]["predict"] == "nb2prod:predict"


async def test_lint_a_saved_notebook_and_unsaved_json(post, notebook):
    found = _json(await post("lint", {"path": "work/churn.ipynb"}))
    codes = {(f["code"], f["cell"]) for f in found["findings"]}
    assert ("NB202", 2) in codes
    nb202 = next(f for f in found["findings"] if f["code"] == "NB202")
    assert nb202["cell_id"] and nb202["doc"] and nb202["path"] == "churn.ipynb"

    unsaved = nbformat.read(notebook, as_version=4)
    unsaved.cells[1].source = "source = 'data/churn.csv'"
    typed = _json(await post("lint", {"path": "work/churn.ipynb", "notebook": unsaved}))
    assert "NB202" not in {f["code"] for f in typed["findings"]}  # follows the typing


async def test_lint_fix_rewrites_the_saved_file(post, jp_root_dir):
    write_notebook(jp_root_dir / "fixme.ipynb", [code("!pip install requests", count=1)])
    before = _json(await post("lint", {"path": "fixme.ipynb", "select": ["NB406"]}))
    assert before["findings"][0]["fix"]
    fixed = _json(await post("lint", {"path": "fixme.ipynb", "select": ["NB406"], "fix": True}))
    assert fixed["fixed"] == 1
    assert "%pip install requests" in (jp_root_dir / "fixme.ipynb").read_text()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("../outside.ipynb", 403),
        ("work/../../outside.ipynb", 403),
        ("/etc/passwd", 403),
        (".hidden/secret.ipynb", 403),
        ("work/missing.ipynb", 404),
        ("work/notes.txt", 400),
        ("", 400),
        (7, 400),
    ],
)
async def test_paths_outside_the_root_or_wrong_are_refused(post, notebook, path, status):
    assert await _status(post("lint", {"path": path})) == status
    assert await _status(post("export", {"path": path, "dry_run": True})) == status


async def test_encoded_traversal_and_symlinks_out_of_the_root(
    jp_fetch, post, notebook, jp_root_dir, tmp_path_factory
):
    outside = tmp_path_factory.mktemp("outside")
    write_notebook(outside / "private.ipynb", [code("secret = 1")])
    os.symlink(outside, jp_root_dir / "linked")
    assert await _status(post("lint", {"path": "linked/private.ipynb"})) in (403, 404)
    encoded = jp_fetch("nb2prod", "runs", params={"path": "%2e%2e/outside.ipynb"})
    assert await _status(encoded) in (400, 403, 404)


async def test_malformed_bodies_are_400_with_a_message(post):
    for body in ("{not json", "[1, 2]", json.dumps({"notebook": "text"})):
        with pytest.raises(HTTPClientError) as info:
            await post("lint", body)
        assert info.value.code == 400
        assert json.loads(info.value.response.body)["message"]


async def test_a_huge_notebook_and_one_too_large(post, monkeypatch):
    cells = [nbformat.v4.new_code_cell(f"x{i} = {i}") for i in range(3000)]
    cells.append(nbformat.v4.new_code_cell("print(1)", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="y" * 5_000_000)
    ]))  # fmt: skip
    huge = nbformat.v4.new_notebook(cells=cells)
    answer = _json(await post("lint", {"notebook": huge}))
    assert answer["version"] == 1
    monkeypatch.setattr("nb2prod.server.handlers.MAX_NOTEBOOK_BYTES", 1000)
    assert await _status(post("lint", {"notebook": huge})) == 413


async def test_runs_of_a_notebook(jp_fetch, notebook, monkeypatch, tmp_path):
    from nb2prod.tracking.context import run_tags
    from nb2prod.tracking.store import TrackingStore

    uri = f"sqlite:///{tmp_path}/runs.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    store = TrackingStore(uri)
    run_id = store.start_run("work/churn.ipynb", run_name="baseline", tags=run_tags(notebook))
    store.end_run(run_id)
    listed = _json(await jp_fetch("nb2prod", "runs", params={"path": "work/churn.ipynb"}))
    assert [r["name"] for r in listed["runs"]] == ["baseline"]
    assert listed["runs"][0]["status"] == "FINISHED"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
    down = jp_fetch("nb2prod", "runs", params={"path": "work/churn.ipynb"})
    assert await _status(down) == 503


async def test_export_plans_writes_refuses_overwrite_and_names_the_fix(post, notebook, jp_root_dir):
    plan = _json(await post("export", {"path": "work/churn.ipynb", "dry_run": True}))
    assert plan["plan"]["inputs"] == ["values"] and plan["plan"]["runtime_parameters"] == {
        "rate": 1.5
    }
    assert not (jp_root_dir / "work/build").exists()

    written = _json(await post("export", {"path": "work/churn.ipynb", "name": "churn"}))
    assert written["target"] == "work/build/churn"
    assert "work/build/churn/src/churn/_notebook.py" in written["files"]
    assert (jp_root_dir / "work/build/churn/src/churn/_notebook.py").is_file()

    again = post("export", {"path": "work/churn.ipynb", "name": "churn"})
    assert await _status(again) == 409
    replaced = post("export", {"path": "work/churn.ipynb", "name": "churn", "overwrite": True})
    assert await _status(replaced) == 200

    outside = post("export", {"path": "work/churn.ipynb", "target": "../escape"})
    assert await _status(outside) == 403

    (jp_root_dir / "work/mine").mkdir()
    (jp_root_dir / "work/mine/notes.txt").write_text("not an export")
    with pytest.raises(HTTPClientError) as conflict:  # from the export's child process
        await post("export", {"path": "work/churn.ipynb", "target": "work/mine", "overwrite": True})
    assert conflict.value.code == 409  # never replaced, whatever the core would do
    assert "not an nb2prod export" in json.loads(conflict.value.response.body)["message"]
    assert (jp_root_dir / "work/mine/notes.txt").read_text() == "not an export"

    write_notebook(jp_root_dir / "work" / "nopredict.ipynb", [code("x = 1")])
    with pytest.raises(HTTPClientError) as info:
        await post("export", {"path": "work/nopredict.ipynb", "dry_run": True})
    assert info.value.code == 422
    assert "no predict cell" in json.loads(info.value.response.body)["message"]


# ---- issue 12: every bad request is a 4xx with a reason ---------------------------------


async def _refusal(call) -> tuple[int, dict]:
    with pytest.raises(HTTPClientError) as info:
        await call
    body = json.loads(info.value.response.body or b"{}")
    return info.value.code, body


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("lint", {"path": "."}),
        ("lint", {"path": "./"}),
        ("export", {"path": "."}),
        ("export", {"path": "work/churn.ipynb", "target": ".", "dry_run": True}),
        ("export", {"path": "work/churn.ipynb", "target": "work/churn.ipynb"}),
        ("export", {"path": "work/churn.ipynb", "target": "work/churn.ipynb", "dry_run": True}),
        ("export", {"path": "work/churn.ipynb", "folder": 7, "dry_run": True}),
        ("lint", {"path": "work/churn.ipynb", "fix": {"code": 7}}),
        ("lint", {"path": "work/churn.ipynb", "fix": "yes"}),
        ("lint", "[" * 100_000 + "]" * 100_000),
        ("lint", '{"notebook": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        ("export", '{"path": ' + "{" * 1 + '"a":' * 0 + "[" * 100_000 + "]" * 100_000 + "}"),
    ],
)
async def test_bad_requests_are_4xx_with_a_reason(post, notebook, endpoint, body):
    status, answer = await _refusal(post(endpoint, body))
    assert 400 <= status < 500, (status, answer)
    assert answer.get("message"), answer


async def test_a_garbage_page_token_is_400(jp_fetch, notebook, monkeypatch, tmp_path):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/runs.db")
    for token in ("garbage", "eyJhIjoxfQ==", "%%%"):
        params = {"path": "work/churn.ipynb", "page_token": token}
        status, answer = await _refusal(jp_fetch("nb2prod", "runs", params=params))
        assert status == 400 and "page" in answer["message"], answer
    # the store is not marked as down by a bad token
    listed = _json(await jp_fetch("nb2prod", "runs", params={"path": "work/churn.ipynb"}))
    assert listed["runs"] == []


async def test_big_notebooks_are_linted_in_a_child_process(post, jp_root_dir, monkeypatch):
    """The server's event loop never runs (nor shares its GIL with) a big lint."""
    big = [code(f"x{i} = '{'y' * 200}'") for i in range(200)] + [code("!pip install numpy")]
    write_notebook(jp_root_dir / "big.ipynb", big)
    monkeypatch.setattr("nb2prod.server.handlers.LINT_IN_PROCESS_BYTES", 10_000)

    def in_process(_request):
        raise AssertionError("a big notebook was linted in the server's process")

    monkeypatch.setattr("nb2prod.server.operations.lint", in_process)
    found = _json(await post("lint", {"path": "big.ipynb"}))
    assert "NB405" in {f["code"] for f in found["findings"]}
    typed = nbformat.read(jp_root_dir / "big.ipynb", as_version=4)
    found = _json(await post("lint", {"path": "big.ipynb", "notebook": typed}))
    assert "NB405" in {f["code"] for f in found["findings"]}


async def test_a_saved_notebook_too_big_is_413_with_a_reason(post, jp_root_dir, monkeypatch):
    write_notebook(jp_root_dir / "big.ipynb", [code("x = '" + "y" * 5000 + "'")])
    monkeypatch.setattr("nb2prod.server.handlers.MAX_NOTEBOOK_BYTES", 1000)
    status, answer = await _refusal(post("lint", {"path": "big.ipynb"}))
    assert status == 413 and "big.ipynb" in answer["message"] and answer["hint"]


async def test_fix_applies_one_findings_fix_only(post, jp_root_dir):
    write_notebook(
        jp_root_dir / "two.ipynb",
        [code("!pip install requests", count=1), code("!pip install numpy", count=2)],
    )
    found = _json(await post("lint", {"path": "two.ipynb", "select": ["NB406"]}))
    second = next(f for f in found["findings"] if f["cell"] == 2)
    one = {k: second[k] for k in ("code", "cell_id", "line", "column")}
    fixed = _json(await post("lint", {"path": "two.ipynb", "select": ["NB406"], "fix": one}))
    assert fixed["fixed"] == 1
    saved = nbformat.read(jp_root_dir / "two.ipynb", as_version=4)
    assert [c.source for c in saved.cells] == ["!pip install requests", "%pip install numpy"]
    assert [f["cell"] for f in fixed["findings"]] == [1]
    gone = _json(await post("lint", {"path": "two.ipynb", "fix": one}))
    assert gone["fixed"] == 0  # that finding is gone: nothing else is fixed


async def test_a_plan_shows_whose_export_the_folder_holds(post, notebook, jp_root_dir):
    written = _json(await post("export", {"path": "work/churn.ipynb", "name": "churn"}))
    assert written["target"] == "work/build/churn"
    plan = _json(
        await post("export", {"path": "work/churn.ipynb", "name": "churn", "dry_run": True})
    )
    assert plan["plan"]["inputs"] == ["values"]  # the plan, not "already exists"
    assert plan["existing"] == {"notebook": "work/churn.ipynb", "own": True}

    status, conflict = await _refusal(post("export", {"path": "work/churn.ipynb", "name": "churn"}))
    assert status == 409 and conflict["existing"]["own"] is True
    assert "work/build/churn" in conflict["message"]
    assert "--" not in conflict["message"] + (conflict["hint"] or "")

    write_notebook(
        jp_root_dir / "work" / "other.ipynb",
        [code("values = [1]", tags=["nb2prod:example"]), code("values", tags=["nb2prod:predict"])],
    )
    other = {"path": "work/other.ipynb", "target": "work/build/churn"}
    plan = _json(await post("export", {**other, "dry_run": True}))
    assert plan["existing"] == {"notebook": "work/churn.ipynb", "own": False}
    for overwrite in (False, True):  # never replaced for another notebook
        status, refused = await _refusal(post("export", {**other, "overwrite": overwrite}))
        assert status == 409 and refused["existing"]["own"] is False
        assert "work/churn.ipynb" in refused["message"]
    assert (jp_root_dir / "work/build/churn/src/churn/_notebook.py").is_file()


async def test_a_default_folder_is_joined_with_the_notebooks_own_name(post, notebook):
    plan = _json(
        await post("export", {"path": "work/churn.ipynb", "folder": "pkgs", "dry_run": True})
    )
    assert (plan["name"], plan["target"]) == ("churn", "pkgs/churn")
    named = {"path": "work/churn.ipynb", "folder": "pkgs/", "name": "mine", "dry_run": True}
    assert _json(await post("export", named))["target"] == "pkgs/mine"


async def test_export_failures_speak_the_panels_language(post, jp_root_dir, notebook):
    write_notebook(jp_root_dir / "work" / "nopredict.ipynb", [code("x = 1")])
    status, answer = await _refusal(
        post("export", {"path": "work/nopredict.ipynb", "dry_run": True})
    )
    assert status == 422
    assert answer["name"] == "nopredict" and answer["target"] == "work/build/nopredict"
    text = answer["message"] + " " + (answer.get("hint") or "")
    assert "--" not in text and " -o" not in text
