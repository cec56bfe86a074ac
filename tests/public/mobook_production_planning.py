"""A public notebook nobody here wrote, reduced: "A basic Pyomo model" from the MO-book,
*Hands-On Mathematical Optimization with Python* (mobook/MO-book,
notebooks/01/02-production-planning-basic.ipynb, MIT,
https://github.com/mobook/MO-book/blob/main/notebooks/01/02-production-planning-basic.ipynb).

Kept as they are: the first code cell, which installs Pyomo and HiGHS with ``%pip`` only
``if 'google.colab' in sys.modules`` (on a personal computer the notebook assumes both are
installed) and sets up the solver; the model's variables, expressions, objective and
constraints; the solve; the pandas report.  Cut: every ``display``/``pprint`` cell, the
markdown and the bar chart.  The notebook's repository has no dependency file next to it.
"""

from __future__ import annotations

from pathlib import Path

from ..conftest import write_notebook

NOTEBOOK = "02-production-planning-basic.ipynb"

SETUP = """\
import sys

if 'google.colab' in sys.modules:
    %pip install pyomo >/dev/null 2>/dev/null
    %pip install highspy >/dev/null 2>/dev/null

solver = 'appsi_highs'

import pyomo.environ as pyo
SOLVER = pyo.SolverFactory(solver)

assert SOLVER.available(), f"Solver {solver} is not available.\""""
IMPORT = "import pyomo.environ as pyo"
MODEL = """\
# create model with optional problem title
model = pyo.ConcreteModel("Production Planning: Version 1")"""
VARIABLES = """\
# create decision variables
model.x_M = pyo.Var(bounds=(0, None))
model.x_A = pyo.Var(bounds=(0, 80))
model.x_B = pyo.Var(bounds=(0, 100))

model.y_U = pyo.Var(bounds=(0, 40))
model.y_V = pyo.Var(bounds=(0, None))"""
EXPRESSIONS = """\
# create expressions
model.revenue = 270 * model.y_U + 210 * model.y_V
model.cost = 10 * model.x_M + 50 * model.x_A + 40 * model.x_B"""
OBJECTIVE = """\
@model.Objective(sense=pyo.maximize)
def profit(m):
    return m.revenue - m.cost"""
CONSTRAINTS = """\
@model.Constraint()
def raw_materials(m):
    return 10 * m.y_U + 9 * m.y_V <= m.x_M


@model.Constraint()
def labor_A(m):
    return 1 * m.y_U + 1 * m.y_V <= m.x_A


@model.Constraint()
def labor_B(m):
    return 2 * m.y_U + 1 * m.y_V <= m.x_B"""
SOLVE = "results = SOLVER.solve(model, tee=True)"
REPORT = """\
import pandas as pd

# create pandas series for production and raw materials
production = pd.Series(
    {
        "U": pyo.value(model.y_U),
        "V": pyo.value(model.y_V),
    }
)"""


def production_planning_notebook(folder: Path) -> Path:
    cells = [SETUP, IMPORT, MODEL, VARIABLES, EXPRESSIONS, OBJECTIVE, CONSTRAINTS, SOLVE, REPORT]
    return write_notebook(folder / NOTEBOOK, cells)
