"""The magics in a real ipykernel, with the metadata JupyterLab sends (cell id, tags), and
the runs they leave in a real SQLite MLflow store."""

from __future__ import annotations

import subprocess
import time

import nbformat

from ..conftest import code, write_notebook


def test_a_tracked_cell_logs_its_run_and_keeps_its_output(kernel, runs, project):
    kernel.run("alpha = 0.5\napi_key = 'sk-live-12345678abcdefgh'", tags=["parameters"])
    reply = kernel.run(
        "%%nb2prod track --log acc model_name --run-name first\n"
        "acc = 0.93\nmodel_name = 'forest'\nprint('training')\nacc * 2",
        cell_id="cell-7",
    )
    assert reply.status == "ok" and reply.result == "1.86" and reply.stdout == "training\n"
    (run,) = runs()
    assert run.info.status == "FINISHED" and run.info.run_name == "first"
    assert run.data.metrics["acc"] == 0.93 and "duration_s" in run.data.metrics
    assert run.data.params == {"model_name": "forest", "alpha": "0.5", "api_key": "<redacted>"}
    tags = run.data.tags
    assert tags["nb2prod.notebook"] == "train.ipynb" and tags["nb2prod.cell_id"] == "cell-7"
    assert tags["nb2prod.cell_source"].startswith("acc = 0.93")
    assert tags["nb2prod.version"] and tags["nb2prod.python"]
    assert "nb2prod.git_commit" not in tags  # not a git repository


def test_git_commit_and_dirty_flag_are_recorded(kernel, runs, project):
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@e"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    kernel.run("%%nb2prod track\nx = 1")
    tags = runs()[0].data.tags
    assert len(tags["nb2prod.git_commit"]) == 40 and tags["nb2prod.git_dirty"] == "false"
    (project / "train.ipynb").write_text((project / "train.ipynb").read_text() + " ")
    kernel.run("%%nb2prod track\nx = 2")
    assert runs()[0].data.tags["nb2prod.git_dirty"] == "true"


def test_credentials_in_a_tracked_cell_never_reach_the_store(kernel, runs):
    token = "ghp_" + "Q7w8" * 9
    kernel.run(f"%%nb2prod track\nheaders = {{'Authorization': 'token {token}'}}")
    source = runs()[0].data.tags["nb2prod.cell_source"]
    assert token not in source and "headers" in source


def test_a_failing_tracked_cell_fails_the_run_and_the_cell(kernel, runs):
    reply = kernel.run("%%nb2prod track\nx = 1\nraise ValueError('boom')")
    assert reply.status == "error" and reply.error == "ValueError: boom" and reply.tracebacks == 1
    assert runs()[0].info.status == "FAILED"
    assert kernel.run("x").result == "1"  # what ran before the error stays


def test_notebook_run_collects_cells_and_restarts_on_run_all(kernel, runs):
    started = kernel.run("%nb2prod start --run-name session", cell_id="first")
    assert started.status == "ok" and "started" in started.stdout
    kernel.run("%%nb2prod track --log loss\nloss = 0.4")
    kernel.run("f1 = 0.7\nprecision = 0.6", tags=["nb2prod:metrics"])
    (run,) = runs()
    assert run.info.status == "RUNNING"
    assert run.data.metrics["loss"] == 0.4 and run.data.metrics["f1"] == 0.7
    assert "started" in kernel.run("%nb2prod start", cell_id="first").stdout  # Run All again
    assert {r.info.status for r in runs()} == {"FINISHED", "RUNNING"}
    assert "notebook run:" in kernel.run("%nb2prod status").stdout
    kernel.shutdown()  # the kernel exits: the open run ends
    time.sleep(0.5)
    assert {r.info.status for r in runs()} == {"FINISHED"}


def test_metrics_and_role_magics_run_their_body_unchanged(kernel, runs):
    assert kernel.run("%%nb2prod predict\n[1, 2][-1] + 1").result == "3"
    assert kernel.run("%%nb2prod export\ndef double(x):\n    return 2 * x\ndouble(4)").result == "8"
    assert kernel.run("%%nb2prod reference\ntrain = [3, 4]\ntrain").result == "[3, 4]"
    reply = kernel.run("%%nb2prod metrics\nauc = 0.81\nlabel = 'not a number'")
    assert reply.status == "ok"
    (run,) = runs()
    assert run.data.metrics == {"auc": 0.81} and run.data.tags["nb2prod.kind"] == "metrics"


def test_every_spelling_of_a_metrics_cell_logs_as_in_a_job(kernel, runs):
    """The roles the exporter and jobs read: the tag, and the `#|` comment, which works in
    any front end (the comment was once logged by jobs only)."""
    assert kernel.run("#| nb2prod: metrics\nrmse = 1.5").status == "ok"
    assert kernel.run("f1 = 0.5", tags=["nb2prod:metrics"]).status == "ok"
    assert kernel.run("#| nb2prod: metrics\nloss = 2.0", tags=["nb2prod:skip"]).status == "ok"
    assert kernel.run("# a comment about nb2prod: metrics\nother = 3.0").status == "ok"
    logged = sorted(tuple(run.data.metrics) for run in runs())
    assert logged == [("f1",), ("rmse",)]  # conflicting roles and plain comments log nothing


def test_an_unreachable_store_costs_one_warning_not_the_cell(project):
    from .conftest import Kernel

    env = {
        "JPY_SESSION_NAME": str(project / "train.ipynb"),
        "MLFLOW_TRACKING_URI": "http://127.0.0.1:9",
    }
    kernel = Kernel(env, project)
    try:
        kernel.run("%load_ext nb2prod")
        started = time.monotonic()
        reply = kernel.run("%%nb2prod track --log acc\nacc = 0.9\nacc + 1")
        assert reply.status == "ok" and reply.result == "1.9"
        warnings = [line for line in reply.stderr.splitlines() if "nb2prod: warning" in line]
        assert len(warnings) == 1 and "not logged to MLflow" in warnings[0]
        assert "the cell itself ran" in warnings[0]
        assert time.monotonic() - started < 15
    finally:
        kernel.shutdown()


def test_bad_arguments_are_one_line_usage_errors(kernel):
    for source, words in (
        ("%nb2prod frobnicate", "unknown"),
        ("%%nb2prod track --bogus\nx = 1", "unrecognized arguments: --bogus"),
        ("%%nb2prod predict extra\nx = 1", "takes no arguments"),
        ("%%nb2prod\nx = 1", "unknown"),
    ):
        reply = kernel.run(source)
        assert reply.status == "error" and reply.tracebacks == 0, source
        (line,) = reply.stderr.splitlines()  # one line, no traceback
        assert line.startswith("UsageError: %") and words in line


def test_loading_is_light_and_reloading_never_doubles_hooks(kernel):
    assert kernel.run("import sys\n'mlflow' in sys.modules").result == "False"
    kernel.run("%reload_ext nb2prod")
    kernel.run("%reload_ext nb2prod")
    count = kernel.run("len(get_ipython().events.callbacks['pre_run_cell'])").result
    kernel.run("%unload_ext nb2prod")
    assert (
        int(count) - int(kernel.run("len(get_ipython().events.callbacks['pre_run_cell'])").result)
        == 1
    )


def test_lint_and_runs_line_magics_show_tables(kernel, runs, project):
    lint = kernel.run("%nb2prod lint --select NB5")
    assert lint.status == "ok"
    (shown,) = lint.displays
    assert "<table>" in shown["text/html"] and "NB501" in shown["text/plain"]
    # the finding's cell links to it (JupyterLab's #cell-id= fragment)
    secret_cell = nbformat.read(project / "train.ipynb", as_version=4).cells[0]
    link = f'<a href="train.ipynb#cell-id={secret_cell.id}">1 ({secret_cell.id})</a>'
    assert link in shown["text/html"] and "href" not in shown["text/plain"]
    kernel.run("%%nb2prod track --run-name listed\nx = 1")
    listing = kernel.run("%nb2prod runs")
    assert "listed" in listing.displays[0]["text/plain"]
    assert "FINISHED" in listing.displays[0]["text/html"]


def test_lint_magic_counts_info_findings_in_one_line_like_the_cli(kernel, project):
    # never executed: NB101, info in the explore profile; the secret-named variable: NB501
    hidden = "+ 1 info finding hidden (NB101 ×1); --show-info to list it"
    (shown,) = kernel.run("%nb2prod lint --select NB101,NB501 --profile explore").displays
    assert hidden in shown["text/plain"] and hidden in shown["text/html"]
    assert "NB501" in shown["text/html"] and "<td>NB101</td>" not in shown["text/html"]
    assert shown["text/plain"].startswith("2 finding(s) in train.ipynb")
    (listed,) = kernel.run(
        "%nb2prod lint --select NB101,NB501 --profile explore --show-info"
    ).displays
    assert "<td>NB101</td>" in listed["text/html"] and "NB101 info" in listed["text/plain"]
    assert "hidden" not in listed["text/plain"] + listed["text/html"]
    (project / "pyproject.toml").write_text("[tool.nb2prod.lint]\nshow-info = true\n")
    (configured,) = kernel.run("%nb2prod lint --select NB101,NB501 --profile explore").displays
    assert configured["text/plain"] == listed["text/plain"]


def test_export_from_the_kernel_uses_the_saved_notebook(project, store_uri):
    from .conftest import Kernel

    write_notebook(
        project / "price.ipynb",
        [
            code("rate = 1.2  # VAT", tags=["parameters"]),
            code("amounts = [10, 20]", tags=["nb2prod:example"]),
            code("[round(a * rate, 2) for a in amounts]", tags=["nb2prod:predict"]),
        ],
    )
    env = {"JPY_SESSION_NAME": str(project / "price.ipynb"), "MLFLOW_TRACKING_URI": store_uri}
    kernel = Kernel(env, project)
    try:
        kernel.run("%load_ext nb2prod")
        reply = kernel.run("%nb2prod export --name price -o build/price", timeout=180)
        assert reply.status == "ok", reply.stderr
        assert "exported price.ipynb -> build/price" in reply.stdout
        assert (project / "build/price/src/price/_notebook.py").is_file()
        again = kernel.run("%nb2prod export --name price -o build/price")
        assert again.status == "error" and "already exists" in again.stderr
    finally:
        kernel.shutdown()


def test_parameter_names_come_from_the_saved_notebook_when_no_tag_was_seen(kernel, runs, project):
    kernel.run("alpha = 0.25\napi_key = 'sk-live-12345678abcdefgh'\nbeta = 3")
    kernel.run("%%nb2prod track\nx = 1")
    assert runs()[0].data.params == {"alpha": "0.25", "api_key": "<redacted>"}
    write_notebook(project / "train.ipynb", [code("beta = 1  # new", tags=["parameters"])])
    kernel.run("%%nb2prod track\nx = 2")  # the file changed: read again
    assert runs()[0].data.params == {"beta": "3"}


def test_a_password_in_pyproject_is_a_warning_and_the_cell_goes_on(kernel, project):
    (project / "pyproject.toml").write_text("[tool.nb2prod]\ntracking_password = 'hunter22x'\n")
    tracked = kernel.run("%%nb2prod track --log x\nx = 1\nx")
    assert tracked.status == "ok" and tracked.result == "1"
    assert "a password does not belong in pyproject.toml" in tracked.stderr
    assert "hunter22x" not in tracked.stderr + tracked.stdout
