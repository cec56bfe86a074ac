"""A metrics cell logs the numbers it binds and the value it ends with when shown (a name
holding a number, a dict of names to numbers), in a real kernel and in a real job alike; one
that logs nothing says so in one line, with what to write instead."""

from __future__ import annotations

from ..conftest import code, write_notebook
from ..jobs.test_run import _runs, run


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "nb2prod: warning" in line]


def test_a_metrics_cell_logs_what_it_shows_or_says_why_it_logged_nothing(kernel, runs):
    assert (
        kernel.run("acc = 0.91\nloss = 0.25\nmodel = type('M', (), {'best': 0.8})()").status == "ok"
    )
    shown = kernel.run("#| nb2prod: metrics\nacc")
    assert shown.result == "0.91" and not _warnings(shown.stderr)
    as_dict = kernel.run("%%nb2prod metrics\n{'f1': 0.5, 'loss': loss, 'note': 'text'}")
    assert not _warnings(as_dict.stderr)
    attribute = kernel.run("model.best", tags=["nb2prod:metrics"])
    assert not _warnings(attribute.stderr)
    logged = sorted(tuple(sorted(run.data.metrics.items())) for run in runs())
    assert logged == [(("acc", 0.91),), (("f1", 0.5), ("loss", 0.25)), (("model.best", 0.8),)]

    printed = kernel.run("#| nb2prod: metrics\nprint(acc)")
    unnamed = kernel.run("%%nb2prod metrics\nround(acc * 100, 1)")
    nothing = kernel.run("label = 'final'", tags=["nb2prod:metrics"])
    for reply, why in (
        (printed, "printed values are not logged"),
        (unnamed, "it shows a number without a name (`round(acc * 100, 1)`)"),
        (nothing, "it binds no number and shows no number or dict of numbers"),
    ):
        assert reply.status == "ok"
        (warning,) = _warnings(reply.stderr)
        assert f"the metrics cell logged nothing: {why}; bind each number" in warning, warning
    assert len(runs()) == 3  # nothing more was logged


def test_a_jobs_metrics_cells_log_as_in_a_kernel(tmp_path, store_uri):
    (tmp_path / "pyproject.toml").write_text(f"[tool.nb2prod]\ntracking_uri = '{store_uri}'\n")
    write_notebook(
        tmp_path / "job.ipynb",
        [
            code("acc = 0.75\nloss = 0.5"),
            code("{'acc': acc, 'loss': loss}", tags=["nb2prod:metrics"]),
            code("#| nb2prod: metrics\nacc"),
            code("print(loss)", tags=["nb2prod:metrics"]),
        ],
    )
    result = run("run", "job.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (job,), _ = _runs(store_uri)
    assert job.data.metrics == {"acc": 0.75, "loss": 0.5}
    (warning,) = _warnings(result.stderr)
    assert "the metrics cell logged nothing: printed values are not logged" in warning
