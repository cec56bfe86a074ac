"""What a job tells its user, on a reduced public notebook: a clean output notebook, why a
run failed in ``nb2prod runs``, a syntax error refused before any kernel starts, and
parameter type errors that read as sentences."""

from __future__ import annotations

import json
import time

import nbformat

from ..conftest import code, nb2prod_cli, write_notebook
from ..public.digits import NOTEBOOK, digits_notebook


def _project(tmp_path, store_uri):
    (tmp_path / "pyproject.toml").write_text(f"[tool.nb2prod]\ntracking_uri = '{store_uri}'\n")
    return tmp_path


def test_the_output_notebook_does_not_say_the_extension_is_already_loaded(tmp_path, store_uri):
    project = _project(tmp_path, store_uri)
    digits_notebook(project)  # its first cell: %load_ext nb2prod
    done = nb2prod_cli("run", NOTEBOOK, "-p", "gamma", "0.002", "-o", "out.ipynb", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    executed = nbformat.read(project / "out.ipynb", as_version=4)
    assert "already loaded" not in json.dumps([c.get("outputs") for c in executed.cells])
    assert "gamma=0.002" in done.stdout and "accuracy=" in done.stdout
    assert "gamma=" not in done.stdout.split("metrics:")[1]  # --log gamma: a parameter


def test_runs_show_why_a_run_failed(tmp_path, store_uri):
    project = _project(tmp_path, store_uri)
    digits_notebook(project)
    failed = nb2prod_cli("run", NOTEBOOK, "-p", "test_size", "1.5", cwd=project)
    assert failed.returncode == 4, failed.stdout + failed.stderr
    table = nb2prod_cli("runs", NOTEBOOK, cwd=project).stdout
    header, row = table.splitlines()
    assert header.split()[-1] == "error" and "FAILED" in row
    assert "InvalidParameterError" in row and "test_size" in row
    listed = json.loads(nb2prod_cli("runs", NOTEBOOK, "--format", "json", cwd=project).stdout)
    (run,) = listed["runs"]
    assert run["status"] == "FAILED" and run["error"].startswith("the notebook failed in cell 4")


def test_a_failed_tracked_cell_records_its_exception(tmp_path, store_uri):
    """Not a job: papermill runs the notebook, the tracked cell's own run says why."""
    project = _project(tmp_path, store_uri)
    write_notebook(
        project / "nb.ipynb",
        [code("%load_ext nb2prod"), code("%%nb2prod track\nraise ValueError('no digits today')")],
    )
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            str(project / "nb.ipynb"), str(project / "out.ipynb"), progress_bar=False,
            cwd=str(project),
        )  # fmt: skip
    except PapermillExecutionError:
        pass
    listed = json.loads(nb2prod_cli("runs", "nb.ipynb", "--format", "json", cwd=project).stdout)
    (run,) = listed["runs"]
    assert run["status"] == "FAILED" and run["error"] == "ValueError: no digits today"
    assert "ValueError: no digits today" in nb2prod_cli("runs", "nb.ipynb", cwd=project).stdout


def test_a_cell_that_does_not_parse_stops_the_job_before_the_kernel(tmp_path):
    digits = digits_notebook(tmp_path)
    node = nbformat.read(digits, as_version=4)
    node.cells.insert(0, nbformat.v4.new_code_cell("import time\ntime.sleep(8)"))
    node.cells[-1].source = "print(\n    'Classification report'\n"  # the closing ) lost
    nbformat.write(node, digits)
    started = time.monotonic()
    done = nb2prod_cli("run", NOTEBOOK, "--no-track", "-o", "out.ipynb", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert time.monotonic() - started < 8  # the sleeping first cell never ran
    assert f"{NOTEBOOK}: cell 6" in done.stderr and "syntax error" in done.stderr
    assert not (tmp_path / "out.ipynb").exists()


def test_a_parameter_of_the_wrong_type_reads_as_a_sentence(tmp_path):
    write_notebook(
        tmp_path / "forest.ipynb",
        [code("n_estimators = 3\nmax_depth = 4.0", tags=["parameters"]), code("x = 1")],
    )
    done = nb2prod_cli("run", "forest.ipynb", "-p", "n_estimators", "7.5", cwd=tmp_path)
    assert done.returncode == 2
    assert (
        "-p n_estimators: 7.5 is not an int (the parameters cell sets n_estimators = 3)"
        in done.stderr
    )
    worded = nb2prod_cli("run", "forest.ipynb", "-p", "max_depth", "deep", cwd=tmp_path)
    assert "'deep' is not a float (the parameters cell sets max_depth = 4.0)" in worded.stderr
