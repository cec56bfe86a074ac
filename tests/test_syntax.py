"""IPython-aware parsing that keeps line numbers (nb2prod/syntax.py)."""

from __future__ import annotations

import ast
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nb2prod.syntax import parse_cell

from .conftest import packages_imported_by

# Valid IPython: must parse (tree present, no error) with the escapes found.
IPYTHON_ZOO = [
    ("%matplotlib inline\nimport numpy as np", [("line_magic", "matplotlib", "inline", 1)]),
    ("!pip install pandas==2.0", [("shell", "pip", "install pandas==2.0", 1)]),
    ("!!ls", [("shell", "ls", "", 1)]),
    ("files = !ls *.csv\nprint(files)", [("shell", "ls", "*.csv", 1)]),
    ("who = %who_ls\n", [("line_magic", "who_ls", "", 1)]),
    ("   %time f()", [("line_magic", "time", "f()", 1)]),
    ("    ?str.splitlines", [("help", "", "str.splitlines", 1)]),
    ("a = b??", [("help", "", "a = b", 1)]),
    ("df.head?", [("help", "", "df.head", 1)]),
    ("cd /data/raw\nx = 1", [("line_magic", "cd", "/data/raw", 1)]),
    ("cd ..", [("line_magic", "cd", "..", 1)]),
    ("pip install numpy", [("line_magic", "pip", "install numpy", 1)]),
    ("ls -la", [("shell", "ls", "-la", 1)]),
    ("pwd", [("line_magic", "pwd", "", 1)]),
    ("for i in range(3):\n    !echo $i\n", [("shell", "echo", "$i", 2)]),
    ("if True:\n    %cd /tmp\nelse:\n    pass", [("line_magic", "cd", "/tmp", 2)]),
    ("%%time\nx = 1\ny = 2", [("cell_magic", "time", "", 1)]),
    (
        "%%capture captured --no-stderr\nprint(1)",
        [("cell_magic", "capture", "captured --no-stderr", 1)],
    ),
    ("%%nb2prod predict\nresult = model.predict(X)", [("cell_magic", "nb2prod", "predict", 1)]),
    (
        "\n\n%load_ext autoreload\n%autoreload 2",
        [("line_magic", "load_ext", "autoreload", 3), ("line_magic", "autoreload", "2", 4)],
    ),
    ("  x = 1\n  y = x", []),  # IPython strips the first line's indentation
    ("s = '''\n%not a magic\n!nor this\n'''", []),
    ("total = (a +\n         b)", []),
    ("x = 10 % 3\ny = x != 2", []),
    ("await asyncio.sleep(1)", []),
    ("time.sleep(1)\nrun_id = 3\nls = [1]", []),
    ("print('what?')\nx = 1  # really?", []),
    ("!ls \\\n  -la\nx = 1", [("shell", "ls", "\\", 1)]),
]


@pytest.mark.parametrize(("source", "escapes"), IPYTHON_ZOO)
def test_valid_ipython_parses_with_escapes(source, escapes):
    parsed = parse_cell(source)
    assert parsed.error is None
    assert parsed.tree is not None
    assert [(e.kind, e.name, e.args, e.line) for e in parsed.escapes] == escapes


def test_line_numbers_stay_put_around_escapes():
    parsed = parse_cell(
        "%matplotlib inline\n!pip install x\nvalue = '/data/a.csv'\n  # c\nother = 1"
    )
    assigns = [n for n in ast.walk(parsed.tree) if isinstance(n, ast.Assign)]
    assert [a.targets[0].id for a in assigns] == ["value", "other"]
    assert [a.lineno for a in assigns] == [3, 5]


def test_assignment_from_shell_binds_the_target():
    parsed = parse_cell("files = !ls\n")
    (escape,) = parsed.escapes
    assert escape.target == "files" and escape.column == 1
    assert isinstance(parsed.tree.body[0], ast.Assign)


def test_columns_account_for_stripped_indentation_and_unicode():
    parsed = parse_cell("   x = 1\n   y = 'é/home/a'")
    node = parsed.tree.body[1].value
    line, column, _, end_column = parsed.position(node)
    assert parsed.lines[line - 1][column - 1 : end_column - 1] == "'é/home/a'"


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("%%time\nx = 1\nmodel.fit(X, y\n", 3),  # the body of a Python cell magic is checked
        ("x = 1\ny = = 2", 2),
        ("def f(:\n    pass", 1),
        ("print 'hello'", 1),
    ],
)
def test_real_syntax_errors_are_reported_at_their_line(source, line):
    parsed = parse_cell(source)
    assert parsed.error is not None and parsed.error.line == line


def test_code_around_a_syntax_error_is_still_parsed():
    parsed = parse_cell("import os\nx = (\ny = '/home/alice/data.csv'\n\nz = 3")
    assert parsed.error is not None
    names = {n.id for n in ast.walk(parsed.tree) if isinstance(n, ast.Name)}
    assert "z" in names
    assert any(isinstance(n, ast.Import) for n in ast.walk(parsed.tree))


@pytest.mark.parametrize(
    "magic", ["bash", "sql", "html", "javascript", "R", "writefile out.txt", "markdown"]
)
def test_non_python_cell_magics_are_not_parsed(magic):
    parsed = parse_cell(f"%%{magic}\nthis is := not python\n")
    assert parsed.tree is None and parsed.error is None and not parsed.python


def test_bash_cell_lines_become_shell_escapes():
    parsed = parse_cell("%%bash\n# comment\npip install x\n  ls -la\n")
    shells = [(e.name, e.args, e.line, e.column) for e in parsed.escapes if e.kind == "shell"]
    assert shells == [("pip", "install x", 3, 1), ("ls", "-la", 4, 3)]


def test_empty_and_blank_cells():
    for source in ("", "\n\n", "   "):
        parsed = parse_cell(source)
        assert parsed.error is None and parsed.tree is not None and not parsed.escapes


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_random_text_never_crashes_the_parser(text):
    parsed = parse_cell(text)
    if parsed.error is not None:
        assert 1 <= parsed.error.line <= max(1, len(text.split("\n")))


_LINES = st.sampled_from(
    [
        "x = 1",
        "%time f()",
        "!ls -la",
        "y = x + 1",
        "cd /tmp",
        "z = !pwd",
        "  ",
        "# c",
        "obj?",
        "for i in range(2):",
        "    print(i)",
        "    !echo hi",
        "pip install a",
        "w = 'a?'",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINES, max_size=12))
def test_every_assignment_keeps_its_line(lines):
    source = "\n".join(lines)
    parsed = parse_cell(source)
    if parsed.tree is None or parsed.error is not None:
        return
    for node in ast.walk(parsed.tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            assert lines[node.lineno - 1].lstrip().startswith(node.targets[0].id)


@pytest.mark.parametrize(
    ("source", "magic", "python"),
    [
        ("%sql\nSELECT type, COUNT(*) FROM events GROUP BY type", "sql", False),
        ('%scala\nval events = spark.table("events")', "scala", False),
        ("%md\n# Notes", "md", False),
        ("%python\nx = 1", "python", True),
    ],
)
def test_databricks_language_lines_act_as_cell_magics(source, magic, python):
    parsed = parse_cell(source, databricks=True)
    assert parsed.cell_magic == magic and parsed.error is None and parsed.python is python
    assert parse_cell(source).cell_magic is None  # elsewhere `%sql` is a line magic


def test_databricks_shell_cells_become_shell_escapes():
    parsed = parse_cell("%sh\npip install pandas", databricks=True)
    assert [(e.kind, e.name, e.line) for e in parsed.escapes] == [
        ("cell_magic", "sh", 1),
        ("shell", "pip", 2),
    ]


def test_text_compile_rejects_without_a_position_is_an_error_not_a_crash():
    parsed = parse_cell('x = "\ud800 lone surrogate"\ny = 1')
    assert parsed.error is not None and parsed.error.line == 1


@pytest.mark.parametrize(
    "source",
    [
        ">>> x = 1\n>>> print(x)",
        ">>> def f():\n...     return 1\n>>> f()",
        "In [1]: x = 1\n   ...: y = 2",
        "a = 1\n>>> b = 2",
        "x = (\n",
    ],
)
def test_pasted_prompts_parse_the_same_without_ipython(source, monkeypatch):
    """nb2prod-lint installs without IPython: pasted prompts still parse as IPython runs them."""
    with_ipython = parse_cell(source)
    monkeypatch.setitem(sys.modules, "IPython.core.inputtransformer2", None)
    without = parse_cell(source)
    assert (without.error, _dump(without.tree)) == (with_ipython.error, _dump(with_ipython.tree))


def _dump(tree: ast.Module | None) -> str | None:
    return None if tree is None else ast.dump(tree, include_attributes=True)


@pytest.mark.parametrize(
    "code",
    [
        'print "Shouldn\'t get here."',  # Python 2, from papermill's own test notebooks
        "Some lines\nof prose pasted into a code cell",
        "x = (\n",
        "def f(:\n    pass",
        "if x != 1:\nreturn",  # != is no shell escape
        "REMOTE - with a different source!",  # from nbdime's own test notebooks
        "x = 100 % 7 +",
        "a = [1,\n 2\nb = 3",
        "x = 1 if y else",
        "s = 'caf\u00e9' +",
        "x = 1\n\n\ny = (",
        "class A:\npass\n",
    ],
)
def test_code_without_ipython_syntax_is_what_ipython_runs_without_asking_it(code, monkeypatch):
    from IPython.core.inputtransformer2 import TransformerManager

    from nb2prod.ipython_source import as_ipython_runs_it

    expected = TransformerManager().transform_cell(code)
    monkeypatch.setitem(sys.modules, "IPython.core.inputtransformer2", None)  # not asked
    assert as_ipython_runs_it(code) == expected


@pytest.mark.parametrize(
    "code",
    [
        "!ls\nx = (",
        "x = !ls\ny = (",
        "%time x = (",
        "obj?\nx = (",
        "x = (\nobj??  # help",
        "x = %time f()\ny = (",
        ",f a b\nx = (",
        ";f a b",
        "/f a",
        ">>> x = (",
        "In [1]: x = (",
        "   ...: x",
        "\nx = (",
        "  x = (",
        "%%time\nx = (",
    ],
)
def test_code_with_ipython_syntax_is_still_given_to_ipython(code):
    from IPython.core.inputtransformer2 import TransformerManager

    from nb2prod.ipython_source import IPYTHON_TRANSFORMS, as_ipython_runs_it

    assert IPYTHON_TRANSFORMS.search(code)
    assert as_ipython_runs_it(code) == TransformerManager().transform_cell(code)


@pytest.mark.parametrize(
    "code",
    [
        # From nbdime's own test notebooks: prose in a code cell, a question at its end.
        "Some lines\nTo help with\nAlignment\nWar! What is it good for?\n",
        "x y\nfoo?",
        "if x y:\n    foo?",
        "x = 1\ny z\n%time f()",
        # IPython must be asked: its syntax comes first, or the erroneous line is part
        # of a statement that a ? later turns into a help request.
        "foo(a,\n b)?",
        "foo(a,\n    b c,\n)?",
        "a = [1,\n2 3]\nb?",
        "s = '''\nx y\n'''?",
        "%time x y\nz",
    ],
)
def test_syntax_errors_agree_with_ipython(code):
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        compile(TransformerManager().transform_cell(code), "<cell>", "exec", ast.PyCF_ONLY_AST)
        expected = None
    except SyntaxError as error:
        expected = error.lineno
    parsed = parse_cell(code)
    assert (parsed.error.line if parsed.error else None) == expected


@pytest.mark.parametrize(
    "code",
    [
        'print "old"',  # no IPython syntax at all
        "Some lines\nTo help with\nWar! What is it good for?",  # none on or before line 1
    ],
)
def test_a_syntax_error_ipython_would_not_change_is_found_without_importing_it(code):
    check = f"from nb2prod.syntax import parse_cell\nassert parse_cell({code!r}).error.line == 1"
    assert "IPython" not in packages_imported_by(check)
