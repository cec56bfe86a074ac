"""NB408 removed-api: every entry of the table (its example is reported, its fix is not,
neither is it for a project pinned before the removal), the versions a project gets,
uses that only look like removed APIs, and reductions of public notebooks."""

from __future__ import annotations

import textwrap

import pytest

from nb2prod.config import LintOverrides, lint_settings
from nb2prod.dependencies import pins
from nb2prod.dependencies.pins import parse_version, spec_range
from nb2prod.linter.engine import lint_file
from nb2prod.linter.rules import removed_api
from nb2prod.linter.rules._removed_apis import table
from tests.conftest import codes
from tests.public.pdsh_v1_model_validation import model_validation_notebook
from tests.public.pdsh_v1_seaborn import seaborn_v1_notebook

SELECT = ["NB408"]
APIS = table().apis


def lint(lint_cells, cells, requirements=None, **files):
    """Lint ``cells`` in a project whose requirements.txt holds ``requirements``."""
    folder = lint_cells.folder
    if requirements is not None:
        (folder / "requirements.txt").write_text("\n".join(requirements) + "\n")
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(textwrap.dedent(text))
    return lint_cells(cells if isinstance(cells, list) else [cells], select=SELECT)


def pinned_at_removal(api):
    return [f"{name}=={version}" for name, version in api.removed.items()]


@pytest.fixture
def installed(monkeypatch):
    """``installed({"pandas": "1.5.3"})``: what importlib.metadata finds (nothing else)."""

    def install(versions):
        def version_of(distributions):
            found = next((versions[d] for d in distributions if d in versions), None)
            return parse_version(found) if found else None

        monkeypatch.setattr(pins, "installed_version", version_of)

    return install


# --------------------------------------------------------------------------- the table


@pytest.mark.parametrize("api", APIS, ids=lambda api: api.id)
def test_example_is_reported(lint_cells, api):
    findings = lint(lint_cells, api.example, pinned_at_removal(api))
    assert codes(findings) == ["NB408"], api.example
    (finding,) = findings
    assert finding.severity == "error"
    removals = [
        f" was removed in {table().distributions[name].shown} {version} (requirements.txt: "
        for name, version in api.removed.items()
    ]
    assert any(removal in finding.message for removal in removals), finding.message
    replacements = [text for text in (*api.names.values(), api.instead) if text]
    assert any(replacement in finding.message for replacement in replacements)


@pytest.mark.parametrize("api", APIS, ids=lambda api: api.id)
def test_fixed_is_not_reported(lint_cells, api):
    assert lint(lint_cells, api.fixed, pinned_at_removal(api)) == []


@pytest.mark.parametrize("api", APIS, ids=lambda api: api.id)
def test_example_is_not_reported_before_the_removal(lint_cells, api):
    assert lint(lint_cells, api.example, [f"{n}<{v}" for n, v in api.removed.items()]) == []


NAMES = [(api, name) for api in APIS if api.kind == "name" for name in api.names]


@pytest.mark.parametrize(("api", "name"), NAMES, ids=[f"{api.id}:{name}" for api, name in NAMES])
def test_every_removed_name_is_reported_as_attribute_and_import(lint_cells, api, name):
    module, _, attribute = name.rpartition(".")
    root = name.split(".")[0]
    cells = [f"import {root}\nvalue = {name}", f"from {module} import {attribute}"]
    findings = lint(lint_cells, cells, pinned_at_removal(api))
    assert [(f.cell, f.line) for f in findings] == [(1, 2), (2, 1)]
    assert all(f"`{name}` was removed" in f.message for f in findings)


def test_every_entry_names_its_source_and_is_one_of_the_kinds():
    for api in APIS:
        assert api.source.startswith("https://"), api.id
        assert api.example.strip() and api.fixed.strip(), api.id
        assert api.kind in ("name", "method", "keyword", "value", "positional", "result"), api.id
    assert len(APIS) >= 40


# --------------------------------------------------------------------------- versions

APPEND = """\
import pandas as pd
train = pd.read_csv("train.csv")
full = train.append(pd.read_csv("test.csv"))"""


@pytest.mark.parametrize(
    ("files", "reported"),
    [
        ({"requirements__txt": "pandas==1.5.3\n"}, False),
        ({"requirements__txt": "pandas==2.2.2\n"}, True),
        ({"requirements__txt": "pandas<2\n"}, False),
        ({"requirements__txt": "pandas~=1.5.0\n"}, False),
        ({"requirements__txt": "pandas>=2.0,<3\n"}, True),
        ({"requirements__txt": "pandas[excel]==2.1.4 ; python_version >= '3.9'\n"}, True),
        ({"pyproject__toml": '[project]\nname = "x"\ndependencies = ["pandas>=2"]\n'}, True),
        (
            {
                "pyproject__toml": '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\n'
                'pandas = "^1.5"\n'
            },
            False,
        ),
        (
            {
                "pyproject__toml": '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\n'
                'pandas = { version = "^2.1", extras = ["excel"] }\n'
            },
            True,
        ),
        ({"environment__yml": "dependencies:\n  - python=3.11\n  - pandas=1.5\n"}, False),
        ({"Pipfile": '[packages]\npandas = "==1.4.4"\n'}, False),
        (
            {"setup__py": "from setuptools import setup\nsetup(install_requires=['pandas<2.0'])\n"},
            False,
        ),
        ({"requirements__txt": "geopandas==0.14\npandas-stubs==2.2\n"}, "installed"),
    ],
)
def test_declared_versions_decide(lint_cells, installed, files, reported):
    installed({"pandas": "1.5.3"})  # the declarations alone must decide
    findings = lint(lint_cells, APPEND, **files)
    if reported == "installed":  # other distributions' pins: the installed 1.5.3 decides
        assert findings == []
        return
    assert codes(findings) == (["NB408"] if reported else [])


def test_message_names_the_declaration(lint_cells):
    (finding,) = lint(lint_cells, APPEND, ["pandas==2.2.2"])
    assert finding.message == (
        "`DataFrame.append()` was removed in pandas 2.0 (requirements.txt: pandas==2.2.2); "
        "use `pd.concat([df, other])`"
    )
    assert (finding.cell, finding.line, finding.column) == (1, 3, 8)


@pytest.mark.parametrize(
    ("requirements", "version", "reported"),
    [
        ([], "1.5.3", False),
        ([], "2.2.2", True),
        ([], None, True),  # a new environment gets the newest release
        (["pandas>=1.0"], "1.5.3", False),  # the range allows both: what is installed
        (["pandas>=1.0"], "2.0.0", True),
        (["pandas"], "2.0.0", True),
    ],
)
def test_installed_version_decides_when_nothing_pins(
    lint_cells, installed, requirements, version, reported
):
    installed({"pandas": version} if version else {})
    findings = lint(lint_cells, APPEND, requirements)
    assert codes(findings) == (["NB408"] if reported else [])
    if reported and version:
        assert f"(pandas {version} is installed here)" in findings[0].message
    if reported and not version:
        assert "neither pinned nor installed here" in findings[0].message


@pytest.mark.parametrize(
    ("requirements", "version", "reported"),
    [
        ([], None, False),  # NumPy 2 has np.bool again
        ([], "1.26.4", True),
        ([], "2.1.0", False),
        ([], "1.23.5", False),
        (["numpy>=1.24,<2"], None, True),
        (["numpy==2.0.2"], "1.26.4", False),
    ],
)
def test_a_name_brought_back_is_reported_only_in_between(
    lint_cells, installed, requirements, version, reported
):
    installed({"numpy": version} if version else {})
    findings = lint(
        lint_cells, "import numpy as np\nmask = np.zeros(3, dtype=np.bool)", requirements
    )
    assert codes(findings) == (["NB408"] if reported else [])


@pytest.mark.parametrize(
    ("source", "requirements", "expected"),
    [
        (
            "from tensorflow.keras.optimizers import Adam\nopt = Adam(lr=0.01)",
            ["tensorflow==2.16.1"],
            "removed in TensorFlow 2.16",
        ),
        (
            "from tensorflow.keras.optimizers import Adam\nopt = Adam(lr=0.01)",
            ["tensorflow==2.15"],
            None,
        ),
        ("from keras.optimizers import Adam\nopt = Adam(lr=0.01)", ["keras==2.15"], None),
        (
            "import tensorflow as tf\nmodel = tf.keras.Sequential()\nmodel.fit_generator(gen)",
            ["tensorflow-cpu==2.16.1"],
            "removed in TensorFlow 2.16",
        ),
        (
            "import keras\nimport tensorflow as tf\nmodel = keras.Sequential()\n"
            "model.fit_generator(gen)",
            ["tensorflow==2.15", "keras==3.3.3"],
            "removed in Keras 3.0",
        ),
    ],
)
def test_keras_is_judged_by_the_distribution_it_comes_from(
    lint_cells, installed, source, requirements, expected
):
    installed({})
    findings = lint(lint_cells, source, requirements)
    assert [expected in f.message for f in findings] == ([True] if expected else [])


@pytest.mark.parametrize(
    ("spec", "below_2", "from_2"),
    [
        ("==1.5.3", True, False),
        ("==2.*", False, True),
        ("==1.*", True, False),
        ("<2", True, False),
        ("<=2.0", False, False),
        (">=2", False, True),
        (">1.9,<2.0", True, False),
        ("~=1.5", True, False),
        ("~=1.5.0", True, False),
        ("~=2.1", False, True),
        ("^1.5", True, False),
        ("^2.0", False, True),
        ("^0.9", True, False),
        ("~1.5", True, False),
        ("1.5.3", True, False),
        ("=1.5", True, False),
        ("*", False, False),
        ("!=2.0", False, False),
        (">=1.0 || <0.5", False, False),
        ("", False, False),
    ],
)
def test_spec_ranges(spec, below_2, from_2):
    allowed = spec_range(spec)
    two = parse_version("2.0")
    assert (allowed.below(two), allowed.at_or_above(two)) == (below_2, from_2)


# --------------------------------------------------------------------------- look-alikes


@pytest.mark.parametrize(
    "source",
    [
        # lists, dicts and loops: not DataFrames
        "import pandas as pd\nrows = []\nrows.append(1)",
        "import pandas as pd\nfor df in frames:\n    df.append(row)",
        "import pandas as pd\ndef add(df, row):\n    return df.append(row)",
        "import pandas as pd\na, b = pd.read_csv('a.csv'), pd.read_csv('b.csv')\na.append(b)",
        "import pandas as pd\ndf = pd.read_csv('a.csv')\ndf = []\ndf.append(1)",
        "import pandas as pd\nd = {'a': 1}\nfor k, v in d.iteritems():\n    pass",
        "import pandas as pd\nd = dict(a=1)\nd.iteritems()",
        "import numpy as np\nx = np.append(np.zeros(2), 1)",
        "import pandas as pd\ndf = pd.read_csv('a.csv')\ndf.drop('a', axis=1)",
        # the libraries' current names
        "import numpy as np\nx = np.float64(1) + np.nan + np.inf\nmask = np.zeros(2, dtype=np.bool_)",
        "import pandas as pd\ns = pd.Series([1.0])\ns.rolling(3).mean()",
        "import seaborn as sns\nsns.countplot(df['Sex'])\nsns.barplot(x='a', y='b', data=df)\n"
        "sns.heatmap(corr, annot=True)",
        "import matplotlib.pyplot as plt\nplt.style.use('ggplot')\nplt.style.use('seaborn-v0_8')",
        "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\nx = tf.placeholder(tf.float32)",
        "import tensorflow as tf\nlayer = tf.keras.layers.Dense(3)\ny = tf.math.log(2.0)",
        # names nobody imported from the libraries
        "rows = []\nrows.append(1)\nmodel.fit_generator(batches)",
        "import numpy\nclass Frame:\n    ix = {}\nFrame.ix['a']",
    ],
)
def test_look_alikes_are_not_reported(lint_cells, installed, source):
    installed({})
    requirements = ["pandas==2.2.2", "numpy==1.26.4", "seaborn==0.13.2", "matplotlib==3.9.2"]
    assert lint(lint_cells, source, requirements + ["tensorflow==2.16.1"]) == []


@pytest.mark.parametrize(
    "source",
    [
        # frames followed through assignments, indexing and methods
        "import pandas as pd\nresults = pd.DataFrame()\nfor row in rows:\n"
        "    results = results.append(row, ignore_index=True)",
        "import pandas as pd\ndf = pd.read_csv('a.csv')\nsub = df[['a', 'b']].dropna()\n"
        "sub.append(df)",
        "import pandas as pd\ndf = pd.read_csv('a.csv')\ndf.loc[df.a > 1].append(df)",
        "import pandas as pd\npd.DataFrame({'a': [1]}).append({'a': 2}, ignore_index=True)",
        "from pandas import read_csv\ntrain = read_csv('train.csv')\nX = train.drop('y', 1)",
        # modules imported under other names
        "import numpy\nx = numpy.zeros(2, dtype=numpy.float)",
        "from sklearn import cross_validation",
        "import sklearn.grid_search",
        "import matplotlib as mpl\nmpl.pyplot.hist([1, 2], normed=True)",
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.hist([1, 2], normed=True)",
        "from matplotlib import style\nstyle.use(['seaborn-darkgrid', 'ggplot'])",
        "from seaborn import regplot\nregplot('a', 'b', data=df)",
    ],
)
def test_other_spellings_are_reported(lint_cells, installed, source):
    installed({})
    requirements = ["pandas==2.2.2", "numpy==1.26.4", "scikit-learn==1.5.2", "matplotlib==3.9.2"]
    findings = lint(lint_cells, source, requirements + ["seaborn==0.13.2"])
    assert codes(findings) == ["NB408"]


def test_notebooks_without_the_libraries_are_not_walked(lint_cells, monkeypatch):
    def explode(*_args):
        raise AssertionError("walked")

    monkeypatch.setattr(removed_api, "_uses", explode)
    assert lint(lint_cells, "import os\nrows = []\nrows.append(os.getcwd())", []) == []


# --------------------------------------------------------------------------- public notebooks


def lint_public(tmp_path, build, requirements):
    (tmp_path / "pyproject.toml").touch()
    (tmp_path / "requirements.txt").write_text("\n".join(requirements) + "\n")
    path = build(tmp_path)
    settings = lint_settings(str(path), LintOverrides(select=tuple(SELECT)))
    return lint_file(str(path), settings).findings


def test_pdsh_model_validation_with_todays_scikit_learn(tmp_path):
    findings = lint_public(tmp_path, model_validation_notebook, ["scikit-learn==1.5.2"])
    places = [(4, 1), (5, 1), (6, 1), (10, 1), (11, 1), (12, 1)]
    assert [(f.cell, f.line) for f in findings] == places
    assert [f.message.split("`")[1] for f in findings] == [
        "sklearn.cross_validation",
        "sklearn.cross_validation",
        "sklearn.cross_validation",
        "sklearn.learning_curve",
        "sklearn.learning_curve",
        "sklearn.grid_search",
    ]
    assert all("removed in scikit-learn 0.20" in f.message for f in findings)


def test_pdsh_model_validation_with_the_scikit_learn_it_was_written_for(tmp_path):
    assert lint_public(tmp_path, model_validation_notebook, ["scikit-learn==0.19.2"]) == []


def test_pdsh_seaborn_with_todays_libraries(tmp_path):
    findings = lint_public(
        tmp_path, seaborn_v1_notebook, ["matplotlib==3.9.2", "seaborn==0.13.2", "pandas==2.2.2"]
    )
    places = [(3, 5), (5, 2), (7, 2), (8, 2), (12, 1), (13, 1)]
    assert [(f.cell, f.line) for f in findings] == places
    messages = [f.message for f in findings]
    assert messages[0].startswith("`plt.hist(normed=...)` was removed in Matplotlib 3.2")
    assert messages[1].startswith("Passing `x`/`y` positionally to `sns.jointplot()`")
    assert messages[2].startswith("`sns.factorplot` was removed in seaborn 0.12")
    assert "`sns.violinplot()`" in messages[4] and "`sns.lmplot()`" in messages[5]


def test_pdsh_seaborn_with_the_libraries_it_was_written_for(tmp_path):
    requirements = ["matplotlib==3.1.3", "seaborn==0.11.2", "pandas==1.0.5"]
    assert lint_public(tmp_path, seaborn_v1_notebook, requirements) == []


def test_included_requirements_and_constraints_are_read(lint_cells, installed):
    installed({"pandas": "1.5.3"})
    (lint_cells.folder / "constraints").mkdir()
    (lint_cells.folder / "constraints" / "prod.txt").write_text("pandas==2.2.3\n")
    findings = lint(lint_cells, APPEND, ["-c constraints/prod.txt", "pandas"])
    assert "(constraints/prod.txt: pandas==2.2.3)" in findings[0].message


def test_poetry_table_declaration_is_quoted_whole(lint_cells, installed):
    installed({})
    pyproject = '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\n'
    pyproject += 'pandas = { version = "^2.1", extras = ["excel"] }\n'
    (finding,) = lint(lint_cells, APPEND, pyproject__toml=pyproject)
    assert '(pyproject.toml: pandas = "^2.1")' in finding.message


def test_a_hashed_lock_file_is_read_past_its_hashes(lint_cells, installed):
    installed({"pandas": "1.5.3"})
    lock = [
        "# This file is autogenerated by pip-compile",
        "numpy==2.1.0 \\",
        "    --hash=sha256:" + "0" * 64 + " \\",
        "    --hash=sha256:" + "1" * 64,
        "    # via pandas",
        "pandas==2.2.3 \\",
        "    --hash=sha256:" + "2" * 64,
        "    # via -r requirements.in",
    ]
    (finding,) = lint(lint_cells, APPEND, lock)
    assert "(requirements.txt: pandas==2.2.3)" in finding.message


def test_tsfresh_forecasting_reads_a_source_pandas_datareader_dropped(tmp_path, installed):
    from tests.public.tsfresh_forecasting import forecasting_project

    installed({})  # a new environment: the newest release
    notebook = forecasting_project(tmp_path)
    findings = [f for f in _lint_file(notebook) if f.code == "NB408"]
    assert [(f.cell, f.line) for f in findings] == [(2, 1)]
    assert "`'stooq'`" in findings[0].message
    assert "pandas-datareader 0.11.0" in findings[0].message
    assert "neither pinned nor installed here" in findings[0].message


def test_tsfresh_forecasting_with_the_pandas_datareader_it_was_written_for(tmp_path, installed):
    from tests.public.tsfresh_forecasting import SETUP_CFG, forecasting_project

    installed({"pandas-datareader": "0.11.1"})  # the project's pin decides, not this
    pinned = SETUP_CFG.replace("pandas-datareader>=0.5.0", "pandas-datareader>=0.5.0,<0.11")
    notebook = forecasting_project(tmp_path, pinned)
    assert [f for f in _lint_file(notebook) if f.code == "NB408"] == []


def _lint_file(notebook):
    from nb2prod.config import LintOverrides, lint_settings
    from nb2prod.linter.engine import lint_file

    settings = lint_settings(str(notebook), LintOverrides(select=("NB408",)))
    return lint_file(str(notebook), settings).findings


# --------------------------------------------------------------------------- results

STREAM = "import numpy as np\nfrom talib import stream\nclose = np.ones(50)\n"


@pytest.mark.parametrize(
    ("line", "reported"),
    [
        ("rsi = stream.RSI(close) / 100", True),
        ("high = stream.RSI(close) > 70", True),
        ("low = -stream.RSI(close)", True),
        ("macd, signal, hist = stream.MACD(close)", True),
        ("rsi = stream.RSI(close).value / 100", False),
        ("handle = stream.RSI(close)", False),  # kept in a name: how it is used is not followed
        ("print(stream.RSI(close))", False),
        ("import talib\nrsi = talib.RSI(close)[-1] / 100", False),  # the function API
    ],
)
def test_a_stream_value_used_as_a_number_is_reported(lint_cells, installed, line, reported):
    installed({"TA-Lib": "0.8.2"})
    findings = lint(lint_cells, STREAM + line)
    assert codes(findings) == (["NB408"] if reported else [])


def test_a_stream_value_is_judged_against_the_release(lint_cells, installed):
    installed({"TA-Lib": "0.8.0"})  # the release before the change
    assert lint(lint_cells, STREAM + "rsi = stream.RSI(close) / 100") == []
    installed({"TA-Lib": "0.8.1"})
    (finding,) = lint(lint_cells, STREAM + "rsi = stream.RSI(close) / 100")
    assert finding.message.startswith(
        "The latest value `stream.RSI()` returned was removed in TA-Lib 0.8.1 "
        "(TA-Lib 0.8.1 is installed here); a `talib.stream` function returns a stream handle"
    )


def test_river_feature_extraction_divides_a_stream_handle(tmp_path, installed):
    from tests.public.river_feature_extraction import feature_extraction_project

    installed({})  # a new environment: the newest release
    notebook = feature_extraction_project(tmp_path)
    findings = [f for f in _lint_file(notebook) if f.code == "NB408"]
    # tas.ATR(...) / x["close"] (where it failed) and the MACD unpacked after it;
    # out["rsi"] = tas.RSI(...) stores the handle, which is not followed.
    assert [(f.cell, f.line) for f in findings] == [(2, 38), (2, 42)]
    assert "`tas.ATR()`" in findings[0].message and "`tas.MACD()`" in findings[1].message


def test_river_feature_extraction_with_the_ta_lib_it_was_written_for(tmp_path, installed):
    from tests.public.river_feature_extraction import feature_extraction_project

    installed({"TA-Lib": "0.8.1"})
    notebook = feature_extraction_project(tmp_path, "TA-Lib<0.8.1\nriver\n")
    assert [f for f in _lint_file(notebook) if f.code == "NB408"] == []
