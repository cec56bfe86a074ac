"""What travels to Dask workers with a grid's tasks (nb2prod/jobs/shipping.py)."""

from __future__ import annotations

import io
import os
import tarfile

import pytest

from nb2prod.errors import UsageError
from nb2prod.jobs.shipping import pack_folder, unpack_folder


def _tree(root, texts):
    """Files under ``root``, from their relative paths."""
    for target, text in ((root / path, text) for path, text in texts.items()):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def test_the_project_travels_without_caches_builds_environments_and_outputs(tmp_path):
    project = tmp_path / "project"
    _tree(
        project,
        {
            "pyproject.toml": "[project]\nname = 'x'\n",
            "notebooks/train.ipynb": "{}",
            "data/raw/rows.csv": "a,b\n1,2\n",
            ".gitignore": "data/\n",  # not read: the notebook needs its data
            ".git/HEAD": "ref: refs/heads/main\n",
            ".nb2prod/mlflow.db": "store",
            "notebooks/__pycache__/x.pyc": "",
            "notebooks/.ipynb_checkpoints/train-checkpoint.ipynb": "{}",
            "build/pkg/setup.py": "",
            "env/pyvenv.cfg": "home = /usr/bin\n",  # a virtual environment, whatever its name
            "env/lib/site.py": "",
            "runs/train-1.ipynb": "{}",  # the grid's -o folder
        },
    )
    os.symlink(project / "data/raw/rows.csv", project / "rows-link.csv")

    archive = pack_folder(project, exclude=[project / "runs"])
    unpack_folder(archive, tmp_path / "copy")

    copied = sorted(
        p.relative_to(tmp_path / "copy").as_posix()
        for p in (tmp_path / "copy").rglob("*")
        if p.is_file()
    )
    assert copied == [
        ".gitignore", "data/raw/rows.csv", "notebooks/train.ipynb", "pyproject.toml",
        "rows-link.csv",
    ]  # fmt: skip
    link = tmp_path / "copy" / "rows-link.csv"
    assert not link.is_symlink() and link.read_text() == "a,b\n1,2\n"


def test_a_project_over_the_limit_is_refused_naming_its_largest_files(tmp_path):
    _tree(tmp_path, {"big.parquet": "x" * 3000, "small.csv": "x" * 10, "nb.ipynb": "{}"})
    with pytest.raises(UsageError) as raised:
        pack_folder(tmp_path, limit=2000)
    message = raised.value.message
    assert message.startswith(f"the project folder {tmp_path} holds 0.0 MB of files")
    assert "largest: big.parquet (0.0 MB), small.csv (0.0 MB), nb.ipynb" in message
    assert "where every worker can read it" in raised.value.hint


def test_an_archive_member_outside_the_target_is_refused(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        member = tarfile.TarInfo("../escaped.txt")
        member.size = 2
        archive.addfile(member, io.BytesIO(b"hi"))
    with pytest.raises(tarfile.FilterError):
        unpack_folder(buffer.getvalue(), tmp_path / "target")
    assert not (tmp_path / "escaped.txt").exists()
