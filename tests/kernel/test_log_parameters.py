"""``%%nb2prod track --log NAME`` of a parameters cell's name, in a JupyterLab kernel."""

from __future__ import annotations


def test_logging_a_parameter_logs_it_as_a_parameter_not_a_metric(kernel, runs):
    kernel.run("n_estimators = 100  # trees\nalpha = 0.5", tags=["parameters"])
    reply = kernel.run("%%nb2prod track --log n_estimators alpha accuracy\naccuracy = 0.9")
    assert reply.status == "ok" and "warning" not in reply.stderr
    (run,) = runs()
    assert run.data.params == {"n_estimators": "100", "alpha": "0.5"}
    assert set(run.data.metrics) == {"accuracy", "duration_s"}


def test_a_parameter_the_cell_changed_is_logged_with_its_new_value(kernel, runs):
    kernel.run("n_estimators = 100", tags=["parameters"])
    kernel.run("%%nb2prod track --log n_estimators\nn_estimators = 200")
    assert runs()[0].data.params == {"n_estimators": "200"}
