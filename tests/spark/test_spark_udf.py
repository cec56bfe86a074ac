"""The pyfunc model that ``nb2prod export --log-model`` logs, scored on Spark with
``mlflow.pyfunc.spark_udf`` as docs/spark.md shows: columns bound by name through a
``struct`` (in another order than the model's), runtime parameters through ``params=``.

The export and the package's own ``predict`` run here, in the dev venv; Spark runs in the
Spark venv (``make test-spark`` builds it from requirements/spark.txt and names its Python
in ``NB2PROD_SPARK_PYTHON``), in one child process, ``tests.spark.spark_child``, whose
local[2] session serves every test of this module.  Without that variable (a plain
``pytest tests``) the layer is skipped.
"""

from __future__ import annotations

import importlib
import os
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

from nb2prod.child import Child, ChildError

from ..conftest import nb2prod_cli
from .spark_child import Score, Start

SPARK_PYTHON = os.environ.get("NB2PROD_SPARK_PYTHON")
pytestmark = pytest.mark.skipif(
    not SPARK_PYTHON, reason="needs `make test-spark` (NB2PROD_SPARK_PYTHON)"
)

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "breast_cancer_classifier.ipynb"
PACKAGE = "breast_cancer_classifier"
RESULT_TYPE = "malignant_probability double, malignant boolean"
TIMEOUT = 300  # seconds for one request; the first starts the JVM (5-15 s)


@dataclass
class Logged:
    folder: Path  # the exported project
    store: str  # its MLflow tracking URI
    uri: str  # runs:/RUN_ID/model


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project holding the example notebook; its embedded store is ``mlflow.db``."""
    project = tmp_path_factory.mktemp("project")
    (project / "pyproject.toml").write_text("[project]\nname = 'cancer'\n")
    shutil.copy(ROOT / "example_notebooks" / NOTEBOOK, project / NOTEBOOK)
    return project


class SparkChild:
    """The Spark venv's child.  Its session starts as soon as the child does, while the
    notebook is exported: the JVM's start and the export overlap."""

    def __init__(self, child: Child) -> None:
        self.child = child
        child.send(Start())
        self.starting = True

    def call(self, request: Score):
        if self.starting:
            self.starting = False
            self.child.receive(TIMEOUT)
        return self.child.call(request, TIMEOUT)


@pytest.fixture(scope="module")
def spark(project):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(SPARK_LOCAL_IP="127.0.0.1", MLFLOW_TRACKING_URI=f"sqlite:///{project}/mlflow.db")
    with Child("tests.spark.spark_child", python=SPARK_PYTHON, env=env, cwd=ROOT) as child:
        yield SparkChild(child)


@pytest.fixture(scope="module")
def logged(project, spark) -> Logged:
    """The example notebook exported with ``--log-model`` into the project's store (after
    ``spark``: the session starts meanwhile)."""
    store = f"sqlite:///{project}/mlflow.db"
    done = nb2prod_cli(
        "export", NOTEBOOK, "-o", "pkg", "--log-model", "--tracking-uri", store, cwd=project
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found = re.search(r"PASS  mlflow log_model .* \(run ([0-9a-f]{32})\)", done.stdout)
    assert found, done.stdout
    return Logged(project / "pkg", store, f"runs:/{found[1]}/model")


@pytest.fixture(scope="module")
def package(logged):
    """The exported package itself, imported from its folder: the answers to match."""
    src = str(logged.folder / "src")
    sys.path.insert(0, src)
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(src)
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def rows():
    """All 569 rows of the data set the notebook trains on, in the model's column order."""
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(as_frame=True).data


def _shuffled(rows):
    """The same rows with their columns in another order than the model's signature."""
    columns = random.Random(14).sample(list(rows.columns), len(rows.columns))
    assert columns != list(rows.columns)
    return rows[columns]


def _same(spark_answer, package_answer) -> None:
    assert_frame_equal(
        spark_answer, package_answer.reset_index(drop=True), check_exact=False, rtol=1e-9
    )


def _by_name(spark, model_uri, table, params=None, result_type: str | None = RESULT_TYPE):
    """Spark's answers for ``table``, the UDF called on a struct of all its columns."""
    return spark.call(Score(model_uri, table, list(table.columns), params or {}, result_type))


def test_a_struct_binds_columns_by_name_whatever_their_order(spark, logged, package, rows):
    answer = _by_name(spark, logged.uri, _shuffled(rows))
    assert list(answer.columns) == ["malignant_probability", "malignant"]
    _same(answer, package.predict(rows))


def test_params_change_the_answers_as_they_change_the_packages(spark, logged, package, rows):
    default, strict = package.predict(rows), package.predict(rows, threshold=0.9)
    assert (default["malignant"] != strict["malignant"]).any()  # 0.9 matters for these rows
    _same(_by_name(spark, logged.uri, _shuffled(rows), {"threshold": 0.9}), strict)


def test_without_arguments_the_signature_names_the_columns_and_the_result(
    spark, logged, package, rows
):
    """``udf()`` takes the signature's columns by name; with no ``result_type`` the struct
    comes from the signature's output."""
    answer = spark.call(Score(logged.uri, _shuffled(rows), columns=None))
    _same(answer, package.predict(rows))


def test_a_registered_models_alias_scores_as_its_run(spark, logged, package, rows, monkeypatch):
    """``models:/NAME@champion``, as docs/spark.md's Databricks example loads it."""
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", logged.store)
    version = mlflow.register_model(logged.uri, PACKAGE)
    mlflow.MlflowClient().set_registered_model_alias(PACKAGE, "champion", version.version)
    answer = _by_name(spark, f"models:/{PACKAGE}@champion", _shuffled(rows), {"threshold": 0.3})
    _same(answer, package.predict(rows, threshold=0.3))


def test_a_missing_column_is_an_error_naming_it(spark, logged, rows):
    with pytest.raises(ChildError) as caught:
        _by_name(spark, logged.uri, rows.drop(columns=["mean radius"]))
    assert "Model is missing inputs ['mean radius']" in caught.value.message


def test_a_param_of_the_wrong_type_is_refused_when_the_udf_is_made(spark, logged, rows):
    with pytest.raises(ChildError) as caught:
        _by_name(spark, logged.uri, rows, {"threshold": "high"})
    assert "threshold" in caught.value.message
    assert "double" in caught.value.message


def test_a_misspelled_param_is_dropped_by_mlflow_as_docs_spark_md_warns(
    spark, logged, package, rows
):
    """MLflow drops a parameter the signature does not name, with a warning only: the
    answers are the defaults'.  docs/spark.md says to check the names; this pins it."""
    _same(_by_name(spark, logged.uri, rows, {"treshold": 0.9}), package.predict(rows))
