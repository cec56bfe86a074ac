"""Smoke test of the lint benchmark (bench/lint_bench.py) on a tiny local corpus.

The real corpus is fetched from PyPI by ``make bench``; here only the parts that do not
depend on it run: the measurements, the ratios, the robustness checks and the corpus
helpers (source list, safe and deduplicating extraction)."""

from __future__ import annotations

import io
import json
import re
import shutil
import sys
import tarfile
from pathlib import Path

import corpus  # bench/ is on sys.path: tests/conftest.py, loaded first, puts it there
import nbformat
import pytest

from .conftest import goal_names, run_bench

TOOLS = {name: Path(sys.executable).parent / name for name in ("nb2prod", "ruff")}


def _write(path: Path, *sources: str, language: str = "python") -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": language,
        "display_name": language,
        "language": language,
    }
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    _write(
        root / "analysis.ipynb",
        "import pandas as pd",
        "df = pd.read_csv('/home/me/data.csv')",
        "%matplotlib inline\ndf.plot()",
    )
    _write(root / "sub" / "magics.ipynb", "!pip install requests", "%%time\nx = 1", "len?")
    _write(root / "sub" / "broken_code.ipynb", "def f(:\n    pass")
    _write(root / "r_kernel.ipynb", "library(ggplot2)", language="R")
    (root / "truncated.ipynb").write_text('{"cells": [{"cell_type": "code", "sou', "utf-8")
    return root


@pytest.mark.skipif(
    not all(tool.exists() for tool in TOOLS.values()),
    reason="nb2prod and ruff must be installed beside this Python",
)
def test_benchmark_prints_ratios_and_goals(tiny_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    text = run_bench(
        "lint_bench.py",
        "--corpus",
        str(tiny_corpus),
        "--quick",
        "--json-out",
        str(out),
        timeout=120,
    )
    for what in ("whole corpus", "cold start", "peak memory"):
        assert re.search(rf"ratio nb2prod/ruff \({what}\)\s+\d+\.\d\dx", text), what
    assert "files           5" in text
    assert re.search(r"files in the report\s+5 ", text)
    assert re.search(r"files missing from it\s+0", text)
    assert re.search(r"errors without NB003\s+0", text)  # truncated.ipynb has its NB003
    assert re.search(r"NB001 syntax errors\s+1 cells in 1 notebooks", text)
    assert len(goal_names(text)) == 5, text
    results = json.loads(out.read_text())
    assert results["corpus"]["files"] == 5
    assert results["robustness"]["statuses"] == {"ok": 3, "skipped": 1, "error": 1}
    assert results["cold_start"]["notebook"] in {"analysis.ipynb", "sub/magics.ipynb"}


def test_sources_are_pinned() -> None:
    sources = corpus.read_sources()
    assert len({s.name for s in sources}) == len(sources) >= 10
    for source in sources:
        assert re.fullmatch(r"[0-9a-f]{64}", source.sha256), source
        assert re.fullmatch(r"[0-9][0-9a-z.]*", source.version), source


def _tar(path: Path, files: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_extraction_is_safe_and_deduplicates(tmp_path: Path) -> None:
    archive = tmp_path / "pkg-1.0.tar.gz"
    _tar(
        archive,
        {
            "pkg-1.0/docs/a.ipynb": b'{"a": 1}',
            "pkg-1.0/tests/copy_of_a.ipynb": b'{"a": 1}',
            "pkg-1.0/tests/b.ipynb": b'{"b": 2}',
            "pkg-1.0/docs/.ipynb_checkpoints/a-checkpoint.ipynb": b'{"c": 3}',
            "pkg-1.0/../escape.ipynb": b'{"d": 4}',
            "pkg-1.0/setup.py": b"print()",
        },
    )
    target = tmp_path / "out"
    seen: set[str] = set()
    assert corpus.extract_notebooks(archive, target, seen) == (2, 1)
    found = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert found == ["docs/a.ipynb", "tests/b.ipynb"]
    assert not (tmp_path / "escape.ipynb").exists()
    # A second sdist with a file already in the corpus adds nothing.
    assert corpus.extract_notebooks(archive, tmp_path / "again", seen) == (0, 3)


def test_cached_sdist_is_reused_without_network(tmp_path: Path) -> None:
    archive = tmp_path / "pkg-1.0.tar.gz"
    _tar(archive, {"pkg-1.0/a.ipynb": b"{}"})
    source = corpus.Source("pkg", "1.0", corpus._sha256(archive))
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(archive, cache / archive.name)
    assert corpus.fetch_sdist(source, cache, log=lambda *a: None) == cache / archive.name


def test_outcome_sources_give_nb401_the_groups_their_environments_install() -> None:
    import outcome_bench
    import outcome_corpus

    sources = {s.sdist.name: s for s in outcome_corpus.read_sources()}
    river = sources["river"]
    assert river.extras == ("pandas",) and river.groups == ("dev", "compat", "docs")
    assert river.installed_groups == ("pandas", "dev", "compat", "docs")
    assert "groups=" not in " ".join(river.install_arguments(Path("/nowhere")))  # not pip's
    config = outcome_bench.project_config(False, river.installed_groups)
    assert config == '[tool.nb2prod.lint]\nextras = ["pandas", "dev", "compat", "docs"]\n'


def test_outcome_kinds_of_the_new_rules_recorded_failures() -> None:
    import outcome_bench

    recorded = json.loads(outcome_bench.OUTCOMES_FILE.read_text())["notebooks"]
    signature = recorded["sktime-1.2.0/examples/transformation/signature_method.ipynb"]
    assert outcome_bench.classify(signature) == outcome_bench.Failure("missing module", "esig")
    runtimes = recorded[
        "tsfresh-0.21.2/notebooks/advanced/compare-runtimes-of-feature-calculators.ipynb"
    ]
    assert outcome_bench.classify(runtimes).kind == "removed API"
    assert {"NB409", "NB410"} <= outcome_bench.CAUSES["missing module"]
    assert "NB409" in outcome_bench.CAUSES["removed API"]


def test_a_library_refusing_a_value_the_cell_passes_is_a_removed_api() -> None:
    """pandas-datareader 0.11 dropped its securities sources: the recorded failure is the
    library refusing the notebook's own 'stooq', which NB408 names."""
    import outcome_bench

    recorded = json.loads(outcome_bench.OUTCOMES_FILE.read_text())["notebooks"]
    stooq = recorded["tsfresh-0.21.2/notebooks/05 Timeseries Forecasting.ipynb"]
    assert outcome_bench.classify(stooq).kind == "removed API"
    assert "NB408" in outcome_bench.CAUSES["removed API"]
    # The same refusal of a value the library chose itself is no API the notebook used.
    inside = dict(stooq, traceback=stooq["traceback"].replace("'stooq')", "source)"))
    assert outcome_bench.classify(inside).kind == "other"
    abstract = {"ename": "NotImplementedError", "evalue": "", "traceback": "Cell In[3]"}
    assert outcome_bench.classify(abstract).kind == "other"


def test_a_library_value_the_cell_cannot_compute_with_is_a_removed_api() -> None:
    """TA-Lib 0.8.1 returns stream handles where the recipe divides numbers: the TypeError
    is raised on the notebook's own line, as for a removed attribute."""
    import outcome_bench

    recorded = json.loads(outcome_bench.OUTCOMES_FILE.read_text())["notebooks"]
    recipe = recorded["river-0.26.1/docs/recipes/feature-extraction.ipynb"]
    assert outcome_bench.classify(recipe).kind == "removed API"
    in_a_library = dict(recipe, traceback=recipe["traceback"] + "\nFile <env>/lib/x.py:1")
    assert outcome_bench.classify(in_a_library).kind == "other"
