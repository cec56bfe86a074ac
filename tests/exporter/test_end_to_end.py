"""``nb2prod export`` and ``nb2prod verify`` as users run them: a real papermill run, a real
``pip install`` into a fresh virtual environment, a real MLflow store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ..conftest import code, write_notebook
from ..conftest import nb2prod_cli as run

EXAMPLES = Path(__file__).parents[2] / "example_notebooks"


@pytest.fixture
def shipping(tmp_path):
    """The pure-Python example notebook, copied into a project of its own."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    shutil.copy(EXAMPLES / "shipping_quotes.ipynb", tmp_path / "shipping_quotes.ipynb")
    return tmp_path


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_pure_python_export_verifies_and_logs_to_mlflow(shipping, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    out = shipping / "dist" / "quotes"  # a project of its own, inside the notebook's
    # the default embedded store of the notebook's project, where its runs are
    store = f"sqlite:///{shipping}/.nb2prod/mlflow.db"
    result = run(
        "export", "shipping_quotes.ipynb", "--name", "quotes", "-o", out,
        "--verify", "--log-model", cwd=shipping,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"logging the model to MLflow at {store}" in result.stderr
    assert not (out / ".nb2prod").exists()  # not the package's own store
    for line in (
        "quotes.predict(parcels, *, express=False, fuel_surcharge=0.08) returns `quotes`",
        "PASS  predict, defaults",
        "PASS  predict, express=True, fuel_surcharge=0.112",
        "PASS  generated tests",
        "PASS  quotes predict",
        "PASS  mlflow pyfunc, defaults",
        "verified: the package gives the notebook's answers",
    ):
        assert line in result.stdout
    assert (out / "src/quotes/artifacts/rates.json").is_file()
    provenance = json.loads((out / "src/quotes/provenance.json").read_text())
    assert provenance["notebook"] == "shipping_quotes.ipynb"
    assert provenance["checked_overrides"] == [{"express": True, "fuel_surcharge": 0.112}]

    from mlflow import MlflowClient

    runs = MlflowClient(store).search_runs(
        [MlflowClient(store).get_experiment_by_name("shipping_quotes.ipynb").experiment_id]
    )
    assert runs[0].data.tags["nb2prod.notebook"] == "shipping_quotes.ipynb"
    assert not (shipping / "mlruns").exists()  # artifacts beside the store, not in the cwd

    first = _files(out)
    again = run("export", "shipping_quotes.ipynb", "--name", "quotes", "-o", out, cwd=shipping)
    assert again.returncode == 2 and "already exists" in again.stderr and "--force" in again.stderr
    forced = run(
        "export", "shipping_quotes.ipynb", "--name", "quotes", "-o", out, "--force", cwd=shipping
    )
    assert forced.returncode == 0, forced.stderr
    assert _files(out) == first  # byte-identical re-export


def test_a_package_that_disagrees_with_its_notebook_fails_verify_with_a_diff(shipping):
    out = shipping.parent / "exported"  # outside the notebook's project
    exported = run("export", "shipping_quotes.ipynb", "--name", "quotes", "-o", out, cwd=shipping)
    assert exported.returncode == 0, exported.stderr
    module = out / "src/quotes/_notebook.py"
    module.write_text(module.read_text().replace("(1 + surcharge), 2)", "(1 + surcharge), 1)"))
    lost = run("verify", out, cwd=out)
    assert lost.returncode == 2 and "--notebook" in lost.stderr
    result = run("verify", out, "--notebook", shipping / "shipping_quotes.ipynb", cwd=out)
    assert result.returncode == 5, result.stdout + result.stderr
    assert "FAIL  predict, defaults" in result.stdout
    assert "output[1]: notebook 53.96, package 54.0" in result.stdout
    assert "NOT verified" in result.stdout


def test_sklearn_notebook_exports_and_verifies_in_a_fresh_venv(tmp_path):
    out = tmp_path / "classifier"
    # a copy: the notebook runs in its folder and writes its model there
    notebook = shutil.copy(EXAMPLES / "breast_cancer_classifier.ipynb", tmp_path)
    result = run("export", notebook, "-o", out, "--verify", "-p", "threshold", "0.3", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS  predict, threshold=0.3" in result.stdout
    pyproject = (out / "pyproject.toml").read_text()
    for needed in ("scikit-learn>=", "pandas>=", "joblib>=", "numpy>="):
        assert needed in pyproject  # sklearn only through the pickled model: found by running
    assert "scikit-learn==" in (out / "requirements.lock.txt").read_text()
    # The input contract; the generated tests that verify ran in its fresh venv include
    # `PKG schema` and `PKG predict` refusing a table without its columns (exit 2, no traceback).
    assert "PASS  generated tests" in result.stdout
    contract = json.loads((out / "src/breast_cancer_classifier/_contract.json").read_text())
    columns = contract["inputs"]["X_new"]["columns"]
    assert [c["name"] for c in columns[:2]] == ["mean radius", "mean texture"]
    assert "| `mean radius` | float64 | no |" in (out / "README.md").read_text()


def test_a_failing_notebook_stops_the_export_naming_the_cell(tmp_path):
    notebook = write_notebook(
        tmp_path / "nb.ipynb",
        [
            code("x = [1, 2]", tags=["nb2prod:example"]),
            code("raise RuntimeError('training data missing')"),
            code("sum(x)", tags=["nb2prod:predict"]),
        ],
    )
    result = run("export", notebook, "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 4
    assert "failed in cell 2" in result.stderr and "training data missing" in result.stderr
    assert not (tmp_path / "out").exists()


def test_refusals_and_dry_runs_write_nothing(tmp_path):
    notebook = write_notebook(
        tmp_path / "nb.ipynb",
        [
            code("scale = 3"),
            code("x = 2", tags=["nb2prod:example"]),
            code("x * scale", tags=["nb2prod:predict"]),
        ],
    )
    refused = run("export", notebook, "-o", tmp_path / "out", cwd=tmp_path)
    assert refused.returncode == 2
    assert "needs `scale`" in refused.stderr and "tag cell 1 (id " in refused.stderr
    assert "`nb2prod:export`" in refused.stderr
    dry = run("export", EXAMPLES / "shipping_quotes.ipynb", "-o", tmp_path / "q", "--dry-run")
    assert dry.returncode == 0 and "would export" in dry.stdout
    assert "src/shipping_quotes/_notebook.py" in dry.stdout
    assert not (tmp_path / "out").exists() and not (tmp_path / "q").exists()


def test_bad_arguments_are_usage_errors(tmp_path):
    notebook = EXAMPLES / "shipping_quotes.ipynb"
    bad = [
        (["--name", "Quotes-1"], "not a package name"),
        (["--name", "json"], "shadow"),
        (["-p", "nope", "1"], "no parameter `nope`"),
        (["-p", "fuel_surcharge", "cheap"], "not a float"),
    ]
    for args, words in bad:
        result = run("export", notebook, "-o", tmp_path / "out", "--dry-run", *args)
        assert result.returncode == 2 and words in result.stderr, (args, result.stderr)
    missing = run("verify", tmp_path)
    assert missing.returncode == 2 and "not a project nb2prod exported" in missing.stderr


def test_magic_spelled_roles_run_as_plain_cells_and_numpy_answers_compare(tmp_path):
    notebook = write_notebook(
        tmp_path / "scores.ipynb",
        [
            code("weight = 2.0  # scale\nshift: int = 1", tags=["parameters"]),
            code("%%nb2prod export\nimport numpy as np"),
            code("#| nb2prod: example\nvalues = np.arange(4.0)"),
            code("%%nb2prod predict\nnp.sqrt(values) * weight + shift"),
        ],
    )
    result = run("export", notebook, "-o", tmp_path / "scores", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    module = (tmp_path / "scores/src/scores/_notebook.py").read_text()
    assert "%%nb2prod" not in module and "return np.sqrt(values) * weight + shift" in module
    provenance = json.loads((tmp_path / "scores/src/scores/provenance.json").read_text())
    assert provenance["checked_overrides"] == [{"weight": 2.8, "shift": 2}]
    assert 'INPUT_KIND = "ndarray"' in (tmp_path / "scores/src/scores/cli.py").read_text()


def test_a_credential_in_an_exported_cell_is_refused_and_not_printed(tmp_path):
    token = "ghp_" + "Z9y8" * 9
    notebook = write_notebook(
        tmp_path / "nb.ipynb",
        [
            code(
                f"import os\nHEADERS = {{'Authorization': 'token {token}'}}",
                tags=["nb2prod:export"],
            ),
            code("x = 1", tags=["nb2prod:example"]),
            code("(HEADERS, x)", tags=["nb2prod:predict"]),
        ],
    )
    result = run("export", notebook, "-o", tmp_path / "out", "--dry-run", cwd=tmp_path)
    assert result.returncode == 2 and "cell 1" in result.stderr and "os.environ" in result.stderr
    assert token not in result.stderr + result.stdout


def test_an_unreachable_tracking_server_is_an_environment_error(shipping):
    result = run(
        "export", "shipping_quotes.ipynb", "--log-model", "--tracking-uri", "http://127.0.0.1:9",
        cwd=shipping,
    )  # fmt: skip
    assert result.returncode == 3, result.stdout + result.stderr
    assert "logging to MLflow failed" in result.stderr and "Connection refused" in result.stderr
    assert (shipping / "build/shipping_quotes/src").is_dir()  # the export itself is kept


def test_a_missing_kernel_is_a_usage_error(shipping):
    result = run("export", "shipping_quotes.ipynb", "--kernel", "no-such-kernel", cwd=shipping)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "there is no Jupyter kernel named 'no-such-kernel'" in result.stderr
    assert not (shipping / "shipping_quotes").exists()  # nothing written


def test_a_notebook_changed_during_the_export_is_reported(shipping):
    from nb2prod.exporter.pipeline import ExportOptions, export_notebook

    notebook = shipping / "shipping_quotes.ipynb"
    original = notebook.read_bytes()

    def edit_while_running(message):
        if message.startswith("running"):
            notebook.write_bytes(original.replace(b"next-day delivery", b"next-day"))

    options = ExportOptions(notebook, output=shipping / "out")
    result = export_notebook(options, say=edit_while_running)
    assert any("changed on disk during the export" in note for note in result.notes)
    # The package holds the version that was read, which the run also used.
    assert "next-day delivery" in (shipping / "out/src/shipping_quotes/_params.py").read_text()


def test_a_project_module_the_package_would_need_is_named(tmp_path):
    (tmp_path / "helpers.py").write_text("def double(x):\n    return 2 * x\n")
    notebook = write_notebook(
        tmp_path / "nb.ipynb",
        [
            code("from helpers import double", tags=["nb2prod:export"]),
            code("x = 2", tags=["nb2prod:example"]),
            code("double(x)", tags=["nb2prod:predict"]),
        ],
    )
    result = run("export", notebook, "-o", tmp_path / "out", "--cwd", tmp_path, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "No module named 'helpers'" in result.stderr and "own modules" in result.stderr
