"""``PKG predict --model models:/NAME@champion`` and ``PKG.predict_registered``: an
exported package predicting with a registered version rather than its own code.  The
package run is the good export; the champion is the bad one, the same package name with
other code (its build constant) and another model file, so its answers are told apart."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
from pandas.testing import assert_frame_equal


def _package(logged: dict, kind: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``python -m bc_model ARGS`` of the ``kind`` export, with its src on the path."""
    src = Path(logged[kind]["package"], "src")
    variables = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    variables.update(
        PYTHONPATH=os.pathsep.join(filter(None, [env.pop("path", ""), str(src)])), **env
    )
    return subprocess.run(
        [sys.executable, "-m", "bc_model", *args], capture_output=True, text=True, env=variables
    )


def _predict(logged: dict, kind: str, output: Path, *args: str, **env: str) -> pd.DataFrame:
    done = _package(logged, kind, "predict", "--input", logged["batch"], "--output", str(output), *args, **env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return pd.read_csv(output)


def test_the_package_cli_answers_with_the_champion_not_its_own_code(logged, register, registry, tmp_path):  # fmt: skip
    name = register("good", "bad", champion="2")
    store = logged["store"]
    own = _predict(logged, "good", tmp_path / "own.csv")
    bad = _predict(logged, "bad", tmp_path / "bad.csv")
    assert not own.equals(bad)
    uri = f"models:/{name}@champion"
    done = _package(logged, "good", "predict", "--model", uri, "--input", logged["batch"], "--output", str(tmp_path / "champion.csv"), MLFLOW_TRACKING_URI=store)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"bc_model: {uri} is version 2\n"  # and no MLflow notes
    assert_frame_equal(pd.read_csv(tmp_path / "champion.csv"), bad)
    # the alias moves: the same command follows it; --tracking-uri names the store
    registry.set_champion(name, "1")
    after = _predict(
        logged, "good", tmp_path / "after.csv", "--model", uri, "--tracking-uri", store
    )
    assert_frame_equal(after, own)
    # a runtime parameter, typed as the model's signature types it
    strict = _predict(logged, "good", tmp_path / "strict.csv", "--model", f"models:/{name}/1", "--param", "threshold=0.9", MLFLOW_TRACKING_URI=store)  # fmt: skip
    assert 0 < strict["malignant"].sum() < own["malignant"].sum()
    assert_frame_equal(strict[["malignant_probability"]], own[["malignant_probability"]])


def test_the_python_api_answers_with_the_registered_version(logged, register, tmp_path):
    name = register("good", "bad", champion="2")
    script = (
        "import sys, pandas as pd, bc_model\n"
        "batch = pd.read_csv(sys.argv[1])\n"
        "own = bc_model.predict(batch)\n"
        "champion = bc_model.predict_registered(sys.argv[2], batch, tracking_uri=sys.argv[3])\n"
        "assert bc_model.predict(batch).equals(own)  # the running package is unchanged\n"
        "champion.to_csv(sys.argv[4], index=False)\n"
    )
    src = Path(logged["good"]["package"], "src")
    done = subprocess.run(
        [sys.executable, "-c", script, logged["batch"], f"models:/{name}@champion", logged["store"], str(tmp_path / "api.csv")],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(src)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    bad = _predict(logged, "bad", tmp_path / "bad.csv")
    assert_frame_equal(pd.read_csv(tmp_path / "api.csv"), bad)


def test_errors_are_one_line_with_the_exit_code(logged, register, tmp_path):
    name = register("good", champion="1")
    store, batch = logged["store"], logged["batch"]
    uri = f"models:/{name}@champion"
    rows = pd.read_csv(batch)
    missing, empty = tmp_path / "missing.csv", tmp_path / "empty.csv"
    rows.drop(columns=["mean radius"]).to_csv(missing, index=False)
    rows.assign(**{"mean radius": None, "mean area": None}).to_csv(empty, index=False)

    def run(*args: str, **env: str) -> subprocess.CompletedProcess:
        return _package(logged, "good", "predict", *args, **env)

    # the registered version's input check: every problem listed, exit 2
    done = run("--model", uri, "--input", str(empty), "--tracking-uri", store)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("bc_model: error: the input does not fit the model's input contract (2 problems):\n")  # fmt: skip
    assert "mean radius" in done.stderr and "mean area" in done.stderr
    assert "Traceback" not in done.stderr
    # MLflow's check of the signature comes first: a missing column, in one line
    done = run("--model", uri, "--input", str(missing), "--tracking-uri", store)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "does not fit its signature: Model is missing inputs ['mean radius']" in done.stderr
    unknown = run("--model", f"models:/{name}@nobody", "--input", batch, "--tracking-uri", store)
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1, unknown.stderr
    param = run("--model", uri, "--input", batch, "--tracking-uri", store, "--param", "nope=1")
    assert param.returncode == 2 and "unknown parameter nope" in param.stderr, param.stderr
    nowhere = run("--model", uri, "--input", batch)
    assert nowhere.returncode == 2 and "MLFLOW_TRACKING_URI" in nowhere.stderr
    strict = run("--model", uri, "--input", batch, "--strict", "--tracking-uri", store)
    assert strict.returncode == 2 and "not --model" in strict.stderr
    # a store that does not answer: one line, exit 3
    down = run("--model", uri, "--input", batch, "--tracking-uri", "http://127.0.0.1:9")
    assert down.returncode == 3 and "cannot reach http://127.0.0.1:9" in down.stderr, down.stderr
    assert down.stderr.count("\n") == 1, down.stderr
    # without MLflow (a folder on the path hides it): the extra to install, exit 3
    hidden = tmp_path / "no-mlflow"
    (hidden / "mlflow").mkdir(parents=True)
    (hidden / "mlflow" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'mlflow'\", name='mlflow')\n"
    )
    none = run("--model", uri, "--input", batch, "--tracking-uri", store, path=str(hidden))
    assert none.returncode == 3, none.stderr
    assert none.stderr == (
        "bc_model: error: a model URI needs MLflow: pip install 'bc-model[mlflow]'\n"
    )


def test_import_of_the_package_stays_light(logged):
    """``import bc_model`` imports neither the registered-model module nor MLflow."""
    src = Path(logged["good"]["package"], "src")
    script = "import sys, bc_model; print(sorted(m for m in sys.modules if 'regist' in m or m.startswith('mlflow')))"  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(src)}
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout == "[]\n", done.stderr
