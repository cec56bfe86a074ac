"""The input contract through a generated package, imported in this process: the example
breast cancer classifier (a reduction of scikit-learn's logistic regression examples on its
bundled data) rendered with a model trained here, and its contract inferred from the
example input and the training data, as export does."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from nb2prod.exporter.contract import infer_contract


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """(module, project folder, rows): the rendered classifier, imported under a name of
    its own, and rows within the training data's ranges (a few test rows are not)."""
    from validation_bench import classifier_package  # bench/ is on sys.path (conftest)

    folder = tmp_path_factory.mktemp("classifier")
    name = f"classifier_{abs(hash(str(folder))) % 10**8}"
    src = str(folder / "project" / "src")
    try:
        module, X_train = classifier_package(folder, name)
        yield module, folder / "project", X_train.iloc[::7]
    finally:
        if src in sys.path:
            sys.path.remove(src)
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


def test_predict_refuses_bad_tables_and_arrays_listing_every_problem(package):
    module, _folder, X_test = package
    assert issubclass(module.InputError, ValueError)
    bad = X_test.head(4).drop(columns=["mean radius"])
    bad["mean texture"] = bad["mean texture"].astype(object)
    bad.iloc[1, 0] = "n/a"
    with pytest.raises(module.InputError) as caught:
        module.predict(bad)
    assert caught.value.problems == [
        "X_new: missing columns: 'mean radius'",
        f"X_new: column 'mean texture': expected numbers (float64); got 'n/a' (row "
        f"{X_test.index[1]})",
    ]
    with pytest.raises(module.InputError, match="expected a table .* got numpy.ndarray"):
        module.predict(X_test.head(3).to_numpy())  # was: no attribute 'index'
    with pytest.raises(module.InputError, match="the table has no rows"):
        module.predict(X_test.head(0))


def test_out_of_range_values_warn_or_fail_when_strict_and_validation_can_be_off(package):
    module, _folder, X_test = package
    shifted = X_test.head(3).copy()
    shifted.iloc[0, 0] = 1000.0
    with pytest.warns(module.InputWarning, match="'mean radius': 1 value.*outside the range"):
        answer = module.predict(shifted)
    assert len(answer) == 3
    with pytest.raises(module.InputError, match="outside the range"):
        module.predict(shifted, strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert module.predict(shifted, validate="off").shape == (3, 2)
        reordered = X_test.head(3)[list(reversed(X_test.columns))]
        expected = module.predict(X_test.head(3))
        pd.testing.assert_frame_equal(module.predict(reordered), expected)
    with pytest.raises(TypeError, match="validate='no'"):
        module.predict(shifted, validate="no")


def test_the_command_line_shows_the_schema_and_lists_problems_with_exit_2(
    package, tmp_path, capsys
):
    module, _folder, X_test = package
    cli = importlib.import_module(f"{module.__name__}.cli")
    assert cli.main(["schema"]) == 0
    table = capsys.readouterr().out
    assert "values as seen in the reference data (426 rows)" in table, table
    assert "mean radius" in table and "float64" in table
    assert cli.main(["schema", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["inputs"]["X_new"]["kind"] == "dataframe"
    bad = X_test.head(3).drop(columns=["worst area"]).assign(colour="red")
    bad.to_csv(tmp_path / "bad.csv", index=False)
    assert cli.main(["predict", "--input", str(tmp_path / "bad.csv")]) == 2
    err = capsys.readouterr().err
    assert "input contract (2 problems)" in err and "Traceback" not in err
    assert "missing columns: 'worst area'" in err and "unexpected columns: 'colour'" in err
    shifted = X_test.head(2).copy()
    shifted.iloc[0, 1] = 99.0
    shifted.to_csv(tmp_path / "shifted.csv", index=False)
    assert cli.main(["predict", "--input", str(tmp_path / "shifted.csv")]) == 0
    assert "warning: values the model has not seen" in capsys.readouterr().err
    assert cli.main(["predict", "--input", str(tmp_path / "shifted.csv"), "--strict"]) == 2
    with pytest.raises(SystemExit):
        cli.main(["predict", "--help"])
    assert "mean radius (float64)" in capsys.readouterr().out


def test_the_readme_shows_the_contract_as_a_table(package):
    _module, folder, _X = package
    readme = (folder / "README.md").read_text()
    assert "| `mean radius` | float64 | no |" in readme and "InputError" in readme


def test_the_package_imports_without_numpy_pandas_or_its_contract(package):
    module, folder, _X = package
    code = (
        f"import sys, time; t = time.perf_counter(); import {module.__name__}; "
        "t = time.perf_counter() - t; "
        f"print(t, sorted(m for m in ('numpy', 'pandas', '{module.__name__}._notebook', "
        f"'{module.__name__}._validation') if m in sys.modules))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=folder / "src",
            check=True,
        ).stdout.split(maxsplit=1)
        for _ in range(3)
    ]
    assert all(loaded.strip() == "[]" for _t, loaded in runs)
    # The goal is 50 ms (make bench measures it: about 10 ms); a loaded CI machine gets a
    # margin, and still fails a package that imports pandas (0.3 s and more) up front.
    assert min(float(t) for t, _loaded in runs) < 0.25


def test_the_generated_tests_run_the_schema_and_a_refused_input(package):
    _module, folder, _X = package
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_import.py",
         "-k", "contract"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(folder / "src")},
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr


def test_an_array_input_is_checked_for_dtype_and_shape():
    from nb2prod.exporter.input_check import InputError, checked

    contract = infer_contract({"values": np.arange(8.0).reshape(2, 4)})
    with pytest.raises(InputError, match=r"shape \(n, 4\); got shape \(3,\)"):
        checked({"values": np.ones(3)}, spec=contract)
