"""Static export planning: which cells make the package, what ``predict`` takes and
returns, and whether everything the exported code needs is exported too.

Nothing is written here: a plan either holds together or is refused with a message that
names the cell, the name and the fix, before any file exists (nbdev writes modules that
fail with ``NameError`` later; this refuses them up front).
"""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass, field
from typing import cast

from nb2prod.errors import UsageError
from nb2prod.exporter.code import cell_code
from nb2prod.flow import CellNames, cell_names, is_builtin
from nb2prod.notebook import Cell, Notebook
from nb2prod.parameters import ParamSpec, parameter_specs
from nb2prod.roles import ROLE_TAGS, notebook_roles
from nb2prod.syntax import ParsedCell, parse_cell

#: Roles whose code goes into the package.
CODE_ROLES = ("export", "load", "predict")


class ExportRefusal(UsageError):
    """The notebook cannot be exported as it is; the message says where and what to do."""


@dataclass
class ExportPlan:
    """What the package is made of; cells are in document order."""

    notebook: Notebook
    parameters: list[ParamSpec]
    cells: dict[str, list[Cell]]  # role -> cells
    inputs: list[str]  # predict's positional inputs, bound by the example cell(s)
    output: str  # source of the expression predict returns
    parsed: dict[int, ParsedCell] = field(default_factory=dict)  # cell index -> parse
    runtime_params: list[str] = field(default_factory=list)  # read by predict cells
    build_params: list[str] = field(default_factory=list)  # fixed at export
    package_params: list[str] = field(default_factory=list)  # build params the code reads
    load_names: list[str] = field(default_factory=list)  # what the load cells bind
    # runtime parameters whose value is a credential -> the environment variable the
    # package reads them from (settings.py); their specs keep no value (default None)
    settings: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # warnings: the export goes ahead

    def role(self, name: str) -> list[Cell]:
        return self.cells.get(name, [])

    @property
    def specs(self) -> dict[str, ParamSpec]:
        return {spec.name: spec for spec in self.parameters}


def plan_export(notebook: Notebook) -> ExportPlan:
    """The export plan of ``notebook``; raises ExportRefusal (or RoleError) when it has none."""
    roles = notebook_roles(notebook)
    cells: dict[str, list[Cell]] = {}
    for index, role in roles.items():
        cells.setdefault(role, []).append(notebook.cells[index])
    if not cells.get("predict"):
        raise ExportRefusal(
            "the notebook has no predict cell",
            f"tag the cell that computes the prediction `{ROLE_TAGS['predict']}`",
        )
    _check_reference(cells.get("reference", []))
    parsed = {
        c.index: _checked_parse(c, roles[c.index])
        for role in CODE_ROLES
        for c in cells.get(role, [])
    }
    names = {index: cell_names(p) for index, p in parsed.items()}
    example_bound = {
        name for c in cells.get("example", []) for name in cell_names(parse_cell(c.source)).defines
    }
    # Several parameters cells run in order: a later assignment of a name wins.
    specs = {spec.name: spec for c in cells.get("parameters", []) for spec in parameter_specs(c)}
    parameters = list(specs.values())

    provided = _provided(cells, names, parameters)
    predict_reads = _reads_in_order(cells["predict"], names)
    inputs = [n for n in predict_reads if n in example_bound and n not in provided]
    needed = _needed(cells, names, set(inputs))
    missing = [(cell, name) for cell, name in needed if name not in provided and name not in inputs]
    if missing:
        cell, name = missing[0]
        raise ExportRefusal(*_missing_message(notebook, roles, cell, name))

    parameter_names = [spec.name for spec in parameters]
    runtime = [n for n in parameter_names if n in set(predict_reads)]
    _check_runtime_params(cells, names, runtime)
    _check_import_time_reads(cells, names, provided)
    load_names = _load_names(cells, names, parsed)
    used = {name for _cell, name in needed}
    _check_secret_params(parameters, used - set(runtime))
    settings = _settings(parameters, runtime)
    # The credential is dropped here, so nothing downstream can write or print it.
    parameters = [
        dataclasses.replace(spec, default=None) if spec.name in settings else spec
        for spec in parameters
    ]
    return ExportPlan(
        notebook=notebook,
        parameters=parameters,
        cells=cells,
        inputs=inputs,
        output=_output(cells["predict"][-1], parsed[cells["predict"][-1].index]),
        parsed=parsed,
        runtime_params=runtime,
        build_params=[n for n in parameter_names if n not in runtime],
        package_params=[n for n in parameter_names if n in used and n not in runtime],
        load_names=load_names,
        settings=settings,
        notes=_later_rebindings(notebook, roles, cells, names),
    )


# --------------------------------------------------------------------------- checks


def _checked_parse(cell: Cell, role: str) -> ParsedCell:
    """Parse a cell whose code goes into the package; refuse what cannot go there."""
    parsed = parse_cell(cell.source)
    where = _where(cell, role)
    if parsed.error is not None:
        raise ExportRefusal(
            f"{where}, line {parsed.error.line}: syntax error: {parsed.error.message}",
            "fix the cell so it runs",
        )
    for escape in parsed.escapes:
        if escape.kind == "cell_magic" and escape.name == "nb2prod" and escape.line == 1:
            continue  # the role marker itself
        shown = cell.lines[escape.line - 1].strip()
        raise ExportRefusal(
            f"{where}, line {escape.line}: `{shown}` is IPython syntax, which a Python "
            "package cannot run",
            "move it to a cell that is not exported (installs belong in the dependency file)",
        )
    try:  # IPython syntax the escapes miss, such as autocall (`/print 1`), is no Python
        tree = ast.parse(cell_code(cell))
    except SyntaxError as exc:
        shown = cell.lines[(exc.lineno or 1) - 1].strip() if cell.lines else ""
        raise ExportRefusal(
            f"{where}, line {exc.lineno}: `{shown}` is not Python, which a package needs",
            "write the cell in plain Python (IPython's autocall, `/f 1`, is not)",
        ) from None
    parsed.tree = parsed.tree or tree
    for node in ast.walk(parsed.tree):
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            raise ExportRefusal(
                f"{where}, line {node.lineno}: `from {node.module} import *` hides which names "
                "the package needs",
                "import the names you use explicitly",
            )
    return parsed


def _check_reference(reference: list[Cell]) -> None:
    """The reference cell's final value is captured as it runs (capture.py binds it to a
    name of ours), so there is one such cell, in Python, ending with an expression."""
    if len(reference) > 1:
        labels = " and ".join(cell.label for cell in reference)
        raise ExportRefusal(
            f"{labels} are both reference cells; the drift statistics come from one value",
            f"keep `{ROLE_TAGS['reference']}` on one cell, ending with all of the training data",
        )
    for cell in reference:
        where = _where(cell, "reference")
        try:
            body = ast.parse(cell_code(cell)).body
        except SyntaxError:
            raise ExportRefusal(
                f"{where} is not plain Python, so its value cannot be captured",
                "keep IPython syntax (magics, `!`) out of the reference cell",
            ) from None
        if not body or not isinstance(body[-1], ast.Expr):
            raise ExportRefusal(
                f"{where} does not end with an expression",
                "end it with the training or reference data (e.g. `X_train`)",
            )


def _provided(cells: dict[str, list[Cell]], names: dict[int, CellNames], parameters) -> set[str]:
    """Names the package defines: parameters, and what export and load cells bind."""
    provided = {spec.name for spec in parameters}
    for role in ("export", "load"):
        for cell in cells.get(role, []):
            provided |= set(names[cell.index].defines)
    return provided


def _reads_in_order(predict_cells: list[Cell], names: dict[int, CellNames]) -> list[str]:
    """Free names of the predict cells, first read first; later cells see earlier ones."""
    seen: list[str] = []
    bound: set[str] = set()
    for cell in predict_cells:
        for name in names[cell.index].reads:
            if name not in bound and name not in seen and not is_builtin(name):
                seen.append(name)
        bound |= set(names[cell.index].defines)
    return seen


def _needed(cells, names, inputs: set[str]) -> list[tuple[Cell, str]]:
    """``(cell, name)`` for every name the package's code reads when it runs: the reads of
    export, load and predict cells and, transitively, what the bodies of the package's
    functions and classes they use read (late binding inside them included)."""
    start: list[tuple[Cell, str]] = []
    bound_in_predict: set[str] = set()
    for role in CODE_ROLES:
        for cell in cells.get(role, []):
            local = bound_in_predict if role == "predict" else set()
            start += [(cell, n) for n in names[cell.index].reads if n not in local]
            if role == "predict":
                bound_in_predict |= set(names[cell.index].defines)
    return _closure(start, _scopes(cells, names), seen=set(inputs))


def _check_runtime_params(cells, names: dict[int, CellNames], runtime: list[str]) -> None:
    """A runtime parameter becomes an argument of ``predict``; code outside the predict
    cells that reads it as a global would silently keep the default."""
    for role in ("export", "load"):
        for cell in cells.get(role, []):
            cell_names_ = names[cell.index]
            for name in runtime:
                if name in cell_names_.reads:
                    where = f"{_where(cell, role)} reads"
                elif any(name in cell_names_.deferred.get(s, ()) for s in cell_names_.scopes):
                    scope = next(s for s in cell_names_.scopes if name in cell_names_.deferred[s])
                    where = f"`{scope}` in {_where(cell, role)} reads"
                else:
                    continue
                raise ExportRefusal(
                    f"{where} the parameter `{name}`, which the predict cell also uses: predict "
                    "takes it per call, so this code would keep the default",
                    f"pass `{name}` to it as an argument from the predict cell",
                )


def _check_import_time_reads(cells, names: dict[int, CellNames], provided: set[str]) -> None:
    """Export cells run when the package is imported, before ``load()``: they cannot use
    what load cells bind (functions can: they run later)."""
    from_export = {n for c in cells.get("export", []) for n in names[c.index].defines}
    from_load = {n for c in cells.get("load", []) for n in names[c.index].defines} - from_export
    for cell in cells.get("export", []):
        for name in names[cell.index].reads:
            if name in from_load:
                raise ExportRefusal(
                    f"{_where(cell, 'export')} uses `{name}` from a load cell when the package "
                    "is imported, before anything is loaded",
                    "move that code into the load cell, or into a function",
                )


def _load_names(cells, names: dict[int, CellNames], parsed) -> list[str]:
    """Names the load cells bind; they become module globals of the package."""
    bound: list[str] = []
    for cell in cells.get("load", []):
        for node in parsed[cell.index].tree.body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                raise ExportRefusal(
                    f"{_where(cell, 'load')}, line {node.lineno}: the annotation on "
                    f"`{node.target.id}` cannot stay once the cell runs inside `load()`",
                    f"drop the annotation (`{node.target.id} = ...`)",
                )
        bound += [n for n in names[cell.index].defines if n not in bound]
    return bound


def _later_rebindings(notebook: Notebook, roles, cells, names: dict[int, CellNames]) -> list[str]:
    """A cell outside the package that rebinds, after an exported cell read it, a name the
    package reads: the notebook's answer is what the exported cell gave when it ran (the
    capture rule), but a reader of the notebook may take the later value for it.  Importing
    again what a package cell imports under that name changes nothing and is not noted.
    What a function reads is read when the cell that calls it runs."""
    readers: dict[str, list[Cell]] = {}
    scopes = _scopes(cells, names)
    for cell in (c for role in CODE_ROLES for c in cells.get(role, [])):
        start = [(cell, name) for name in names[cell.index].reads]
        for _owner, name in _closure(start, scopes, seen=set()):
            readers.setdefault(name, []).append(cell)
    imported = {(n, o) for found in names.values() for n, o in found.imports.items()}
    first = min((c.index for cells in readers.values() for c in cells), default=None)
    notes = []
    for later in notebook.code_cells:
        if first is None or later.index <= first:
            continue
        if roles.get(later.index) in (*CODE_ROLES, "parameters"):
            continue
        bound = cell_names(parse_cell(later.source))
        for name in bound.defines:
            before = [c for c in readers.get(name, []) if c.index < later.index]
            if before and (name, bound.imports.get(name)) not in imported:
                reader = max(before, key=lambda c: c.index)
                notes.append(
                    f"{later.label} rebinds `{name}` after {_where(reader, roles[reader.index])} "
                    f"reads it: the package's answers are those {reader.label} gives when "
                    "it runs, not the notebook's end state"
                )
    return notes


def _check_secret_params(parameters, build_used: set[str]) -> None:
    """A build parameter the package reads is written into its code, as a constant its
    load cells use when the package loads.  A credential cannot be such a constant, and
    it cannot become a setting read at load time either: the export's run of the load
    cells needs the real value (to train, to fetch a model) and a placeholder could not
    verify them.  Refuse, naming the fix: read it from the environment in the load cell."""
    secret = [
        spec.name
        for spec in parameters
        if spec.name in build_used and is_secret_value(spec.name, spec.default)
    ]
    if secret:
        raise ExportRefusal(
            f"parameter `{secret[0]}` looks like a credential, and the package's load or "
            "export cells read it: its value would be a constant in the package's code",
            f'read it at run time instead, e.g. `{secret[0]} = os.environ["{secret[0].upper()}"]` '
            "in the load cell: the export's run and the package then read that environment "
            "variable wherever they run",
        )


def _settings(parameters, runtime: list[str]) -> dict[str, str]:
    """Runtime parameters whose value looks like a credential: each becomes a required
    setting read from an environment variable named after it, never a default."""
    from nb2prod.exporter.settings import variable_for

    settings = {
        spec.name: variable_for(spec.name)
        for spec in parameters
        if spec.name in runtime and is_secret_value(spec.name, spec.default)
    }
    by_variable: dict[str, str] = {}
    for name, variable in settings.items():
        if variable in by_variable:
            raise ExportRefusal(
                f"parameters `{by_variable[variable]}` and `{name}` look like credentials and "
                f"would both be read from the environment variable {variable}",
                "rename one of them",
            )
        by_variable[variable] = name
    return settings


def is_secret_value(name: str, value: object) -> bool:
    """Would a parameter ``name = value`` written into a package give a credential away?
    A secret-looking name with a literal value, a value in a credential format, or a URL
    with a password (``postgresql://user:pw@host``)."""
    from nb2prod.credentials import looks_secret

    return isinstance(value, str) and looks_secret(name, value)


def _scopes(cells, names: dict[int, CellNames]) -> dict[str, tuple[Cell, CellNames]]:
    """Function and class name -> the package cell that defines it (the first one)."""
    scopes: dict[str, tuple[Cell, CellNames]] = {}
    for role in CODE_ROLES:
        for cell in cells.get(role, []):
            for scope in names[cell.index].scopes:
                scopes.setdefault(scope, (cell, names[cell.index]))
    return scopes


def _closure(start, scopes, seen: set[str]) -> list[tuple[Cell, str]]:
    """``start`` and, breadth first, what the bodies of the scopes it reaches read."""
    reached: list[tuple[Cell, str]] = []
    queue = list(start)
    while queue:
        cell, name = queue.pop(0)
        if name in seen or is_builtin(name):
            continue
        seen.add(name)
        reached.append((cell, name))
        if name in scopes:  # a function or class of the package: what its body reads
            owner, owner_names = scopes[name]
            queue += [(owner, free) for free in sorted(owner_names.deferred.get(name, ()))]
    return reached


def _output(cell: Cell, parsed: ParsedCell) -> str:
    body = cast(ast.Module, parsed.tree).body  # _checked_parse walked the tree
    if not body or not isinstance(body[-1], ast.Expr):
        raise ExportRefusal(
            f"{_where(cell, 'predict')} does not end with an expression",
            "end the last predict cell with the value predict returns (e.g. `predictions`)",
        )
    return ast.get_source_segment(parsed.source, body[-1].value) or ast.unparse(body[-1].value)


def _missing_message(notebook: Notebook, roles, cell: Cell, name: str) -> tuple[str, str]:
    where = _where(cell, roles.get(cell.index))
    defined_in = [
        other
        for other in notebook.code_cells
        if other.index not in roles or roles[other.index] not in ("export", "load", "parameters")
        if name in cell_names(parse_cell(other.source)).defines
    ]
    if not defined_in:
        return (
            f"{where} needs `{name}`, which no cell of the notebook defines",
            "define it in a cell tagged `nb2prod:export`, or make it a parameter",
        )
    source = defined_in[0]
    return (
        f"{where} needs `{name}`, which no export, load or parameters cell provides; it is "
        f"assigned in {_where(source, roles.get(source.index))}",
        f"tag {source.label} `{ROLE_TAGS['export']}` (or `{ROLE_TAGS['load']}` if it "
        "loads an artifact), or make it a parameter",
    )


def _where(cell: Cell, role: str | None) -> str:
    return f"{cell.label} ({role})" if role else cell.label
