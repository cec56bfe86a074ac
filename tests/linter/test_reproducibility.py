"""Reproducibility rules NB601 (unseeded randomness) and NB602 (missing random_state)."""

from __future__ import annotations

import pytest

from ..conftest import code, codes

# --------------------------------------------------------------------------- NB601


def nb601(lint_cells, *cells):
    return lint_cells([code(c) for c in cells], select=["NB601"])


def test_numpy_draw_before_any_seed(lint_cells):
    findings = nb601(lint_cells, "import numpy as np", "x = 1\nidx = np.random.permutation(10)")
    assert codes(findings) == ["NB601"]
    (finding,) = findings
    assert (finding.cell, finding.line, finding.column, finding.end_column) == (2, 2, 7, 28)
    assert "`np.random.permutation`" in finding.message
    assert "NumPy" in finding.message and "np.random.seed(" in finding.message
    assert finding.severity == "warning"


def test_seed_before_the_draw_is_fine_after_is_not(lint_cells):
    seeded = nb601(lint_cells, "import numpy as np\nnp.random.seed(42)", "x = np.random.rand(3)")
    assert seeded == []
    late = nb601(lint_cells, "import numpy as np", "x = np.random.rand(3)", "np.random.seed(42)")
    assert [f.cell for f in late] == [2]


def test_each_library_needs_its_own_seed_and_is_reported_once(lint_cells):
    findings = nb601(
        lint_cells,
        "import random\nimport numpy as np\nimport torch\nnp.random.seed(0)",
        "a = np.random.rand(2)\nrandom.shuffle(items)\nb = torch.randn(3)",
        "c = random.random()\nd = torch.rand(2)",
    )
    assert [(f.cell, f.line) for f in findings] == [(2, 2), (2, 3)]
    assert "Python's `random`" in findings[0].message and "random.seed(" in findings[0].message
    assert "torch.manual_seed(" in findings[1].message


@pytest.mark.parametrize(
    "source, shown",
    [
        ("from random import shuffle\nshuffle(items)", "`shuffle`"),
        ("from numpy.random import rand\nx = rand(3)", "`rand`"),
        ("from numpy import random as npr\nx = npr.normal(size=3)", "`npr.normal`"),
        ("import torch.nn as nn\nnn.init.xavier_uniform_(w)", "`nn.init.xavier_uniform_`"),
        (
            "from torch.utils.data import DataLoader\ndl = DataLoader(ds, shuffle=True)",
            "`DataLoader(shuffle=True)`",
        ),
        (
            "from torch.utils.data import random_split\na, b = random_split(ds, [8, 2])",
            "`random_split`",
        ),
        ("import tensorflow as tf\nx = tf.random.normal([2])", "`tf.random.normal`"),
    ],
)
def test_aliases_and_libraries(lint_cells, source, shown):
    findings = nb601(lint_cells, source)
    assert codes(findings) == ["NB601"] and shown in findings[0].message
    assert findings[0].line == 2


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nrng = np.random.default_rng(42)\nx = rng.normal(size=3)",
        "import numpy as np\nrs = np.random.RandomState(0)\nx = rs.rand(3)",
        "import random\nr = random.Random(7)\nr.shuffle(items)",
        "import torch.nn as nn\nnn.init.zeros_(w)\nnn.init.constant_(b, 0.1)",
        "from torch.utils.data import DataLoader\ndl = DataLoader(ds, shuffle=False)",
        "import torch\nfrom torch.utils.data import DataLoader\n"
        "dl = DataLoader(ds, shuffle=True, generator=torch.Generator().manual_seed(0))",
        "import tensorflow as tf\nx = tf.random.normal([2], seed=1)",
        "import tensorflow as tf\ntf.random.set_seed(1)\nx = tf.random.uniform([2])",
        "import numpy as np\nx = np.random.get_state()",
        # a notebook variable called `random` is not the module
        "random = load_table()\nrow = random.choice()",
    ],
)
def test_seeded_or_deterministic_calls_are_not_reported(lint_cells, source):
    assert nb601(lint_cells, source) == []


def test_default_rng_without_seed_is_reported_even_after_a_global_seed(lint_cells):
    findings = nb601(
        lint_cells, "import numpy as np\nnp.random.seed(1)\nrng = np.random.default_rng()"
    )
    (finding,) = findings
    assert finding.line == 3 and "default_rng(42)" in finding.message


def test_seed_without_a_value_seeds_nothing(lint_cells):
    findings = nb601(lint_cells, "import random\nrandom.seed()\nx = random.random()")
    assert [f.line for f in findings] == [3]


@pytest.mark.parametrize(
    "seed",
    [
        "import transformers\ntransformers.set_seed(42)",
        "import pytorch_lightning as pl\npl.seed_everything(42)",
        "from lightning.pytorch import seed_everything\nseed_everything(42, workers=True)",
        "import keras\nkeras.utils.set_random_seed(42)",
        "from accelerate.utils import set_seed\nset_seed(0)",
    ],
)
def test_seed_helpers_seed_every_library(lint_cells, seed):
    draws = "import random, torch\nimport numpy as np\na = random.random()\nb = np.random.rand()\nc = torch.randn(2)"
    assert nb601(lint_cells, seed, draws) == []


def test_tf_keras_seed_covers_python_numpy_and_tensorflow(lint_cells):
    findings = nb601(
        lint_cells,
        "import random, torch\nimport numpy as np\nimport tensorflow as tf\n"
        "tf.keras.utils.set_random_seed(1)",
        "a = random.random()\nb = np.random.rand()\nc = tf.random.normal([2])\nd = torch.rand(2)",
    )
    assert [(f.cell, f.line) for f in findings] == [(2, 4)]


def test_notebook_seed_function_seeds_what_its_body_seeds(lint_cells):
    findings = nb601(
        lint_cells,
        "import random\nimport numpy as np\n\ndef fix_seeds(seed):\n    np.random.seed(seed)",
        "fix_seeds(42)",
        "a = np.random.rand(3)\nb = random.random()",
    )
    assert [(f.cell, f.line) for f in findings] == [(3, 2)]


def test_seed_function_defined_but_not_called_seeds_nothing(lint_cells):
    findings = nb601(
        lint_cells,
        "import numpy as np\ndef set_seed(s):\n    np.random.seed(s)",
        "a = np.random.rand(3)",
    )
    assert [f.cell for f in findings] == [2]


def test_draws_inside_a_function_are_reported_where_it_is_called(lint_cells):
    findings = nb601(
        lint_cells,
        "import numpy as np\ndef noisy(x):\n    return x + np.random.randn(len(x))",
        "y = noisy(x)",
    )
    (finding,) = findings
    assert (finding.cell, finding.line, finding.column) == (2, 1, 5)
    assert "`noisy()`" in finding.message and "np.random.randn" in finding.message


def test_function_called_after_seeding_is_fine_and_uncalled_function_is_silent(lint_cells):
    cells = [
        "import numpy as np\ndef noisy(x):\n    return x + np.random.randn(len(x))",
        "def unused():\n    return np.random.rand()",
        "np.random.seed(0)\ny = noisy(x)",
    ]
    assert nb601(lint_cells, *cells) == []


def test_draws_in_lambdas_and_constructors_run_where_written(lint_cells):
    lambdas = nb601(lint_cells, "import random\nnoise = df.x.apply(lambda v: v + random.random())")
    assert [f.line for f in lambdas] == [2]
    classes = nb601(
        lint_cells,
        "import torch\nclass Net:\n    def __init__(self):\n        self.w = torch.randn(3)",
        "net = Net()",
    )
    assert [(f.cell, f.line) for f in classes] == [(2, 1)] and "`Net()`" in classes[0].message


def test_seed_functions_option(lint_cells):
    cells = [
        "from mylab.utils import seed_all\nseed_all(1)",
        "import numpy as np\nx = np.random.rand()",
    ]
    assert codes(nb601(lint_cells, *cells)) == ["NB601"]
    (lint_cells.folder / "pyproject.toml").write_text(
        '[tool.nb2prod.lint]\nseed-functions = ["seed_all"]\n'
    )
    assert nb601(lint_cells, *cells) == []
    (lint_cells.folder / "pyproject.toml").write_text(
        '[tool.nb2prod.lint]\nseed-functions = ["mylab.utils.seed_all"]\n'
    )
    assert nb601(lint_cells, *cells) == []


def test_odd_cells_do_not_crash(lint_cells):
    cells = [
        "",
        "%%bash\necho hi",
        "import numpy as np\nx = np.random.rand(\n",  # syntax error
        "def f():\n    return f()\nf()",  # recursion
        "x = " + " + ".join(["np.random.rand()"] * 300),
    ]
    findings = lint_cells([code(c) for c in cells], select=["NB601", "NB602", "NB000"])
    assert "NB000" not in codes(findings)


PLOTTING = "import numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\nimport seaborn as sns"


@pytest.mark.parametrize(
    "cell",
    [
        # jitter written inside the plotting call
        "plt.scatter(x + np.random.normal(0, 0.1, len(x)), y)",
        # random colours through a name, on axes the notebook made
        "fig, ax = plt.subplots()\ncolors = np.random.rand(len(x))\nax.scatter(x, y, c=colors)",
        "fig, axes = plt.subplots(2, 2)\nfor i, ax in enumerate(axes.flat):\n"
        "    ax.hist(np.random.randn(100) * i)",
        # drawn, reshaped by numpy and pandas, then plotted in later cells
        "data = np.random.multivariate_normal([0, 0], [[5, 2], [2, 2]], size=200)\n"
        "data = pd.DataFrame(data, columns=['x', 'y'])",
        "walk = np.cumsum(np.random.randn(100)).astype(int)\nplt.plot(walk)\nplt.title(f'{walk[-1]}')",
        # a jitter column used only by plots
        "df['x_jitter'] = df['x'] + np.random.uniform(-0.2, 0.2, size=len(df))\n"
        "sns.stripplot(data=df, x='x_jitter', y='y')",
        "df2 = pd.DataFrame(np.random.randn(25, 4), columns=list('ABCD'))\ndf2.plot.box()",
        # shown: a cell's last expression, print, display
        "np.random.random((3, 3))",
        "value = np.random.rand()\nprint(f'value: {value:.2f}')",
        "labels = [chr(65 + g) for g in np.random.randint(0, 3, 20)]\nsns.countplot(x=labels)",
        # a notebook function that only plots
        "def show():\n    plt.plot(np.random.rand(10))\n\nshow()",
        # the name is assigned something else before a model uses it
        "jitter = np.random.rand(10)\nplt.plot(jitter)\njitter = load()\nmodel.fit(jitter)",
    ],
)
def test_draws_that_only_feed_plots_or_display_are_not_reported(lint_cells, cell):
    later = "sns.kdeplot(data=data, x='x', y='y')" if "data = " in cell else "x = 1"
    assert nb601(lint_cells, PLOTTING, cell, later) == []


@pytest.mark.parametrize(
    "cell",
    [
        "noise = np.random.normal(size=len(x))\nplt.plot(x + noise)\nmodel.fit(x + noise)",
        "idx = np.random.permutation(len(df))\ntrain = df.iloc[idx[:80]]",
        "x = np.random.rand(3)",  # kept: nothing shows that it does not matter
        "np.random.shuffle(rows)\nplt.plot(rows)",  # shuffles `rows` in place
        "if np.random.rand() < 0.5:\n    plt.plot(x)",
        "def noisy(v):\n    return v + np.random.randn(len(v))\n\ny = noisy(x)",
        "sample = np.random.rand(10)\nnp.save('sample.npy', sample)",
        "walk = pd.Series(np.random.randn(9)).cumsum()\nwalk.plot()\nwalk.to_csv('walk.csv')",
    ],
)
def test_the_first_draw_a_result_depends_on_is_reported(lint_cells, cell):
    jitter = "plt.scatter(x + np.random.normal(0, 0.1, len(x)), y)"
    findings = nb601(lint_cells, PLOTTING, jitter, cell)
    assert [f.cell for f in findings] == [3], cell


def test_public_handbook_seaborn_jitter(tmp_path):
    import nb2prod

    from ..public.pdsh_seaborn_nb601 import seaborn_notebook

    plotted = seaborn_notebook(tmp_path / "plotted")
    assert nb2prod.lint(plotted, select=["NB601"], isolated=True).findings == []
    fitted = seaborn_notebook(tmp_path / "fitted", with_fit=True)
    report = nb2prod.lint(fitted, select=["NB601"], isolated=True)
    assert [(f.cell, f.line) for f in report.findings] == [(2, 1)]


# --------------------------------------------------------------------------- NB602


def nb602(lint_cells, *cells):
    return lint_cells([code(c) for c in cells], select=["NB602"])


def test_train_test_split_without_random_state(lint_cells):
    findings = nb602(
        lint_cells,
        "from sklearn.model_selection import train_test_split",
        "X_train, X_test, y_train, y_test = train_test_split(\n    X, y, test_size=0.2\n)",
    )
    (finding,) = findings
    assert (finding.cell, finding.line, finding.column, finding.end_line) == (2, 1, 36, 3)
    assert "`train_test_split(...)` has no `random_state`" in finding.message
    assert finding.severity == "warning"


@pytest.mark.parametrize(
    "source, shown",
    [
        (
            "from sklearn.ensemble import RandomForestClassifier\nm = RandomForestClassifier(n_estimators=10)",
            "RandomForestClassifier(...)",
        ),
        (
            "import sklearn.ensemble as ens\nm = ens.GradientBoostingRegressor()",
            "ens.GradientBoostingRegressor(...)",
        ),
        (
            "from sklearn.model_selection import KFold\ncv = KFold(5, shuffle=True)",
            "KFold(shuffle=True)",
        ),
        (
            "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression(solver='saga')",
            "LogisticRegression(solver='saga')",
        ),
        (
            "from sklearn.cluster import KMeans\nkm = KMeans(n_clusters=3, random_state=None)",
            "KMeans(...)",
        ),
        (
            "from sklearn.datasets import make_classification\nX, y = make_classification(n_samples=100)",
            "make_classification(...)",
        ),
        (
            "from sklearn.manifold import TSNE\nemb = TSNE(n_components=2).fit_transform(X)",
            "TSNE(...)",
        ),
        (
            "from imblearn.over_sampling import SMOTE\nX_res, y_res = SMOTE().fit_resample(X, y)",
            "SMOTE(...)",
        ),
        ("shuffled = df.sample(frac=1)", "df.sample(...)"),
    ],
)
def test_random_estimators_and_splitters(lint_cells, source, shown):
    findings = nb602(lint_cells, source)
    assert codes(findings) == ["NB602"]
    assert f"`{shown}`" in findings[0].message


@pytest.mark.parametrize(
    "source",
    [
        "from sklearn.model_selection import train_test_split\n"
        "a, b = train_test_split(X, test_size=0.2, random_state=42)",
        "from sklearn.ensemble import RandomForestClassifier\nm = RandomForestClassifier(random_state=SEED)",
        "from sklearn.model_selection import KFold, StratifiedKFold\ncv = KFold(5)\ncv2 = StratifiedKFold(5, shuffle=False)",
        "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression(max_iter=1000)",
        "from sklearn.decomposition import PCA\np = PCA(n_components=2)",
        "from sklearn.ensemble import RandomForestClassifier\nm = RandomForestClassifier(**params)",
        "from xgboost import XGBClassifier\nm = XGBClassifier()",
        "from sklearn.preprocessing import StandardScaler\ns = StandardScaler()",
        "df.sample(n=5)",  # a peek at a few rows
        # a subsample for a plot
        "import seaborn as sns\nsmall = df.sample(n=500)\nsns.scatterplot(data=small, x='a', y='b')",
        "x = df.sample(5)",  # positional: maybe not pandas
        "s = df.sample(frac=0.5, random_state=1)",
        # numpy's global state is seeded: scikit-learn and pandas draw from it
        "import numpy as np\nnp.random.seed(0)\nfrom sklearn.model_selection import train_test_split\n"
        "a, b = train_test_split(X)\nc = df.sample(frac=1)",
    ],
)
def test_missing_random_state_negatives(lint_cells, source):
    assert nb602(lint_cells, source) == []


def test_seed_after_the_call_or_of_another_library_does_not_count(lint_cells):
    findings = nb602(
        lint_cells,
        "import random\nrandom.seed(0)\nfrom sklearn.cluster import KMeans\nkm = KMeans(3)",
        "import numpy as np\nnp.random.seed(0)",
    )
    assert [(f.cell, f.line) for f in findings] == [(1, 4)]


def test_estimator_in_a_function_is_checked_where_it_runs(lint_cells):
    uncalled = nb602(
        lint_cells,
        "from sklearn.ensemble import RandomForestRegressor\n"
        "def build():\n    return RandomForestRegressor()",
    )
    assert [(f.cell, f.line) for f in uncalled] == [(1, 3)]
    seeded_first = nb602(
        lint_cells,
        "from sklearn.ensemble import RandomForestRegressor\nimport numpy as np\n"
        "def build():\n    return RandomForestRegressor()",
        "np.random.seed(1)\nmodel = build()\nmodel2 = build()",
    )
    assert seeded_first == []
