"""``nb2prod score --executor dask`` on a real ``LocalCluster(2)`` (processes), one per
module: the same bytes as the local executor, the model loaded once per worker, a package
folder shipped to the workers, errors placed as locally."""

from __future__ import annotations

import pytest

from nb2prod.errors import UsageError
from nb2prod.scoring.model import ModelFailed
from nb2prod.scoring.score import score

from ..conftest import nb2prod_cli
from .conftest import parcels

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
    ) as local:
        yield local


@pytest.fixture
def inputs(tmp_path, tumours):
    tumours.to_csv(tmp_path / "rows.csv", index=False)
    tumours.to_parquet(tmp_path / "rows.parquet", index=False, row_group_size=50)
    return tmp_path


def _worker_state(cluster):
    def state():
        import sys

        from nb2prod.scoring import model

        module = sys.modules.get("bc_scorer")
        return sorted(model.LOADS.values()), getattr(module, "__file__", None)

    with distributed.Client(cluster) as client:
        return client.run(state)


def test_dask_writes_the_local_executors_bytes(classifier, inputs, cluster):
    for source, suffix in [("rows.csv", ".csv"), ("rows.parquet", ".parquet")]:
        local, remote = inputs / f"local{suffix}", inputs / f"dask{suffix}"
        score(str(classifier), [str(inputs / source)], local, chunksize=25)
        result = score(
            str(classifier), [str(inputs / source)], remote, chunksize=25,
            executor="dask", scheduler=cluster.scheduler_address,
        )  # fmt: skip
        assert result.rows == 120
        assert remote.read_bytes() == local.read_bytes(), source
    done = nb2prod_cli(
        "score", classifier, "-i", inputs / "rows.parquet", "-o", inputs / "cli.parquet",
        "--chunksize", "25", "--param", "threshold=0.2",
        "--executor", "dask", "--scheduler", cluster.scheduler_address,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    score(
        str(classifier), [str(inputs / "rows.parquet")], inputs / "local-0.2.parquet",
        chunksize=25, params={"threshold": "0.2"},
    )  # fmt: skip
    assert (inputs / "cli.parquet").read_bytes() == (inputs / "local-0.2.parquet").read_bytes()
    # 5 partitions a run, 3 runs, 2 workers: each worker loaded the model once, from the
    # copy of the package folder nb2prod shipped to it
    for loads, where in _worker_state(cluster).values():
        assert loads in ([1], []) and (where is None or "nb2prod-packages" in where)
    assert any(loads == [1] for loads, _ in _worker_state(cluster).values())


def test_a_failing_partition_is_placed_by_file_and_rows(quotes, cluster, tmp_path):
    parcels(10_100, bad_zone_at=10_050).to_parquet(tmp_path / "p.parquet")
    with pytest.raises(ModelFailed, match=r"p.parquet rows 10001-10100: the model raised"):
        score(
            str(quotes), [str(tmp_path / "p.parquet")], tmp_path / "o.csv", chunksize=5000,
            executor="dask", scheduler=cluster.scheduler_address,
        )  # fmt: skip
    assert not (tmp_path / "o.csv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_remote_workers_cannot_read_an_embedded_store(cluster, tmp_path):
    parcels(5).to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(UsageError, match="cannot read this machine's embedded MLflow store"):
        score(
            "runs:/0123456789abcdef/model", [str(tmp_path / "p.csv")], tmp_path / "o.csv",
            executor="dask", scheduler=cluster.scheduler_address,
            tracking_uri=f"sqlite:///{tmp_path}/mlflow.db",
        )  # fmt: skip


def test_without_a_scheduler_a_local_cluster_is_started(quotes, tmp_path):
    parcels(3_000).to_csv(tmp_path / "p.csv", index=False)
    score(str(quotes), [str(tmp_path / "p.csv")], tmp_path / "local.csv", chunksize=700)
    score(
        str(quotes), [str(tmp_path / "p.csv")], tmp_path / "dask.csv", chunksize=700,
        executor="dask", workers=2, params={"express": "true"},
    )  # fmt: skip
    score(
        str(quotes), [str(tmp_path / "p.csv")], tmp_path / "express.csv", chunksize=700,
        params={"express": "true"},
    )  # fmt: skip
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "express.csv").read_bytes()
    assert (tmp_path / "dask.csv").read_bytes() != (tmp_path / "local.csv").read_bytes()
