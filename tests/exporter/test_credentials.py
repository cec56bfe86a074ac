"""Export never writes a credential (issue 16): a parameter the predict cell reads whose
value looks like a credential (a token, a URL with a password, a literal bound to a
secret's name) is refused, naming the parameter and the fix; nothing is written and the
value is never printed.  The fix (read it from the environment in the predict cell) exports
and verifies, and no byte of the package carries the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import code, write_notebook
from ..conftest import nb2prod_cli as run

PLANTED = {
    "service_key": "sk-proj-" + "Qw7eRt9yUi3oPa5sDf2gHj8kLz4x",
    "db_url": "postgresql://admin:Vb6nM1qW8eR3@db.internal:5432/sales",
    "api_password": "hunter2hunter2",
}
SECRETS = [*PLANTED.values(), "Vb6nM1qW8eR3"]


def _every_byte(folder: Path) -> bytes:
    if not folder.exists():
        return b""
    return b"\n".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _project(tmp_path: Path, parameters: str, predict: str) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    return write_notebook(
        tmp_path / "scoring.ipynb",
        [
            code(parameters, tags=["parameters"]),
            code("xs = [1.0, 2.0, 3.0]", tags=["nb2prod:example"]),
            code(predict, tags=["nb2prod:predict"]),
        ],
    )


def _assert_nowhere(secrets, *texts: bytes | str) -> None:
    for text in texts:
        data = text.encode() if isinstance(text, str) else text
        for secret in secrets:
            assert secret.encode() not in data


def test_credential_parameters_read_by_predict_are_refused_and_never_written(tmp_path):
    assignments = "\n".join(f"{name} = {value!r}" for name, value in PLANTED.items())
    reads = " + ".join(f"len({name}) * 0" for name in PLANTED)
    notebook = _project(
        tmp_path, assignments + "\nscale = 2.0", f"[x * scale + {reads} for x in xs]"
    )
    out = tmp_path / "dist" / "scoring"
    result = run("export", notebook, "-o", out, "--verify", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    for name in PLANTED:
        assert f"`{name}`" in result.stderr
        assert f'os.environ["{name.upper()}"]' in result.stderr
    _assert_nowhere(SECRETS, result.stdout, result.stderr, _every_byte(tmp_path / "dist"))


@pytest.mark.parametrize("name", list(PLANTED))
def test_each_kind_of_credential_is_recognised(tmp_path, name):
    notebook = _project(
        tmp_path,
        f"{name} = {PLANTED[name]!r}\nscale = 2.0",
        f"[x * scale + len({name}) * 0 for x in xs]",
    )
    result = run("export", notebook, "-o", tmp_path / "out", "--dry-run", cwd=tmp_path)
    assert result.returncode == 2 and f"`{name}` looks like a credential" in result.stderr
    _assert_nowhere(SECRETS, result.stdout, result.stderr, _every_byte(tmp_path / "out"))


def test_a_credential_given_with_p_for_a_runtime_parameter_is_refused(tmp_path):
    notebook = _project(
        tmp_path,
        "service_key = ''\nscale = 2.0",
        "[x * scale for x in xs if service_key is not None]",
    )
    token = PLANTED["service_key"]
    result = run(
        "export",
        notebook,
        "-o",
        tmp_path / "out",
        "--dry-run",
        "-p",
        "service_key",
        token,
        cwd=tmp_path,
    )
    assert result.returncode == 2 and "`service_key` looks like a secret" in result.stderr
    _assert_nowhere([token], result.stdout, result.stderr, _every_byte(tmp_path / "out"))


def test_the_fix_reads_the_credential_from_the_environment_and_ships_no_byte_of_it(
    tmp_path, monkeypatch
):
    """The refusal's fix: the predict cell reads the variable; export and verification (a
    fresh venv, the generated tests) get the value from their environment only."""
    token = PLANTED["service_key"]
    notebook = _project(
        tmp_path,
        "scale = 2.0",
        'import os\nservice_key = os.environ["SERVICE_KEY"]\n[x * scale + len(service_key) * 0 for x in xs]',
    )
    out = tmp_path / "dist" / "scoring"
    monkeypatch.setenv("SERVICE_KEY", token)
    result = run("export", notebook, "-o", out, "--verify", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verified: the package gives the notebook's answers" in result.stdout
    _assert_nowhere([token], result.stdout, result.stderr, _every_byte(out))
