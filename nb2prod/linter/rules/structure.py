"""Structure rules: how the notebook is laid out for running as a job and for export."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from nb2prod.linter.context import CellIndex
from nb2prod.linter.rule import Finding, Rule, Severity
from nb2prod.notebook import Cell
from nb2prod.syntax import ParsedCell

#: Exceptions whose handler makes a ``try: import x`` an optional-dependency fallback.
_IMPORT_FALLBACK_ERRORS = frozenset(
    {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
)


def _has_statements(parsed: ParsedCell) -> bool:
    """True when the cell holds Python statements, not only comments and IPython escapes
    (``%matplotlib inline`` or ``!pip install`` cells, whose lines are masked as ``pass``)."""
    if parsed.tree is None or not parsed.python:
        return False
    escape_lines = {escape.line for escape in parsed.escapes}
    return any(statement.lineno not in escape_lines for statement in parsed.tree.body)


def _holds_parameters(ctx, cell) -> bool:
    return ctx.is_parameters(cell) or "injected-parameters" in cell.tags


class ImportNotAtTop(Rule):
    """
    ## What it does
    Finds imports in code cells after the first one.

    Reported are ``import x`` and ``from x import y`` statements at module level in any
    code cell after the first code cell that holds Python code.  Imports inside functions and
    optional imports in ``try: ... except ImportError:`` are not reported; a first cell
    that holds only magics or ``!pip`` commands, or a leading cell tagged ``parameters`` (or
    papermill's ``injected-parameters``), does not count as the first code cell.

    ## Why it blocks production
    The notebook's dependencies should be visible in one place: imports scattered over
    the notebook are missed when the environment is set up, the requirements written or
    the code exported, and the job then fails late with ``ModuleNotFoundError``.

    ## Example
    ```python
    # cell 1
    import pandas as pd
    # cell 7
    import seaborn as sns
    sns.histplot(df.price)
    ```

    ## Use instead
    ```python
    # cell 1
    import pandas as pd
    import seaborn as sns
    # cell 7
    sns.histplot(df.price)
    ```

    ## Fix
    None: move the import to the first code cell.
    """

    code = "NB704"
    name = "import-not-at-top"
    family = "structure"
    severity = Severity.INFO

    def check(self, ctx) -> Iterator[Finding]:
        first_seen = False
        for cell, parsed in ctx.python_cells():
            if not first_seen:
                # A leading `parameters` cell holds settings, not code: imports right after
                # it are still at the top (papermill injects its values after that cell).
                first_seen = _has_statements(parsed) and not _holds_parameters(ctx, cell)
                continue
            if parsed.tree is None or not parsed.python:
                continue
            for node in _module_level_imports(parsed.tree.body):
                modules = ", ".join(f"`{m}`" for m in _imported_modules(node))
                yield self.report(
                    ctx,
                    f"import of {modules} in cell {cell.number}, after the first code cell; move it "
                    "to the imports at the top so the notebook's dependencies are in one place",
                    cell,
                    node=node,
                )


def _module_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports a cell runs at module level, not counting optional-import fallbacks."""
    for statement in body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            yield statement
        elif isinstance(statement, ast.Try) and not _is_import_fallback(statement):
            yield from _module_level_imports(statement.body)


def _is_import_fallback(node: ast.Try) -> bool:
    for handler in node.handlers:
        if handler.type is None:
            return True
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for kind in kinds:
            name = kind.attr if isinstance(kind, ast.Attribute) else getattr(kind, "id", None)
            if name in _IMPORT_FALLBACK_ERRORS:
                return True
    return False


def _imported_modules(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return ["." * (node.level or 0) + (node.module or "")]


class StarImport(Rule):
    """
    ## What it does
    Finds ``from module import *``.

    ## Why it blocks production
    Nobody can tell which names the cell brings in or where a name used later comes
    from; a new version of the module can silently shadow a notebook variable.  nb2prod
    (and every other tool) then cannot check names across cells or export the code.

    ## Example
    ```python
    from sklearn.metrics import *
    f1_score(y_test, predictions)
    ```

    ## Use instead
    ```python
    from sklearn.metrics import f1_score
    f1_score(y_test, predictions)
    ```

    ## Fix
    None: import the names you use, or the module itself.
    """

    code = "NB707"
    name = "star-import"
    family = "structure"
    severity = Severity.WARNING

    def check(self, ctx) -> Iterator[Finding]:
        for index in ctx.indexes:
            cell = index.cell
            for node in index.by_type.get(ast.ImportFrom, ()):
                if any(a.name == "*" for a in node.names) and _at_module_level(node, index):
                    module = "." * (node.level or 0) + (node.module or "")
                    yield self.report(
                        ctx,
                        f"`from {module} import *` hides which names the notebook uses and where they "
                        f"come from; import the names you need (`from {module} import name`)",
                        cell,
                        node=node,
                    )


def _at_module_level(statement: ast.stmt, index: CellIndex) -> bool:
    """True unless a function or class holds the statement (``import *`` is only allowed
    at module level, also inside ``if``/``try``/``with``/loops)."""
    parents = index.parents
    node = parents.get(statement)
    while node is not None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return False
        node = parents.get(node)
    return True


# Name parts that mark a configuration value (compared with the name's ``_``-separated words).
_CONFIG_WORDS = frozenset(
    """dir dirs folder fname uri endpoint bucket date dates lr thresh alpha gamma momentum
    dropout patience estimators depth iterations iters folds splits neighbors components
    clusters""".split()
)
# Substrings that mark a configuration value wherever they stand in the name.
_CONFIG_PARTS = (
    "path",
    "file",
    "url",
    "seed",
    "epoch",
    "learning_rate",
    "batch",
    "threshold",
    "n_estimators",
    "max_depth",
    "test_size",
    "n_splits",
)
_UPPER_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
_MAX_LISTED = 3


def _looks_like_config(name: str) -> bool:
    if name.startswith("_"):
        return False
    if _UPPER_NAME.match(name):
        return sum(c.isalpha() for c in name) >= 2  # `X`, `N` are data, not settings
    lowered = name.lower()
    return any(part in lowered for part in _CONFIG_PARTS) or bool(
        _CONFIG_WORDS.intersection(lowered.split("_"))
    )


_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}(?:[0-9a-fA-F]{2})?$")


def _is_setting(node: ast.AST) -> bool:
    """A value papermill can inject and a person would tune: a non-empty scalar literal, a
    flat list/tuple/set of scalars, or a dict of scalars or flat lists (a search grid).

    Not settings: empty values (initialisation), multi-line strings (templates, SQL, SVG),
    colour codes, and containers of containers (coordinates, tables: data)."""
    if isinstance(node, ast.Dict):
        return bool(node.keys) and all(
            key is not None and _is_scalar(key) and (_is_scalar(value) or _is_flat(value))
            for key, value in zip(node.keys, node.values)
        )
    return _is_scalar(node) or _is_flat(node)


def _is_flat(node: ast.AST) -> bool:
    return (
        isinstance(node, (ast.List, ast.Tuple, ast.Set))
        and bool(node.elts)
        and all(_is_scalar(e) for e in node.elts)
    )


def _is_scalar(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
        return isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
    if not isinstance(node, ast.Constant) or node.value is None or isinstance(node.value, bytes):
        return False
    if isinstance(node.value, str):
        text = node.value.strip()
        return bool(text) and "\n" not in node.value and not _HEX_COLOUR.match(text)
    return True


def _config_assignments(tree: ast.Module) -> Iterator[tuple[str, ast.stmt]]:
    """``NAME = literal`` statements at the top level of a cell, for configuration names."""
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        # `_is_setting` first: most values are calls, ruled out by one isinstance test.
        if isinstance(target, ast.Name) and _is_setting(value) and _looks_like_config(target.id):
            yield target.id, statement


class MissingParametersCell(Rule):
    """
    ## What it does
    Reports a notebook that hard-codes configuration (paths, dates, seeds, thresholds,
    hyper-parameters, ``UPPER_CASE`` constants assigned literals) at module level but has
    no cell tagged ``parameters``.

    ## Why it blocks production
    papermill (and the jobs that run notebooks with it) sets a notebook's inputs by
    injecting values after the cell tagged ``parameters``, and exporting the notebook
    turns that cell into the package's parameters.  Without the tag, running the notebook on new data or with other settings
    means editing its code.

    ## Example
    ```python
    DATA_PATH = "data/sales.csv"
    n_estimators = 200
    df = pd.read_csv(DATA_PATH)
    ```

    ## Use instead
    ```python
    # cell tagged `parameters`
    DATA_PATH = "data/sales.csv"
    n_estimators = 200
    ```

    ## Fix
    None: move the settings into one cell and add the tag ``parameters`` to it (in
    JupyterLab: the property inspector, *Common Tools*, *Cell Tags*).
    """

    code = "NB706"
    name = "missing-parameters-cell"
    family = "structure"
    severity = Severity.WARNING
    default = False  # a name heuristic: opt in until its precision is measured

    def check(self, ctx) -> Iterator[Finding]:
        if ctx.parameters_cell is not None:
            return
        found: list[tuple[Cell, str, ast.stmt]] = []
        for index in ctx.indexes:
            found.extend(
                (index.cell, name, node) for name, node in _config_assignments(index.parsed.tree)
            )
        if not found:
            return
        names = list(dict.fromkeys(name for _cell, name, _node in found))
        listed = ", ".join(f"`{n}`" for n in names[:_MAX_LISTED])
        more = f" and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else ""
        cell, _name, node = found[0]
        yield self.report(
            ctx,
            f"configuration values ({listed}{more}) are hard-coded but no cell is tagged "
            "`parameters`; tag the cell that holds them `parameters` so papermill jobs "
            "can set them",
            cell,
            node=node,
        )


class InvalidRole(Rule):
    """
    ## What it does
    Finds cell roles nb2prod cannot read: a tag, ``%%nb2prod ROLE`` or ``#| nb2prod: ROLE``
    line naming a role that does not exist (``#| nb2prod: exmple``), or one cell given two
    different roles.  The roles are ``parameters``, ``export``, ``load``, ``example``,
    ``predict``, ``metrics`` and ``skip``.

    ## Why it blocks production
    ``nb2prod export`` and ``nb2prod run`` refuse the notebook; a misspelled role found only
    then costs a run, and until then the cell silently plays no part.

    ## Example
    ```python
    #| nb2prod: exmple
    X_new = X_test.head(8)
    ```

    ## Use instead
    ```python
    #| nb2prod: example
    X_new = X_test.head(8)
    ```

    ## Fix
    None: write a valid role (the message suggests the closest one), or keep one of two.
    """

    code = "NB708"
    name = "invalid-role"
    family = "structure"
    severity = Severity.ERROR

    def check(self, ctx) -> Iterator[Finding]:
        import difflib

        from nb2prod.roles import ROLES, RoleError, cell_role, role_marks

        for cell in ctx.notebook.cells:
            try:
                cell_role(cell)
            except RoleError as exc:
                unknown = [m.role for m in role_marks(cell) if m.role not in ROLES]
                close = unknown and difflib.get_close_matches(unknown[0].split(":")[-1], ROLES, 1)
                hint = f"did you mean `{close[0]}`?" if close else exc.hint
                yield self.report(ctx, f"{exc.message}; {hint}", cell if cell.is_code else None)
