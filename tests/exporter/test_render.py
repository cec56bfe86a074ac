"""Rendering the package (nb2prod/exporter/render.py): golden files, and the generated code
imported and run in this process."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nb2prod.exporter.plan import plan_export
from nb2prod.exporter.render import PackageSpec, render_package
from nb2prod.exporter.requirements import Requirement
from nb2prod.exporter.writer import write_tree
from nb2prod.notebook import load_notebook

from ..conftest import code, write_notebook

GOLDEN = Path(__file__).with_name("golden")
UPDATE = os.environ.get("NB2PROD_UPDATE_GOLDEN") == "1"

CELLS = [
    code(
        "prices_path = 'prices.json'  # the price table\n"
        "discount: float = 0.0  # fraction taken off\n"
        "currency = 'EUR'  # shown with totals\n"
        "rounding = 2  # decimals\n"
        "express = False  # next-day delivery\n"
        "extras = ['gift']  # add-ons allowed",
        tags=["parameters"],
    ),
    code(
        "import json\n\nSQL = '''\nselect *\n  from orders\n'''\n\n"
        "def line_total(line, prices):\n    return prices[line['sku']] * line['qty']",
        tags=["nb2prod:export"],
    ),
    code("%%nb2prod load\nwith open(prices_path) as fh:\n    prices = json.load(fh)"),
    code("order = [{'sku': 'a', 'qty': 2}, {'sku': 'b', 'qty': 1}]", tags=["nb2prod:example"]),
    code(
        "#| nb2prod: predict\ntotal = sum(line_total(item, prices) for item in order)\n"
        "{'total': round(total * (1 - discount), rounding), 'currency': currency,\n"
        " 'express': express, 'extras': extras}"
    ),
]
PRICES = {"a": 1.25, "b": 10.0}
for _number, _cell in enumerate(CELLS, start=1):
    _cell.id = f"cell-{_number}"  # fixed, for the golden files


def _spec(name: str, tmp_path: Path) -> PackageSpec:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps(PRICES))
    from nb2prod.exporter.render import Artifact

    order = [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}]
    output = {"total": 12.5, "currency": "EUR", "express": False, "extras": ["gift"]}
    return PackageSpec(
        name=name,
        version="1.2.0",
        notebook="notebooks/orders.ipynb",
        requirements=[Requirement("tabulate", "0.9.0", ("tabulate",))],
        lock=["tabulate==0.9.0"],
        extras={"test": ["pytest>=8,<9"]},
        artifacts=[Artifact("prices_path", prices, "prices.json", "artifacts/prices.json")],
        inputs={"order": order},
        cases=[{"name": "defaults", "params": {}, "output": output}],
        provenance={"notebook": "notebooks/orders.ipynb"},
        nb2prod_version="0.0.test",
        python="3.11",
    )


def _render(tmp_path: Path, name: str = "orders"):
    notebook = load_notebook(write_notebook(tmp_path / "orders.ipynb", CELLS))
    plan = plan_export(notebook)
    return plan, render_package(plan, _spec(name, tmp_path))


def test_rendered_files_match_the_golden_files(tmp_path):
    _plan, files = _render(tmp_path)
    texts = {p: c for p, c in files.items() if isinstance(c, bytes) and not p.endswith(".pkl")}
    if UPDATE:
        for path, content in texts.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_bytes(content)
    golden = {
        p.relative_to(GOLDEN).as_posix(): p.read_bytes()
        for p in GOLDEN.rglob("*")
        if p.is_file() and not any(d.startswith(".") or d == "__pycache__" for d in p.parts[:-1])
    }
    assert sorted(golden) == sorted(texts), "run with NB2PROD_UPDATE_GOLDEN=1 to refresh"
    for path, content in texts.items():
        assert content.decode() == golden[path].decode(), path


def test_rendering_is_byte_identical_and_ruff_clean(tmp_path):
    first, second = _render(tmp_path)[1], _render(tmp_path)[1]
    assert first == second
    write_tree(first, tmp_path / "project")
    ruff = [sys.executable, "-m", "ruff"]
    for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        done = subprocess.run([*ruff, *command], cwd=tmp_path / "project", capture_output=True)
        assert done.returncode == 0, done.stdout.decode()


@pytest.fixture
def package(tmp_path):
    """The rendered package, written to disk and imported here under a unique name."""
    name = f"orders_{abs(hash(tmp_path)) % 10**8}"
    _plan, files = _render(tmp_path, name)
    write_tree(files, tmp_path / "project")
    sys.path.insert(0, str(tmp_path / "project" / "src"))
    try:
        yield importlib.import_module(name), tmp_path / "project"
    finally:
        sys.path.remove(str(tmp_path / "project" / "src"))
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


ORDER = [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}]


def test_predict_gives_the_notebooks_answer_with_defaults_and_overrides(package):
    module, _folder = package
    assert module.predict(ORDER) == {
        "total": 12.5,
        "currency": "EUR",
        "express": False,
        "extras": ["gift"],
    }
    answer = module.predict(ORDER, discount="0.1", rounding=1, express="yes", extras=("x",))
    assert answer == {"total": 11.2, "currency": "EUR", "express": True, "extras": ["x"]}


def test_parameters_are_validated(package):
    module, _folder = package
    assert module.Params().discount == 0.0 and module.Params().extras == ["gift"]
    with pytest.raises(TypeError, match="unknown parameter color; valid runtime parameters:"):
        module.predict(ORDER, color="red")
    with pytest.raises(TypeError, match="prices_path was fixed when the package was exported"):
        module.predict(ORDER, prices_path="other.json")
    for bad in ({"rounding": 1.5}, {"express": "maybe"}, {"currency": 3}, {"extras": "{}"}):
        with pytest.raises(TypeError, match=next(iter(bad))):
            module.Params(**bad)
    with pytest.raises(AttributeError):
        module.Params().discount = 1  # frozen


def test_load_runs_once_and_reads_the_packaged_artifact(package):
    module, folder = package
    notebook_module = importlib.import_module(f"{module.__name__}._notebook")
    assert notebook_module.prices_path == str(
        folder / "src" / module.__name__ / "artifacts" / "prices.json"
    )
    module.load()
    first = notebook_module.prices
    module.load()
    assert notebook_module.prices is first and first == PRICES


def test_the_command_line_reads_and_writes_files(package, tmp_path, capsys):
    module, _folder = package
    cli = importlib.import_module(f"{module.__name__}.cli")
    source = tmp_path / "order.json"
    source.write_text(json.dumps(ORDER))
    assert cli.main(["predict", "--input", str(source), "--param", "discount=0.5"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 6.25
    assert cli.main(["predict", "--input", str(source), "--param", "nope=1"]) == 2
    assert "unknown parameter nope" in capsys.readouterr().err
    assert cli.main(["predict", "--input", str(tmp_path / "order.txt")]) == 2
    assert "unknown input format" in capsys.readouterr().err
