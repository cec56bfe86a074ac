"""The import contracts of pyproject.toml (`lint-imports` in `make test`) cover the whole
package: every top-level module is either core, and listed, or one of the adapters.  And
no module grows past what one reader holds in mind."""

from __future__ import annotations

from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
ADAPTERS = {"nb2prod.cli", "nb2prod.kernel", "nb2prod.server"}


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["type"]: contract for contract in config["contracts"]}


def test_every_module_is_core_or_an_adapter():
    package = ROOT / "nb2prod"
    modules = {f"nb2prod.{p.stem}" for p in package.glob("*.py") if p.stem != "__init__"}
    modules |= {f"nb2prod.{p.parent.name}" for p in package.glob("*/__init__.py")}
    core = set(_contracts()["forbidden"]["source_modules"])
    assert modules - ADAPTERS == core, "list a new core module in [tool.importlinter]"


def test_the_adapters_are_the_forbidden_and_independent_ones():
    contracts = _contracts()
    assert ADAPTERS <= set(contracts["forbidden"]["forbidden_modules"])
    assert set(contracts["independence"]["modules"]) == ADAPTERS


MAX_LINES = 500


def test_no_module_is_over_500_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "nb2prod").rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules by concern: {long}"
