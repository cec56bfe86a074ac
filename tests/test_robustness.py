"""Whatever the input, the loader raises only NotebookReadError and no rule crashes."""

from __future__ import annotations

import json

import nbformat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nb2prod.config import LintSettings
from nb2prod.errors import NotebookReadError
from nb2prod.linter.engine import lint_notebook
from nb2prod.linter.rule import all_rules
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


# Cells that often make a plan that holds together, so rendering is exercised too.
_EXPORT_FRAGMENTS = st.sampled_from(
    [
        "x = 1",
        "import math",
        "def f(a):\n    return a * 2",
        "def g(a):\n    return f(a) + x",
        "y = f(x)",
        "x",
        "f(x) + len(SQL)",
        "SQL = '''\nselect *\n  from t\n'''",
        "model = {'w': 2}",
        "threshold = 0.5  # cut-off",
        "class C:\n    v = 1",
        "[i * x for i in range(3)]",
        "math.floor(x * threshold)",
        "model['w'] * x",
        "for i in range(2):\n    x += i",
    ]
)
# Defines every name the fragments read, so that many random plans hold together.
_PRELUDE = (
    "import math\nx = 1\nthreshold = 0.5\nmodel = {'w': 2}\nSQL = 'select 1'\n\n"
    "def f(a):\n    return a * 2"
)
_ROLES = st.sampled_from(
    [(), ("parameters",), ("nb2prod:export",), ("nb2prod:load",), ("nb2prod:example",)]
    + [("nb2prod:predict",)] * 3
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.lists(_EXPORT_FRAGMENTS, min_size=1, max_size=4), _ROLES),
        min_size=1,
        max_size=6,
    ),
    st.lists(FRAGMENTS, max_size=1),
    st.sampled_from(["x", "f(x) + len(SQL)", "math.floor(x * threshold)", "[model['w'], x]"]),
)
def test_random_tagged_cells_never_crash_the_export_plan(cells, odd, last):
    """Planning and rendering either succeed or refuse with a named error, never crash."""
    from nb2prod.errors import Nb2ProdError
    from nb2prod.exporter.plan import plan_export
    from nb2prod.exporter.render import notebook_module

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": list(tags)})
        for lines, tags in [
            ([_PRELUDE], ("nb2prod:export",)),
            *cells,
            (odd, ("nb2prod:export",)),
            ([last], ("nb2prod:predict",)),
        ]
    ]
    notebook = parse_notebook(nbformat.writes(nb), "random.ipynb")
    try:
        plan = plan_export(notebook)
    except Nb2ProdError as exc:
        assert exc.exit_code == 2 and exc.message
        return
    module = notebook_module(plan, _spec_for(plan))
    compile(module, "_notebook.py", "exec")  # the generated module is valid Python
    names = [spec.name for spec in plan.parameters]
    assert len(names) == len(set(names))


def _spec_for(plan):
    from nb2prod.exporter.render import PackageSpec

    return PackageSpec(
        name="pkg", version="0.1.0", notebook="random.ipynb", requirements=[], lock=[]
    )
