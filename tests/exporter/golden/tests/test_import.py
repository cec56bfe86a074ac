"""The installed package imports on its own, without notebook tooling."""

import subprocess
import sys


def test_the_package_imports_and_exposes_its_api():
    import orders

    assert callable(orders.predict) and callable(orders.load)
    assert orders.__version__ == "1.2.0"
    assert orders.Params() == orders.Params()


def test_loading_needs_no_jupyter_or_nb2prod():
    code = (
        "import sys, orders; orders.load(); "
        "print(sorted(m for m in ('IPython', 'ipykernel', 'jupyter_client', 'nb2prod') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_command_line_answers_help():
    result = subprocess.run(
        [sys.executable, "-m", "orders", "predict", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "--input" in result.stdout


def test_the_command_line_shows_the_contract_and_refuses_input_that_breaks_it(tmp_path):
    schema = subprocess.run(
        [sys.executable, "-m", "orders", "schema"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert schema.returncode == 0 and schema.stdout.startswith("order: "), schema.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("[]")  # no rows
    expected = "order: "
    refused = subprocess.run(
        [sys.executable, "-m", "orders", "predict", "--input", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2, refused.stderr
    assert expected in refused.stderr and "Traceback" not in refused.stderr
