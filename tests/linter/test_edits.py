"""Raw-text edits keep every other byte of the notebook (nb2prod/linter/edits.py)."""

from __future__ import annotations

import json

import nbformat
import pytest

from nb2prod.linter.edits import remove_outputs, replace_in_line
from nb2prod.notebook import parse_notebook


def _apply(text, edit):
    return text[: edit.start] + edit.text + text[edit.end :]


def _notebook(sources, outputs=(), **dump):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.cells[0].outputs = list(outputs)
    if dump:
        return json.dumps(nb, **dump) + "\n"
    return nbformat.writes(nb)


@pytest.mark.parametrize(
    "dump", [{}, {"indent": 2}, {"indent": 4, "ensure_ascii": True}, {"indent": None}]
)
def test_replace_in_line_changes_only_the_span(dump):
    text = _notebook(['x = "é\\t"\n  !pip install a\nz = 1'], **dump)
    notebook = parse_notebook(text)
    cell = notebook.cells[0]
    edit = replace_in_line(notebook, cell, 2, 3, 7, "%pip")
    fixed = _apply(text, edit)
    assert parse_notebook(fixed).cells[0].source == 'x = "é\\t"\n  %pip install a\nz = 1'
    assert fixed.replace("%pip", "!pip") == text


def test_replace_in_line_when_source_is_one_string():
    doc = {
        "cells": [
            {
                "cell_type": "code",
                "source": "a = 1\n!pip install x\n",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    text = json.dumps(doc, indent=1)
    notebook = parse_notebook(text)
    fixed = _apply(text, replace_in_line(notebook, notebook.cells[0], 2, 1, 5, "%pip"))
    assert json.loads(fixed)["cells"][0]["source"] == "a = 1\n%pip install x\n"


def test_remove_outputs_keeps_layout():
    outputs = [
        nbformat.v4.new_output("stream", text="a\n"),
        nbformat.v4.new_output("error", ename="E", evalue="v", traceback=["t"]),
        nbformat.v4.new_output("stream", text="b\n"),
    ]
    text = _notebook(["print(1)"], outputs)
    notebook = parse_notebook(text)
    fixed = _apply(text, remove_outputs(notebook, notebook.cells[0], {1}))
    expected = nbformat.reads(text, as_version=4)
    del expected.cells[0].outputs[1]
    assert fixed == nbformat.writes(expected)
    everything = _apply(text, remove_outputs(notebook, notebook.cells[0], {0, 1, 2}))
    expected.cells[0].outputs = []
    assert everything == nbformat.writes(expected)
