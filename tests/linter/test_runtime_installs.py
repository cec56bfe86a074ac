"""Runtime installs say one thing once (issue 13): NB405 owns an install, NB402 and NB406
speak only when NB405 is not enabled, and an install that runs only on Colab or where a
package is missing is info.  Minimal cases, then reductions of public notebooks
(tests/public/) through the lint engine."""

from __future__ import annotations

import pytest

from nb2prod.config import LintOverrides, lint_settings
from nb2prod.linter.engine import lint_file
from tests.conftest import codes, write_notebook
from tests.public.cirq_qvm import qvm_notebook
from tests.public.mobook_production_planning import production_planning_notebook

NB4 = ["NB401", "NB402", "NB403", "NB405", "NB406", "NB407"]


def found(findings):
    return [(f.code, f.severity, f.cell, f.line) for f in findings]


# --------------------------------------------------------------------------- one install, one finding


@pytest.mark.parametrize(
    "source",
    [
        "!pip install pandas",
        "%pip install pandas",
        "!python -m pip install -U pandas",
        "pip install pandas",
        "%%bash\npip install pandas",
        "import subprocess, sys\n"
        "subprocess.check_call([sys.executable, '-m', 'pip', 'install', 'pandas'])",
    ],
)
def test_an_unpinned_install_is_one_nb405_that_names_the_pin(lint_cells, source):
    findings = lint_cells([source], select=NB4)
    assert codes(findings) == ["NB405"]
    assert findings[0].severity == "error"
    assert "runtime install of pandas (" in findings[0].message
    assert "pin pandas (pandas==<version>) so every run installs the same" in findings[0].message


def test_by_default_a_bang_pip_install_is_reported_once(lint_cells):
    findings = lint_cells(["!pip install pandas"])
    assert [code for code in codes(findings) if code.startswith("NB4")] == ["NB405"]


def test_nb405_names_only_the_unpinned_packages_and_only_for_nb402(lint_cells):
    cells = [
        "!pip install pandas==2.2.2 polars",
        "%pip install numpy==1.26.4",
        "%conda install scipy",
    ]
    findings = lint_cells(cells, select=NB4)
    assert codes(findings) == ["NB405", "NB405", "NB405"]
    assert "; pin polars (polars==<version>)" in findings[0].message
    assert "pin" not in findings[1].message
    assert "; pin scipy (scipy=<version>)" in findings[2].message
    # NB402 not enabled: the pins are not NB405's business
    assert all("pin" not in f.message for f in lint_cells(cells, select=["NB405"]))


def test_the_other_install_rules_speak_only_when_nb405_is_not_enabled(lint_cells):
    selections = {
        ("NB402",): ["NB402"],
        ("NB406",): ["NB406"],
        ("NB402", "NB406"): ["NB402", "NB406"],
        ("NB402", "NB405", "NB406"): ["NB405"],
    }
    for select, expected in selections.items():
        assert codes(lint_cells(["!pip install pandas"], select=select)) == expected, select
    findings = lint_cells(["!pip install pandas"], select=NB4, ignore=("NB405",))
    assert codes(findings) == ["NB402", "NB406"]
    assert all(f.severity == "warning" for f in findings)


def test_a_per_file_ignore_of_nb405_lets_nb402_report(lint_cells):
    (lint_cells.folder / "pyproject.toml").write_text(
        "[tool.nb2prod.lint.per-file-ignores]\n'ignored.ipynb' = ['NB405']\n"
    )
    reported = {}
    for name in ("ignored.ipynb", "nb.ipynb"):
        path = write_notebook(lint_cells.folder / name, ["%pip install pandas"])
        settings = lint_settings(str(path), LintOverrides(select=tuple(NB4))).for_file(str(path))
        reported[name] = codes(lint_file(str(path), settings).findings)
    assert reported == {"ignored.ipynb": ["NB402"], "nb.ipynb": ["NB405"]}


# --------------------------------------------------------------------------- guarded installs


@pytest.mark.parametrize(
    ("source", "guard"),
    [
        ("if IS_COLAB:\n    !pip install lightgbm", "under `if IS_COLAB`"),
        ("if IN_COLAB:\n    %pip install lightgbm", "under `if IN_COLAB`"),
        ("if RUNNING_IN_COLAB:\n    !pip install lightgbm", "under `if RUNNING_IN_COLAB`"),
        (
            "import sys\nif 'google.colab' in sys.modules:\n    %pip install lightgbm",
            "under `if 'google.colab' in sys.modules`",
        ),
        (
            "if 'google.colab' in str(get_ipython()):\n    !pip install lightgbm",
            "under `if 'google.colab' in str(get_ipython())`",
        ),
        ("if in_colab():\n    !pip install lightgbm", "under `if in_colab()`"),
        (
            "import os\nif 'KAGGLE_KERNEL_RUN_TYPE' in os.environ:\n    !pip install lightgbm",
            "under `if 'KAGGLE_KERNEL_RUN_TYPE' in os.environ`",
        ),
        ("if not installed:\n    !pip install lightgbm", "under `if not installed`"),
        (
            "import importlib.util\n"
            "if importlib.util.find_spec('lightgbm') is None:\n    !pip install lightgbm",
            "under `if importlib.util.find_spec('lightgbm') is None`",
        ),
        (
            "if installed:\n    pass\nelse:\n    !pip install lightgbm",
            "in the `else` of `if installed`",
        ),
        (
            "if IN_COLAB and (not installed):\n    !pip install lightgbm",
            "under `if IN_COLAB and (not installed)`",
        ),
        ("if IN_COLAB:\n    if retrain:\n        !pip install lightgbm", "under `if IN_COLAB`"),
        ("def setup():\n    if IN_COLAB:\n        !pip install lightgbm", "under `if IN_COLAB`"),
        (
            "try:\n    import lightgbm\nexcept ImportError:\n    !pip install lightgbm\n"
            "    import lightgbm",
            "where `import lightgbm` fails (`except ImportError`)",
        ),
        (
            "try:\n    import lightgbm\nexcept ModuleNotFoundError:\n    %pip install lightgbm",
            "where `import lightgbm` fails",
        ),
        (
            "try:\n    import google.colab\n    !pip install lightgbm\nexcept ImportError:\n"
            "    pass",
            "where `import google.colab` works",
        ),
        (
            "import subprocess, sys\nif IN_COLAB:\n    subprocess.check_call(\n"
            "        [sys.executable, '-m', 'pip', 'install', 'lightgbm']\n    )",
            "under `if IN_COLAB`",
        ),
    ],
)
def test_installs_that_run_only_off_production_are_info(lint_cells, source, guard):
    # a module installed when its import fails is needed: NB401 asks to declare it
    findings = [f for f in lint_cells([source], select=NB4) if f.code != "NB401"]
    assert codes(findings) == ["NB405"]
    finding = findings[0]
    assert finding.severity == "info"
    assert finding.message.startswith("runtime install of lightgbm (`")
    assert f"`), run only {guard}" in finding.message
    assert "not in a production job" in finding.message
    assert "declare it in the project's dependency file" in finding.message


@pytest.mark.parametrize(
    "source",
    [
        "if not IN_COLAB:\n    !pip install lightgbm",
        "if IN_COLAB:\n    pass\nelse:\n    !pip install lightgbm",
        "import sys\nif 'google.colab' not in sys.modules:\n    %pip install lightgbm",
        "if retrain:\n    !pip install lightgbm",
        "if IN_COLAB or retrain:\n    !pip install lightgbm",
        "import torch\nif not torch.cuda.is_available():\n    !pip install lightgbm",
        "if installed:\n    !pip install lightgbm",
        "try:\n    train()\nexcept Exception:\n    !pip install lightgbm",
        "try:\n    import lightgbm\nexcept ImportError:\n    pass\nelse:\n    !pip install lightgbm",
        "try:\n    import lightgbm\nfinally:\n    !pip install lightgbm",
        "try:\n    !pip install lightgbm\n    import google.colab\nexcept ImportError:\n    pass",
        "for name in ['lightgbm']:\n    !pip install {name}",
        "%%bash\nif [ -d /content ]; then pip install lightgbm; fi",
    ],
)
def test_installs_that_run_in_production_stay_one_error(lint_cells, source):
    findings = lint_cells([source], select=["NB402", "NB403", "NB405", "NB406"])
    assert [(f.code, f.severity) for f in findings] == [("NB405", "error")]
    assert "run only" not in findings[0].message


def test_guarded_and_unguarded_installs_in_one_cell(lint_cells):
    source = "%pip install pandas\nif IN_COLAB:\n    !apt-get install -y ffmpeg"
    findings = lint_cells([source], select=NB4)
    assert found(findings) == [("NB405", "error", 1, 1), ("NB405", "info", 1, 3)]
    assert findings[1].message.startswith(
        "runtime install of system packages ffmpeg (`apt-get install`), run only under "
        "`if IN_COLAB`: not in a production job; install it in the job's environment image"
    )


def test_a_capture_cell_with_a_colab_guard(lint_cells):
    source = (
        "%%capture\nif 'google.colab' in str(get_ipython()):\n"
        "  !apt install libspatialindex-dev\n  !pip install fiona shapely pyproj rtree mapclassify"
    )
    findings = lint_cells([source], select=NB4)
    assert found(findings) == [("NB405", "info", 1, 3), ("NB405", "info", 1, 4)]


@pytest.mark.parametrize("select", [["NB402"], ["NB406"]])
def test_the_other_install_rules_make_a_guarded_install_info_too(lint_cells, select):
    findings = lint_cells(["if IN_COLAB:\n    !pip install lightgbm"], select=select)
    assert codes(findings) == select and findings[0].severity == "info"
    assert findings[0].message.endswith("(run only under `if IN_COLAB`: not in a production job)")
    if select == ["NB406"]:  # and the safe fix stays
        assert findings[0].fix == "use %pip install" and len(findings[0].edits) == 1


# --------------------------------------------------------------------------- public notebooks


def lint_public(tmp_path, build, select):
    (tmp_path / "pyproject.toml").touch()
    path = build(tmp_path)
    settings = lint_settings(str(path), LintOverrides(select=tuple(select)))
    return lint_file(str(path), settings).findings


def test_mobook_colab_installs_are_info_and_the_imports_one_finding(tmp_path):
    findings = lint_public(tmp_path, production_planning_notebook, NB4)
    assert found(findings) == [
        ("NB405", "info", 1, 4),
        ("NB405", "info", 1, 5),
        ("NB401", "warning", 1, 9),
    ]
    guard = "run only under `if 'google.colab' in sys.modules`: not in a production job"
    assert "runtime install of pyomo (`pip install`), " + guard in findings[0].message
    assert "pin pyomo (pyomo==<version>)" in findings[0].message
    assert "runtime install of highspy (`pip install`), " + guard in findings[1].message
    assert findings[2].message.startswith(
        "`pyomo` and `pandas` are imported but no dependency file found in "
    )


def test_mobook_installs_speak_through_nb402_alone(tmp_path):
    findings = lint_public(tmp_path, production_planning_notebook, ["NB402"])
    assert found(findings) == [("NB402", "info", 1, 4), ("NB402", "info", 1, 5)]


def test_cirq_installs_in_except_import_error_are_info_once(tmp_path):
    findings = lint_public(tmp_path, qvm_notebook, NB4)
    # the modules are needed (the handlers install them and import them again), so NB401
    # asks to declare them; the installs themselves run only off production
    assert found(findings) == [
        ("NB401", "warning", 1, 4),
        ("NB405", "info", 1, 8),
        ("NB405", "info", 1, 17),
    ]
    assert all(name in findings[0].message for name in ("cirq", "cirq_google", "qsimcirq"))
    assert (
        "runtime install of cirq-google~=1.0.dev (`pip install`), run only where "
        "`import cirq` fails (`except ImportError`)" in findings[1].message
    )
    assert "where `import qsimcirq` fails" in findings[2].message


def test_cirq_bang_pip_alone_is_info_with_its_fix(tmp_path):
    findings = lint_public(tmp_path, qvm_notebook, ["NB406"])
    assert found(findings) == [("NB406", "info", 1, 8), ("NB406", "info", 1, 17)]
    assert all(f.fix == "use %pip install" for f in findings)
