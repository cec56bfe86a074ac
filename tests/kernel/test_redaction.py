"""Credentials never leave a notebook through its kernel: a real ipykernel whose parameters
cell holds an OpenAI key, a database URL with a password and a password under a secret
name; tracked cells log a text file and a frame holding them, a value copied under another
name, and an error quoting one; then every byte the MLflow store received is scanned."""

from __future__ import annotations

import json
from pathlib import Path

TOKEN = "sk-proj-" + "Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3"
DB_PASSWORD = "Xq7m2Lp9vRt4"
DB_URL = f"postgresql://etl:{DB_PASSWORD}@db.internal/sales"
WAREHOUSE_PASSWORD = "Hb8nQ2wZ5yKs"  # no known format: found as a literal of a secret name
PLANTED = (TOKEN, DB_PASSWORD, WAREHOUSE_PASSWORD)
BLOB = bytes(range(256)) + TOKEN.encode()  # binary: logged as it is


def _every_byte(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_no_planted_credential_reaches_the_store_from_a_kernel(kernel, runs, project, store_uri):
    kernel.run(
        f"api_token = '{TOKEN}'\ndb_url = '{DB_URL}'\nwarehouse_password = '{WAREHOUSE_PASSWORD}'",
        tags=["parameters"],
    )
    wrote = kernel.run(
        "import pandas as pd\n"
        "with open('report.txt', 'w') as f:\n"
        "    f.write(f'token {api_token}\\nurl {db_url}\\nwarehouse {warehouse_password}\\n')\n"
        "with open('blob.bin', 'wb') as f:\n"
        f"    f.write(bytes(range(256)) + {TOKEN.encode()!r})"
    )
    assert wrote.status == "ok", wrote.error
    tracked = kernel.run(
        "%%nb2prod track --log frame alias --artifact report.txt blob.bin\n"
        "frame = pd.DataFrame({'conn': [db_url], 'who': [warehouse_password]})\n"
        "alias = warehouse_password"
    )
    assert tracked.status == "ok" and "warning" not in tracked.stderr, tracked.stderr
    failed = kernel.run(
        "%%nb2prod track\nraise RuntimeError(f'login refused for {warehouse_password}')"
    )
    assert failed.status == "error" and WAREHOUSE_PASSWORD in failed.error  # the user sees it
    kernel.run("%nb2prod start")  # a notebook run: files log through another path
    into_notebook_run = kernel.run("%%nb2prod track --artifact report.txt\nx = 1")
    assert into_notebook_run.status == "ok", into_notebook_run.stderr

    own, failing, notebook_run = sorted(runs(), key=lambda r: r.info.start_time)[:3]
    assert own.data.params["alias"] == "<redacted>"
    assert failing.info.status == "FAILED" and "<redacted>" in failing.data.tags["nb2prod.error"]
    store = _every_byte(project / ".nb2prod")
    logged = {path.name: data for path, data in store.items()}
    assert {"report.txt", "blob.bin", "frame.csv"} <= set(logged), sorted(logged)
    assert b"token <redacted>" in logged["report.txt"]
    assert logged["blob.bin"] == BLOB  # binary files as they are (the scan skips them)
    for path, data in store.items():
        if path.name == "blob.bin":
            continue
        for planted in PLANTED:
            assert planted.encode() not in data, f"{planted} in {path}"
    # the user's own file is untouched
    assert TOKEN in (project / "report.txt").read_text()
    assert notebook_run.info.run_id

    # `%nb2prod runs` masks a run the user logged with MLflow itself
    _log_with_mlflow(store_uri)
    shown = kernel.run("%nb2prod runs")
    assert shown.status == "ok" and "copied" in str(shown.displays), shown
    for planted in PLANTED:
        assert planted not in json.dumps(shown.displays) + shown.stdout


def _log_with_mlflow(uri: str) -> None:
    from mlflow import MlflowClient

    client = MlflowClient(uri)
    experiment = client.get_experiment_by_name("train.ipynb").experiment_id
    tags = {"nb2prod.notebook": "train.ipynb"}
    run = client.create_run(experiment, run_name="copied", tags=tags).info.run_id
    client.log_param(run, "conn", DB_URL)
    client.log_param(run, "copy", WAREHOUSE_PASSWORD)
    client.set_tag(run, "nb2prod.error", f"RuntimeError: {TOKEN}")
    client.set_terminated(run, "FAILED")
