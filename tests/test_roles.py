"""Cell roles, as ARCHITECTURE §4.1 spells them (nb2prod/roles.py)."""

from __future__ import annotations

import pytest

from nb2prod.notebook import load_notebook
from nb2prod.roles import ROLE_TAGS, RoleError, cell_role, notebook_roles

from .conftest import code, markdown, write_notebook


def _cells(tmp_path, *cells):
    return load_notebook(write_notebook(tmp_path / "nb.ipynb", list(cells))).cells


@pytest.mark.parametrize("role", list(ROLE_TAGS))
def test_every_role_in_each_spelling(tmp_path, role):
    by_tag, by_magic, by_comment = _cells(
        tmp_path,
        code("x = 1", tags=[ROLE_TAGS[role]]),
        code(f"%%nb2prod {role}\nx = 1"),
        code(f"\n#| nb2prod: {role}\nx = 1"),
    )
    assert cell_role(by_tag) == cell_role(by_magic) == cell_role(by_comment) == role


def test_cells_without_a_role_and_other_tags(tmp_path):
    plain, linted, tracked, prose = _cells(
        tmp_path,
        code("x = 1", tags=["hide-input"]),
        code("y = 2", tags=["nb2prod:noqa=NB201"]),
        code("%%nb2prod track --experiment churn\nfit()"),
        markdown("#| nb2prod: export"),
    )
    assert [cell_role(c) for c in (plain, linted, tracked, prose)] == [None, None, None, None]


def test_same_role_twice_is_fine_two_roles_are_not(tmp_path):
    twice, conflict = _cells(
        tmp_path,
        code("%%nb2prod export\ndef f(): ...", tags=["nb2prod:export"]),
        code("%%nb2prod predict\ny = f(x)", tags=["nb2prod:export"]),
    )
    assert cell_role(twice) == "export"
    with pytest.raises(RoleError) as info:
        cell_role(conflict)
    assert "cell 2" in str(info.value) and "`export` (nb2prod:export)" in str(info.value)
    assert "`predict` (%%nb2prod predict)" in str(info.value) and info.value.exit_code == 2


@pytest.mark.parametrize(
    "cell",
    [code("x = 1", tags=["nb2prod:exprt"]), code("#| nb2prod: predicts\nx = 1")],
)
def test_unknown_roles_name_the_valid_ones(tmp_path, cell):
    (found,) = _cells(tmp_path, cell)
    with pytest.raises(RoleError) as info:
        cell_role(found)
    assert "unknown role" in info.value.message and "`nb2prod:predict`" in info.value.hint


def test_notebook_roles(tmp_path):
    notebook = load_notebook(
        write_notebook(
            tmp_path / "nb.ipynb",
            [
                code("threshold = 0.5", tags=["parameters"]),
                code("import joblib", tags=["nb2prod:export"]),
                code("model = joblib.load('m.pkl')", tags=["nb2prod:load"]),
                code("train()"),
                code("#| nb2prod: example\nX = [[1, 2]]"),
                code("%%nb2prod predict\nmodel.predict(X) > threshold"),
            ],
        )
    )
    assert notebook_roles(notebook) == {
        0: "parameters",
        1: "export",
        2: "load",
        4: "example",
        5: "predict",
    }
