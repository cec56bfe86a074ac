"""The adapters agree.  One public notebook (tests/ols.py) linted and exported through the
Python API, the command line, the kernel magic and the panel's REST API gives the same
findings, the same plan and files in the same default folder, the same package byte for
byte, and the same verification checks."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

import nb2prod
from nb2prod.exporter.manifest import MANIFEST
from nb2prod.exporter.pipeline import summary

from ..conftest import code, nb2prod_cli
from ..kernel.conftest import Kernel
from ..public.ols import NOTEBOOK, ols_export_notebook

PACKAGE = "plot_ols"
DEFAULT_TARGET = f"build/{PACKAGE}"  # next to the notebook, whichever adapter exports


@pytest.fixture
def lab(jp_root_dir):
    """The server root as a project holding the notebook in ``original/``."""
    (jp_root_dir / "pyproject.toml").write_text("[project]\nname = 'lab'\n")
    ols_export_notebook(jp_root_dir / "original")
    return jp_root_dir


def _with_findings(notebook: Path) -> Path:
    """``notebook`` with cells a linter has more to say about (a download, a home path)."""
    document = nbformat.read(notebook, as_version=4)
    document.cells.append(nbformat.from_dict(code("!wget -q https://example.org/extra.csv")))
    document.cells.append(nbformat.from_dict(code("raw = open('/home/ana/extra.csv').read()")))
    nbformat.write(document, notebook)
    return notebook


def _copy(root: Path, adapter: str) -> Path:
    """The same notebook, byte for byte, in a folder of its own for ``adapter``."""
    (root / adapter).mkdir()
    return Path(shutil.copy(root / "original" / NOTEBOOK, root / adapter / NOTEBOOK))


def _kernel(notebook: Path) -> Kernel:
    """A kernel of ``notebook`` as Jupyter starts one: in its folder, knowing its path."""
    kernel = Kernel({"JPY_SESSION_NAME": str(notebook)}, notebook.parent)
    assert kernel.run("%load_ext nb2prod").status == "ok"
    return kernel


def _without(finding: dict, *fields: str) -> dict:
    return {k: v for k, v in finding.items() if k not in fields}


async def test_lint_gives_the_same_findings_everywhere(lab, post):
    notebook = _with_findings(lab / "original" / NOTEBOOK)
    api = [f.to_json() for f in nb2prod.lint(notebook).findings]
    cli = nb2prod_cli("lint", "--format", "json", str(notebook))
    rest = json.loads((await post("lint", {"path": f"original/{NOTEBOOK}"})).body)
    assert {f["code"] for f in api} >= {"NB101", "NB202", "NB403"}  # something to agree on
    assert json.loads(cli.stdout)["findings"] == api
    # REST adds each rule's documentation and names the file as the panel shows it
    assert [_without(f, "doc", "path") for f in rest["findings"]] == [
        _without(f, "path") for f in api
    ]

    kernel = _kernel(notebook)
    try:
        shown = kernel.run("%nb2prod lint").displays[0]["text/plain"]
    finally:
        kernel.shutdown()
    text = nb2prod_cli("lint", NOTEBOOK, cwd=notebook.parent).stdout  # run where the kernel is
    assert shown.split("\n", 1)[1] == text.rstrip()  # the CLI's report, under a title


async def test_an_export_plan_is_the_same_everywhere_with_the_same_default_folder(lab, post):
    notebook = lab / "original" / NOTEBOOK
    api = nb2prod.export(notebook, dry_run=True)
    assert api.target == notebook.parent / DEFAULT_TARGET
    planned = summary(api)

    elsewhere = lab / "elsewhere"  # a command run in another folder exports to the same place
    elsewhere.mkdir()
    cli = nb2prod_cli("export", str(notebook), "--dry-run", cwd=elsewhere)
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout == planned + "\n"

    kernel = _kernel(notebook)
    try:
        reply = kernel.run("%nb2prod export --dry-run", timeout=120)
    finally:
        kernel.shutdown()
    assert reply.status == "ok", reply.stderr
    assert reply.stdout.endswith(planned + "\n")

    rest = json.loads(
        (await post("export", {"path": f"original/{NOTEBOOK}", "dry_run": True})).body
    )
    assert rest["target"] == f"original/{DEFAULT_TARGET}"
    assert rest["files"] == [f"original/{DEFAULT_TARGET}/{name}" for name in api.files]
    assert not list(lab.rglob("build"))  # a plan writes nothing


def _package(notebook: Path) -> dict[str, bytes]:
    """Every file of the package exported next to ``notebook``, with the notebook's folder
    (the one thing that differs between the copies) written as FOLDER."""
    root = notebook.parent / DEFAULT_TARGET
    folder = notebook.parent.name.encode()
    files = {
        path.relative_to(root).as_posix(): path.read_bytes().replace(folder + b"/", b"FOLDER/")
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    # The manifest hashes the files as written, the folder's name in them: its list agrees.
    files[MANIFEST] = json.dumps(sorted(json.loads(files[MANIFEST])["files"])).encode()
    return files


def _check_names(text: str) -> list[str]:
    """The names of the checks in a scorecard's text (``  PASS  install   fresh venv``)."""
    return re.findall(r"^  (?:PASS|FAIL)  (.+?)(?:\s{2,}|$)", text, flags=re.M)


async def test_an_export_writes_the_same_package_and_verifies_it_the_same_way(lab, post):
    notebooks = {adapter: _copy(lab, adapter) for adapter in ("api", "cli", "magic", "rest")}

    api = nb2prod.export(notebooks["api"], verify=True)
    done = nb2prod_cli("export", str(notebooks["cli"]), cwd=lab)
    assert done.returncode == 0, done.stderr
    kernel = _kernel(notebooks["magic"])
    try:
        magic = kernel.run("%nb2prod export --verify", timeout=600)
    finally:
        kernel.shutdown()
    assert magic.status == "ok", magic.stderr
    rest = json.loads(
        (
            await post("export", {"path": f"rest/{NOTEBOOK}", "verify": True}, request_timeout=600)
        ).body
    )

    packages = {adapter: _package(notebook) for adapter, notebook in notebooks.items()}
    assert len(packages["api"]) > 10 and "src/plot_ols/artifacts/ols.joblib" in packages["api"]
    for adapter in ("cli", "magic", "rest"):
        assert packages[adapter] == packages["api"], adapter

    checks = [check.name for check in api.scorecard.checks]
    assert "install" in checks and "generated tests" in checks and api.scorecard.ok
    assert _check_names(magic.stdout) == checks
    assert rest["scorecard"]["ok"] and [c["name"] for c in rest["scorecard"]["checks"]] == checks
    assert os.path.isdir(lab / "rest" / DEFAULT_TARGET)
