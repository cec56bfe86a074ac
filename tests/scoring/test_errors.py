"""Bad input, a failing model and a missing Dask: one clear line naming the file and rows,
the exit code of nb2prod/errors.py, and never a half-written output."""

from __future__ import annotations

import re

import pytest

from ..conftest import nb2prod_cli
from .conftest import parcels


def _score(quotes, *args):
    return nb2prod_cli("score", quotes, *args)


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".nb2prod.tmp"))


def test_a_model_that_raises_on_a_chunk_names_the_rows_and_writes_nothing(quotes, tmp_path):
    parcels(10_050, bad_zone_at=10_020).to_csv(tmp_path / "parcels.csv", index=False)
    out = tmp_path / "quotes.parquet"
    done = _score(quotes, "-i", tmp_path / "parcels.csv", "-o", out, "--chunksize", "2000")
    assert done.returncode == 4, done.stderr
    line = done.stderr.splitlines()[0]
    found = re.search(r"parcels.csv rows (\d+)-(\d+): the model raised KeyError: 'mars'", line)
    assert found and int(found[1]) <= 10_021 <= int(found[2]), line
    assert not out.exists() and _leftovers(tmp_path) == []
    # in the first rows (which fix the output's types), before anything is written
    parcels(100, bad_zone_at=57).to_csv(tmp_path / "early.csv", index=False)
    done = _score(quotes, "-i", tmp_path / "early.csv", "-o", out)
    assert done.returncode == 4 and "early.csv rows 1-100: the model raised" in done.stderr


def test_a_column_the_model_needs_is_an_input_error(quotes, tmp_path):
    parcels(30).drop(columns=["zone"]).to_csv(tmp_path / "nozone.csv", index=False)
    done = _score(quotes, "-i", tmp_path / "nozone.csv", "-o", tmp_path / "out.csv")
    assert done.returncode == 2
    # the package's own input check names the missing key (its InputError: exit 2)
    assert "rows 1-30: the input does not fit the model's input contract: " in done.stderr
    assert "parcels[0]: missing keys: 'zone'" in done.stderr
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    "inputs, message",
    [
        (["missing.csv"], "missing.csv: no such file"),
        (["none-*.csv"], "none-*.csv: matches no file"),
        (["notes.txt"], "unknown input format '.txt'"),
        (["good.csv", "good.parquet"], "the inputs mix CSV and Parquet files"),
        (["good.csv", "other.csv"], "other.csv: its columns differ from the first file's"),
        (["broken.parquet"], "broken.parquet: cannot read it as Parquet"),
    ],
)
def test_inputs_that_cannot_be_scored_are_named(quotes, tmp_path, inputs, message):
    rows = parcels(5)
    rows.to_csv(tmp_path / "good.csv", index=False)
    rows.to_parquet(tmp_path / "good.parquet")
    rows.rename(columns={"zone": "region"}).to_csv(tmp_path / "other.csv", index=False)
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    args = [a for name in inputs for a in ("-i", tmp_path / name)]
    done = _score(quotes, *args, "-o", tmp_path / "out.csv")
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert not (tmp_path / "out.csv").exists()


def test_an_unreadable_csv_chunk_names_its_rows(quotes, tmp_path):
    lines = parcels(40).to_csv(index=False).splitlines()
    lines[31] += ",surplus,fields"  # data row 31
    (tmp_path / "bad.csv").write_text("\n".join(lines) + "\n")
    done = _score(quotes, "-i", tmp_path / "bad.csv", "-o", tmp_path / "o.csv")
    assert done.returncode == 2, done.stderr
    assert "bad.csv: cannot read its first rows as CSV: Error tokenizing data" in done.stderr
    # past the first rows, a value their types cannot hold: the chunk is named, --dtype fixes it
    lines = parcels(10_040).to_csv(index=False).splitlines()
    lines = [line.replace(".", "") if n > 0 else line for n, line in enumerate(lines)]
    lines[10_030] = ",".join(["2.5", *lines[10_030].split(",")[1:]])
    (tmp_path / "late.csv").write_text("\n".join(lines) + "\n")  # weight_kg: ints, then 2.5
    out = tmp_path / "typed.csv"
    done = _score(quotes, "-i", tmp_path / "late.csv", "-o", out, "--chunksize", "3000")
    assert done.returncode == 2, done.stderr
    assert re.search(r"late.csv rows \d+-: cannot read: ", done.stderr), done.stderr
    assert "--dtype NAME=TYPE" in done.stderr and not out.exists()
    fixed = _score(quotes, "-i", tmp_path / "late.csv", "-o", out, "--dtype", "weight_kg=float64")
    assert fixed.returncode == 0, fixed.stderr


def test_parameters_are_checked_before_any_row_is_read(quotes, tmp_path):
    parcels(5).to_csv(tmp_path / "p.csv", index=False)
    out = tmp_path / "o.csv"
    wrong = _score(quotes, "-i", tmp_path / "p.csv", "-o", out, "--param", "fuel_surcharge=lots")
    assert wrong.returncode == 2 and "fuel_surcharge must be float" in wrong.stderr
    fixed = _score(quotes, "-i", tmp_path / "p.csv", "-o", out, "--param", "rates_path=x.json")
    assert fixed.returncode == 2 and "was fixed when the package was exported" in fixed.stderr
    malformed = _score(quotes, "-i", tmp_path / "p.csv", "-o", out, "--param", "express")
    assert malformed.returncode == 2 and "NAME=VALUE" in malformed.stderr
    assert not out.exists()


def test_models_that_are_not_there_are_usage_errors(tmp_path):
    parcels(5).to_csv(tmp_path / "p.csv", index=False)
    for model, message in [
        (tmp_path, "is not a project nb2prod exported"),
        ("no_such_package_here", "no installed package of that name"),
        ("not/a/folder", "no such folder, and not a package name or an MLflow model URI"),
    ]:
        done = nb2prod_cli("score", model, "-i", tmp_path / "p.csv", "-o", tmp_path / "o.csv")
        assert done.returncode == 2 and message in done.stderr, done.stderr


def test_dask_missing_says_how_to_install_it(quotes, tmp_path):
    parcels(5).to_csv(tmp_path / "p.csv", index=False)
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "distributed.py").write_text("raise ImportError('No module named distributed')\n")
    import os
    import subprocess

    from ..conftest import NB2PROD

    env = {**os.environ, "PYTHONPATH": str(shadow)}
    done = subprocess.run(
        [NB2PROD, "score", quotes, "-i", tmp_path / "p.csv", "-o", tmp_path / "o.csv",
         "--executor", "dask"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "pip install 'nb2prod[dask]'" in done.stderr


def test_empty_files_are_skipped_and_an_empty_input_is_refused(quotes, tmp_path):
    rows = parcels(12)
    rows.iloc[:0].to_csv(tmp_path / "a-empty.csv", index=False)
    rows.to_csv(tmp_path / "b-rows.csv", index=False)
    done = _score(quotes, "-i", tmp_path / "*.csv", "-o", tmp_path / "o.csv")
    assert done.returncode == 0 and "scored 12 rows of 2 files" in done.stdout, done.stderr
    empty = _score(quotes, "-i", tmp_path / "a-empty.csv", "-o", tmp_path / "e.csv")
    assert empty.returncode == 2 and "a-empty.csv: no rows to score" in empty.stderr
