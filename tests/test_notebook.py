"""Tolerant loading and positions in the raw file (nb2prod/notebook.py)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v3 import nbjson

from nb2prod.errors import NotebookReadError
from nb2prod.notebook import load_notebook, parse_notebook

from .conftest import code, markdown, packages_imported_by, write_notebook


def _raw_line(path, number):
    return path.read_text(encoding="utf-8").split("\n")[number - 1]


def test_v45_cells_ids_tags_and_positions(tmp_path):
    path = write_notebook(
        tmp_path / "nb.ipynb",
        [
            markdown("# Title\ntext"),
            code("import os\nx = '/data/a.csv'\n", count=1, tags=["parameters"]),
        ],
    )
    nb = load_notebook(path)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    first, second = nb.cells
    assert (first.number, first.cell_type, second.number, second.cell_type) == (
        1,
        "markdown",
        2,
        "code",
    )
    assert second.id and second.tags == ("parameters",) and second.execution_count == 1
    assert second.lines == ["import os", "x = '/data/a.csv'", ""]
    for number, text in enumerate(second.lines, start=1):
        if text:
            assert json.dumps(text)[1:-1] in _raw_line(path, second.ipynb_line(number))
    assert "# Title" in _raw_line(path, first.ipynb_line(1))


@pytest.mark.parametrize("indent", [1, 2, 4, None])
def test_positions_for_any_json_layout(tmp_path, indent):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('a = "é"\nb = 2\nc = "\\t"')]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb, indent=indent, ensure_ascii=indent == 4), encoding="utf-8")
    cell = load_notebook(path).cells[0]
    assert cell.source == 'a = "é"\nb = 2\nc = "\\t"'
    if indent is None:  # everything on one physical line
        assert {cell.ipynb_line(n) for n in (1, 2, 3)} == {1}
    else:
        assert "b = 2" in _raw_line(path, cell.ipynb_line(2))


def test_source_as_single_string_maps_every_line_to_that_string(tmp_path):
    doc = {
        "cells": [
            {
                "cell_type": "code",
                "source": "x = 1\ny = 2",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 2,
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(doc, indent=1))
    cell = load_notebook(path).cells[0]
    assert cell.ipynb_line(1) == cell.ipynb_line(2)
    assert "x = 1" in _raw_line(path, cell.ipynb_line(2))


def test_crlf_sources_are_normalised(tmp_path):
    doc = {
        "cells": [
            {"cell_type": "code", "source": ["a = 1\r\n", "b = 2"], "metadata": {}, "outputs": []}
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(doc, indent=1))
    cell = load_notebook(path).cells[0]
    assert cell.lines == ["a = 1", "b = 2"]
    assert "b = 2" in _raw_line(path, cell.ipynb_line(2))


def test_nbformat_v3_is_upgraded_with_positions(tmp_path):
    v3 = nbformat.v3.new_notebook()
    sheet = nbformat.v3.new_worksheet()
    sheet.cells = [nbformat.v3.new_code_cell(input="a = 1\nb = '/home/x'", prompt_number=1)]
    v3.worksheets.append(sheet)
    path = tmp_path / "old.ipynb"
    path.write_text(nbjson.writes(v3))
    nb = load_notebook(path)
    assert nb.upgraded_from == 3 and nb.nbformat == 4
    cell = nb.cells[0]
    assert cell.source == "a = 1\nb = '/home/x'" and cell.execution_count == 1
    assert "/home/x" in _raw_line(path, cell.ipynb_line(2))


def test_v40_without_ids_and_missing_metadata():
    text = json.dumps(
        {"cells": [{"cell_type": "code", "source": "x"}], "nbformat": 4, "nbformat_minor": 0}
    )
    nb = parse_notebook(text)
    assert nb.metadata == {} and nb.cells[0].id is None and nb.cells[0].outputs == []
    assert nb.is_python


@pytest.mark.parametrize(
    ("metadata", "language"),
    [
        ({"kernelspec": {"name": "python3"}}, "python"),
        ({"kernelspec": {"name": "conda-env-ml-py"}}, "python"),
        ({}, "python"),
        ({"kernelspec": {"name": "ir", "language": "R"}}, "r"),
        ({"language_info": {"name": "julia"}}, "julia"),
        ({"kernelspec": {"name": "ir"}}, "ir"),
        ({"kernelspec": {"name": "bash"}}, "bash"),
        ({"jupytext": {"main_language": "julia"}}, "julia"),
        ({"jupytext": {"main_language": "python"}}, "python"),
        (
            {
                "kernelspec": {"name": "python3", "language": "python"},
                "language_info": {"name": "python"},
            },
            "python",
        ),
    ],
)
def test_kernel_language(metadata, language):
    text = json.dumps({"cells": [], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5})
    assert parse_notebook(text).language == language


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty file"),
        ("   \n", "empty file"),
        ('{"cells": [{"cell_type": "code", "sou', "truncated"),
        ("not json at all", "not a notebook: a file that is not JSON"),
        ("<!DOCTYPE html><html>", "not a notebook: an HTML page"),
        ('{"cells": [1, 2,, 3]}', "not valid notebook JSON"),
        ("[1, 2]", "not an object"),
        ('{"a": 1}', "no 'nbformat'"),
        ('{"nbformat": 2, "cells": []}', "too old"),
        ('{"nbformat": 5, "cells": []}', "newer"),
        ('{"nbformat": 4, "cells": {}}', "'cells' is missing"),
    ],
)
def test_unreadable_notebooks_raise_one_clear_error(text, words):
    with pytest.raises(NotebookReadError) as info:
        parse_notebook(text, "bad.ipynb")
    assert words in str(info.value)
    assert "\n" not in info.value.reason


def test_another_kind_of_file_is_named_for_what_it_is():
    with pytest.raises(NotebookReadError) as info:
        parse_notebook("city,rate\nOslo,1.5\n", "data.csv")
    assert info.value.reason == "not a notebook: a .csv file"
    assert "(.ipynb)" in info.value.hint and "version control" not in info.value.hint


def test_non_utf8_and_missing_files(tmp_path):
    path = tmp_path / "latin.ipynb"
    path.write_bytes('{"cells": [], "x": "é"}'.encode("latin-1"))
    with pytest.raises(NotebookReadError, match="not UTF-8"):
        load_notebook(path)
    with pytest.raises(NotebookReadError, match="cannot read"):
        load_notebook(tmp_path / "missing.ipynb")


def test_byte_order_mark_and_odd_cells_are_tolerated(tmp_path):
    doc = {
        "cells": [None, {"cell_type": "code", "source": 5}, {"source": ["a"]}],
        "metadata": {"kernelspec": "oops"},
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    path = tmp_path / "bom.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc).encode())
    nb = load_notebook(path)
    assert [c.cell_type for c in nb.cells] == ["raw", "code", "raw"]
    assert nb.cells[1].source == "" and nb.is_python


def test_output_spans_cover_each_output(tmp_path):
    outputs = [
        nbformat.v4.new_output("stream", text="hi\n"),
        nbformat.v4.new_output("error", ename="E", evalue="v", traceback=[]),
    ]
    path = write_notebook(tmp_path / "nb.ipynb", [code("print(1)", count=1, outputs=outputs)])
    nb = load_notebook(path)
    raw = nb.cells[0].raw
    assert [json.loads(nb.text[s.start : s.end])["output_type"] for s in raw.output_items] == [
        "stream",
        "error",
    ]
    assert json.loads(nb.text[raw.outputs.start : raw.outputs.end]) == nb.cells[0].outputs


def test_upgraded_nbformat_3_cells_have_no_ids_and_the_same_findings_every_time(tmp_path):
    v3 = nbformat.v3.new_notebook()
    sheet = nbformat.v3.new_worksheet()
    sheet.cells = [nbformat.v3.new_code_cell(input="a = 1", prompt_number=1)]
    v3.worksheets.append(sheet)
    path = tmp_path / "old.ipynb"
    path.write_text(nbjson.writes(v3))
    assert [c.id for c in load_notebook(path).cells] == [None]


def test_pyspark_kernels_are_python():
    metadata = {"kernelspec": {"name": "pysparkkernel"}, "language_info": {"name": "pyspark"}}
    text = json.dumps({"cells": [], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5})
    assert parse_notebook(text).is_python


def test_nbformat_loads_without_the_slow_format_grammar_and_leaves_it_importable():
    import subprocess
    import sys

    code = (
        "import sys, importlib.util\n"
        "from nb2prod.notebook import import_nbformat\n"
        "nbformat = import_nbformat()\n"
        "assert nbformat.v4 and 'rfc3987_syntax' not in sys.modules\n"
        "if importlib.util.find_spec('rfc3987_syntax'):\n"
        "    import rfc3987_syntax\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def _every_kind_of_v3_cell() -> nbformat.NotebookNode:
    """An nbformat 3 notebook made by nbformat's own v3 constructors: every cell kind and
    output kind, multi-line text, a collapsed cell, and notebook metadata v4 drops."""
    new = nbformat.v3
    outputs = [
        new.new_output("stream", output_text="line 1\nline 2\n", stream="stderr"),
        new.new_output("pyout", output_text="42", output_html="<b>42</b>", prompt_number=3),
        new.new_output(
            "display_data",
            output_png="aW1hZ2U=\n",
            output_json='{"a": [1, 2]}',
            output_latex="$x$",
            metadata={"png": {"width": 10}},
        ),
        new.new_output("pyerr", ename="ValueError", evalue="bad", traceback=["frame 1", "bad"]),
    ]
    cells = [
        new.new_heading_cell("A title\nover two lines", level=2),
        new.new_text_cell("markdown", source="Some *text*\nand more"),
        new.new_text_cell("html", source="<p>old</p>"),
        new.new_text_cell("raw", source="raw text"),
        new.new_code_cell(input="x = 1\nprint(x)\n", prompt_number=3, outputs=outputs),
        new.new_code_cell(input="y = 2", collapsed=True),
    ]
    notebook = new.new_notebook(name="old", metadata={"signature": "sha256:0"})
    notebook.worksheets = [new.new_worksheet(cells=cells[:3]), new.new_worksheet(cells=cells[3:])]
    return notebook


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(None, id="every-cell-and-output-kind"),
        *(
            pytest.param(path, id=path.name)
            for path in sorted(Path(__file__).parent.glob("fixtures/notebooks/v3_*.ipynb"))
        ),
    ],
)
def test_nbformat_3_upgrade_matches_nbformat_s_own(path):
    from nbformat.v3.rwbase import rejoin_lines

    from nb2prod import nbformat3

    # nbformat 3 files store text as lists of lines, as nbjson.writes does.
    text = path.read_text() if path else nbjson.writes(_every_kind_of_v3_cell())
    theirs = nbformat.convert(rejoin_lines(nbformat.from_dict(json.loads(text))), 4)
    ours = nbformat3.upgrade(json.loads(text))
    for cell in theirs.cells:
        del cell["id"]  # random: nb2prod leaves upgraded cells without ids
    assert ours == json.loads(json.dumps(theirs))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda nb: nb.pop("metadata"), "no 'metadata' object"),
        (lambda nb: nb.pop("worksheets"), "not a list of worksheets"),
        (lambda nb: nb["worksheets"][0].pop("cells"), "not a list of worksheets"),
    ],
)
def test_nbformat_3_files_nbformat_refuses_are_refused_with_the_reason(change, words):
    from nbformat.v3.rwbase import rejoin_lines

    document = json.loads(nbjson.writes(_every_kind_of_v3_cell()))
    change(document)
    with pytest.raises(NotebookReadError, match=f"cannot upgrade nbformat 3 notebook: .*{words}"):
        parse_notebook(json.dumps(document))
    with pytest.raises((AttributeError, KeyError, nbformat.ValidationError)):  # as nbformat does
        nbformat.convert(rejoin_lines(nbformat.from_dict(document)), 4)


def test_reading_an_nbformat_3_notebook_does_not_import_nbformat(tmp_path):
    path = tmp_path / "old.ipynb"
    path.write_text(nbjson.writes(_every_kind_of_v3_cell()))
    code = (
        "from nb2prod.notebook import load_notebook\n"
        f"notebook = load_notebook({str(path)!r})\n"
        "assert notebook.upgraded_from == 3 and len(notebook.cells) == 6\n"
    )
    assert not {"nbformat", "jsonschema"} & packages_imported_by(code)
