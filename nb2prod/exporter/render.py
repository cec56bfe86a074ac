"""Render an export plan as the files of an installable project (ARCHITECTURE §4.5).

Everything is computed in memory, in a fixed order and without timestamps, so exporting an
unchanged notebook twice gives byte-identical files; then ``ruff format`` lays the Python
out.  Writing the files is someone else's job (writer.py).
"""

from __future__ import annotations

import ast
import functools
import json
import pickle
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nb2prod.drift import STATS_FILE
from nb2prod.errors import EnvironmentProblem, UsageError
from nb2prod.exporter import compare, contract_text, input_check, registered_model
from nb2prod.exporter.code import cell_code, indented, with_return
from nb2prod.exporter.contract import RESERVED_KEYWORDS, infer_contract
from nb2prod.exporter.plan import ExportPlan
from nb2prod.exporter.reference import drift_sources, statistics_bytes
from nb2prod.exporter.requirements import Requirement
from nb2prod.exporter.settings import placeholder_environment

_TEMPLATES = Path(__file__).with_name("package_templates")
_ANNOTATIONS = {
    "int": "int",
    "float": "float",
    "bool": "bool",
    "str": "str",
    "list": "list",
    "dict": "dict",
    "None": "Any",
}
# A value each type converts from, what it becomes, and a value it refuses.
_CONVERSIONS = {
    "float": (("'0.25'", "0.25"), "'not a number'"),
    "int": (("'3'", "3"), "2.5"),
    "bool": (("'false'", "False"), "'maybe'"),
    "str": (("'text'", "'text'"), "3"),
    "list": (("'[1, 2]'", "[1, 2]"), "'{}'"),
    "dict": (("'{\"a\": 1}'", "{'a': 1}"), "'[1]'"),
}


@dataclass(frozen=True)
class Artifact:
    """A file or folder a build parameter names, shipped as package data."""

    parameter: str
    source: Path  # where the notebook run left it
    original: str  # the parameter's value in the notebook
    packaged: str  # path inside the package folder, e.g. artifacts/model.joblib


@dataclass
class PackageSpec:
    """What rendering needs besides the plan."""

    name: str
    version: str
    notebook: str  # path shown to people: relative to the project root
    requirements: list[Requirement]
    lock: list[str]  # exact pins, requirements.lock.txt
    extras: dict[str, list[str]] = field(default_factory=dict)
    artifacts: list[Artifact] = field(default_factory=list)
    inputs: dict[str, Any] | None = None  # captured example input, by name
    contract: dict[str, Any] | None = None  # the input contract (contract.py); None: no checks
    cases: list[dict] = field(default_factory=list)  # {name, params, output}
    provenance: dict = field(default_factory=dict)
    nb2prod_version: str = ""
    python: str = f"{sys.version_info[0]}.{sys.version_info[1]}"
    rebuild: str = ""  # the export command that rebuilds the package, from the project root
    # the reference cell's drift statistics (exporter/reference.py); None: no drift check
    reference_stats: dict[str, Any] | None = None

    @property
    def distribution(self) -> str:
        return self.name.replace("_", "-")


def render_package(plan: ExportPlan, spec: PackageSpec) -> dict[str, bytes | Path]:
    """Relative path -> content (bytes) or a file to copy (Path), in a stable order."""
    context = _context(plan, spec)
    package = f"src/{spec.name}"
    sources = {
        f"{package}/__init__.py": _template("__init__.py.j2", context),
        f"{package}/__main__.py": _template("__main__.py.j2", context),
        f"{package}/_params.py": _template("_params.py.j2", context),
        f"{package}/_notebook.py": notebook_module(plan, spec),
        f"{package}/cli.py": _template("cli.py.j2", context),
        f"{package}/_validation.py": Path(input_check.__file__).read_text(encoding="utf-8"),
        f"{package}/_schema.py": Path(contract_text.__file__).read_text(encoding="utf-8"),
        f"{package}/mlflow_model.py": _template("mlflow_model.py.j2", context),
        f"{package}/_registered.py": Path(registered_model.__file__).read_text(encoding="utf-8"),
        "tests/_compare.py": Path(compare.__file__).read_text(encoding="utf-8"),
        "tests/test_import.py": _template("test_import.py.j2", context),
        "tests/test_params.py": _template("test_params.py.j2", context),
        "README.md": _template("README.md.j2", context),  # ruff formats its code blocks too
    }
    sources.update(drift_sources(spec.name, spec.reference_stats))
    if spec.cases:
        sources["tests/test_equivalence.py"] = _template("test_equivalence.py.j2", context)
    files: dict[str, bytes | Path] = {
        "pyproject.toml": _template("pyproject.toml.j2", context).encode(),
        "requirements.lock.txt": "".join(f"{pin}\n" for pin in spec.lock).encode(),
    }
    files.update({path: text.encode() for path, text in formatted(sources).items()})
    files[f"{package}/provenance.json"] = _json(spec.provenance)
    files[f"{package}/_contract.json"] = _json(_contract(spec))
    if spec.cases:
        golden = {"inputs": spec.inputs or {}, "cases": spec.cases}
        files["tests/golden/cases.pkl"] = pickle.dumps(golden, protocol=4)
    for artifact in spec.artifacts:
        files[f"{package}/{artifact.packaged}"] = artifact.source
    if spec.reference_stats is not None:
        files[f"{package}/{STATS_FILE}"] = statistics_bytes(spec.reference_stats)
    return dict(sorted(files.items()))


# --------------------------------------------------------------------------- the cells


def notebook_module(plan: ExportPlan, spec: PackageSpec) -> str:
    """``_notebook.py``: export cells at module level, then the load and predict cells as
    the bodies of ``_nb2prod_load()`` and ``_nb2prod_predict()``, each block headed by the
    cell it came from.  The functions' names keep clear of the user's own names."""
    notebook = spec.notebook
    parts = [
        f'"""The code of {notebook}\'s export, load and predict cells, generated by nb2prod.\n\n'
        'Change the notebook and export again rather than editing this file.\n"""\n',
    ]
    if spec.artifacts:
        parts.append(
            "import pathlib as _nb2prod_pathlib\n\n"
            "_nb2prod_artifacts = _nb2prod_pathlib.Path(__file__).parent\n"
        )
    if plan.package_params:
        parts.append(_build_constants(plan, spec))
    for cell in plan.role("export"):
        parts.append(f"# %% {_origin(cell, 'export')}\n{cell_code(cell)}")

    load_body = []
    if plan.load_names:
        load_body.append(f"global {', '.join(plan.load_names)}")
    for cell in plan.role("load"):
        load_body.append(f"# %% {_origin(cell, 'load')}\n{cell_code(cell)}")
    parts.append(
        "def _nb2prod_load() -> None:\n"
        '    """The notebook\'s load cells; what they bind is global, as in the notebook."""\n'
        + "".join(indented(block) + "\n" for block in load_body)
    )

    predict_cells = plan.role("predict")
    body = []
    for position, cell in enumerate(predict_cells):
        code = cell_code(cell)
        if position == len(predict_cells) - 1:
            code = with_return(code, ast.parse(code))
        body.append(f"# %% {_origin(cell, 'predict')}\n{code}")
    arguments = list(plan.inputs)
    if plan.runtime_params:
        arguments += ["*", *plan.runtime_params]
    parts.append(
        f"def _nb2prod_predict({', '.join(arguments)}):\n"
        '    """The notebook\'s predict cells; returns what the last one ends with."""\n'
        + "".join(indented(block) + "\n" for block in body)
    )
    return "\n\n".join(part.rstrip("\n") + "\n" for part in parts)


def _build_constants(plan: ExportPlan, spec: PackageSpec) -> str:
    artifacts = {a.parameter: a for a in spec.artifacts}
    cell = plan.role("parameters")[0]
    lines = [f"# %% {_origin(cell, 'parameters')}: build parameters, fixed at export"]
    for name in plan.package_params:
        if name in artifacts:
            packaged = artifacts[name].packaged
            lines.append(f"{name} = str(_nb2prod_artifacts / {packaged!r})  # packaged artifact")
        else:
            lines.append(f"{name} = {plan.specs[name].default!r}")
    return "\n".join(lines) + "\n"


def _origin(cell, role: str) -> str:
    return f"{cell.label}, {role}"


# --------------------------------------------------------------------------- templates


def _context(plan: ExportPlan, spec: PackageSpec) -> dict[str, Any]:
    runtime = [_runtime_param(plan.specs[n], plan.settings.get(n)) for n in plan.runtime_params]
    settings = [p for p in runtime if p["variable"]]
    inputs = list(plan.inputs)
    keywords = ", ".join(f"{p['name']}=params.{p['name']}" for p in runtime)
    taken = sorted(set(RESERVED_KEYWORDS) & set(plan.runtime_params))
    if taken:
        raise UsageError(
            f"the runtime parameter {taken[0]!r} has the name of predict's own keyword",
            f"rename it in the parameters cell ({', '.join(RESERVED_KEYWORDS)} are predict's)",
        )
    signature = ", ".join(inputs) + (", /" if inputs else "")
    signature += (", " if signature else "") + '*, validate: str = "on", strict: bool = False'
    signature += ", **runtime_params: Any"
    contract = _contract(spec)
    return {
        "name": spec.name,
        "distribution": spec.distribution,
        "version": spec.version,
        "notebook": spec.notebook,
        "nb2prod_version": spec.nb2prod_version,
        "rebuild": spec.rebuild
        or f"nb2prod export {spec.notebook} --name {spec.name} -o <this folder> --force --verify",
        "python": spec.python,
        "requirements": [r.compatible for r in spec.requirements],
        "extras": spec.extras,
        "inputs": inputs,
        "inputs_text": ", ".join(f"`{n}`" for n in inputs) if inputs else "no input",
        "call_inputs": ", ".join([*inputs, "**runtime_params"] if runtime else inputs),
        "signature": signature,
        "predict_args": ", ".join(filter(None, [", ".join(inputs), keywords])),
        "runtime": runtime,
        "runtime_help": "; ".join(_help_line(p) for p in runtime) or "none",
        "settings": settings,
        "placeholders": placeholder_environment(plan.settings),
        "needs_field": any(p["mutable"] or p["variable"] for p in runtime),
        "build": [n for n in plan.build_params],
        "build_names": ", ".join(plan.build_params),
        "build_text": ", ".join(f"`{n}`" for n in plan.build_params),
        "artifacts": spec.artifacts,
        "input_kind": input_kind(spec.inputs),
        "output": " ".join(plan.output.split()),
        "predict_cells": ", ".join(c.label for c in plan.role("predict")),
        "drift": _drift_context(spec.reference_stats),
        "checked_inputs": "{" + ", ".join(f"{n!r}: {n}" for n in inputs) + "}",
        # argparse's description: no double quotes (a string literal), % doubled (formatting)
        "contract_short": contract_text.short(contract).replace('"', "'").replace("%", "%%"),
        "contract_markdown": contract_text.markdown(contract),
    }


def _contract(spec: PackageSpec) -> dict[str, Any]:
    """The contract to ship: the spec's, else one inferred from its captured input (none
    without a capture: a dry run)."""
    return spec.contract if spec.contract is not None else infer_contract(spec.inputs)


def _drift_context(stats: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the README says of the shipped statistics: rows, and the columns by name."""
    if stats is None:
        return None
    columns = list(stats["columns"])
    shown = ", ".join(f"`{c}`" for c in columns[:6]) + (", ..." if len(columns) > 6 else "")
    return {"rows": f"{stats['rows']:,}", "count": len(columns), "columns": shown}


def _runtime_param(param, variable: str | None) -> dict[str, Any]:
    """A runtime parameter as the templates show it; ``variable``: the environment
    variable a required setting is read from (its value is never shown)."""
    kind = "any" if param.type == "None" else param.type
    default = "None" if variable else repr(param.default)
    mutable = isinstance(param.default, (list, dict))
    conversion = _CONVERSIONS.get(kind)
    if variable:  # None until predict reads the variable; never in a repr
        declared = "field(default=None, repr=False)"
    else:
        declared = f"field(default_factory=lambda: {default})" if mutable else default
    return {
        "name": param.name,
        "type": kind,
        "annotation": f"{_ANNOTATIONS[param.type]} | None"
        if variable
        else _ANNOTATIONS[param.type],
        "default": default,
        "variable": variable,
        "field": declared,
        "mutable": mutable,
        "help": (param.help or "").replace('"""', "'''").replace("|", "\\|"),
        "good": conversion[0] if conversion else None,
        "bad": conversion[1] if conversion else None,
    }


def _help_line(param: dict[str, Any]) -> str:
    if param["variable"]:
        return f"{param['name']} (required: from ${param['variable']} when not given)"
    return f"{param['name']} (default {param['default']})"


def input_kind(inputs: dict[str, Any] | None) -> str:
    """How the CLI shapes a file it reads: like the example input the notebook gave."""
    if not inputs or len(inputs) != 1:
        return "json"
    value = next(iter(inputs.values()))
    module, name = type(value).__module__.split(".")[0], type(value).__name__
    if module == "pandas" and name in ("DataFrame", "Series"):
        return name.lower()
    if module == "numpy" and name == "ndarray":
        return "ndarray"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "records"
    if isinstance(value, list):
        return "list"
    return "json"


def _template(name: str, context: dict[str, Any]) -> str:
    return _templates().get_template(name).render(context)


@functools.cache
def _templates():
    """One jinja2 environment, so each template is compiled once per process."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - Python, TOML and Markdown, not HTML
    )


def _json(data: dict) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


# --------------------------------------------------------------------------- formatting


def formatted(files: dict[str, str]) -> dict[str, str]:
    """``ruff format`` every file (Python, and the code blocks of Markdown where ruff does
    that), in one call, away from any project's configuration."""
    with tempfile.TemporaryDirectory(prefix="nb2prod-format-") as folder:
        root = Path(folder)
        for path, text in files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
        result = subprocess.run(
            [_ruff(), "format", "--isolated", "--no-cache", "--quiet", str(root)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise EnvironmentProblem(f"ruff could not format the package: {result.stderr.strip()}")
        return {path: (root / path).read_text(encoding="utf-8") for path in files}


def ruff_findings(project: Path) -> list[str]:
    """``ruff check`` of a written project under its own configuration, one line each."""
    result = subprocess.run(
        [_ruff(), "check", "--no-cache", "--quiet", "--output-format", "concise", "."],
        capture_output=True,
        text=True,
        cwd=project,
    )
    return [line for line in result.stdout.splitlines() if line.strip()]


def _ruff() -> str:
    try:
        from ruff.__main__ import find_ruff_bin
    except ImportError:
        raise EnvironmentProblem(
            "ruff is not installed; nb2prod formats the code it generates with it",
            "pip install ruff",
        ) from None
    return find_ruff_bin()
