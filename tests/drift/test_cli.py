"""``nb2prod drift``: the verdict as the exit code, the table or JSON, bad input as one
line and exit 2, and (end to end) an exported package's statistics and ``--log``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

import nb2prod
from nb2prod.cli.main import main
from nb2prod.drift import STATS_FILE
from nb2prod.drift.reference import reference_statistics

from ..conftest import nb2prod_cli
from ..scoring.conftest import export_example


@pytest.fixture(scope="module")
def files(tmp_path_factory, tumours):
    """Statistics of 300 tumours; the other 269 as CSV, and shifted as Parquet."""
    folder = tmp_path_factory.mktemp("drift-cli")
    (folder / "stats.json").write_text(json.dumps(reference_statistics(tumours.iloc[:300])))
    tumours.iloc[300:].to_csv(folder / "same.csv", index=False)
    (tumours.iloc[300:] * 1.3).to_parquet(folder / "shifted.parquet")
    tumours.iloc[300:].drop(columns=["mean area"]).to_csv(folder / "narrow.csv", index=False)
    return folder


def _drift(*args) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["drift", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_no_drift_exits_0_and_prints_the_table(files):
    code, out, _ = _drift(files / "stats.json", "--input", files / "same.csv")
    assert code == 0, out
    assert out.splitlines()[0].split()[:3] == ["column", "test", "statistic"]
    assert "NO DRIFT: " in out and "mean radius" in out


def test_drift_exits_1_with_json_printed_and_written(files, tmp_path):
    report = tmp_path / "report.json"
    code, out, _ = _drift(
        files / "stats.json", "-i", files / "shifted.parquet", "--format", "json", "-o", report
    )
    assert code == 1
    printed = json.loads(out)
    assert printed == json.loads(report.read_text())
    assert printed["drift"] is True and printed["verdict"] == "drift"
    assert printed["source"]["input"] == str(files / "shifted.parquet")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{f}/stats.json", "-i", "{f}/narrow.csv"], "missing column mean area"),
        (["{f}/stats.json", "-i", "{f}/none.csv"], "none.csv: no such file"),
        (["{f}/same.csv", "-i", "{f}/same.csv"], "not JSON"),
        (["{f}/nothing.json", "-i", "{f}/same.csv"], "nothing.json: no such file"),
        (["{f}", "-i", "{f}/same.csv"], "is not a project nb2prod exported"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(files, args, message):
    code, out, err = _drift(*(a.format(f=files) for a in args))
    assert code == 2 and out == ""
    first, *rest = err.splitlines()
    assert first.startswith("nb2prod: error: ") and message in first, err
    assert all(line.startswith("  hint: ") for line in rest)


def test_an_exported_package_with_statistics_is_checked_and_logged(tmp_path, tumours):
    """End to end: the real example classifier exported (its reference cell, data.data, gives
    the package its statistics), the command run as a user runs it, the run read back from
    the SQLite store; then the same statistics found inside a logged model (runs:/)."""
    exported = export_example(tmp_path, "breast_cancer_classifier.ipynb", "bc_drift")
    batch = tmp_path / "shifted.parquet"
    (tumours.iloc[300:] * 1.3).to_parquet(batch)
    package = exported / "src" / "bc_drift"
    assert json.loads((package / STATS_FILE).read_text())["rows"] == 569  # data.data
    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    done = nb2prod_cli("drift", exported, "-i", batch, "--log", "--tracking-uri", store)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "DRIFT: " in done.stdout and "recorded as run" in done.stderr
    run_id = done.stderr.split("recorded as run ")[1].split()[0]

    from nb2prod.tracking.store import TrackingStore

    tracking = TrackingStore(store)
    run = tracking.run(run_id)
    assert run.status == "FINISHED" and run.tags["nb2prod.verdict"] == "drift"
    assert run.tags["nb2prod.kind"] == "drift" and run.tags["nb2prod.model"] == "bc_drift"
    # the notebook the package was exported from, as the panel lists that notebook's runs
    assert run.tags["nb2prod.notebook"] == "breast_cancer_classifier.ipynb"
    assert run.metrics["drift.mean radius.drifted"] == 1.0
    assert 0 <= run.metrics["drift.mean radius.score"] < 0.05
    assert run.metrics["drift.share_drifted"] >= 0.5
    assert tracking.artifact_files(run_id, "nb2prod") == ["nb2prod/drift.json"]
    logged = json.loads(tracking.download(run_id, "nb2prod/drift.json", tmp_path).read_text())
    assert logged["verdict"] == "drift" and len(logged["columns"]) == 30

    # a pyfunc model logged from the package carries it under code/: the statistics are
    # downloaded from the store with the model's files
    model_run = tracking.start_run("models/bc_drift", tags={"nb2prod.notebook": "work/bc.ipynb"})
    tracking.log_file(model_run, package / STATS_FILE, "model/code/bc_drift")
    tracking.end_run(model_run)
    shutil.rmtree(exported)  # from now on, the statistics exist only in the store
    from_store = nb2prod.check_drift(
        f"runs:/{model_run}/model", tumours.iloc[300:], tracking_uri=store
    )
    assert not from_store.drift
    assert (
        from_store.source["statistics"] == f"runs:/{model_run}/model (code/bc_drift/{STATS_FILE})"
    )
    with pytest.raises(nb2prod.Nb2ProdError, match="carries no reference statistics"):
        nb2prod.check_drift(f"runs:/{model_run}/model/code", tumours.iloc[300:], tracking_uri=store)
    # registered, the version carries the run's notebook: a check of models:/NAME@ALIAS is
    # tagged with it (and so is one of the run's model)
    from nb2prod.rollout.registry import Registry

    registry = Registry(tracking)
    registry.register("bc_drift", f"runs:/{model_run}/model", model_run)
    registry.set_champion("bc_drift", "1")
    for model in ("models:/bc_drift@champion", f"runs:/{model_run}/model"):
        checked = nb2prod.check_drift(model, tumours.iloc[300:], tracking_uri=store, log=True)
        logged_run = tracking.run(checked.source["run_id"])
        assert logged_run.tags["nb2prod.notebook"] == "work/bc.ipynb", model


def test_the_command_and_the_engine_import_nothing_heavy_until_a_check_runs():
    code = (
        "import sys, nb2prod.cli.drift, nb2prod.drift.run, nb2prod.drift.check, "
        "nb2prod.drift.source, nb2prod.drift.record; "
        "print([m for m in ('numpy', 'pandas', 'scipy', 'mlflow') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_an_importable_package_is_found_by_name_and_its_folder_by_path(
    tmp_path, monkeypatch, tumours
):
    """A package on sys.path (as pip installs one) with provenance.json and statistics."""
    package = tmp_path / "site" / "tumour_model"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "provenance.json").write_text("{}")
    (package / STATS_FILE).write_text(json.dumps(reference_statistics(tumours.iloc[:300])))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    by_name = nb2prod.check_drift("tumour_model", tumours.iloc[300:] * 1.3)
    assert by_name.drift and by_name.source["statistics"] == str(package / STATS_FILE)
    assert by_name.source["model"] == "tumour_model"
    by_folder = nb2prod.check_drift(package, tumours.iloc[300:])
    assert not by_folder.drift and by_folder.source["model"] == "tumour_model"
    (package / STATS_FILE).unlink()
    with pytest.raises(nb2prod.Nb2ProdError, match="tumour_model: the package ships no reference"):
        nb2prod.check_drift("tumour_model", tumours.iloc[300:])


def test_a_drift_run_names_the_notebook_its_package_provenance_names(tmp_path, monkeypatch):
    """By the package's folder, its project folder, its statistics file or its installed
    name; a statistics file of no package names none."""
    from nb2prod.drift.record import model_notebook
    from nb2prod.tracking.store import TrackingStore

    store = TrackingStore(f"sqlite:///{tmp_path / 'unused.db'}")  # only MLflow URIs use it
    package = tmp_path / "project" / "src" / "tumour_notes"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "provenance.json").write_text(json.dumps({"notebook": "work/tumours.ipynb"}))
    (package / STATS_FILE).write_text("{}")
    monkeypatch.syspath_prepend(str(package.parent))
    for model in (package, package.parent.parent, package / STATS_FILE, "tumour_notes"):
        assert model_notebook(str(model), store) == "work/tumours.ipynb", model
    (tmp_path / "stats.json").write_text("{}")
    assert model_notebook(str(tmp_path / "stats.json"), store) is None
    assert model_notebook("no_such_package_here", store) is None
