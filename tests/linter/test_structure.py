"""Structure rules NB704 (imports after the first cell), NB706 (parameters cell), NB707 (star import)."""

from __future__ import annotations

import pytest

from ..conftest import code, codes, markdown

# --------------------------------------------------------------------------- NB704


def test_import_after_the_first_code_cell(lint_cells):
    findings = lint_cells(
        [
            code("import pandas as pd"),
            code("df = pd.read_csv('x.csv')\nimport seaborn as sns, scipy"),
        ],
        select=["NB704"],
    )
    assert codes(findings) == ["NB704"]
    (finding,) = findings
    assert (finding.cell, finding.line, finding.column) == (2, 2, 1)
    assert finding.severity == "info"
    assert "`seaborn`, `scipy`" in finding.message and "top" in finding.message


def test_from_import_in_the_last_cell_is_reported(lint_cells):
    findings = lint_cells(
        [
            code("import numpy as np"),
            code("x = 1"),
            code("from sklearn.metrics import f1_score as f1"),
        ],
        select=["NB704"],
    )
    assert [(f.cell, f.line) for f in findings] == [(3, 1)]
    assert "`sklearn.metrics`" in findings[0].message


def test_each_late_import_statement_is_reported(lint_cells):
    findings = lint_cells(
        [code("import os"), code("import re\nfrom pathlib import Path"), code("import json")],
        select=["NB704"],
    )
    assert [(f.cell, f.line) for f in findings] == [(2, 1), (2, 2), (3, 1)]


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
            code("import os"),
            code("def load():\n    import pandas as pd\n    return pd.DataFrame()"),
        ],
        # optional-dependency fallbacks
        [
            code("import os"),
            code("try:\n    import ujson as json\nexcept ImportError:\n    import json"),
        ],
        [
            code("import os"),
            code("try:\n    from tqdm.auto import tqdm\nexcept Exception:\n    tqdm = list"),
        ],
    ],
)
def test_import_not_at_top_negatives(lint_cells, cells):
    assert lint_cells(cells, select=["NB704"]) == []


def test_try_without_import_fallback_is_still_checked(lint_cells):
    findings = lint_cells(
        [code("import os"), code("try:\n    import torch\nfinally:\n    print('done')")],
        select=["NB704"],
    )
    assert [(f.cell, f.line) for f in findings] == [(2, 2)]


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
