"""``nb2prod score`` with the local executor: CSV and Parquet in and out, chunk boundaries,
row order and runtime parameters, against the package's own ``predict`` on the whole frame."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from nb2prod.scoring.score import score

from ..conftest import nb2prod_cli


def _package_predict(classifier, frame, **params):
    """What the exported package itself answers for ``frame`` in one call."""
    sys.path.insert(0, str(classifier / "src"))
    import bc_scorer

    return bc_scorer.predict(frame, **params)


@pytest.fixture
def inputs(tmp_path, tumours):
    tumours.to_csv(tmp_path / "rows.csv", index=False)
    tumours.to_parquet(tmp_path / "rows.parquet", index=False)
    return tmp_path


def test_scored_rows_are_the_input_then_the_packages_predictions(classifier, tumours, inputs):
    result = score(str(classifier), [str(inputs / "rows.csv")], inputs / "out.csv", chunksize=7)
    assert result.rows == 120 and result.predictions == ["malignant_probability", "malignant"]
    written = pd.read_csv(inputs / "out.csv")
    expected = _package_predict(classifier, tumours).reset_index(drop=True)
    pd.testing.assert_frame_equal(written[list(tumours.columns)], tumours)
    pd.testing.assert_frame_equal(written[result.predictions], expected)


def test_chunks_change_no_row_and_formats_change_no_byte(classifier, tumours, inputs):
    frames = []
    for chunksize in (1, 7, 1000):
        out = inputs / f"out-{chunksize}.csv"
        score(str(classifier), [str(inputs / "rows.csv")], out, chunksize=chunksize)
        frames.append(pd.read_csv(out))
    for frame in frames[1:]:  # BLAS may round the last bit differently for another batch
        pd.testing.assert_frame_equal(frame, frames[0], check_exact=False, rtol=1e-12)
        assert frame["malignant"].equals(frames[0]["malignant"])
    # the same chunks (one here) from CSV or Parquet, to CSV or Parquet: the same bytes
    score(str(classifier), [str(inputs / "rows.parquet")], inputs / "p.csv", chunksize=1000)
    assert (inputs / "p.csv").read_bytes() == (inputs / "out-1000.csv").read_bytes()
    written = [inputs / "a.parquet", inputs / "b.parquet"]
    score(str(classifier), [str(inputs / "rows.parquet")], written[0], chunksize=500)
    score(str(classifier), [str(inputs / "rows.csv")], written[1], chunksize=500)
    assert written[0].read_bytes() == written[1].read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(written[0]), frames[2])


def test_runtime_parameters_are_typed_by_the_package(classifier, tumours, inputs):
    score(
        str(classifier), [str(inputs / "rows.csv")], inputs / "low.parquet",
        params={"threshold": "0.05"}, chunksize=50,
    )  # fmt: skip
    low = pd.read_parquet(inputs / "low.parquet")
    expected = _package_predict(classifier, tumours, threshold=0.05).reset_index(drop=True)
    pd.testing.assert_series_equal(low["malignant"], expected["malignant"])
    assert low["malignant"].sum() > _package_predict(classifier, tumours)["malignant"].sum()


def test_several_files_and_globs_are_scored_in_order(classifier, tumours, tmp_path):
    for number, start in enumerate(range(0, 120, 40)):
        tumours.iloc[start : start + 40].to_csv(tmp_path / f"part-{number}.csv", index=False)
    score(str(classifier), [str(tmp_path / "part-*.csv")], tmp_path / "glob.csv", chunksize=15)
    order = [str(tmp_path / f"part-{n}.csv") for n in (2, 0, 1)]
    score(str(classifier), order, tmp_path / "listed.csv", chunksize=15)
    together = pd.read_csv(tmp_path / "glob.csv")
    pd.testing.assert_frame_equal(together[list(tumours.columns)], tumours)
    listed = pd.read_csv(tmp_path / "listed.csv")
    assert listed["mean radius"].tolist() == [
        *tumours["mean radius"][80:], *tumours["mean radius"][:80]
    ]  # fmt: skip


def test_the_command_scores_and_keeps_an_existing_output(classifier, inputs):
    out = inputs / "cli.csv"
    done = nb2prod_cli(
        "score", classifier, "--input", inputs / "rows.csv", "--output", out,
        "--param", "threshold=0.7", "--chunksize", "33",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "scored 120 rows" in done.stdout and "malignant_probability, malignant" in done.stdout
    before = out.read_bytes()
    again = nb2prod_cli("score", classifier, "-i", inputs / "rows.csv", "-o", out)
    assert again.returncode == 2 and "already exists" in again.stderr and "--force" in again.stderr
    assert out.read_bytes() == before
    forced = nb2prod_cli("score", classifier, "-i", inputs / "rows.csv", "-o", out, "--force")
    assert forced.returncode == 0 and out.read_bytes() != before  # threshold 0.5 now
    unknown = nb2prod_cli(
        "score", classifier, "-i", inputs / "rows.csv", "-o", inputs / "x.csv", "--param", "cut=1"
    )
    assert unknown.returncode == 2
    assert "unknown parameter cut; valid runtime parameters: threshold" in unknown.stderr
    assert not (inputs / "x.csv").exists()
