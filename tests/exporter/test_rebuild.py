"""The rebuild command the exported README gives (issue 16, item 8) reproduces the export:
run from the project root, with the options that changed it (``--cwd``, ``-p``,
``--version``), it writes the same files."""

from __future__ import annotations

import shlex

from ..conftest import code, write_notebook
from ..conftest import nb2prod_cli as run


def test_the_readme_command_rebuilds_the_same_package(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "rates.json").write_text('{"base": 1.5}')
    notebook = write_notebook(
        tmp_path / "notebooks" / "quotes.ipynb",
        [
            code("rates_path = 'rates.json'\nfactor = 1\nscale = 2.0", tags=["parameters"]),
            code(
                "import json\nwith open(rates_path) as f:\n    rates = json.load(f)",
                tags=["nb2prod:load"],
            ),
            code("xs = [1.0, 2.0]", tags=["nb2prod:example"]),
            code("[x * rates['base'] * factor * scale for x in xs]", tags=["nb2prod:predict"]),
        ],
    )
    first = tmp_path / "dist" / "first"
    exported = run(
        "export", notebook, "-o", first, "--cwd", tmp_path / "data", "-p", "factor", "3",
        "--version", "1.2.0", "--name", "quotes", cwd=tmp_path / "notebooks",
    )  # fmt: skip
    assert exported.returncode == 0, exported.stdout + exported.stderr
    readme = (first / "README.md").read_text()
    command = readme.split("```\n", 2)[1].strip()
    assert command == (
        "nb2prod export notebooks/quotes.ipynb --name quotes -o <this folder> "
        "--version 1.2.0 --cwd data -p factor 3 --force --verify"
    )
    again = tmp_path / "dist" / "again"
    words = shlex.split(command.replace("<this folder>", str(again)))
    assert words[:2] == ["nb2prod", "export"] and "--verify" in words
    words.remove("--verify")  # the same files, without the slow check
    rebuilt = run(*words[1:], cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for path in files:
        assert (first / path).read_bytes() == (again / path).read_bytes(), path
