"""NB301, NB311-NB313: prompts, clipboard, Colab manual steps, debuggers.  Real notebooks
through the lint engine."""

from __future__ import annotations

import pytest

from tests.conftest import codes, markdown

INTERACTIVE = ["NB301", "NB311", "NB312", "NB313"]


def spans(findings):
    return [(f.code, f.cell, f.line, f.column, f.end_line, f.end_column) for f in findings]


# --------------------------------------------------------------------------- NB301


@pytest.mark.parametrize(
    ("source", "span", "words"),
    [
        ('name = input("Name? ")', (1, 8, 1, 23), "`input()` waits for someone to type"),
        ("x = float(input())", (1, 11, 1, 18), "`input()`"),
        ("raw_input()", (1, 1, 1, 12), "`raw_input()`"),
        ('import builtins\nbuiltins.input("x")', (2, 1, 2, 20), "`input()`"),
        ("def ask():\n    return input('Threshold? ')", (2, 12, 2, 32), "`input()`"),
        (
            "import getpass\npw = getpass.getpass()",
            (2, 6, 2, 23),
            "`getpass()` prompts for a secret",
        ),
        (
            'from getpass import getpass\npw = getpass("Password: ")',
            (2, 6, 2, 27),
            "environment variable",
        ),
        ("import getpass as gp\npw = gp.getpass()", (2, 6, 2, 18), "`getpass()`"),
    ],
)
def test_prompts_are_reported(lint_cells, source, span, words):
    findings = lint_cells([source], select=INTERACTIVE)
    assert codes(findings) == ["NB301"]
    (finding,) = findings
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == span
    assert finding.severity == "error"
    assert words in finding.message


def test_prompt_message_names_the_parameters_cell(lint_cells):
    (finding,) = lint_cells(["n = int(input())"], select=["NB301"])
    assert "`parameters` cell" in finding.message


@pytest.mark.parametrize(
    "sources",
    [
        # the notebook defines its own input (e.g. a stub for batch runs)
        ["def input(prompt=''):\n    return DEFAULTS[prompt]", 'x = input("Threshold? ")'],
        ['x = input("Threshold? ")', "input = lambda prompt='': '0.5'"],
        ["def run(input):\n    return input()"],
        ["f = lambda input: input()"],
        ["def g():\n    input = read_defaults\n    return input()"],
        ["import getpass\nuser = getpass.getuser()"],
        ["import ipywidgets as widgets\nbox = widgets.Text(description='input()')"],
        ["# input() is not called here", "layer = model.input\nself_input = obj.input()"],
        ["from tensorflow.keras import Input\nx = Input(shape=(3,))"],
    ],
)
def test_not_prompts(lint_cells, sources):
    assert lint_cells(sources, select=["NB301"]) == []


def test_prompts_in_markdown_are_not_code(lint_cells):
    assert lint_cells([markdown("Type `input()` to answer.")], select=INTERACTIVE) == []


# --------------------------------------------------------------------------- NB311


@pytest.mark.parametrize(
    ("source", "shown", "span"),
    [
        ("import pandas as pd\ndf = pd.read_clipboard()", "pandas.read_clipboard", (2, 6, 2, 25)),
        (
            'import pandas\ndf = pandas.read_clipboard(sep="\\t")',
            "pandas.read_clipboard",
            (2, 6, 2, 37),
        ),
        (
            "from pandas import read_clipboard\ndf = read_clipboard()",
            "pandas.read_clipboard",
            (2, 6, 2, 22),
        ),
        ("import pyperclip\ntext = pyperclip.paste()", "pyperclip.paste", (2, 8, 2, 25)),
    ],
)
def test_clipboard_reads(lint_cells, source, shown, span):
    findings = lint_cells([source], select=INTERACTIVE)
    assert codes(findings) == ["NB311"]
    (finding,) = findings
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == span
    assert f"`{shown}()` reads whatever is on the clipboard" in finding.message
    assert finding.severity == "error"


@pytest.mark.parametrize(
    "source",
    [
        "df.to_clipboard()",
        'import pyperclip\npyperclip.copy("done")',
        "def read_clipboard():\n    return CACHED\ndf = read_clipboard()",
        "text = editor.paste()",
    ],
)
def test_not_clipboard_reads(lint_cells, source):
    assert lint_cells([source], select=["NB311"]) == []


# --------------------------------------------------------------------------- NB312


@pytest.mark.parametrize(
    ("source", "words", "line"),
    [
        (
            "from google.colab import files\nfiles.upload()",
            "`files.upload()` opens a file picker",
            2,
        ),
        ('from google.colab import files\nfiles.download("model.pkl")', "`files.download()`", 2),
        (
            'from google.colab import drive\ndrive.mount("/content/drive")',
            "`drive.mount()` asks someone",
            2,
        ),
        (
            'import google.colab\ngoogle.colab.drive.mount("/content/drive", force_remount=True)',
            "`drive.mount()`",
            2,
        ),
        (
            "from google.colab import auth\nauth.authenticate_user()",
            "`auth.authenticate_user()`",
            2,
        ),
        ("from google.colab.files import upload\nupload()", "`files.upload()`", 2),
        ("from google.colab import files as f\nf.upload()", "`files.upload()`", 2),
    ],
)
def test_colab_manual_steps(lint_cells, source, words, line):
    findings = lint_cells([source], select=INTERACTIVE)
    assert codes(findings) == ["NB312"]
    (finding,) = findings
    assert finding.line == line and finding.column == 1
    assert words in finding.message
    assert finding.severity == "error"


@pytest.mark.parametrize(
    "source",
    [
        "files = sorted(paths)\nfiles.upload()",  # a notebook variable, not Colab's module
        "def upload():\n    return None\nupload()",
        "from google.colab import output\noutput.enable_custom_widget_manager()",
        "from google.cloud import storage\nstorage.Client().bucket('b').blob('x').upload_from_filename('x')",
        "import drive\ndrive.mount('/content/drive')",  # some other package called drive
    ],
)
def test_not_colab_manual_steps(lint_cells, source):
    assert lint_cells([source], select=["NB312"]) == []


# --------------------------------------------------------------------------- NB313


@pytest.mark.parametrize(
    ("source", "span", "shown"),
    [
        ("breakpoint()", (1, 1, 1, 13), "`breakpoint()`"),
        ("def f(x):\n    breakpoint()\n    return x", (2, 5, 2, 17), "`breakpoint()`"),
        ("import pdb; pdb.set_trace()", (1, 13, 1, 28), "`pdb.set_trace()`"),
        ("import ipdb\nipdb.set_trace()", (2, 1, 2, 17), "`ipdb.set_trace()`"),
        ("import pdb\npdb.pm()", (2, 1, 2, 9), "`pdb.pm()`"),
        ("import pdb\npdb.post_mortem()", (2, 1, 2, 18), "`pdb.post_mortem()`"),
        ("import IPython\nIPython.embed()", (2, 1, 2, 16), "`IPython.embed()`"),
        ("from IPython import embed\nembed()", (2, 1, 2, 8), "`IPython.embed()`"),
        (
            "import IPython\nIPython.core.debugger.set_trace()",
            (2, 1, 2, 34),
            "`IPython.core.debugger.set_trace()`",
        ),
        (
            "from IPython.core.debugger import set_trace\nset_trace()",
            (2, 1, 2, 12),
            "`IPython.core.debugger.set_trace()`",
        ),
        (
            "from IPython.core.debugger import Pdb\nPdb().set_trace()",
            (2, 1, 2, 18),
            "`set_trace()`",
        ),
        ("%debug", (1, 1, 1, 7), "`%debug`"),
        ("%%debug\nresult = train(model)", (1, 1, 1, 8), "`%%debug`"),
        ("%pdb", (1, 1, 1, 5), "`%pdb`"),
        ("%pdb on", (1, 1, 1, 8), "`%pdb on`"),
        ("%pdb 1", (1, 1, 1, 7), "`%pdb 1`"),
        ("pdb on", (1, 1, 1, 7), "`%pdb on`"),
        ('get_ipython().run_line_magic("pdb", "on")', (1, 1, 1, 42), "`%pdb on`"),
    ],
)
def test_debugger_calls(lint_cells, source, span, shown):
    findings = lint_cells([source], select=INTERACTIVE)
    assert codes(findings) == ["NB313"]
    (finding,) = findings
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == span
    assert f"{shown} starts a debugger" in finding.message
    assert finding.severity == "error"


@pytest.mark.parametrize(
    "source",
    [
        "%pdb off",
        "%pdb 0",
        "import pdb",
        'import logging\nlogging.debug("breakpoint() reached")',
        "debug = True\nif debug:\n    print('x')",
        "def breakpoint():\n    pass\nbreakpoint()",
        'print("pdb.set_trace()")',
        "%xmode Verbose",
    ],
)
def test_not_debugger_calls(lint_cells, source):
    assert lint_cells([source], select=["NB313"]) == []


def test_each_call_is_reported_once_across_cells(lint_cells):
    cells = [
        "import pandas as pd\nfrom google.colab import files",
        "uploaded = files.upload()\ndf = pd.read_clipboard()",
        "name = input()\nbreakpoint()",
    ]
    findings = lint_cells(cells, select=INTERACTIVE)
    assert [(f.code, f.cell, f.line) for f in findings] == [
        ("NB312", 2, 1),
        ("NB311", 2, 2),
        ("NB301", 3, 1),
        ("NB313", 3, 2),
    ]


def test_odd_cells_do_not_crash_the_rules(lint_cells):
    cells = [
        "",
        "input(\n",  # syntax error
        "x = input()\ndef broken(:\n    pass\nbreakpoint()",
        "%%bash\nread -p 'name' NAME",
        "%%debug",
        "\n".join("y = input()" for _ in range(2000)),
    ]
    findings = lint_cells(cells, select=["NB000", *INTERACTIVE])
    assert "NB000" not in codes(findings)
    assert [(f.code, f.line) for f in findings if f.cell == 3] == [("NB301", 1), ("NB313", 4)]
    assert [(f.code, f.line) for f in findings if f.cell == 5] == [("NB313", 1)]
    assert sum(1 for f in findings if f.cell == 6) == 2000
