"""The reference role (``nb2prod:reference``) and what export makes of it: the cell's final
value kept as it ran, drift statistics shipped in the package (never the rows) with a copy
of the drift engine, and ``PKG drift``.  On a reduction of scikit-learn's permutation
importance example (tests/public/permutation_importance.py), exported without --verify;
one test installs the package in a fresh venv and checks batches with its command."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from nb2prod.cli.main import main
from nb2prod.drift import STATS_FILE, engine_files
from nb2prod.exporter import drift_command
from nb2prod.exporter.capture import run_and_capture
from nb2prod.exporter.plan import ExportRefusal, plan_export
from nb2prod.exporter.reference import drift_statistics, reference_frame
from nb2prod.exporter.verify import clean_env, install_in_fresh_venv
from nb2prod.notebook import load_notebook

from ..conftest import built_once, code, write_notebook
from ..conftest import nb2prod_cli as run
from ..public import permutation_importance as forest

ROWS = 426  # X_train of the example's split


def _training_split():
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    X, y = load_breast_cancer(return_X_y=True, as_frame=False)
    return train_test_split(X, y, random_state=42)


def _export_both(root: Path) -> dict:
    """The example exported with a tagged reference cell (``with``) and without one
    (``without``), with batches: the test rows as they are, shifted, and one column short."""
    found: dict = {}
    for key, spelling in (("with", "tag"), ("without", None)):
        folder = root / key
        folder.mkdir()
        (folder / "pyproject.toml").write_text("[project]\nname = 'lab'\n")
        notebook = forest.permutation_importance_notebook(folder, spelling)
        done = run(
            "export", notebook, "--name", "forest", "-o", folder / "build/forest", cwd=folder
        )
        assert done.returncode == 0, done.stdout + done.stderr
        found[key], found[f"{key}_stdout"] = str(folder / "build/forest"), done.stdout
    _train, test, _y, _y_test = _training_split()
    batch = pd.DataFrame(test, columns=[str(i) for i in range(test.shape[1])])
    batch.to_csv(root / "same.csv", index=False)
    (batch * 1.4).to_csv(root / "shifted.csv", index=False)
    batch.drop(columns=["3"]).to_csv(root / "narrow.csv", index=False)
    found["batches"] = str(root)
    return found


@pytest.fixture(scope="session")
def exported(tmp_path_factory, worker_id) -> dict:
    """The two exports, made once per test run (xdist workers share them through a lock)."""
    found = built_once(tmp_path_factory, worker_id, "reference-exports", _export_both)
    return {k: v if k.endswith("_stdout") else Path(v) for k, v in found.items()}


def _package_main(package: Path, *args) -> int:
    """The exported package's CLI, ``main(["drift", ...])``, run here from its sources."""
    sys.path.insert(0, str(package / "src"))
    try:
        return importlib.import_module("forest.cli").main(["drift", *map(str, args)])
    finally:
        sys.path.remove(str(package / "src"))
        for module in [m for m in sys.modules if m == "forest" or m.startswith("forest.")]:
            del sys.modules[module]


def _nb2prod_drift(*args) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["drift", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


# --------------------------------------------------------------------------- the role


@pytest.mark.parametrize("spelling", ["tag", "magic", "comment"])
def test_each_spelling_of_the_role_is_planned_and_linted(tmp_path, spelling):
    notebook = forest.permutation_importance_notebook(tmp_path, spelling)
    plan = plan_export(load_notebook(notebook))
    (cell,) = plan.role("reference")
    assert cell.number == 6 and plan.inputs == ["rows"]
    packaged = {c.index for role in ("export", "load", "predict") for c in plan.role(role)}
    assert cell.index not in packaged  # a reference cell is not the package's code
    assert "NB708" not in run("lint", notebook, "--format", "json").stdout


def test_a_dry_run_names_the_reference_cell(tmp_path):
    notebook = forest.permutation_importance_notebook(tmp_path, "comment")
    done = run("export", notebook, "--dry-run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "reference: cell 6 (id " in done.stdout
    assert "'s value -> drift statistics, once the notebook runs" in done.stdout


@pytest.mark.parametrize("spelling", ["magic", "comment"])
def test_the_value_a_marked_reference_cell_ends_with_is_captured_as_it_ran(tmp_path, spelling):
    """The marker lines go; the value is the one of that moment, not the end state's."""
    marker = {"magic": "%%nb2prod reference", "comment": "#| nb2prod: reference"}[spelling]
    notebook = write_notebook(
        tmp_path / "nb.ipynb",
        [
            code("import numpy as np\ntrain = np.arange(8.0).reshape(4, 2)"),
            code(f"{marker}\ntrain"),
            code("x = train[:1]", tags=["nb2prod:example"]),
            code("x.sum()", tags=["nb2prod:predict"]),
            code("train *= 10"),  # in place, after the reference cell ran
        ],
    )
    capture = run_and_capture(plan_export(load_notebook(notebook)), [], workdir=tmp_path)
    np.testing.assert_array_equal(capture.reference, np.arange(8.0).reshape(4, 2))
    assert capture.reference_note == "" and capture.cases[0].output == 1.0


@pytest.mark.parametrize(
    ("references", "message"),
    [
        (["x", "x[:1]"], "and cell 3 (id c2) are both reference cells"),
        (["y = x"], "cell 2 (id c1) (reference) does not end with an expression"),
        (["%time x"], "cell 2 (id c1) (reference) is not plain Python"),
    ],
    ids=["two", "no-expression", "ipython"],
)
def test_a_reference_cell_export_cannot_capture_is_refused(tmp_path, references, message):
    cells = [
        code("x = [1.0]", tags=["nb2prod:example"]),
        *(code(source, tags=["nb2prod:reference"]) for source in references),
        code("sum(x)", tags=["nb2prod:predict"]),
    ]
    for number, cell in enumerate(cells):
        cell.id = f"c{number}"  # fixed, for the messages
    notebook = write_notebook(tmp_path / "nb.ipynb", cells)
    with pytest.raises(ExportRefusal, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan_export(load_notebook(notebook))


def test_a_reference_value_that_cannot_be_pickled_is_a_note_not_a_failure(tmp_path):
    notebook = write_notebook(
        tmp_path / "nb.ipynb",
        [
            code("x = [1.0, 2.0]", tags=["nb2prod:example"]),
            code("(v for v in x)", tags=["nb2prod:reference"]),
            code("sum(x)", tags=["nb2prod:predict"]),
        ],
    )
    capture = run_and_capture(plan_export(load_notebook(notebook)), [], workdir=tmp_path)
    assert capture.reference is None and capture.cases[0].output == 3.0
    assert "cell 2" in capture.reference_note and "cannot be pickled" in capture.reference_note


def test_tables_and_arrays_become_statistics_other_values_a_note():
    frame, _ = reference_frame(np.arange(6.0).reshape(3, 2))
    assert list(frame.columns) == ["0", "1"] and frame.shape == (3, 2)
    assert list(reference_frame(pd.Series([1, 2, 3]))[0].columns) == ["0"]
    assert reference_frame(np.zeros((2, 2, 2)))[1] == "a numpy.ndarray of 3 dimensions"
    stats, line = drift_statistics({"a": [1, 2]}, "cell 4")
    assert stats is None
    assert line.startswith("reference: cell 4 ends with a dict, not a DataFrame or an array")
    stats, line = drift_statistics(pd.DataFrame({"a": range(20), "b": ["x", "y"] * 10}), "c")
    assert stats["rows"] == 20 and list(stats["columns"]) == ["a", "b"]
    assert line == "reference: 20 rows x 2 columns -> drift statistics"


def test_the_package_command_reads_the_file_export_writes():
    assert drift_command.STATS_FILE == STATS_FILE


# --------------------------------------------------------------------------- the export


def _lists(value):
    if isinstance(value, list):
        yield value
        for item in value:
            yield from _lists(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _lists(item)


def test_export_ships_statistics_and_the_engine_never_the_rows(exported):
    package = exported["with"]
    assert f"reference: {ROWS} rows x 30 columns -> drift statistics" in exported["with_stdout"]
    stats_file = package / "src" / "forest" / STATS_FILE
    stats = json.loads(stats_file.read_text())
    assert stats["rows"] == ROWS and list(stats["columns"]) == [str(i) for i in range(30)]
    # statistics only: no list as long as the rows, a size that does not grow with them
    assert max(len(found) for found in _lists(stats)) <= 101
    assert stats_file.stat().st_size < 10_000 * 30
    train = _training_split()[0]
    assert json.dumps(train[0].tolist()) not in stats_file.read_text()
    engine = sorted(p.name for p in (package / "src/forest/_drift").glob("*.py"))
    assert engine == sorted(["__init__.py", *(p.name for p in engine_files())])
    pyproject = (package / "pyproject.toml").read_text()
    assert "scipy>=" in pyproject and f'"src/forest/{STATS_FILE}"' in pyproject
    assert "scipy==" in (package / "requirements.lock.txt").read_text()
    assert "## Drift" in (package / "README.md").read_text()
    assert "forest drift --input batch.csv" in (package / "README.md").read_text()


def test_without_a_reference_cell_nothing_ships_and_drift_says_why(exported, capsys):
    package, batches = exported["without"], exported["batches"]
    assert "reference:" not in exported["without_stdout"]
    assert not (package / "src/forest" / STATS_FILE).exists()  # the example input is no reference
    assert not (package / "src/forest/_drift").exists()
    assert "scipy" not in (package / "pyproject.toml").read_text()
    assert _package_main(package, "--input", batches / "same.csv") == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("forest: error: ")
    assert "nb2prod:reference and export again" in err
    assert "no drift statistics were shipped" in (package / "README.md").read_text()
    code_, _out, err = _nb2prod_drift(package, "-i", batches / "same.csv")
    assert code_ == 2 and "ships no reference statistics" in err


def test_nb2prod_drift_reads_the_exported_folder(exported):
    package, batches = exported["with"], exported["batches"]
    code_, out, err = _nb2prod_drift(package, "-i", batches / "shifted.csv")
    assert code_ == 1, out + err
    assert "DRIFT: 30 of 30 columns drifted" in out
    assert _nb2prod_drift(package, "-i", batches / "same.csv")[0] == 0


def test_the_package_command_exit_codes_report_and_bad_input(exported, tmp_path, capsys):
    package, batches = exported["with"], exported["batches"]
    assert _package_main(package, "--input", batches / "same.csv") == 0
    out = capsys.readouterr().out
    assert "NO DRIFT: " in out and f"against a reference of {ROWS}" in out
    report = tmp_path / "report.json"
    args = ["--input", batches / "shifted.csv", "--format", "json", "--output", report]
    assert _package_main(package, *args) == 1
    assert json.loads(capsys.readouterr().out) == json.loads(report.read_text())
    assert json.loads(report.read_text())["verdict"] == "drift"
    (tmp_path / "empty.csv").write_text("")
    for args, message in (
        (["--input", batches / "narrow.csv"], "missing column 3"),
        (["--input", tmp_path / "none.csv"], "none.csv: no such file"),
        (["--input", report], "cannot read it as JSON"),
        (["--input", tmp_path / "empty.csv"], "cannot read it as CSV"),
        (["--input", tmp_path / "rows.txt"], "unknown input format"),
    ):
        assert _package_main(package, *args) == 2, args
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and message in err, err


def test_the_installed_package_checks_drift_without_nb2prod(exported, tmp_path):
    """End to end: pip installs the package (from its lock) in a fresh venv, where nb2prod
    is not installed, and its own command checks an unshifted and a shifted batch."""
    package, batches = exported["with"], exported["batches"]
    done = install_in_fresh_venv(package, tmp_path / "venv")
    assert done.returncode == 0, done.stderr
    bin_dir = tmp_path / "venv" / "bin"
    env = {**clean_env(), "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    absent = subprocess.run(
        [bin_dir / "python", "-c", "import nb2prod"], capture_output=True, env=env, cwd=tmp_path
    )
    assert absent.returncode != 0  # the engine copy runs on its own
    for batch, code_ in (("same.csv", 0), ("shifted.csv", 1)):
        checked = subprocess.run(
            [bin_dir / "forest", "drift", "--input", batches / batch],
            capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path,
        )  # fmt: skip
        assert checked.returncode == code_, checked.stdout + checked.stderr
    assert "DRIFT: 30 of 30 columns drifted" in checked.stdout
