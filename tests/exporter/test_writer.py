"""Writing the generated project (nb2prod/exporter/writer.py): all at once, never over a
user's own folder."""

from __future__ import annotations

import json
import os

import pytest

from nb2prod.exporter.manifest import MANIFEST, file_sha256
from nb2prod.exporter.plan import ExportRefusal
from nb2prod.exporter.writer import check_target, write_tree

FILES = {"src/pkg/provenance.json": b"{}\n", "src/pkg/__init__.py": b"x = 1\n"}


def _add_to_manifest(folder, relative):
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"][relative] = file_sha256(folder / relative)
    (folder / MANIFEST).write_text(json.dumps(manifest))


def _leftovers(folder):
    return [p for p in os.listdir(folder) if ".nb2prod-" in p]


def test_a_new_folder_is_written_whole(tmp_path):
    source = tmp_path / "model.bin"
    source.write_bytes(b"\0weights")
    write_tree({**FILES, "src/pkg/artifacts/model.bin": source}, tmp_path / "out")
    assert (tmp_path / "out/src/pkg/__init__.py").read_bytes() == b"x = 1\n"
    assert (tmp_path / "out/src/pkg/artifacts/model.bin").read_bytes() == b"\0weights"
    assert _leftovers(tmp_path) == []


def test_an_existing_export_is_replaced_only_with_force(tmp_path):
    write_tree(FILES, tmp_path / "out")
    (tmp_path / "out" / "src/pkg/stale.py").write_text("old")  # written by nb2prod
    _add_to_manifest(tmp_path / "out", "src/pkg/stale.py")
    with pytest.raises(ExportRefusal, match="already exists") as info:
        check_target(tmp_path / "out", force=False, protected=[])
    assert "--force" in info.value.hint
    check_target(tmp_path / "out", force=True, protected=[])
    write_tree({**FILES, "src/pkg/__init__.py": b"x = 2\n"}, tmp_path / "out", force=True)
    assert (tmp_path / "out/src/pkg/__init__.py").read_bytes() == b"x = 2\n"
    assert not (tmp_path / "out/src/pkg/stale.py").exists() and _leftovers(tmp_path) == []


def test_force_never_replaces_a_folder_that_is_not_an_export(tmp_path):
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "thesis.tex").write_text("years of work")
    with pytest.raises(ExportRefusal, match="not an earlier nb2prod export"):
        check_target(tmp_path / "project", force=True, protected=[])
    assert (tmp_path / "project" / "thesis.tex").read_text() == "years of work"


def test_the_folder_holding_the_notebook_is_refused(tmp_path):
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text("{}")
    with pytest.raises(ExportRefusal, match="holds nb.ipynb"):
        check_target(tmp_path, force=True, protected=[notebook])


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    write_tree(FILES, tmp_path / "out")
    with pytest.raises(FileNotFoundError):
        write_tree({**FILES, "src/pkg/a.bin": tmp_path / "missing.bin"}, tmp_path / "out", True)
    assert (tmp_path / "out/src/pkg/__init__.py").read_bytes() == b"x = 1\n"
    assert _leftovers(tmp_path) == []
