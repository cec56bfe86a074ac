"""``nb2prod promote`` and ``nb2prod shadow`` against a real embedded store and real
exported packages (conftest.py): the champion alias moves only for a version at least as
good, every comparison is a run, and bad input is one line and exit 2."""

from __future__ import annotations

import re

import pytest

from nb2prod.errors import UsageError
from nb2prod.rollout.promote import ALREADY, FIRST, PROMOTED, PromotionRefused, promote
from nb2prod.rollout.shadow import shadow

from ..conftest import nb2prod_cli


def _aliases(store: str, name: str) -> dict:
    from mlflow import MlflowClient

    return {k: str(v) for k, v in MlflowClient(store).get_registered_model(name).aliases.items()}


def _runs(store: str, name: str, kind: str) -> list:
    from mlflow import MlflowClient

    client = MlflowClient(store)
    experiment = client.get_experiment_by_name(f"models/{name}")
    where = f"tags.`nb2prod.kind` = '{kind}'"
    return client.search_runs([experiment.experiment_id], where) if experiment else []


def test_the_first_promotion_makes_the_candidate_champion_and_score_takes_the_alias(
    logged, register, registry, tmp_path
):
    name = register("good")
    store = logged["store"]
    tags = registry.version(name, "1").tags  # the registered version names where it came from
    assert tags["nb2prod.run_id"] == logged["good"]["run_id"]
    assert tags["nb2prod.notebook"] == "breast_cancer_classifier.ipynb"
    done = nb2prod_cli(
        "promote", name, "1", "--data", logged["labelled"], "--target", "malignant",
        "--tracking-uri", store,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "version 1 is now @champion (there was none)" in done.stdout
    assert re.search(r"accuracy 0\.9\d+ on 240 rows", done.stdout), done.stdout
    assert _aliases(store, name) == {"champion": "1"}
    (run,) = _runs(store, name, "promote")
    assert run.data.tags["nb2prod.verdict"] == FIRST
    # the notebook the candidate was exported from: the panel lists the run under it
    assert run.data.tags["nb2prod.notebook"] == "breast_cancer_classifier.ipynb"
    assert run.data.params["candidate_version"] == "1"
    assert run.data.params["champion_version"] == "none"
    assert run.data.metrics["candidate_accuracy"] > 0.9
    # nb2prod score takes the alias
    from nb2prod.scoring.score import score

    out = tmp_path / "scored.csv"
    scored = score(f"models:/{name}@champion", [logged["batch"]], out, tracking_uri=store)
    assert scored.rows == 240 and scored.predictions == ["malignant_probability", "malignant"]


def test_a_worse_version_is_refused_naming_both_scores_and_the_alias_stays(logged, register):
    name = register("good", "bad", champion="1")
    store = logged["store"]
    done = nb2prod_cli(
        "promote", name, "2", "--data", logged["labelled"], "--target", "malignant",
        "--tracking-uri", store,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    found = re.search(r"scores accuracy (0\.\d+), the champion \(version 1\) (0\.\d+)", done.stderr)
    assert found, done.stderr
    assert float(found[1]) < 0.7 < 0.9 < float(found[2])
    assert "@champion is unchanged" in done.stderr and len(done.stderr.splitlines()) == 2
    assert _aliases(store, name) == {"champion": "1"}
    (run,) = _runs(store, name, "promote")
    assert run.data.tags["nb2prod.verdict"] == "refused"
    assert run.data.metrics["champion_accuracy"] == pytest.approx(float(found[2]), abs=1e-5)


def test_a_better_version_is_promoted_unless_it_falls_short_of_the_improvement_asked(
    logged, register
):
    name = register("bad", "good", champion="1")
    store = logged["store"]
    args = (name, "2", logged["labelled"], "malignant")
    with pytest.raises(PromotionRefused) as refused:
        promote(*args, min_improvement=0.5, tracking_uri=store)
    assert refused.value.exit_code == 1 and _aliases(store, name) == {"champion": "1"}
    result = promote(*args, metric="f1", tracking_uri=store)
    assert result.verdict == PROMOTED and result.champion == "1"
    assert result.candidate_score > result.champion_score
    assert _aliases(store, name) == {"champion": "2"}
    verdicts = sorted(r.data.tags["nb2prod.verdict"] for r in _runs(store, name, "promote"))
    assert verdicts == [PROMOTED, "refused"]


def test_shadow_compares_the_challenger_with_the_champion_and_logs_it(logged, register):
    name = register("good", "bad", champion="1")
    store = logged["store"]
    done = nb2prod_cli("shadow", name, "--data", logged["batch"], "--tracking-uri", store)
    assert done.returncode == 0, done.stderr
    assert "champion version 1 vs challenger version 2 on 240 rows" in done.stdout
    agree = float(re.search(r"malignant: ([\d.]+)% of rows agree", done.stdout)[1])
    assert 40 < agree < 90  # the nearly constant model calls few tumours malignant
    assert re.search(r"malignant_probability: mean \|diff\| 0\.\d+", done.stdout)
    assert "drift: no drift against version 1's reference: 0 of 30 columns" in done.stdout
    (run,) = _runs(store, name, "shadow")
    assert run.data.metrics["agreement.malignant"] == pytest.approx(agree / 100, abs=1e-3)
    assert run.data.params["challenger_version"] == "2"
    assert run.data.tags["nb2prod.verdict"] == "differ"
    assert run.data.tags["nb2prod.notebook"] == "breast_cancer_classifier.ipynb"
    assert run.data.metrics["drift.share_drifted"] == 0
    assert _aliases(store, name) == {"champion": "1"}
    # the batch's drift against the reference statistics the champion ships; a runtime
    # parameter both versions take (no tumour is that likely: they agree on every row)
    shifted = shadow(
        name, logged["shifted"], challenger="2", params={"threshold": "1.1"}, tracking_uri=store
    )
    agreement = {c.column: c.agreement for c in shifted.columns}
    assert agreement["malignant"] == 1.0 and agreement["malignant_probability"] < 0.5
    assert "mean radius" in shifted.drift_note and "1 of 30 columns drifted" in shifted.drift_note
    drifted = [c["column"] for c in shifted.drift["columns"] if c["drift"]]
    assert drifted == ["mean radius"]


def test_bad_input_is_one_line_and_exit_2(logged, register, registry):
    name = register("good")
    store = logged["store"]
    done = nb2prod_cli(
        "promote", name, "1", "--data", logged["labelled"], "--target", "label",
        "--tracking-uri", store,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("nb2prod: error: ") and "no target column 'label'" in done.stderr
    assert len(done.stderr.splitlines()) == 1
    labelled = logged["labelled"]
    cases = [
        (lambda: promote(name, "7", labelled, "malignant", tracking_uri=store),
         "has no version 7 in .* \\(versions: 1\\)"),
        (lambda: promote("nobody", "1", labelled, "malignant", tracking_uri=store),
         "no registered model nobody"),
        (lambda: promote(name, "1", labelled, "malignant", metric="auc", tracking_uri=store),
         "unknown metric 'auc'"),
        (lambda: promote(name, "1", labelled + ".txt", "malignant", tracking_uri=store),
         "unknown data format"),
        (lambda: shadow(name, logged["batch"], tracking_uri=store), "has no @champion"),
    ]  # fmt: skip
    for call, message in cases:
        with pytest.raises(UsageError, match=message) as raised:
            call()
        assert raised.value.exit_code == 2
    assert _aliases(store, name) == {}
    registry.set_champion(name, "1")
    with pytest.raises(UsageError, match="has only its champion, version 1"):
        shadow(name, logged["batch"], tracking_uri=store)
    already = promote(name, "1", labelled, "malignant", tracking_uri=store)  # nothing to do
    assert already.verdict == ALREADY and "already @champion" in already.text()
    assert _runs(store, name, "promote") == []


def test_export_register_refuses_a_folder_store_and_a_dry_run_before_running(tmp_path):
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text("not even a notebook")  # never read: refused first
    folder = nb2prod_cli(
        "export", notebook, "--register", "m", "--tracking-uri", f"file://{tmp_path}/mlruns"
    )
    assert folder.returncode == 2 and "has no model registry" in folder.stderr
    dry = nb2prod_cli("export", notebook, "--register", "m", "--dry-run")
    assert dry.returncode == 2 and "--register and --dry-run" in dry.stderr
    bad = nb2prod_cli("export", notebook, "--register", "a/b", "--tracking-uri", "sqlite:///x.db")
    assert bad.returncode == 2 and "cannot be a registered model's name" in bad.stderr
    assert not (tmp_path / "mlruns").exists() and not list(tmp_path.glob("build"))


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.5, 1.25, 3.0], "rmse"),
        (list(range(30)), "rmse"),
        ([0, 1, 2, 1], "accuracy"),
        ([1.0, 0.0, 1.0], "accuracy"),
        ([True, False], "accuracy"),
        (["a", "b"], "accuracy"),
    ],
)
def test_the_default_metric_follows_the_target(values, expected):
    import pandas as pd

    from nb2prod.rollout.metrics import get_metric

    assert get_metric(None, pd.Series(values)).name == expected


def test_each_metric_knows_which_way_is_better():
    import pandas as pd

    from nb2prod.rollout.metrics import METRICS, score

    truth, close, far = (
        pd.Series([1.0, 2.0, 3.0]),
        pd.Series([1.1, 2.0, 3.0]),
        pd.Series([3.0, 0.0, 1.0]),
    )
    for name in ("rmse", "mse", "mae", "r2"):
        metric = METRICS[name]
        assert metric.gain(score(metric, truth, close), score(metric, truth, far)) > 0, name
    labels, right, wrong = pd.Series([1, 0, 1, 1]), pd.Series([1, 0, 1, 1]), pd.Series([0, 1, 0, 1])
    for name in ("accuracy", "balanced_accuracy", "f1", "precision", "recall"):
        metric = METRICS[name]
        assert metric.gain(score(metric, labels, right), score(metric, labels, wrong)) > 0, name
    with pytest.raises(UsageError, match="rmse cannot compare"):
        score(METRICS["rmse"], pd.Series(["a", "b"]), pd.Series(["a", "a"]))


def test_the_prediction_column_scored_is_the_only_one_the_targets_or_the_one_named():
    import pandas as pd

    from nb2prod.rollout.batch import prediction_column

    one, two = pd.DataFrame({"p": [1]}), pd.DataFrame({"score": [0.4], "label": [1]})
    assert prediction_column(one, "label", None) == "p"
    assert prediction_column(two, "label", None) == "label"
    assert prediction_column(two, "label", "score") == "score"
    with pytest.raises(UsageError, match="predicts score, label: which one answers for y"):
        prediction_column(two, "y", None)
    with pytest.raises(UsageError, match="no prediction column 'x'"):
        prediction_column(two, "y", "x")


def test_a_rollout_run_names_the_candidates_notebook_else_the_champions():
    from nb2prod.rollout.record import notebook_of
    from nb2prod.rollout.registry import Version

    new = Version("m", "2", tags={"nb2prod.notebook": "work/new.ipynb"})
    old = Version("m", "1", tags={"nb2prod.notebook": "work/old.ipynb"})
    assert notebook_of(new, old) == "work/new.ipynb"
    assert notebook_of(Version("m", "3"), old) == "work/old.ipynb"
    assert notebook_of(Version("m", "3"), None) is None
