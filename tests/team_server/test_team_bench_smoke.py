"""Smoke test of bench/team_bench.py, ``--quick`` (3 jobs a side), against this layer's
server (``--server``, the admin's password in the variable the benchmark reads) rather than
a stack of its own: the jobs are nearly all it costs.  ``make bench`` runs it in full."""

from __future__ import annotations

import json
import re

import pytest

from ..conftest import goal_names, run_bench
from .conftest import SERVER

pytestmark = pytest.mark.skipif(not SERVER, reason="needs `make test` (NB2PROD_MLFLOW_SERVER)")


def test_team_bench_prints_both_sides_and_the_goal(tmp_path, team_server, team_stack, monkeypatch):
    monkeypatch.setenv("NB2PROD_BENCH_ADMIN_PASSWORD", team_stack.admin_password)
    out = tmp_path / "results.json"
    text = run_bench(
        "team_bench.py", "--quick", "--server", team_server, "--json-out", out,
        "--workdir", tmp_path / "work", timeout=300,
    )  # fmt: skip
    for side in ("embedded", "team server"):
        line = rf"^round 1  {side} +\d+\.\d\d s +3 of 3 jobs exited 0, 3 of 3 runs FINISHED"
        assert re.search(line, text, re.M), text
    assert re.search(r"ratio team server/embedded +\d+\.\d\dx", text), text
    assert goal_names(text) == ["every run recorded on both"], text
    assert "PASS  every run recorded on both" in text, text
    assert team_stack.admin_password not in text
    concurrent = json.loads(out.read_text())["concurrent"]
    assert concurrent["jobs"] == 3 and concurrent["rounds"] == 1
    assert concurrent["recorded"] == {"embedded": True, "team server": True}
