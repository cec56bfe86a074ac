"""``export --force`` over an earlier export replaces only what nb2prod wrote there: files a
user added are kept, files nb2prod wrote and the user changed are never overwritten (the
export is refused, naming them), and a folder that is not an export is refused with an
honest hint.  The writer on its own first, then a real notebook through the Python API and
the command line, which must agree."""

from __future__ import annotations

import json
import os

import pytest

import nb2prod
from nb2prod.exporter.writer import TargetExists, check_target, replacing, write_tree

from ..conftest import nb2prod_cli
from ..public.ols import ols_export_notebook

FILES = {
    "pyproject.toml": b"[project]\nname = 'pkg'\n",
    "src/pkg/provenance.json": b"{}\n",
    "src/pkg/__init__.py": b"x = 1\n",
}
NEW = {**FILES, "src/pkg/__init__.py": b"x = 2\n"}


def _leftovers(folder):
    return [p for p in os.listdir(folder) if ".nb2prod-" in p]


def _refusal(target, files=NEW) -> TargetExists:
    """check_target's refusal with --force; the write's own check must agree with it."""
    with pytest.raises(TargetExists) as early:
        check_target(target, force=True, protected=[])
    with pytest.raises(TargetExists) as late:
        write_tree(files, target, force=True)
    assert str(late.value.message).replace(str(target.resolve()), "T") == str(
        early.value.message
    ).replace(str(target.resolve()), "T")
    assert _leftovers(target.parent) == []
    return early.value


# --------------------------------------------------------------------------- the writer


def test_force_keeps_what_the_user_added_and_replaces_what_nb2prod_wrote(tmp_path):
    out = tmp_path / "out"
    write_tree(FILES, out)
    (out / "Dockerfile").write_text("FROM python:3.12\n")
    (out / "notes").mkdir()
    (out / "notes" / "todo.md").write_text("ship it\n")
    (out / "empty").mkdir()
    check_target(out, force=True, protected=[])
    write_tree(NEW, out, force=True)
    assert (out / "src/pkg/__init__.py").read_bytes() == b"x = 2\n"
    assert (out / "Dockerfile").read_text() == "FROM python:3.12\n"
    assert (out / "notes" / "todo.md").read_text() == "ship it\n"
    assert (out / "empty").is_dir()
    assert _leftovers(tmp_path) == []


def test_a_file_nb2prod_wrote_there_and_no_longer_writes_goes(tmp_path):
    out = tmp_path / "out"
    write_tree({**FILES, "src/pkg/old.py": b"gone = True\n"}, out)
    write_tree(NEW, out, force=True)
    assert not (out / "src/pkg/old.py").exists()


def test_without_force_the_hint_says_what_force_replaces_and_keeps(tmp_path):
    out = tmp_path / "out"
    write_tree(FILES, out)
    (out / "Dockerfile").write_text("FROM python:3.12\n")
    with pytest.raises(TargetExists, match="already exists") as info:
        check_target(out, force=False, protected=[])
    assert "--force" in info.value.hint
    assert "3 files" in info.value.hint and "Dockerfile" in info.value.hint


def test_an_edited_generated_file_is_refused_by_name_and_left_as_it_is(tmp_path):
    out = tmp_path / "out"
    write_tree(FILES, out)
    (out / "src/pkg/__init__.py").write_text("x = 1  # tuned by hand\n")
    (out / "Dockerfile").write_text("FROM python:3.12\n")
    refusal = _refusal(out)
    assert "src/pkg/__init__.py" in refusal.message and "Dockerfile" not in refusal.message
    assert "--force" in refusal.hint and "move" in refusal.hint
    assert (out / "src/pkg/__init__.py").read_text() == "x = 1  # tuned by hand\n"
    # without --force it says so too, rather than promising that --force would work
    with pytest.raises(TargetExists, match="src/pkg/__init__.py"):
        check_target(out, force=False, protected=[])
    # moved away, the export goes ahead and keeps the rest
    os.rename(out / "src/pkg/__init__.py", tmp_path / "mine.py")
    write_tree(NEW, out, force=True)
    assert (out / "src/pkg/__init__.py").read_bytes() == b"x = 2\n"
    assert (out / "Dockerfile").is_file()


def test_a_file_of_the_users_where_the_export_now_writes_is_refused(tmp_path):
    out = tmp_path / "out"
    write_tree(FILES, out)
    (out / "README.md").write_text("my notes\n")
    check_target(out, force=True, protected=[])  # which files it will write is known later
    with pytest.raises(TargetExists, match="README.md") as info:
        write_tree({**NEW, "README.md": b"# pkg\n"}, out, force=True)
    assert "move or rename" in info.value.hint and _leftovers(tmp_path) == []
    assert (out / "README.md").read_text() == "my notes\n"


def test_a_folder_that_is_not_an_export_is_refused_honestly(tmp_path):
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "thesis.tex").write_text("years of work")
    for force in (False, True):
        with pytest.raises(TargetExists, match="not an earlier nb2prod export") as info:
            check_target(tmp_path / "project", force=force, protected=[])
        assert "thesis.tex" in info.value.message
        assert "pass --force" not in info.value.hint and "another" in info.value.hint
    with pytest.raises(TargetExists, match="thesis.tex"):
        write_tree(FILES, tmp_path / "project", force=True)
    assert os.listdir(tmp_path / "project") == ["thesis.tex"]
    assert (tmp_path / "project" / "thesis.tex").read_text() == "years of work"


def _old_export(folder, files):
    """An export by an nb2prod that wrote no file list."""
    for relative, content in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(content)


def test_an_old_export_without_a_file_list_is_replaced_when_it_holds_only_its_files(tmp_path):
    out = tmp_path / "out"
    _old_export(out, FILES)
    (out / "src/pkg/__pycache__").mkdir()
    (out / "src/pkg/__pycache__/__init__.cpython-311.pyc").write_bytes(b"\0")
    write_tree(NEW, out, force=True)
    assert (out / "src/pkg/__init__.py").read_bytes() == b"x = 2\n"


def test_an_old_export_holding_other_files_is_refused_listing_them(tmp_path):
    out = tmp_path / "out"
    _old_export(out, FILES)
    (out / "Dockerfile").write_text("FROM python:3.12\n")
    check_target(out, force=True, protected=[])  # which files it will write is known later
    with pytest.raises(TargetExists, match="Dockerfile") as info:
        write_tree(NEW, out, force=True)
    assert "move" in info.value.hint
    assert (out / "Dockerfile").is_file() and (
        out / "src/pkg/__init__.py"
    ).read_bytes() == b"x = 1\n"


# --------------------------------------------------------------------------- a real notebook


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The OLS notebook exported once; each test works on a copy of the folder."""
    root = tmp_path_factory.mktemp("ols")
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    notebook = ols_export_notebook(root)
    nb2prod.export(notebook, root / "first")
    return notebook


def _copy_of_export(exported, tmp_path):
    import shutil

    return shutil.copytree(exported.parent / "first", tmp_path / "out")


def _files(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_api_and_cli_keep_the_users_files(exported, tmp_path):
    out = _copy_of_export(exported, tmp_path)
    first = _files(out)
    manifest = json.loads((out / ".nb2prod-manifest.json").read_text())
    assert "src/plot_ols/_notebook.py" in manifest["files"]
    (out / "Dockerfile").write_text("FROM python:3.12\nRUN pip install .\n")
    (out / "notes.md").write_text("deployed on Tuesday\n")

    nb2prod.export(exported, out, force=True)
    assert (out / "Dockerfile").read_text() == "FROM python:3.12\nRUN pip install .\n"
    assert (out / "notes.md").read_text() == "deployed on Tuesday\n"
    after = _files(out)
    assert {k: v for k, v in after.items() if k not in ("Dockerfile", "notes.md")} == first

    cli = nb2prod_cli("export", exported, "-o", out, "--force")
    assert cli.returncode == 0, cli.stderr
    assert _files(out) == after


def test_api_and_cli_refuse_an_edited_file_alike(exported, tmp_path):
    out = _copy_of_export(exported, tmp_path)
    module = out / "src/plot_ols/_notebook.py"
    module.write_text(module.read_text() + "\n# my fix\n")
    with pytest.raises(TargetExists) as info:
        nb2prod.export(exported, out, force=True)
    assert "src/plot_ols/_notebook.py" in info.value.message
    cli = nb2prod_cli("export", exported, "-o", out, "--force")
    assert cli.returncode == 2
    assert info.value.message in cli.stderr and info.value.hint in cli.stderr
    assert module.read_text().endswith("# my fix\n")


def test_api_and_cli_refuse_a_folder_that_is_not_an_export_alike(exported, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("years of work")
    with pytest.raises(TargetExists) as info:
        nb2prod.export(exported, tmp_path / "mine", force=True)
    assert "thesis.tex" in info.value.message and "pass --force" not in info.value.hint
    for flags in ((), ("--force",)):
        cli = nb2prod_cli("export", exported, "-o", tmp_path / "mine", *flags)
        assert cli.returncode == 2 and info.value.message in cli.stderr
        assert "pass --force" not in cli.stderr
    assert os.listdir(tmp_path / "mine") == ["thesis.tex"]


def test_what_replacing_does_is_said_in_words(tmp_path):
    out = tmp_path / "out"
    write_tree(FILES, out)
    assert replacing(out) == "replacing it replaces the 3 files nb2prod wrote"
    (out / "Dockerfile").write_text("FROM python:3.12\n")
    assert replacing(out).endswith("and keeps the 1 other file there: Dockerfile")
