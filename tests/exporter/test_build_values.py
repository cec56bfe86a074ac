"""``-p NAME VALUE`` at export sets a build parameter: the notebook runs with it, the
package and provenance.json are those of the value used, and ``nb2prod verify`` runs the
notebook with it again."""

from __future__ import annotations

import json

import numpy as np

from ..conftest import code, write_notebook
from ..conftest import nb2prod_cli as run
from ..public.ols import ols_export_notebook


def _fit(test_rows: int):
    from sklearn import datasets, linear_model

    x, y = datasets.load_diabetes(return_X_y=True)
    x = x[:, np.newaxis, 2]
    model = linear_model.LinearRegression().fit(x[:-test_rows], y[:-test_rows])
    return model.predict(x[-test_rows:][:5]).round(2)


def test_a_build_parameter_set_at_export_is_the_value_the_package_is_built_from(tmp_path):
    import nb2prod
    from nb2prod.exporter.pipeline import recapture

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    notebook = ols_export_notebook(tmp_path)
    out = tmp_path / "dist" / "ols"
    result = run("export", notebook, "-p", "test_rows", "30", "-o", out, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test_rows=30 (from -p)" in result.stdout
    recorded = json.loads((out / "src/plot_ols/provenance.json").read_text())
    assert recorded["build_parameters"]["test_rows"] == 30
    assert recorded["build_overrides"] == {"test_rows": 30}
    golden = nb2prod.export(notebook, tmp_path / "dry", params={"test_rows": 30}, dry_run=True)
    assert golden.plan.specs["test_rows"].default == 30
    # the captured answers are a model fitted without the 30 held-out rows, not 20
    exported = nb2prod.export(notebook, tmp_path / "api", params={"test_rows": 30})
    assert np.array_equal(exported.capture.cases[0].output, _fit(30))
    assert exported.capture.inputs["batch"].shape == (5, 1)
    assert not np.array_equal(_fit(30), _fit(20))
    # verify's run of the notebook uses the value the package was built from
    capture, _notes = recapture(out, {})
    assert np.array_equal(capture.cases[0].output, _fit(30))


def test_a_secret_looking_build_parameter_given_at_export_is_refused(tmp_path):
    notebook = write_notebook(
        tmp_path / "secret.ipynb",
        [
            code("api_key = ''\nscale = 2\nfactor = 3", tags=["parameters"]),
            code("x = 1", tags=["nb2prod:example"]),
            code("x * factor", tags=["nb2prod:predict"]),
        ],
    )
    refused = run(
        "export", notebook, "-o", tmp_path / "out", "--dry-run", "-p", "api_key", "abc123"
    )
    assert refused.returncode == 2, refused.stderr
    assert "`api_key` looks like a secret" in refused.stderr and "abc123" not in refused.stderr
    fine = run("export", notebook, "-o", tmp_path / "out", "--dry-run", "-p", "scale", "3")
    assert fine.returncode == 0 and "scale=3 (from -p)" in fine.stdout
