"""Structure rules: how the notebook is laid out for running as a job and for export."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from nb2prod.linter.context import CellIndex
from nb2prod.linter.rule import Finding, Rule, Severity
from nb2prod.linter.rules._late_imports import LateImport, late_imports
from nb2prod.notebook import Cell

#: Roles whose cells make the exported package (nb2prod.exporter.plan.CODE_ROLES).
_PACKAGE_ROLES = ("export", "load", "predict")
_LISTED = 3


class ImportNotAtTop(Rule):
    """
    ## What it does
    Reports, once per notebook, the modules imported after the notebook's work has begun.

    The setup at the top does no work: imports, magics and ``!pip`` lines, the
    ``parameters`` cell, settings (names assigned literals or paths, ``os.environ[...]``,
    ``pd.options...``, ``plt.rcParams[...]``), configuration calls of imported modules on
    their own line (``warnings.filterwarnings(...)``, ``sns.set_theme()``,
    ``np.random.seed(0)``) and function definitions, in as many cells as it takes.  The
    work begins with the first other statement (``df = pd.read_csv(...)``); an
    ``import x`` or ``from x import y`` at module level after it is late.

    Not late: imports inside functions (they run when called), conditional imports in
    ``if``, ``with`` and loop blocks, optional imports in ``try: ... except ImportError:``,
    an import of exactly what the setup imported already, standard-library modules
    (nothing to install), and imports in the cells exported into the package
    (``nb2prod:export``, ``load``, ``predict``), which travel with the code that uses
    them.

    One finding (severity info) counts the modules imported late and names the first
    few, at the first late import.  It goes instead to a late import that breaks the
    export, standard library included: one in a cell that is not exported, of a name an
    exported cell uses (``nb2prod export`` then refuses the notebook).

    ## Why it blocks production
    The notebook's dependencies should be visible in one place: imports scattered over
    the notebook are missed when the environment is set up, the requirements written or
    the code exported, and the job then fails late with ``ModuleNotFoundError``; an
    exported cell that uses a name imported only in a cell left out of the package
    cannot be exported at all.

    ## Example
    ```python
    # cell 1
    import pandas as pd
    df = pd.read_csv("sales.csv")
    # cell 7
    import seaborn as sns
    sns.histplot(df.price)
    ```

    ## Use instead
    ```python
    # cell 1
    import pandas as pd
    import seaborn as sns
    df = pd.read_csv("sales.csv")
    # cell 7
    sns.histplot(df.price)
    ```

    ## Fix
    None: move the imports to the cells at the top.
    """

    code = "NB704"
    name = "import-not-at-top"
    family = "structure"
    severity = Severity.INFO

    def check(self, ctx) -> Iterator[Finding]:
        from nb2prod.dependencies.distributions import is_stdlib

        found = late_imports(ctx)
        if not found.imports or found.work is None:
            return
        roles = _roles(ctx)
        needed = _needed_by(
            ctx, [c for c in ctx.code_cells if roles.get(c.index) in _PACKAGE_ROLES]
        )
        breaking: tuple[LateImport, str, Cell] | None = None
        listed: dict[str, LateImport] = {}  # module -> its first late import
        for late in found.imports:
            if roles.get(late.cell.index) in _PACKAGE_ROLES:
                continue
            used = next((n for n in late.names if n in needed), None)
            if breaking is None and used is not None:
                breaking = (late, used, needed[used])
            for module in late.modules:
                if used is not None or module.startswith(".") or not is_stdlib(module):
                    listed.setdefault(module, late)
        if breaking is not None:
            late, name, reader = breaking
            others = {m: i for m, i in listed.items() if i is not late}
            message = (
                f"`{late.modules[0]}` is imported in cell {late.cell.number}, which is not "
                f"exported, but the {roles[reader.index]} cell {reader.number} uses `{name}`: "
                "`nb2prod export` cannot build the package; move the import to the imports "
                "at the top and tag that cell `nb2prod:export`"
            )
            if others:
                verb = "is" if len(others) == 1 else "are"
                message += f" ({_listing(others)} {verb} imported late too)"
            yield self.report(ctx, message, late.cell, node=late.node)
        elif listed:
            first = next(iter(listed.values()))
            if len(listed) == 1:
                module, late = next(iter(listed.items()))
                what = (
                    f"`{module}` is imported in cell {late.cell.number}, after the notebook's "
                    f"work begins in cell {found.work.number}; move the import"
                )
            else:
                what = (
                    f"{len(listed)} modules are imported after the notebook's work begins in "
                    f"cell {found.work.number}: {_listing(listed)}; move the imports"
                )
            yield self.report(
                ctx,
                f"{what} to the cells at the top so the notebook's dependencies are in one place",
                first.cell,
                node=first.node,
            )


def _roles(ctx) -> dict[int, str]:
    from nb2prod.roles import RoleError, cell_role

    roles: dict[int, str] = {}
    if "nb2prod" not in ctx.notebook.text:
        return roles  # each role that matters here is spelled with "nb2prod"
    for cell in ctx.code_cells:
        try:
            role = cell_role(cell)
        except RoleError:  # NB708 reports it
            role = None
        if role is not None:
            roles[cell.index] = role
    return roles


def _needed_by(ctx, package: list[Cell]) -> dict[str, Cell]:
    """Names the package's cells read (in their functions too) and do not bind themselves,
    with the first cell that reads each."""
    bound = {name for cell in package for name in ctx.names[cell.index].defines}
    needed: dict[str, Cell] = {}
    for cell in package:
        names = ctx.names[cell.index]
        for name in [*names.reads, *[n for used in names.deferred.values() for n in used]]:
            if name not in bound:
                needed.setdefault(name, cell)
    return needed


def _listing(late: dict[str, LateImport]) -> str:
    shown = [f"`{module}` (cell {i.cell.number})" for module, i in late.items()][:_LISTED]
    more = len(late) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


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
