"""Environment rules NB403-NB406, NB407, NB401, NB402 on real notebooks."""

from __future__ import annotations

import json

import nbformat
import pytest
from click.testing import CliRunner

from nb2prod.cli import main

from ..conftest import code, codes, write_notebook


def spans(findings):
    return [(f.code, f.cell, f.line, f.column, f.end_line, f.end_column) for f in findings]


# --------------------------------------------------------------------------- NB403 shell-escape


@pytest.mark.parametrize(
    "source",
    [
        "!ls -la",
        "!!ls",
        "x = !ls data",
        "%system ls",
        "%sx ls",
        "files = %sx ls",
        "ls -la",
        "mkdir out",
        "!nvidia-smi",
        "!pip list",
        "!pip freeze > requirements.txt",
    ],
)
def test_shell_escapes_are_reported(lint_cells, source):
    findings = lint_cells([source], select=["NB403"])
    assert codes(findings) == ["NB403"]
    finding = findings[0]
    assert (finding.line, finding.column, finding.end_column) == (1, 1, len(source) + 1)
    assert source in finding.message and "subprocess.run" in finding.message


def test_shell_escape_position_in_an_indented_block(lint_cells):
    findings = lint_cells(["for d in dirs:\n    !mkdir {d}"], select=["NB403"])
    assert spans(findings) == [("NB403", 1, 2, 5, 2, 15)]


@pytest.mark.parametrize(
    "source",
    [
        "%%bash\necho start\nls -la\nrm -rf tmp",
        "%%sh\necho hi",
        "%%script bash\necho hi",
        "%%bash --out result\nls",
    ],
)
def test_shell_cells_are_reported_once_at_the_magic(lint_cells, source):
    findings = lint_cells([source], select=["NB403"])
    assert spans(findings) == [("NB403", 1, 1, 1, 1, len(source.split("\n")[0]) + 1)]
    assert findings[0].message.startswith(f"`{source.split()[0]}` cell runs shell commands")


@pytest.mark.parametrize(
    "source",
    [
        "%pip install pandas",
        "!pip install pandas",
        "!python -m pip install x",
        "pip install x",
        "%%bash\npip install torch",
        "%%bash\n# only an install\napt-get install -y ffmpeg",
        "%pip list",
        "%cd data",
        "%matplotlib inline",
        "ls = [1, 2]\nls",
        "cd = 3",
        "import subprocess\nsubprocess.run(['ls'])",
        "%%script python\nprint(1)",
        "%%time\nx = 1",
        "x = 5 % 2",
        "!",
        "%system",
        "%%bash\n# just a comment\n",
        "print('!ls')",
        "# !ls",
        "s = '''\n!ls\n'''",
    ],
)
def test_no_shell_escape_finding(lint_cells, source):
    assert codes(lint_cells([source], select=["NB403"])) == []


def test_install_lines_do_not_hide_other_commands_of_a_shell_cell(lint_cells):
    findings = lint_cells(["%%bash\npip install x\nls"], select=["NB403"])
    assert spans(findings) == [("NB403", 1, 1, 1, 1, 7)]
    assert "`ls`" in findings[0].message


# --------------------------------------------------------------------------- NB405 runtime-package-install


@pytest.mark.parametrize(
    ("source", "packages", "label"),
    [
        ("!pip install pandas", "pandas", "pip install"),
        ("%pip install -q pandas numpy", "pandas, numpy", "pip install"),
        ("!pip3 install torch", "torch", "pip3 install"),
        ("!python -m pip install lightgbm", "lightgbm", "python -m pip install"),
        ("!uv pip install polars", "polars", "uv pip install"),
        ("pip install shap", "shap", "pip install"),
        ("!pip install -r requirements.txt", "-r requirements.txt", "pip install"),
        ("!pip install -e .", ".", "pip install"),
        ('!pip install "numpy>=1.26', "numpy>=1.26", "pip install"),  # unbalanced quote
        ("!cd src && pip install .", ".", "pip install"),
        ("!pip --quiet install x", "x", "pip install"),
        ("%pip install \\\n    pandas", "pandas", "pip install"),
    ],
)
def test_pip_installs_are_errors_naming_the_packages(lint_cells, source, packages, label):
    findings = lint_cells([source], select=["NB405"])
    assert codes(findings) == ["NB405"]
    finding = findings[0]
    assert finding.severity == "error" and (finding.line, finding.column) == (1, 1)
    assert f"runtime install of {packages} (`{label}`)" in finding.message
    assert "requirements.txt / pyproject.toml" in finding.message
    assert "before the job runs" in finding.message


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("%conda install -y -c conda-forge scipy", ["scipy", "`conda install`", "environment.yml"]),
        ("!conda install scipy", ["scipy", "environment.yml"]),
        ("!mamba install scipy", ["scipy", "`mamba install`"]),
        ("conda install scipy", ["scipy"]),
        ("!apt-get install -y ffmpeg", ["system packages ffmpeg", "image"]),
        ("!sudo apt install -y libgl1", ["system packages libgl1", "`apt install`"]),
        ("!yum install -y gcc", ["system packages gcc"]),
        ("!pip uninstall -y torch", ["runtime uninstall of torch", "`pip uninstall`"]),
        ("!yes | pip uninstall torch", ["runtime uninstall of torch"]),
    ],
)
def test_other_package_managers_and_uninstalls(lint_cells, source, words):
    findings = lint_cells([source], select=["NB405"])
    assert codes(findings) == ["NB405"]
    for word in words:
        assert word in findings[0].message


def test_install_lines_of_shell_cells_are_reported_at_their_line(lint_cells):
    findings = lint_cells(
        ["%%bash\necho setup\n  pip install xgboost \\\n    catboost\n"], select=["NB405"]
    )
    assert spans(findings) == [("NB405", 1, 3, 3, 3, 24)]
    assert "xgboost, catboost" in findings[0].message


def test_installs_through_subprocess(lint_cells):
    source = (
        "import subprocess, sys\n"
        "subprocess.check_call([sys.executable, '-m', 'pip', 'install', 'lightgbm'])\n"
        "os.system('pip install shap')"
    )
    findings = lint_cells([source], select=["NB405"])
    assert spans(findings) == [("NB405", 1, 2, 1, 2, 76), ("NB405", 1, 3, 1, 3, 30)]
    assert "lightgbm" in findings[0].message and "shap" in findings[1].message


@pytest.mark.parametrize(
    "source",
    [
        "!pip list",
        "!pip freeze",
        "%pip show pandas",
        "!pip download x",
        "!conda list",
        "!apt-get update",
        "!echo pip install x",
        "# !pip install x",
        "s = 'pip install x'",
        "import subprocess\nsubprocess.run(['ls', '-la'])",
        "install = 1\npip = 2",
        "%pip --version",
    ],
)
def test_no_runtime_install_finding(lint_cells, source):
    assert codes(lint_cells([source], select=["NB405"])) == []


# --------------------------------------------------------------------------- NB406 bang-pip-install


@pytest.mark.parametrize(
    "source",
    [
        "!pip install x",
        "!pip3 install x",
        "!python -m pip install x",
        "!python3 -m pip install x",
        "! pip install x",
        "!pip uninstall -y x",
    ],
)
def test_bang_pip_is_reported_with_a_fix(lint_cells, source):
    findings = lint_cells([source], select=["NB406"])
    assert codes(findings) == ["NB406"]
    assert findings[0].fix == "use %pip install" and len(findings[0].edits) == 1
    assert "first `pip` on PATH" in findings[0].message and "%pip" in findings[0].message


@pytest.mark.parametrize(
    "source",
    [
        "!sudo pip install x",
        "%%bash\npip install x",
        "out = !pip install x",
        "!!pip install x",
        "!/opt/conda/bin/pip install x",
        "!pip install x && pip install y",
        "!cd a && pip install .",
    ],
)
def test_bang_pip_reported_without_a_fix(lint_cells, source):
    findings = lint_cells([source], select=["NB406"])
    assert codes(findings) == ["NB406"]
    assert findings[0].fix is None and findings[0].edits == ()
    assert ("in a Python cell" in findings[0].message) == source.startswith("%%bash")


@pytest.mark.parametrize(
    "source",
    [
        "%pip install x",
        "pip install x",
        "!{sys.executable} -m pip install x",
        "!$PYTHON -m pip install x",
        "!uv pip install x",
        "!pip list",
        "!conda install x",
        "import subprocess\nsubprocess.run(['pip', 'install', 'x'])",
    ],
)
def test_no_bang_pip_finding(lint_cells, source):
    assert codes(lint_cells([source], select=["NB406"])) == []


def _nbformat_text(cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [code(c) for c in cells]
    return nbformat.writes(nb) + "\n", nb


def _lint(path, *args):
    return CliRunner().invoke(main, ["lint", "--select", "NB406", *args, str(path)])


CELLS = ["import os\n!pip install pandas\n  !python3 -m pip install -q 'numpy>=1'", "!pip list"]
FIXED = ["import os\n%pip install pandas\n  %pip install -q 'numpy>=1'", "!pip list"]


@pytest.mark.parametrize("layout", ["nbformat", "indent2", "one-string"])
def test_fix_rewrites_only_the_prefix_and_keeps_the_layout(tmp_path, layout):
    (tmp_path / "pyproject.toml").touch()
    path = tmp_path / "nb.ipynb"
    text, nb = _nbformat_text(CELLS)
    if layout == "indent2":
        text = json.dumps(nb, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    elif layout == "one-string":
        document = json.loads(text)
        for cell in document["cells"]:
            cell["source"] = "".join(cell["source"])
        text = json.dumps(document, indent=1)
    path.write_text(text, encoding="utf-8")

    result = _lint(path, "--fix")
    fixed = path.read_text(encoding="utf-8")
    assert result.exit_code == 0, result.output  # both fixed, nothing left
    expected = text.replace("!pip install pandas", "%pip install pandas").replace(
        "!python3 -m pip install", "%pip install"
    )
    assert fixed == expected  # byte-identical except the changed characters
    assert [c.source for c in nbformat.reads(fixed, as_version=4).cells] == FIXED
    assert _lint(path).exit_code == 0  # nothing left to report


def test_diff_shows_the_change_and_writes_nothing(tmp_path):
    (tmp_path / "pyproject.toml").touch()
    path = tmp_path / "nb.ipynb"
    text, _ = _nbformat_text(CELLS)
    path.write_text(text, encoding="utf-8")
    result = _lint(path, "--diff")
    assert result.exit_code == 1
    assert '-    "!pip install pandas\\n",' in result.output
    assert '+    "%pip install pandas\\n",' in result.output
    assert "+    \"  %pip install -q 'numpy>=1'\"" in result.output
    assert path.read_text(encoding="utf-8") == text


def test_diff_names_a_file_that_starts_like_a_token_in_full(tmp_path):
    """Redaction masks credential values, never paths: a Hugging Face course notebook named
    hf_intro.ipynb (or in hf_models/) keeps its name in the diff headers."""
    (tmp_path / "pyproject.toml").touch()
    (tmp_path / "hf_models").mkdir()
    for path in (tmp_path / "hf_intro.ipynb", tmp_path / "hf_models" / "hf_finetune.ipynb"):
        path.write_text(_nbformat_text(CELLS)[0], encoding="utf-8")
        result = _lint(path, "--diff")
        assert f"--- a/{path}" in result.output or f"--- {path}" in result.output, result.output
        assert "…(" not in result.output


def test_fix_through_lint_cells_keeps_indentation(lint_cells):
    findings = lint_cells(["if True:\n    !pip install x"], select=["NB406"])
    assert spans(findings) == [("NB406", 1, 2, 5, 2, 19)]
    path = lint_cells.folder / "nb.ipynb"
    text = path.read_text(encoding="utf-8")
    edit = findings[0].edits[0]
    assert text[edit.start : edit.end] == "!pip" and edit.text == "%pip"


# --------------------------------------------------------------------------- NB407 top-level-await


def test_top_level_await_forms(lint_cells):
    source = (
        "data = await fetch(url)\n"
        "async for item in stream():\n"
        "    print(await item)\n"
        "async with session() as s:\n"
        "    pass\n"
        "values = [x async for x in aiter()]\n"
        "if ready:\n"
        "    await asyncio.sleep(1)"
    )
    findings = lint_cells([source], select=["NB407"])
    assert spans(findings) == [
        ("NB407", 1, 1, 8, 1, 24),
        ("NB407", 1, 2, 1, 2, 10),
        ("NB407", 1, 4, 1, 4, 11),
        ("NB407", 1, 6, 10, 6, 36),
        ("NB407", 1, 8, 5, 8, 27),
    ]
    assert "`await`" in findings[0].message and "asyncio.run" in findings[0].message
    assert "`async for`" in findings[1].message and "`async with`" in findings[2].message


@pytest.mark.parametrize(
    "source",
    [
        "async def main():\n    await x\n    async for y in z:\n        pass",
        "import asyncio\nasyncio.run(main())",
        "f = lambda: 1",
        "await_ = 3\nprint(await_)",
        "class A:\n    async def go(self):\n        await self.x()",
        "gen = (await x for x in y)",
    ],
)
def test_no_top_level_await_finding(lint_cells, source):
    assert codes(lint_cells([source], select=["NB407"])) == []


def test_top_level_await_in_a_cell_with_a_syntax_error_elsewhere(lint_cells):
    findings = lint_cells(["await go()\nx = (\n"], select=["NB407"])
    assert spans(findings) == [("NB407", 1, 1, 1, 1, 11)]


# --------------------------------------------------------------------------- NB401 undeclared-import


def test_undeclared_imports_with_a_requirements_file(lint_cells):
    (lint_cells.folder / "requirements.txt").write_text("pandas==2.2.2\nnumpy\n")
    findings = lint_cells(
        [
            "import pandas as pd\nimport numpy as np\nimport os, json\nfrom sklearn import svm",
            "import requests\nfrom sklearn.model_selection import train_test_split",
            "def load():\n    import yaml\n    return yaml",
        ],
        select=["NB401"],
    )
    assert spans(findings) == [
        ("NB401", 1, 4, 1, 4, 24),
        ("NB401", 2, 1, 8, 1, 16),
        ("NB401", 3, 2, 12, 2, 16),
    ]
    assert findings[0].message == (
        "`sklearn` (scikit-learn) is imported but not declared in requirements.txt; add "
        "scikit-learn there so the job's environment installs it"
    )
    assert "`requests` is imported" in findings[1].message
    assert "`yaml` (PyYAML)" in findings[2].message


def test_no_dependency_file_says_so(lint_cells):
    findings = lint_cells(["import pandas"], select=["NB401"])
    assert codes(findings) == ["NB401"]
    root = lint_cells.folder.resolve()
    assert findings[0].message == (
        f"`pandas` is imported but no dependency file found in {root}; create requirements.txt "
        "(or [project] dependencies in pyproject.toml) declaring it at the version you tested "
        "with (`pip freeze` shows it) so the job's environment installs it"
    )


def test_without_a_dependency_file_one_finding_names_every_module(lint_cells):
    """Ten training notebooks gave 50 findings for 10 facts: now one per notebook, at the
    first third-party import, naming every module however many (no "and N more").  With a
    dependency file, each undeclared module keeps a finding of its own."""
    (lint_cells.folder / "helpers.py").touch()
    cells = [
        "import os\nimport numpy as np\nimport pandas as pd",
        "from sklearn.model_selection import train_test_split\nimport yaml\nimport torch",
        "import torch.nn as nn\nimport matplotlib.pyplot as plt\nimport seaborn as sns",
        "def plot():\n    import plotly.express as px\n    import xgboost\n    import shap",
        "import helpers",
    ]
    findings = lint_cells(cells, select=["NB401"])
    assert spans(findings) == [("NB401", 1, 2, 8, 2, 19)]
    assert findings[0].message.startswith(
        "`numpy`, `pandas`, `sklearn` (scikit-learn), `yaml` (PyYAML), `torch`, `matplotlib`, "
        "`seaborn`, `plotly`, `xgboost` and `shap` are imported but no dependency file found in "
    )
    assert "declaring them at the versions you tested with" in findings[0].message

    (lint_cells.folder / "requirements.txt").write_text("numpy\npandas\n")
    findings = lint_cells(cells, select=["NB401"])
    assert [f.message.split(" is imported")[0] for f in findings] == [
        "`sklearn` (scikit-learn)",
        "`yaml` (PyYAML)",
        "`torch`",
        "`matplotlib`",
        "`seaborn`",
        "`plotly`",
        "`xgboost`",
        "`shap`",
    ]


def test_alias_table_and_normalisation(lint_cells):
    (lint_cells.folder / "requirements.txt").write_text(
        "Scikit_Learn>=1\nopencv-python-headless\npillow\nPyYAML\nbeautifulsoup4\n"
        "python-dateutil\ngoogle-cloud-storage\nsentence_transformers\n"
    )
    findings = lint_cells(
        [
            "import sklearn, cv2, yaml, bs4\nfrom PIL import Image\nfrom dateutil import parser\n"
            "from google.cloud import storage\nimport sentence_transformers\n"
            "from google.cloud import bigquery"
        ],
        select=["NB401"],
    )
    assert len(findings) == 1
    assert "`google.cloud.bigquery` (google-cloud-bigquery)" in findings[0].message


def test_installed_distribution_counts_when_module_and_distribution_names_differ(lint_cells):
    # jupyter_core (installed here) provides the module `jupyter`; no alias table entry.
    (lint_cells.folder / "requirements.txt").write_text("jupyter-core\n")
    assert codes(lint_cells(["import jupyter"], select=["NB401"])) == []


def test_stdlib_first_party_optional_and_relative_imports_are_not_reported(lint_cells):
    folder = lint_cells.folder
    (folder / "requirements.txt").write_text("pandas\n")
    (folder / "helpers.py").write_text("X = 1\n")
    (folder / "mypkg").mkdir()
    (folder / "mypkg" / "__init__.py").write_text("")
    (folder / "src" / "core").mkdir(parents=True)
    (folder / "src" / "core" / "model.py").write_text("")
    source = (
        "import os, sys, json, asyncio, tomllib, __future__\n"
        "import helpers\nfrom mypkg import thing\nimport core.model\n"
        "from . import sibling\nfrom .x import y\n"
        "try:\n    import ujson as json\nexcept ImportError:\n    import json\n"
        "try:\n    import orjson\nexcept (ModuleNotFoundError, AttributeError):\n    orjson = None\n"
        "if TYPE_CHECKING:\n    import mypy_extensions\n"
        "from google.colab import drive\n"
        "import pandas"
    )
    assert codes(lint_cells([source], select=["NB401"])) == []


def test_an_import_whose_handler_only_prints_is_not_optional(lint_cells):
    # tsfresh's forecasting tutorials: the handler prints a hint and the next cell uses
    # `web`, which is then undefined; a fallback or a flag makes the import optional
    (lint_cells.folder / "requirements.txt").write_text("pandas\n")
    prints = (
        "try:\n    import pandas_datareader.data as web\nexcept ImportError:\n"
        "    print('You need to install the pandas_datareader.')\n"
    )
    findings = lint_cells([prints, "df = web.DataReader('AAPL', 'stooq')"], select=["NB401"])
    assert codes(findings) == ["NB401"]
    assert "pandas_datareader" in findings[0].message
    flag = (
        "try:\n    import lightgbm\n    HAS_LGB = True\nexcept ImportError:\n    HAS_LGB = False\n"
    )
    assert codes(lint_cells([flag], select=["NB401"])) == []
    installs = (
        "try:\n    import shap\nexcept ImportError:\n    %pip install shap\n    import shap\n"
    )
    assert codes(lint_cells([installs], select=["NB401"])) == ["NB401"]


def test_modules_next_to_a_notebook_in_a_subfolder(tmp_path):
    from nb2prod.config import LintOverrides, lint_settings
    from nb2prod.linter.engine import lint_file

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "proj"\ndependencies = ["numpy"]\n')
    notebooks = tmp_path / "notebooks"
    path = write_notebook(notebooks / "nb.ipynb", ["import utils\nimport numpy\nimport torch"])
    (notebooks / "utils.py").write_text("")
    (notebooks / "requirements.txt").write_text("pandas\n")
    settings = lint_settings(str(path), LintOverrides(select=("NB401",)))
    findings = lint_file(str(path), settings).findings
    assert codes(findings) == ["NB401"]
    assert (
        "`torch` is imported but not declared in notebooks/requirements.txt, pyproject.toml"
        in findings[0].message
    )


def test_writefile_modules_and_known_first_party(lint_cells):
    (lint_cells.folder / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = []\n\n'
        '[tool.nb2prod.lint]\nknown-first-party = ["internal_lib"]\n'
    )
    findings = lint_cells(
        [
            "%%writefile features.py\nimport pandas\n",
            "import features\nimport internal_lib.io",
            "import xgboost",
        ],
        select=["NB401"],
    )
    assert [(f.cell, f.code) for f in findings] == [(3, "NB401")]
    assert "not declared in pyproject.toml" in findings[0].message


def test_each_module_reported_once_at_its_first_import(lint_cells):
    (lint_cells.folder / "requirements.txt").write_text("numpy\n")
    findings = lint_cells(
        ["x = 1", "import torch", "import torch.nn as nn\nfrom torch import optim"],
        select=["NB401"],
    )
    assert spans(findings) == [("NB401", 2, 1, 8, 1, 13)]


def test_runtime_install_is_mentioned(lint_cells):
    (lint_cells.folder / "requirements.txt").write_text("numpy\n")
    findings = lint_cells(["%pip install scikit-learn", "import sklearn"], select=["NB401"])
    assert "(installed at runtime in cell 1)" in findings[0].message


def test_imports_in_cell_magics_and_broken_cells(lint_cells):
    (lint_cells.folder / "requirements.txt").write_text("numpy\n")
    findings = lint_cells(
        ["%%time\nimport lightgbm", "import catboost\nx = (", "%%bash\nimport nothing"],
        select=["NB401"],
    )
    assert [(f.cell, f.line) for f in findings] == [(1, 2), (2, 1)]


# --------------------------------------------------------------------------- NB402 unpinned-install


@pytest.mark.parametrize(
    ("source", "unpinned"),
    [
        ("%pip install pandas", "pandas"),
        ('!pip install "numpy>=1"', "numpy>=1"),
        ("%pip install -U torch", "torch"),
        ("!pip install --upgrade pandas==2.2.2 polars", "polars"),
        ("%pip install pandas==2.*", "pandas==2.*"),
        ("%pip install 'numpy~=1.26'", "numpy~=1.26"),
        ("!pip install git+https://github.com/org/repo", "git+https://github.com/org/repo"),
        (
            "!pip install git+https://github.com/org/repo@main",
            "git+https://github.com/org/repo@main",
        ),
        ("%conda install scipy numpy=1.26", "scipy"),
        ("!pip install -r requirements.txt shap", "shap"),
    ],
)
def test_unpinned_installs(lint_cells, source, unpinned):
    findings = lint_cells([source], select=["NB402"])
    assert codes(findings) == ["NB402"]
    assert f"unpinned install of {unpinned} (" in findings[0].message
    name = unpinned.split("=")[0].split(">")[0].split("~")[0]
    if "://" not in unpinned:
        pin = "=" if "conda" in source else "=="
        assert f"({name}{pin}<version>)" in findings[0].message


@pytest.mark.parametrize(
    "source",
    [
        "%pip install pandas==2.2.2 'numpy===1.26.4'",
        "!pip install -r requirements.txt",
        "!pip install -e .",
        "!pip install ./libs/mylib",
        "!pip install dist/x-1.0-py3-none-any.whl",
        "!pip install git+https://github.com/org/repo@3f2a9c1d",
        "!pip install -c constraints.txt pandas",
        "!pip install 'pkg @ git+https://github.com/org/repo@3f2a9c1d4e5f'",
        "%conda install numpy=1.26.4 scipy==1.13",
        "!apt-get install -y ffmpeg",
        "!pip uninstall -y pandas",
        "%pip install {package}",
        "!pip list",
        "!pip install 'pandas[excel]==2.2.2; python_version > \"3.9\"'",
    ],
)
def test_no_unpinned_install_finding(lint_cells, source):
    assert codes(lint_cells([source], select=["NB402"])) == []


# --------------------------------------------------------------------------- robustness


def test_odd_cells_never_crash(lint_cells):
    cells = [
        "",
        "\n\n",
        "!",
        "%pip",
        "%pip install",
        "!pip install '",
        "x = !",
        "%%bash",
        "%%bash\n\\",
        "!!",
        "%sx",
        "pip",
        "await",
        "import",
        "from . import",
        "x = 1\n" * 5000 + "!ls",
        "(" * 200 + ")" * 200,
        "!pip install \\",
        "subprocess.run([])",
        "os.system()",
        "%%script\nls",
    ]
    selected = ["NB403", "NB405", "NB406", "NB407", "NB401", "NB402", "NB000"]
    findings = lint_cells(cells, select=selected)
    assert "NB000" not in codes(findings)


def test_deep_expressions_do_not_crash_the_await_rule(lint_cells):
    deep = "a = " + " + ".join(["b"] * 2000) + "\nawait x"
    findings = lint_cells([deep], select=["NB407", "NB000"])
    assert codes(findings) == ["NB407"]


def test_get_ipython_system_calls_are_shell_commands(lint_cells):
    findings = lint_cells(
        ["get_ipython().system('pip install requests')", "out = get_ipython().getoutput('ls -la')"],
        select=["NB403", "NB405"],
    )
    assert [(f.code, f.cell) for f in findings] == [("NB405", 1), ("NB403", 2)]


def test_a_module_declared_only_in_an_optional_group_is_a_warning(lint_cells):
    # sktime declares mlflow only in its `mlflow` extra: its MLflow example passed lint
    # (an info finding) and failed headless in an environment with the required
    # dependencies (and another extra)
    folder = lint_cells.folder
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "proj"\ndependencies = ["pandas"]\n'
        '[project.optional-dependencies]\nmlflow = ["mlflow>=2"]\nmlflow2 = ["mlflow<3"]\n'
        '[dependency-groups]\ndev = ["altair>=5", "pandas"]\n'
    )
    findings = lint_cells(["import pandas\nimport mlflow\nimport altair"], select=["NB401"])
    assert [(f.severity, f.line) for f in findings] == [("warning", 2), ("warning", 3)]
    assert (
        "`mlflow` is declared only in the extras `mlflow` and `mlflow2` of pyproject.toml"
        in findings[0].message
    )
    assert (
        'installs the extra `mlflow`, say so with `extras = ["mlflow"]` in [tool.nb2prod.lint]'
        in (findings[0].message)
    )
    assert "the dependency group `dev` of pyproject.toml" in findings[1].message
    assert '`extras = ["dev"]`' in findings[1].message
    # required in another file: nothing to say
    (folder / "requirements.txt").write_text("mlflow\naltair\n")
    assert lint_cells(["import mlflow\nimport altair"], select=["NB401"]) == []


def _optional_project(folder, extras=None):
    lint = f"\n[tool.nb2prod.lint]\nextras = {json.dumps(extras)}\n" if extras is not None else ""
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "proj"\ndependencies = ["pandas"]\n'
        '[project.optional-dependencies]\nML_Flow = ["mlflow>=2"]\ndocs = ["seaborn"]\n'
        '[dependency-groups]\n"dev.tools" = ["altair>=5"]\n' + lint
    )


def test_the_extras_option_says_the_job_installs_an_extra(lint_cells):
    # named as the job installs it (`pip install '.[ml-flow]'`): the names compare normalised
    _optional_project(lint_cells.folder, ["ml-flow"])
    findings = lint_cells(["import mlflow\nimport seaborn\nimport altair"], select=["NB401"])
    assert [(f.severity, f.line) for f in findings] == [("warning", 2), ("warning", 3)]
    assert "the extra `docs` of pyproject.toml" in findings[0].message
    assert "the dependency group `dev.tools` of pyproject.toml" in findings[1].message


def test_the_extras_option_names_dependency_groups_too(lint_cells):
    _optional_project(lint_cells.folder, ["Dev_Tools", "docs"])
    findings = lint_cells(["import mlflow\nimport seaborn\nimport altair"], select=["NB401"])
    assert [(f.severity, f.line) for f in findings] == [("warning", 1)]
    assert "`mlflow` is declared only in the extra `ML_Flow` of pyproject.toml" in (
        findings[0].message
    )


@pytest.mark.parametrize("value", ['"docs"', '["docs", 3]'])
def test_a_bad_extras_option_is_a_usage_error(tmp_path, value):
    (tmp_path / "pyproject.toml").write_text(f"[tool.nb2prod.lint]\nextras = {value}\n")
    path = write_notebook(tmp_path / "nb.ipynb", ["import mlflow"])
    result = CliRunner().invoke(main, ["lint", str(path)])
    assert result.exit_code == 2
    assert "[tool.nb2prod.lint]: `extras` must be a list of strings" in result.output


def test_setup_cfg_extras_are_optional(lint_cells):
    # tsfresh declares seaborn only in its `testing` extra (setup.cfg)
    (lint_cells.folder / "setup.cfg").write_text(
        "[metadata]\nname = proj\n[options]\ninstall_requires =\n    pandas\n"
        "[options.extras_require]\ntesting =\n    %(dask)s\n    seaborn>=0.7.1\n"
    )
    findings = lint_cells(["import seaborn"], select=["NB401"])
    assert [f.severity for f in findings] == ["warning"]
    assert "the extra `testing` of setup.cfg" in findings[0].message
    # tsfresh's binder environment installs `.[testing]`
    (lint_cells.folder / "pyproject.toml").write_text('[tool.nb2prod.lint]\nextras = ["testing"]\n')
    assert lint_cells(["import seaborn"], select=["NB401"]) == []
