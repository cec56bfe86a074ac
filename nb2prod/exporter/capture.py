"""Run the notebook once, with papermill in a real kernel, and capture what the package must
reproduce: the example input handed to the predict cells and what they return, with the
default runtime parameters and with overridden ones.

Capture cells are added to a copy of the notebook: one before the first predict cell
(the input, before predict can change it), one after the last (the output), and at the end
one re-run of the predict cells per override case, in the same kernel, so training runs
once.  Runtime parameters are read only by the predict cells (the plan refuses anything
else), so re-running them with a new value is what the notebook gives for that value.
"""

from __future__ import annotations

import pickle
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nb2prod.errors import EnvironmentProblem, NotebookFailed
from nb2prod.exporter.code import cell_code
from nb2prod.exporter.plan import ExportPlan
from nb2prod.notebook import import_nbformat
from nb2prod.papermill_run import run_papermill
from nb2prod.roles import role_marks

_CAPTURE_TAG = "nb2prod-capture"
_PREFIX = "__nb2prod"


@dataclass
class Case:
    """One call of predict: runtime parameter overrides and the notebook's answer."""

    params: dict[str, Any]
    output: Any = None

    @property
    def name(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return shown or "defaults"


@dataclass
class Capture:
    """What one run of the notebook gave: the example input and one Case per parameter set."""

    inputs: dict[str, Any]
    cases: list[Case]
    seconds: float = 0.0


def override_cases(plan: ExportPlan, chosen: dict[str, Any] | None = None) -> list[dict]:
    """Runtime parameter sets to check besides the defaults: ``chosen`` when given, else
    every number and bool moved off its default (other types need a value from the user)."""
    if not plan.runtime_params:
        return []
    if chosen:
        return [dict(chosen)]
    overrides = {}
    for name in plan.runtime_params:
        spec = plan.specs[name]
        if spec.type == "bool" and isinstance(spec.default, bool):
            overrides[name] = not spec.default
        elif spec.type == "int" and isinstance(spec.default, int):
            overrides[name] = spec.default + 1
        elif spec.type == "float" and isinstance(spec.default, (int, float)):
            overrides[name] = round(spec.default * 1.4, 6) if spec.default else 0.5
    return [overrides] if overrides else []


def run_and_capture(
    plan: ExportPlan,
    overrides: list[dict],
    *,
    workdir: Path,
    kernel: str | None = None,
    timeout: float | None = None,
) -> Capture:
    """Execute a copy of the notebook in ``workdir`` with capture cells; raise
    NotebookFailed when the notebook fails."""
    nbformat = import_nbformat()

    with tempfile.TemporaryDirectory(prefix="nb2prod-capture-") as scratch:
        scratch_dir = Path(scratch)
        node = nbformat.reads(plan.notebook.text, as_version=4)
        added = _add_capture_cells(node, plan, overrides, scratch_dir)
        source, executed = scratch_dir / "notebook.ipynb", scratch_dir / "executed.ipynb"
        nbformat.write(node, source)
        started = time.perf_counter()
        run_papermill(
            source,
            executed,
            cwd=workdir,
            kernel=kernel,
            timeout=timeout,
            cell_failure=lambda exc: _failure(plan, added, exc),
        )
        seconds = time.perf_counter() - started
        inputs = _load(scratch_dir / "inputs.pkl", "the example input")
        cases = [Case({}, _load(scratch_dir / "case-0.pkl", "the predict output"))]
        for number, params in enumerate(overrides, start=1):
            output = _load(scratch_dir / f"case-{number}.pkl", "the predict output")
            cases.append(Case(dict(params), output))
    return Capture(inputs=inputs, cases=cases, seconds=seconds)


def _add_capture_cells(node, plan: ExportPlan, overrides: list[dict], scratch: Path) -> dict:
    """Insert the capture cells into ``node``; returns {position in node: original index}."""
    nbformat = import_nbformat()

    predict = plan.role("predict")
    first, last = predict[0].index, predict[-1].index
    inputs_file, names = scratch / "inputs.pkl", plan.inputs

    def capture(code: str):
        return nbformat.v4.new_code_cell(code, metadata={"tags": [_CAPTURE_TAG]})

    tail = []
    for number, params in enumerate(overrides, start=1):
        assign = "\n".join(f"{name} = {value!r}" for name, value in params.items())
        tail.append(capture(_restore_inputs(inputs_file) + "\n" + assign))
        tail += [capture(cell_code(c)) for c in predict]
        tail.append(capture(_dump_output(plan.output, scratch / f"case-{number}.pkl")))
    # The copy runs without the `%%nb2prod ROLE` markers: they only label the cell.
    for cell in plan.notebook.code_cells:
        if any(mark.where == "magic" for mark in role_marks(cell)):
            node.cells[cell.index].source = cell_code(cell)
    new, original = [], {}
    for index, cell in enumerate(node.cells):
        if index == first:
            new.append(capture(_dump_inputs(names, inputs_file)))
        original[len(new)] = index
        new.append(cell)
        if index == last:
            new.append(capture(_dump_output(plan.output, scratch / "case-0.pkl")))
    node.cells = new + tail
    return original


def _dump_inputs(names: list[str], path: Path) -> str:
    values = ", ".join(f"{name!r}: {name}" for name in names)
    return _dump(f"{{{values}}}", path)


def _dump_output(expression: str, path: Path) -> str:
    # An identifier is read again; any other expression is taken from Out, never re-run.
    value = (
        expression if expression.isidentifier() else "Out.get(get_ipython().execution_count - 1)"
    )
    return _dump(value, path)


def _dump(value: str, path: Path) -> str:
    return (
        f"import pickle as {_PREFIX}_pickle\n"
        f"with open({str(path)!r}, 'wb') as {_PREFIX}_file:\n"
        f"    {_PREFIX}_pickle.dump({value}, {_PREFIX}_file, protocol=4)\n"
        f"del {_PREFIX}_pickle, {_PREFIX}_file"
    )


def _restore_inputs(path: Path) -> str:
    return (
        f"import pickle as {_PREFIX}_pickle\n"
        f"with open({str(path)!r}, 'rb') as {_PREFIX}_file:\n"
        f"    globals().update({_PREFIX}_pickle.load({_PREFIX}_file))\n"
        f"del {_PREFIX}_pickle, {_PREFIX}_file"
    )


def _load(path: Path, what: str) -> Any:
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        raise NotebookFailed(f"the run did not capture {what}") from None
    except (ImportError, AttributeError) as exc:
        raise EnvironmentProblem(
            f"{what} cannot be read here: {exc}",
            "run nb2prod in the environment the notebook's kernel uses",
        ) from None


def _failure(plan: ExportPlan, added: dict, exc) -> NotebookFailed:
    index = added.get(exc.cell_index)
    if index is None:
        return NotebookFailed(
            f"capturing a predict value failed: {exc.ename}: {exc.evalue}",
            "predict's inputs and output must be picklable data (frames, arrays, lists, ...)",
        )
    cell = plan.notebook.cells[index]
    return NotebookFailed(
        f"the notebook failed in {cell.label}: {exc.ename}: {exc.evalue}",
        "fix the notebook so it runs top to bottom in a fresh kernel; it ran in a fresh "
        "working directory (use --cwd to run it elsewhere)",
    )
