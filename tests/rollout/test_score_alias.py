"""``nb2prod score`` of ``models:/NAME@champion`` in a long-lived process (a kernel, the
Jupyter server, a Dask worker): the alias is resolved to its version on every score, so
after it moves the new version answers, although both versions are one package name."""

from __future__ import annotations

from nb2prod.scoring.score import score


def test_score_follows_the_champion_alias_in_one_process(logged, register, registry, tmp_path):
    name = register("good", "bad", champion="1")
    store = logged["store"]
    uri = f"models:/{name}@champion"
    first = tmp_path / "first.csv"
    score(uri, [logged["batch"]], first, tracking_uri=store)
    expected = tmp_path / "bad.csv"
    score(f"models:/{name}/2", [logged["batch"]], expected, tracking_uri=store)
    registry.set_champion(name, "2")
    second = tmp_path / "second.csv"
    score(uri, [logged["batch"]], second, tracking_uri=store)
    assert first.read_bytes() != second.read_bytes()  # the good and the bad model differ
    assert second.read_bytes() == expected.read_bytes()
    latest = tmp_path / "latest.csv"
    scored = score(f"models:/{name}/latest", [logged["batch"]], latest, tracking_uri=store)
    assert latest.read_bytes() == expected.read_bytes() and scored.model.endswith("version 2")
