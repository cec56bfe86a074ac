"""Cell source as package code (nb2prod/exporter/code.py)."""

from __future__ import annotations

import ast

from nb2prod.exporter.code import cell_code, indented, with_return
from nb2prod.notebook import Cell


def _cell(source: str, tags=()) -> Cell:
    return Cell(index=0, cell_type="code", source=source, metadata={"tags": list(tags)})


def test_role_markers_are_dropped_but_ordinary_comments_stay():
    assert cell_code(_cell("%%nb2prod load\nmodel = 1")) == "model = 1\n"
    assert cell_code(_cell("#| nb2prod: predict\n# why\nx")) == "# why\nx\n"
    assert cell_code(_cell("# nb2prod is great\nx", tags=["nb2prod:export"])) == (
        "# nb2prod is great\nx\n"
    )


def test_multi_line_strings_keep_their_text_when_indented():
    source = 'query = """\nSELECT *\n  FROM t\n"""\nname = f"""a\n{1 + 1}\nb"""\nx = 1'
    body = indented(source)
    namespace: dict = {}
    exec(compile("def f():\n" + body + "\n    return query, name", "<t>", "exec"), namespace)
    assert namespace["f"]() == ("\nSELECT *\n  FROM t\n", "a\n2\nb")


def test_the_last_expression_is_returned_even_when_it_spans_lines():
    source = "a = 2\n(a\n + 1)"
    body = with_return(source, ast.parse(source))
    namespace: dict = {}
    exec("def f():\n" + indented(body), namespace)
    assert namespace["f"]() == 3
