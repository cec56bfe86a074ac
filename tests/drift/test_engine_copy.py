"""The drift engine works as a copy without nb2prod, as an exported package would carry
it for ``PKG drift``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from nb2prod.drift import engine_files

CHECK_IN_A_COPY = """
import json, sys
sys.modules["nb2prod"] = None  # importing nb2prod now fails: the copy must not need it
import pandas as pd
from carried.check import BadBatch, check_drift
from carried.reference import reference_statistics

frame = pd.read_csv(sys.argv[1])
stats = json.loads(json.dumps(reference_statistics(frame.iloc[:300])))
same, moved = check_drift(stats, frame.iloc[300:]), check_drift(stats, frame.iloc[300:] * 1.3)
try:
    check_drift(stats, frame.drop(columns=["mean area"]))
except BadBatch as exc:
    error = [isinstance(exc, ValueError), exc.exit_code, exc.message]
print(json.dumps([same.verdict(), moved.verdict(), stats["created_by"], error]))
"""


def test_a_copy_of_the_engine_checks_drift_without_nb2prod(tmp_path, tumours):
    package = tmp_path / "carried"
    package.mkdir()
    (package / "__init__.py").touch()
    for path in engine_files():
        shutil.copy(path, package / path.name)
    tumours.to_csv(tmp_path / "tumours.csv", index=False)
    done = subprocess.run(
        [sys.executable, "-c", CHECK_IN_A_COPY, str(tmp_path / "tumours.csv")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    same, moved, created_by, error = json.loads(done.stdout)
    assert (same, moved) == ("no drift", "drift")
    assert created_by.startswith("nb2prod ")
    assert error == [True, 2, "the batch does not match the reference: missing column mean area"]


def test_inside_nb2prod_the_engines_error_is_a_usage_error_and_a_value_error(patients):
    from nb2prod.drift.check import BadBatch, check_drift
    from nb2prod.drift.reference import reference_statistics
    from nb2prod.errors import UsageError

    with pytest.raises(UsageError) as raised:
        check_drift(reference_statistics(patients), patients.drop(columns=["bmi"]))
    assert isinstance(raised.value, (BadBatch, ValueError)) and raised.value.exit_code == 2
    assert raised.value.hint.startswith("pass a batch with the reference's columns")
