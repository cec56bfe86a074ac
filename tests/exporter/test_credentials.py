"""Export never writes a credential (issue 16).

A runtime parameter (read by the predict cell) whose value looks like a credential (a
token, a URL with a password, a literal bound to a secret's name) becomes a required
setting of the package, read from an environment variable named after it; the export,
its checks and the generated tests use a placeholder, and no byte of the package, the
wheel, the MLflow store or the console carries the value.  A build parameter (read by a
load cell) holding one is refused, naming the parameter and the fix."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import nb2prod
from nb2prod.exporter.render import render_package

from ..conftest import code, write_notebook
from ..conftest import nb2prod_cli as run

PLANTED = {
    "service_key": "sk-proj-" + "Qw7eRt9yUi3oPa5sDf2gHj8kLz4x",
    "db_url": "postgresql://admin:Vb6nM1qW8eR3@db.internal:5432/sales",
    "api_password": "hunter2hunter2",
}
SECRETS = [*PLANTED.values(), "Vb6nM1qW8eR3"]
TOKEN = PLANTED["service_key"]


def _every_byte(folder: Path, but: tuple[Path, ...] = ()) -> bytes:
    """Every file under ``folder`` (a wheel's members uncompressed too), but ``but``."""
    if not folder.exists():
        return b""
    chunks = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path not in but:
            chunks.append(path.read_bytes())
            if path.suffix == ".whl":
                with zipfile.ZipFile(path) as wheel:
                    chunks += [wheel.read(member) for member in wheel.namelist()]
    return b"\n".join(chunks)


def _assert_nowhere(secrets, *texts: bytes | str) -> None:
    for text in texts:
        data = text.encode() if isinstance(text, str) else text
        for secret in secrets:
            assert secret.encode() not in data


def _project(tmp_path: Path, parameters: str, predict: str, load: str | None = None) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    cells = [code(parameters, tags=["parameters"])]
    if load is not None:
        cells.append(code(load, tags=["nb2prod:load"]))
    cells += [
        code("xs = [1.0, 2.0, 3.0]", tags=["nb2prod:example"]),
        code(predict, tags=["nb2prod:predict"]),
    ]
    return write_notebook(tmp_path / "scoring.ipynb", cells)


# --------------------------------------------------------------------------- the plan


def test_each_kind_of_credential_read_by_predict_becomes_a_required_setting(tmp_path):
    """Planned and rendered in memory (no run): every generated file names the variables
    and none carries a value."""
    assignments = "\n".join(f"{name} = {value!r}" for name, value in PLANTED.items())
    reads = " + ".join(f"len({name}) * 0" for name in PLANTED)
    notebook = _project(
        tmp_path, assignments + "\nscale = 2.0", f"[x * scale + {reads} for x in xs]"
    )
    result = nb2prod.export(notebook, tmp_path / "out", dry_run=True)
    plan = result.plan
    assert plan.settings == {
        "service_key": "SERVICE_KEY",
        "db_url": "DB_URL",
        "api_password": "API_PASSWORD",
    }
    assert plan.runtime_params == [*PLANTED, "scale"]
    assert all(plan.specs[name].default is None for name in PLANTED)  # the value is gone
    files = render_package(plan, result.spec)
    rendered = b"\n".join(c if isinstance(c, bytes) else c.read_bytes() for c in files.values())
    _assert_nowhere(SECRETS, rendered)
    readme = files["README.md"].decode()
    assert "| `db_url` | str | required: `$DB_URL` |" in readme
    assert "- `API_PASSWORD`: the value of `api_password`, required." in readme

    dry = run("export", notebook, "-o", tmp_path / "out", "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "service_key=<from $SERVICE_KEY>, db_url=<from $DB_URL>" in dry.stdout
    _assert_nowhere(SECRETS, dry.stdout, dry.stderr, _every_byte(tmp_path / "out"))


def test_a_credential_build_parameter_is_refused_naming_it_and_the_fix(tmp_path):
    """A load cell's credential would be a constant of the package: refused, not printed."""
    notebook = _project(
        tmp_path,
        f"db_url = {PLANTED['db_url']!r}\nscale = 2.0",
        "[x * scale * size for x in xs]",
        load="size = len(db_url) // len(db_url)",
    )
    result = run("export", notebook, "-o", tmp_path / "out", "--dry-run", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "parameter `db_url` looks like a credential" in result.stderr
    assert 'db_url = os.environ["DB_URL"]` in the load cell' in result.stderr
    _assert_nowhere(SECRETS, result.stdout, result.stderr, _every_byte(tmp_path / "out"))


def test_a_value_given_with_p_for_a_credential_is_refused(tmp_path):
    notebook = _project(
        tmp_path,
        f"service_key = {TOKEN!r}\napi_token = ''\nscale = 2.0",
        "[x * scale for x in xs if service_key and api_token is not None]",
    )
    out = tmp_path / "out"
    setting = run("export", notebook, "-o", out, "--dry-run", "-p", "service_key", "plain-text")
    assert setting.returncode == 2, setting.stdout + setting.stderr
    assert "`service_key` is a required setting the package reads from $SERVICE_KEY" in (
        setting.stderr
    )
    secret = run("export", notebook, "-o", out, "--dry-run", "-p", "api_token", TOKEN)
    assert secret.returncode == 2 and "`api_token` looks like a secret" in secret.stderr
    _assert_nowhere([TOKEN, "plain-text"], setting.stdout, setting.stderr)
    _assert_nowhere([TOKEN], secret.stdout, secret.stderr, _every_byte(out))


def test_the_export_runs_predict_with_a_placeholder_and_says_so_when_that_fails(tmp_path):
    """A predict cell that needs the real credential cannot be captured: the failure says
    the cells ran with a placeholder, and what to do."""
    notebook = _project(
        tmp_path,
        f"service_key = {TOKEN!r}\nscale = 2.0",
        "assert service_key.startswith('sk-'), service_key\n[x * scale for x in xs]",
    )
    result = run("export", notebook, "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "AssertionError: placeholder-for-SERVICE_KEY" in result.stderr
    assert "ran with a placeholder for `service_key`, never the real value" in result.stderr
    _assert_nowhere([TOKEN], result.stdout, result.stderr, _every_byte(tmp_path / "out"))


# --------------------------------------------------------------------------- end to end


def test_a_planted_token_becomes_service_key_and_no_byte_of_it_leaves_the_notebook(tmp_path):
    """A service key planted in the parameters cell and read by the predict cell: exported,
    verified in a fresh venv and logged to MLflow; the package, its wheel, the store and
    the console are scanned; the installed command runs with the variable set, unset and
    overridden.  (Pure Python, so the fresh venv installs in seconds: the same notebook
    on scikit-learn's OLS example took 231 s here, installing scipy and pandas.)"""
    notebook = _project(
        tmp_path,
        f"service_key = {TOKEN!r}  # the pricing service's key\nscale = 2.0",
        "assert service_key\n[round(x * scale, 2) for x in xs]",
    )
    out = tmp_path / "dist" / "ols"
    store = f"sqlite:///{tmp_path}/store/mlflow.db"
    (tmp_path / "store").mkdir()
    exported = run(
        "export", notebook, "--name", "ols", "-o", out, "--verify",
        "--log-model", "--tracking-uri", store, cwd=tmp_path,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stdout + exported.stderr
    assert "ols.predict(xs, *, service_key=<from $SERVICE_KEY>, scale=2.0)" in exported.stdout
    for line in ("PASS  generated tests", "PASS  ols predict", "PASS  mlflow pyfunc, defaults"):
        assert line in exported.stdout
    provenance = (out / "src/ols/provenance.json").read_text()
    assert '"settings_from_environment": {\n    "service_key": "SERVICE_KEY"' in provenance
    refused = run("verify", out, "-p", "service_key", TOKEN, cwd=tmp_path)
    assert refused.returncode == 2 and "`service_key` is a required setting" in refused.stderr

    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(wheels), str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    prefix = tmp_path / "installed"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--prefix", str(prefix), *map(str, wheels.glob("*.whl"))],
        capture_output=True, text=True,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    site = sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)})
    env = {k: v for k, v in os.environ.items() if k != "SERVICE_KEY"}
    env["PYTHONPATH"] = site
    rows = tmp_path / "rows.json"
    rows.write_text("[0.5, 1.25]")

    def ols(*args, **extra):
        return subprocess.run(
            [str(prefix / "bin" / "ols"), *args], capture_output=True, text=True,
            env={**env, **extra},
        )  # fmt: skip

    helped = ols("predict", "--help")
    shown = " ".join(helped.stdout.split())
    assert (
        helped.returncode == 0 and "read from the environment: SERVICE_KEY (service_key)" in shown
    )
    assert "service_key (required: from $SERVICE_KEY when not given)" in shown
    unset = ols("predict", "--input", str(rows))
    assert unset.returncode == 2, unset.stderr
    assert unset.stderr.strip().splitlines() == [
        "ols: error: SERVICE_KEY is not set: service_key is a required setting of ols; set "
        "the environment variable SERVICE_KEY, or pass service_key to predict"
    ]
    answered = ols("predict", "--input", str(rows), SERVICE_KEY=TOKEN)
    assert answered.returncode == 0, answered.stderr
    passed = subprocess.run(
        [sys.executable, "-c",
         "import json, ols; print(json.dumps(ols.predict([0.5, 1.25], service_key='given')))"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert passed.returncode == 0, passed.stderr
    assert "".join(passed.stdout.split()) == "".join(answered.stdout.split()) == "[1.0,2.5]"

    everything = _every_byte(tmp_path, but=(notebook,))  # package, wheel, store, installed
    assert b"placeholder-for-SERVICE_KEY" in everything  # the generated tests' stand-in
    _assert_nowhere(
        [TOKEN],
        everything,
        exported.stdout,
        exported.stderr,
        refused.stdout + refused.stderr,
        helped.stdout,
        unset.stderr,
        answered.stdout + answered.stderr,
    )


def test_reading_the_credential_from_the_environment_ships_no_byte_of_it(tmp_path, monkeypatch):
    """The refusal's fix for a build parameter, and what a notebook that already reads
    the variable gets: export and verification (a fresh venv, the generated tests) take
    the value from their environment only."""
    notebook = _project(
        tmp_path,
        "scale = 2.0",
        'import os\nservice_key = os.environ["SERVICE_KEY"]\n[x * scale + len(service_key) * 0 for x in xs]',
    )
    out = tmp_path / "dist" / "scoring"
    monkeypatch.setenv("SERVICE_KEY", TOKEN)
    result = run("export", notebook, "-o", out, "--verify", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verified: the package gives the notebook's answers" in result.stdout
    _assert_nowhere([TOKEN], result.stdout, result.stderr, _every_byte(out))


@pytest.fixture(autouse=True)
def _no_real_key(monkeypatch):
    """The tests plant the key in notebooks, never in the environment they start from."""
    monkeypatch.delenv("SERVICE_KEY", raising=False)
