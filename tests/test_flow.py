"""Per-cell names and cross-cell flow (nb2prod/flow.py)."""

from __future__ import annotations

import pytest

from nb2prod.flow import cell_names, free_names, name_problems
from nb2prod.syntax import parse_cell


def names(source):
    return cell_names(parse_cell(source))


@pytest.mark.parametrize(
    ("source", "defines", "reads"),
    [
        ("x = y + 1", {"x"}, {"y"}),
        ("x = 1\nprint(x)", {"x"}, {"print"}),
        ("x += 1", {"x"}, {"x"}),
        ("import numpy as np, os.path\nfrom a.b import c as d", {"np", "os", "d"}, set()),
        ("def f(a, b=default):\n    return a + g", {"f"}, {"default"}),
        (
            "@decorate\nclass K(Base):\n    attr = value\n    def m(self):\n        return later",
            {"K"},
            {"decorate", "Base", "value"},
        ),
        (
            "for i, (j, k) in enumerate(items):\n    total = i",
            {"i", "j", "k", "total"},
            {"enumerate", "items"},
        ),
        ("with open(p) as fh, ctx() as (a, b):\n    pass", {"fh", "a", "b"}, {"open", "p", "ctx"}),
        ("try:\n    pass\nexcept ValueError as err:\n    pass", {"err"}, {"ValueError"}),
        ("if (n := compute()) > 1:\n    pass", {"n"}, {"compute"}),
        ("squares = [v * v for v in values if v > limit]", {"squares"}, {"values", "limit"}),
        ("pairs = {k: w for k in keys for w in k}", {"pairs"}, {"keys"}),
        ("[last := v for v in data]", {"last"}, {"data"}),
        ("f = lambda q: q + offset", {"f"}, set()),
        (
            "match point:\n    case (px, py):\n        pass\n    case {'k': kv, **rest}:\n        pass",
            {"px", "py", "kv", "rest"},
            {"point"},
        ),
        ("x: int\ny: int = 2", {"y"}, {"int"}),
        ("obj.attr = value\nitems[i] = 2", set(), {"obj", "value", "items", "i"}),
        ("try:\n    model\nexcept NameError:\n    model = 1", {"model"}, {"NameError"}),
        ("%%capture out\nprint(1)", {"out"}, {"print"}),
        ("files = !ls\nn = len(files)", {"files", "n"}, {"len"}),
        ("%store -r shared", {"shared"}, set()),
        ("def g():\n    global counter\n    counter = 1", {"g", "counter"}, set()),
    ],
)
def test_definitions_and_reads(source, defines, reads):
    result = names(source)
    assert set(result.defines) == defines
    assert set(result.reads) == reads


def test_deferred_reads_of_functions_and_classes():
    result = names(
        "def f(a):\n    import os\n    def inner(z):\n        return z + h\n    return a + g\nclass C:\n"
        "    def m(self):\n        return q"
    )
    assert result.deferred == {"f": {"g", "h"}, "C": {"q"}}
    assert free_names(parse_cell("def f(x):\n    return [y for y in x]").tree.body[0]) == set()


def test_delete_and_star_import():
    result = names("del x\nfrom pandas import *")
    assert set(result.deletes) == {"x"} and result.star_imports == ["pandas"]


def _problems(*sources):
    return [
        (p.kind, p.cell, p.name, p.other)
        for p in name_problems([(i, names(s)) for i, s in enumerate(sources)])
    ]


def test_cross_cell_use_before_define():
    assert _problems("print(df)", "df = load()") == [
        ("later", 0, "df", 1),
        ("undefined", 1, "load", None),
    ]


def test_use_later_in_the_same_cell():
    assert _problems("print(a)\na = 1") == [("later", 0, "a", 0)]


def test_late_binding_inside_functions_is_fine():
    assert _problems("def f():\n    return model", "model = 1", "f()") == []


def test_deleted_names_count():
    assert _problems("x = 1", "del x", "print(x)") == [("deleted", 2, "x", 1)]
    assert _problems("x = 1", "del x", "x = 2", "print(x)") == []


def test_star_imports_and_run_make_names_unknown():
    assert _problems("from math import *", "print(pi)") == []
    assert _problems("%run helpers.py", "helper()") == []
    assert _problems("print(pi)", "from math import *") == [("undefined", 0, "pi", None)]


def test_builtins_and_ipython_names_are_defined():
    assert _problems("display(In[1], Out, _, _3, _i2, get_ipython(), __name__)") == []


def test_names_in_a_cell_with_its_own_star_import_or_pylab_are_unknown():
    assert _problems("from numpy import *\nprint(pi)", "pi = 3") == []
    assert _problems("%pylab inline", "plot(x)") == []
    assert _problems("%pylab --no-import-all", "plot(x)") == [
        ("undefined", 1, "plot", None),
        ("undefined", 1, "x", None),
    ]


def test_very_deep_code_makes_the_cell_opaque_instead_of_crashing():
    deep = (
        "x = "
        + "(" * 200
        + "1"
        + ")" * 200
        + "\n"
        + "\n".join(
            ["if a:"] + [f"{'    ' * i}if b{i}:" for i in range(1, 95)] + [f"{'    ' * 95}pass"]
        )
    )
    assert {"a", "b1", "b94"} <= set(names(deep).reads)
    parsed = parse_cell("y = " + " + ".join(["1"] * 100_000))
    assert parsed.tree is None and "too deeply nested" in parsed.error.message
    assert names("y = " + " + ".join(["1"] * 100_000)).opaque
