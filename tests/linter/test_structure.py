"""Structure rules NB704 (imports after the work begins), NB706 (parameters cell), NB707 (star import)."""

from __future__ import annotations

import pytest

from ..conftest import code, codes, markdown

# --------------------------------------------------------------------------- NB704


def nb704(lint_cells, *cells):
    return lint_cells([c if not isinstance(c, str) else code(c) for c in cells], select=["NB704"])


def test_import_after_the_work_begins(lint_cells):
    findings = nb704(
        lint_cells, "import pandas as pd", "df = pd.read_csv('x.csv')\nimport seaborn as sns, scipy"
    )
    assert codes(findings) == ["NB704"]
    (finding,) = findings
    assert (finding.cell, finding.line, finding.column) == (2, 2, 1)
    assert finding.severity == "info"
    assert finding.message == (
        "2 modules are imported after the notebook's work begins in cell 2: `seaborn` (cell 2), "
        "`scipy` (cell 2); move the imports to the cells at the top so the notebook's "
        "dependencies are in one place"
    )


def test_one_finding_per_notebook_counts_the_late_modules(lint_cells):
    findings = nb704(
        lint_cells,
        "import pandas as pd\ndf = pd.read_csv('train.csv')",
        "import seaborn as sns\nsns.histplot(df.price)",
        "from sklearn.model_selection import train_test_split\nX_tr, X_te = train_test_split(df)",
        "from sklearn.ensemble import RandomForestRegressor\nfrom sklearn.metrics import r2_score",
        "import seaborn as sns\nimport xgboost",  # seaborn again: counted once
    )
    assert [(f.cell, f.line) for f in findings] == [(2, 1)]
    assert findings[0].message.startswith(
        "5 modules are imported after the notebook's work begins in cell 1: `seaborn` (cell 2), "
        "`sklearn.model_selection` (cell 3), `sklearn.ensemble` (cell 4) and 2 more; move the "
        "imports to the cells at the top"
    )


def test_one_late_module(lint_cells):
    findings = nb704(lint_cells, "import numpy as np", "x = np.ones(3)", "import scipy.stats as st")
    assert [(f.cell, f.line) for f in findings] == [(3, 1)]
    assert findings[0].message.startswith(
        "`scipy.stats` is imported in cell 3, after the notebook's work begins in cell 2; "
        "move the import to the cells at the top"
    )


@pytest.mark.parametrize(
    "cells",
    [
        # settings, configuration calls and definitions are setup, however many cells
        [
            "import warnings\nimport numpy as np\nwarnings.filterwarnings('ignore')",
            "SEED = 42\nnp.random.seed(SEED)\nDATA = 'data/train.csv'\nEPOCHS, LR = 10, 1e-3",
            "import pandas as pd\npd.options.display.max_columns = 50\nprint(pd.__version__)",
            "import seaborn as sns\nsns.set_theme()",
            "from pathlib import Path\nimport os\nOUT = Path(os.getenv('OUT', 'out')) / 'models'",
            "def load(path):\n    return pd.read_csv(path)",
            "import matplotlib.pyplot as plt\nplt.rcParams['figure.figsize'] = (8, 4)",
            "import torch\ndevice = torch.device('cuda' if torch.cuda.is_available() else 'cpu')",
            "if device.type == 'cuda':\n    torch.backends.cudnn.benchmark = True",
            "from sklearn.model_selection import train_test_split\ndf = load(DATA)",
        ],
        # importing again what the top imports adds nothing; the standard library needs
        # no install
        [
            "import numpy as np\nimport pandas as pd\ndf = pd.read_csv('x.csv')",
            "import numpy as np\nimport json, re\nfrom collections import Counter",
        ],
        # an exported cell's imports travel with its code into the package
        [
            "import pandas as pd\ndf = pd.read_csv('x.csv')",
            code("import joblib\nmodel = joblib.load('model.pkl')", tags=["nb2prod:load"]),
            code("import numpy as np\ny = model.predict(np.asarray(X))", tags=["nb2prod:predict"]),
        ],
    ],
)
def test_setup_reimports_stdlib_and_exported_cells_are_not_late(lint_cells, cells):
    assert nb704(lint_cells, *cells) == []


def test_late_import_that_breaks_the_export_is_the_one_reported(lint_cells):
    findings = nb704(
        lint_cells,
        code("import pandas as pd", tags=["nb2prod:export"]),
        "df = pd.read_csv('train.csv')\nimport seaborn as sns",
        "import json\nwith open('labels.json') as f:\n    labels = json.load(f)",
        code("out = json.dumps(labels[int(x)])", tags=["nb2prod:predict"]),
    )
    assert [(f.cell, f.line) for f in findings] == [(3, 1)]
    assert findings[0].message == (
        "`json` is imported in cell 3, which is not exported, but the predict cell 4 uses "
        "`json`: `nb2prod export` cannot build the package; move the import to the imports "
        "at the top and tag that cell `nb2prod:export` (`seaborn` (cell 2) is imported late "
        "too)"
    )


@pytest.mark.parametrize(
    "cells",
    [
        # all imports in the first code cell
        [markdown("# Title"), code("import os\nimport numpy as np"), code("x = np.ones(3)")],
        # a first cell of magics or installs is not "the first code cell"
        [
            code("%matplotlib inline\n%load_ext autoreload\n%autoreload 2"),
            code("import pandas as pd"),
        ],
        [code("!pip install lightgbm\n# setup"), code("import lightgbm")],
        [code(""), code("import pandas as pd")],
        # a leading parameters cell holds settings; the imports after it are at the top
        [code("input_path = 'in.csv'", tags=["parameters"]), code("import pandas as pd")],
        # imports inside functions run when called
        [
            code("import os\nos.chdir('..')"),
            code("def load():\n    import pandas as pd\n    return pd.DataFrame()"),
        ],
        # optional-dependency fallbacks
        [
            code("import os\nos.chdir('..')"),
            code("try:\n    import ujson as json\nexcept ImportError:\n    import json"),
        ],
        [
            code("import os\nos.chdir('..')"),
            code("try:\n    from tqdm.auto import tqdm\nexcept Exception:\n    tqdm = list"),
        ],
    ],
)
def test_import_not_at_top_negatives(lint_cells, cells):
    assert lint_cells(cells, select=["NB704"]) == []


def test_try_without_import_fallback_is_still_checked(lint_cells):
    findings = nb704(
        lint_cells,
        "import os\nfiles = os.listdir('.')",
        "try:\n    import torch\nfinally:\n    print('done')",
    )
    assert [(f.cell, f.line) for f in findings] == [(2, 2)]


def test_public_handbook_scikit_learn_one_finding_for_its_late_imports(tmp_path):
    import nb2prod

    from ..public.pdsh_scikit_learn_nb704 import scikit_learn_notebook

    report = nb2prod.lint(scikit_learn_notebook(tmp_path), select=["NB704"], isolated=True)
    assert [(f.cell, f.line) for f in report.findings] == [(5, 1)]
    assert report.findings[0].message.startswith(
        "6 modules are imported after the notebook's work begins in cell 1: "
        "`matplotlib.pyplot` (cell 5), `numpy` (cell 5), `sklearn.linear_model` (cell 6) and "
        "3 more;"
    )


# --------------------------------------------------------------------------- NB707


def test_star_import(lint_cells):
    findings = lint_cells(
        [
            code("import os\nfrom sklearn.metrics import *"),
            code("from .helpers import *"),
            code("try:\n    from fast import *\nexcept ImportError:\n    from slow import *"),
        ],
        select=["NB707"],
    )
    assert [(f.cell, f.line, f.column) for f in findings] == [
        (1, 2, 1),
        (2, 1, 1),
        (3, 2, 5),
        (3, 4, 5),
    ]
    assert findings[0].severity == "warning"
    assert "`from sklearn.metrics import *`" in findings[0].message
    assert "from sklearn.metrics import name" in findings[0].message
    assert "`from .helpers import *`" in findings[1].message


def test_named_imports_are_not_star_imports(lint_cells):
    cells = [code("import numpy\nfrom numpy import pi, e as euler\nfrom . import utils")]
    assert lint_cells(cells, select=["NB707"]) == []


# --------------------------------------------------------------------------- NB706


CONFIG = code(
    'import pandas as pd\nDATA_PATH = "data/sales.csv"\nn_estimators = 200\n'
    "EPOCHS = 10\nlearning_rate = 1e-3\ndf = pd.read_csv(DATA_PATH)"
)


def test_missing_parameters_cell_is_off_by_default(lint_cells):
    assert "NB706" not in codes(lint_cells([CONFIG]))


def test_configuration_without_parameters_cell(lint_cells):
    findings = lint_cells([markdown("# Train"), CONFIG], select=["NB706"])
    assert codes(findings) == ["NB706"]
    (finding,) = findings
    assert (finding.cell, finding.line, finding.column) == (2, 2, 1)
    assert "`DATA_PATH`, `n_estimators`, `EPOCHS` and 1 more" in finding.message
    assert "tag the cell that holds them `parameters`" in finding.message
    assert "so papermill jobs can set them" in finding.message


def test_parameters_cell_present(lint_cells):
    cells = [code('DATA_PATH = "data.csv"', tags=["parameters"]), CONFIG]
    assert lint_cells(cells, select=["NB706"]) == []


@pytest.mark.parametrize(
    "source",
    [
        "FEATURES = ['age', 'fare']",
        "PARAMS = {'max_depth': 3, 'eta': 0.1}",
        "PARAM_GRID = {'max_depth': [3, 5], 'eta': [0.1, 0.3]}",
        "THRESHOLD = -0.5",
        "start_date = '2024-01-01'",
        "output_dir = 'out'",
        "batch_size: int = 32",
        "random_seed = 42",
        "model_file = 'model.pkl'",
    ],
)
def test_configuration_shapes(lint_cells, source):
    assert codes(lint_cells([code(source)], select=["NB706"])) == ["NB706"]


@pytest.mark.parametrize(
    "source",
    [
        "x = 5\nn = 10\nname = 'Titanic'",  # names that do not look like settings
        "X = 1\nN = 3",  # one-letter capitals are data
        "update = True\nvalidate = False\ndirection = 'up'",  # 'date'/'dir' inside other words
        "from pathlib import Path\nOUT_DIR = Path('out')",  # not a literal papermill can inject
        "DATA_PATH = None",  # no value
        "data_path = base + '/x.csv'",  # computed
        "def f():\n    DATA_PATH = 'x.csv'\n    return DATA_PATH",  # local to a function
        "for EPOCHS in [1, 2]:\n    pass",  # not an assignment of configuration
        "_CACHE_FILE = 'c.pkl'",  # private helper name
        "paths = []\nNAME = ''",  # empty values initialise, they do not configure
        'TOOLTIPS = """\n<div>@name</div>\n"""',  # multi-line templates
        "ACCENT = '#BB2649'\nNAVY = '#0a1e2d'",  # colour codes
        "path = [(0, 0), (1, 2), (3, 1)]",  # coordinates: data
    ],
)
def test_not_configuration(lint_cells, source):
    assert lint_cells([code(source)], select=["NB706"]) == []
