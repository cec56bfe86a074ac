"""Credentials never leave a job's notebook: a real ``nb2prod run`` of a notebook holding a
GitHub token and a database URL with a password (its parameters cell), a printed token and an
AWS secret key written into a text file; then every byte the store received (the SQLite
database and the artifacts folder) and the ``-o`` output are scanned for them."""

from __future__ import annotations

from pathlib import Path

import nbformat

from ..conftest import code, write_notebook
from .test_run import _runs, run

GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
DB_PASSWORD = "S3cretPw9xQ"
AWS_SECRET = "Hx7Qk2Lm9Pz4Rt6Vw8Yb1Nc3Df5Gh7Jk9Lm2Pq4S"
PLANTED = (GITHUB_TOKEN, DB_PASSWORD, AWS_SECRET)


def _project(tmp_path: Path, store_uri: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.nb2prod]\ntracking_uri = '{store_uri}'\n")
    write_notebook(
        tmp_path / "job.ipynb",
        [
            code(
                f"api_token = '{GITHUB_TOKEN}'\noutput_dir = 'out'\n"
                f"db_url = 'postgresql://etl:{DB_PASSWORD}@db.internal/sales'",
                tags=["parameters"],
            ),
            code("url = db_url\npassword = url.split(':')[2].split('@')[0]\nurl"),
            code("print('calling the API with', api_token)\nprint('db', password)"),
            code(
                "import os\n"
                "aws = os.environ['PLANTED_AWS_SECRET']\n"
                "os.makedirs(output_dir, exist_ok=True)\n"
                "with open(f'{output_dir}/aws.ini', 'w') as f:\n"
                "    f.write(f'[default]\\naws_secret_access_key = {aws}\\n')\n"
                "with open(f'{output_dir}/blob.bin', 'wb') as f:\n"
                "    f.write(bytes(range(256)))"
            ),
            code(
                "secret_length = len(api_token) + len(password) + len(aws)",
                tags=["nb2prod:metrics"],
            ),
            code("%%nb2prod track --log alias\nalias = password"),  # a secret, renamed
        ],
    )
    return tmp_path


def _every_byte(paths: list[Path]) -> dict[Path, bytes]:
    files = {}
    for path in paths:
        for found in [path] if path.is_file() else sorted(path.rglob("*")):
            if found.is_file():
                files[found] = found.read_bytes()
    return files


def test_no_planted_credential_reaches_the_store_or_the_output(tmp_path, store_uri):
    project = _project(tmp_path, store_uri)
    result = run(
        "run", "job.ipynb", "-o", "executed/job.ipynb", cwd=project,
        env={"PLANTED_AWS_SECRET": AWS_SECRET},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (job,), client = _runs(store_uri)
    # the notebook ran with the real values
    expected = len(GITHUB_TOKEN) + len(DB_PASSWORD) + len(AWS_SECRET)
    assert job.data.metrics["secret_length"] == expected
    assert job.data.params["api_token"] == "<redacted>"

    store = project / ".nb2prod"
    artifacts = sorted(p.relative_to(store).as_posix() for p in store.rglob("*") if p.is_file())
    assert any(a.endswith("artifacts/job.ipynb") for a in artifacts), artifacts
    assert any(a.endswith("artifacts/job.html") for a in artifacts), artifacts
    assert any(a.endswith("outputs/out/aws.ini") for a in artifacts), artifacts
    output = project / "executed" / "job.ipynb"
    scanned = _every_byte([store, output])
    assert any(path.name == "mlflow.db" for path in scanned)
    leaks = [
        (str(path.relative_to(project)), secret)
        for path, data in scanned.items()
        for secret in PLANTED
        if secret.encode() in data
    ]
    assert not leaks
    for secret in PLANTED:  # nor on the console
        assert secret not in result.stdout + result.stderr

    # what is left is still a notebook that says what happened, and the binary file is intact
    executed = nbformat.read(output, as_version=4)
    assert "api_token = '<redacted>'" in executed.cells[0].source
    assert "db_url = '<redacted>'" in executed.cells[0].source  # a secret parameter's value
    assert executed.cells[1].outputs[0]["data"]["text/plain"] == "'<redacted>'"
    printed = executed.cells[2].outputs[0]["text"]
    assert "calling the API with <redacted>" in printed and "db <redacted>" in printed
    (ini,) = [p for p in scanned if p.name == "aws.ini"]
    assert scanned[ini] == b"[default]\naws_secret_access_key = <redacted>\n"
    (blob,) = [p for p in scanned if p.name == "blob.bin"]
    assert scanned[blob] == bytes(range(256))


def test_redact_notebook_masks_values_in_every_text_and_nothing_else():
    from nb2prod.credentials.notebooks import redact_notebook

    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": {"db_password": "hunter2x!", "alpha": 0.5}}
    nb.cells = [
        code(
            "db_password = 'hunter2x!'\napi_key = os.environ['OPENAI_API_KEY']\n"
            "tokenizer = 'bert-base-uncased'\nnotes = 'hf_intro.ipynb'",
            outputs=[
                nbformat.v4.new_output("stream", text="pw=hunter2x! token " + GITHUB_TOKEN),
                nbformat.v4.new_output(
                    "display_data",
                    data={
                        "text/html": f"<b>{GITHUB_TOKEN}</b>",
                        "application/json": {"conn": {"password": "hunter2x!"}},
                        "image/png": "iVBORw0KGgo=",
                    },
                ),
                nbformat.v4.new_output(
                    "error", ename="E", evalue="hunter2x!", traceback=["x = 'hunter2x!'"]
                ),
            ],
        )
    ]
    redact_notebook(nb)
    (cell,) = nb.cells
    assert cell.source == (
        "db_password = '<redacted>'\napi_key = os.environ['OPENAI_API_KEY']\n"
        "tokenizer = 'bert-base-uncased'\nnotes = 'hf_intro.ipynb'"
    )
    stream, display, error = cell.outputs
    assert stream.text == "pw=<redacted> token <redacted>"
    assert display.data["text/html"] == "<b>&lt;redacted&gt;</b>"
    assert display.data["application/json"] == {"conn": {"password": "<redacted>"}}
    assert display.data["image/png"] == "iVBORw0KGgo="
    assert (error.evalue, error.traceback) == ("<redacted>", ["x = '<redacted>'"])
    assert nb.metadata["papermill"]["parameters"] == {"db_password": "<redacted>", "alpha": 0.5}


def test_redact_file_leaves_binary_and_clean_files_alone(tmp_path):
    from nb2prod.credentials.notebooks import redact_file

    clean, binary, secret = tmp_path / "a.csv", tmp_path / "m.bin", tmp_path / "env.txt"
    clean.write_text("x,y\n1,2\n")
    binary.write_bytes(b"\0" + GITHUB_TOKEN.encode())
    secret.write_text(f"TOKEN={GITHUB_TOKEN}\nDB_PASSWORD=hunter2x!\nuser=etl\n")
    target = tmp_path / "out" / "copy"
    assert not redact_file(clean, target) and not redact_file(binary, target)
    assert redact_file(secret, target)
    assert target.read_text() == "TOKEN=<redacted>\nDB_PASSWORD=<redacted>\nuser=etl\n"


def test_a_failing_cell_shows_no_credential_on_the_console_or_in_the_store(tmp_path, store_uri):
    (tmp_path / "pyproject.toml").write_text(f"[tool.nb2prod]\ntracking_uri = '{store_uri}'\n")
    write_notebook(
        tmp_path / "fail.ipynb",
        [
            code(
                f"db_password = '{DB_PASSWORD}'\nraise ValueError('cannot log in with ' + db_password)"
            )
        ],
    )
    result = run("run", "fail.ipynb", cwd=tmp_path)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "ValueError: cannot log in with <redacted>" in result.stdout + result.stderr
    assert DB_PASSWORD not in result.stdout + result.stderr
    (job,), _ = _runs(store_uri)
    assert job.data.tags["nb2prod.error"].endswith("cannot log in with <redacted>")
    scanned = _every_byte([tmp_path / ".nb2prod"])
    assert not [path for path, data in scanned.items() if DB_PASSWORD.encode() in data]
