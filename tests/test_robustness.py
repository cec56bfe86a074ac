"""Whatever the input, the loader raises only NotebookReadError and no rule crashes."""

from __future__ import annotations

import json

import nbformat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nb2prod.config import LintSettings
from nb2prod.errors import NotebookReadError
from nb2prod.lint.engine import lint_notebook
from nb2prod.lint.rule import all_rules
from nb2prod.notebook import parse_notebook

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
CELL = st.fixed_dictionaries(
    {},
    optional={
        "cell_type": st.sampled_from(["code", "markdown", "raw", 3]) | JSON,
        "source": st.text(max_size=80) | st.lists(st.text(max_size=30), max_size=4) | JSON,
        "metadata": st.just({})
        | JSON
        | st.fixed_dictionaries({"tags": st.lists(st.text(max_size=12)) | JSON}),
        "outputs": st.lists(JSON, max_size=3) | JSON,
        "execution_count": st.none() | st.integers() | JSON,
        "id": st.text(max_size=10) | JSON,
    },
)
NOTEBOOK = st.fixed_dictionaries(
    {"cells": st.lists(CELL, max_size=5) | JSON},
    optional={
        "nbformat": st.sampled_from([3, 4, 5]) | JSON,
        "nbformat_minor": JSON,
        "metadata": JSON,
    },
)


def _load(text):
    try:
        return parse_notebook(text, "random.ipynb")
    except NotebookReadError:
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NOTEBOOK | JSON)
def test_random_notebook_json_never_crashes_the_loader(document):
    notebook = _load(json.dumps(document))
    if notebook is not None:
        assert all(isinstance(c.source, str) for c in notebook.cells)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_truncated_and_corrupted_files_give_a_read_error(data):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import os\nx = '/home/a'"),
        nbformat.v4.new_markdown_cell("# t"),
    ]
    text = nbformat.writes(nb)
    cut = data.draw(st.integers(0, len(text) - 1))
    noise = data.draw(st.text(max_size=3))
    _load(text[:cut] + noise)


FRAGMENTS = st.sampled_from(
    [
        "import numpy as np",
        "from random import *",
        "x = np.random.rand(3)",
        "%pip install pandas",
        "!pip install -U numpy",
        "df = pd.read_csv('/home/alice/data.csv')",
        "input('name?')",
        "password = 'hunter2hunter2'",
        "token = 'ghp_" + "a" * 36 + "'",
        "os.chdir('/tmp')",
        "sys.path.append('/opt/lib')",
        "%run other.ipynb",
        "await asyncio.sleep(1)",
        "cd /data",
        "def f(a):\n    return a + b",
        "class K:\n    y = z",
        "del x",
        "print(undefined)",
        "%%time",
        "%%bash\nls",
        "x = (",
        "lambda: q",
        "[i for i in range(3)]",
        "breakpoint()",
        "  ?x",
        "",
        "from sklearn.model_selection import train_test_split\ntrain_test_split(X)",
        "@d\ndef g(): pass",
        "s = '''\n%",
        "f'{x!r:>{w}}'",
        "match x:\n    case [a, *b]: pass",
        "async def h():\n    await q",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(FRAGMENTS | st.text(max_size=40), min_size=1, max_size=4), min_size=1, max_size=5
    ),
    st.lists(st.none() | st.integers(0, 9), min_size=5, max_size=5),
)
def test_random_cells_never_crash_a_rule(cells, counts):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("\n".join(lines), execution_count=count)
        for lines, count in zip(cells, counts)
    ]
    notebook = parse_notebook(nbformat.writes(nb), "random.ipynb")
    enabled = frozenset(r.code for r in all_rules())
    findings = lint_notebook(notebook, LintSettings(enabled=enabled))
    crashes = [f.message for f in findings if f.code == "NB000"]
    assert not crashes
    assert all(f.line is None or f.line >= 1 for f in findings)
