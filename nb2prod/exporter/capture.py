"""Run the notebook once, with papermill in a real kernel, and capture what the package must
reproduce: the example input handed to the predict cells and what they return, with the
default runtime parameters and with overridden ones.

The capture rule: the notebook's answer is what its predict cells give *when they run*, in
the notebook's order, never the state the notebook ends in (a later cell may refit the
model or rebind the example).  Capture cells are added to a copy of the notebook: before
the first predict cell they keep the example input; the last predict cell's final
expression, whatever it is, is bound to a name of ours as it runs and kept.  Right after
each predict cell, for each override case, that cell runs again in the same kernel with
the case's own values (the overridden parameters, the example input as it was, what the
case's earlier predict cells bound) over the notebook's state of that moment; then the
notebook's own values are put back, so later cells run as they would have.  Training runs
once.  Runtime parameters are read only by the predict cells (the plan refuses anything
else), so that re-run is what the notebook gives for those values.

The reference cell (``nb2prod:reference``), when there is one, is captured the same way:
its final expression, the training or reference data, is bound as it runs and kept right
after it (``Capture.reference``), before a later cell can change it.  A value that cannot be
pickled is not an error: the export goes ahead without it (``Capture.reference_note``).
"""

from __future__ import annotations

import ast
import pickle
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nb2prod.errors import EnvironmentProblem, NotebookFailed
from nb2prod.exporter.build_values import assignments
from nb2prod.exporter.code import cell_code, indented
from nb2prod.exporter.plan import ExportPlan
from nb2prod.exporter.settings import placeholder_values
from nb2prod.notebook import import_nbformat
from nb2prod.papermill_run import run_papermill
from nb2prod.roles import role_marks

_CAPTURE_TAG = "nb2prod-capture"
_PREFIX = "__nb2prod"
_REFERENCE_NAME = f"{_PREFIX}_reference"


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
    # The final value of the reference cell as it ran (the training data, usually a
    # DataFrame); None without a reference cell or when it could not be kept (then
    # reference_note says why).  Drift statistics and the input contract are made from it.
    reference: Any = None
    reference_note: str = ""


def override_cases(plan: ExportPlan, chosen: dict[str, Any] | None = None) -> list[dict]:
    """Runtime parameter sets to check besides the defaults: ``chosen`` when given, else
    every number and bool moved off its default (other types need a value from the user)."""
    if not plan.runtime_params:
        return []
    if chosen:
        return [dict(chosen)]
    overrides: dict[str, Any] = {}
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
    build: dict[str, Any] | None = None,
    restore: dict[str, Path] | None = None,
) -> Capture:
    """Execute a copy of the notebook in ``workdir`` with capture cells; raise
    NotebookFailed when the notebook fails.  ``build``: build parameter values bound right
    after the parameters cell(s); ``restore``: {path the notebook's load cell reads: a file
    copied over it just before the first load cell} (``--from-run``: a run's model)."""
    nbformat = import_nbformat()

    with tempfile.TemporaryDirectory(prefix="nb2prod-capture-") as scratch:
        scratch_dir = Path(scratch)
        node = nbformat.reads(plan.notebook.text, as_version=4)
        origins = _add_capture_cells(node, plan, overrides, scratch_dir, build, restore)
        source, executed = scratch_dir / "notebook.ipynb", scratch_dir / "executed.ipynb"
        nbformat.write(node, source)
        started = time.perf_counter()
        run_papermill(
            source,
            executed,
            cwd=workdir,
            kernel=kernel,
            timeout=timeout,
            cell_failure=lambda exc: _failure(plan, origins, exc, workdir),
        )
        seconds = time.perf_counter() - started
        inputs = _load(scratch_dir / "inputs.pkl", "the example input")
        cases = [Case({}, _load(scratch_dir / "case-0.pkl", "the predict output"))]
        for number, params in enumerate(overrides, start=1):
            output = _load(scratch_dir / f"case-{number}.pkl", "the predict output")
            cases.append(Case(dict(params), output))
        reference, note = _load_reference(plan, scratch_dir)
    return Capture(
        inputs=inputs, cases=cases, seconds=seconds, reference=reference, reference_note=note
    )


def _add_capture_cells(
    node,
    plan: ExportPlan,
    overrides: list[dict],
    scratch: Path,
    build: dict[str, Any] | None = None,
    restore: dict[str, Path] | None = None,
) -> dict:
    """Insert the capture cells into ``node``; returns {position in node: (original index,
    override parameters or None)} for the cells that are the notebook's own or re-runs."""
    nbformat = import_nbformat()

    predict = plan.role("predict")
    first, last = predict[0].index, predict[-1].index
    parameters = plan.role("parameters")
    # Required settings run with their placeholder, as verification and the generated
    # tests will: the answers captured are the placeholder's, never the credential's.
    bindings = {**(build or {}), **placeholder_values(plan.settings)}
    after_parameters = parameters[-1].index if bindings and parameters else None
    loading = (plan.role("load") or predict)[0].index if restore else None
    by_index = {cell.index: cell for cell in predict}
    tracked = _tracked_names(plan)
    reference = {cell.index: cell for cell in plan.role("reference")}

    def capture(code: str):
        return nbformat.v4.new_code_cell(code, metadata={"tags": [_CAPTURE_TAG]})

    # The copy runs without the `%%nb2prod ROLE` markers: they only label the cell.
    for cell in plan.notebook.code_cells:
        if any(mark.where == "magic" for mark in role_marks(cell)):
            node.cells[cell.index].source = cell_code(cell)
    new: list = []
    origins: dict[int, tuple[int, dict | None]] = {}
    for index, cell in enumerate(node.cells):
        predict_cell = by_index.get(index)
        if index == loading:
            new.append(capture(_restored(restore or {})))
        if index == first:
            new.append(capture(_start(plan.inputs, overrides, scratch / "inputs.pkl")))
        if predict_cell is not None and overrides:
            new.append(capture(f"{_PREFIX}_before = {_snapshot(tracked)}"))
        if index == last and predict_cell is not None:  # the last predict cell, always
            cell.source = _bound_result(cell_code(predict_cell), display=True)
        if index in reference:
            code = cell_code(reference[index])
            shown = not code.rstrip().endswith(";")  # `X_train;` shows nothing
            cell.source = _bound_result(code, display=shown, target=_REFERENCE_NAME)
        origins[len(new)] = (index, None)
        new.append(cell)
        if index in reference:
            new.append(capture(_dump_reference(scratch)))
        if index == after_parameters:
            new.append(capture(assignments(bindings)))
        if index == last:
            new.append(capture(_dump(f"{_PREFIX}_result", scratch / "case-0.pkl")))
        if predict_cell is None:
            continue
        for number, params in enumerate(overrides, start=1):
            code = cell_code(predict_cell)
            dump = scratch / f"case-{number}.pkl" if index == last else None
            new.append(capture(_enter_case(number, tracked)))
            origins[len(new)] = (index, params)
            new.append(capture(_bound_result(code, display=False) if dump else code))
            new.append(capture(_leave_case(number, tracked, dump)))
        if index == last:
            new.append(capture(_finish()))
    node.cells = new
    return origins


def _tracked_names(plan: ExportPlan) -> list[str]:
    """What a re-run of the predict cells for an override case binds or sets: the runtime
    parameters, the example input and every name the predict cells bind."""
    from nb2prod.flow import cell_names

    names = [*plan.runtime_params, *plan.inputs]
    for cell in plan.role("predict"):
        names += [n for n in cell_names(plan.parsed[cell.index]).defines if n not in names]
    return sorted(set(names), key=names.index)


def _bound_result(source: str, *, display: bool, target: str = f"{_PREFIX}_result") -> str:
    """``source`` with its final expression bound to ``target`` as it runs, and shown
    again when ``display`` so Out and ``_`` stay the notebook's."""
    tree = ast.parse(source)
    last = tree.body[-1]
    lines = source.split("\n")
    row = last.lineno - 1
    bound = f"{target} = "
    lines[row] = lines[row][: last.col_offset] + bound + lines[row][last.col_offset :]
    return "\n".join(lines) + (f"\n{target}" if display else "")


def _dump_reference(scratch: Path) -> str:
    """Keep the reference value; one that cannot be pickled leaves the reason instead of
    failing the notebook (the package is still exported, without drift statistics)."""
    path, error = str(scratch / "reference.pkl"), str(scratch / "reference-error.txt")
    names = ("pickle", "file", "error", _REFERENCE_NAME)
    return (
        f"try:\n"
        f"{indented(_dump(_REFERENCE_NAME, Path(path)))}\n"
        f"except Exception as {_PREFIX}_error:\n"
        f"    with open({error!r}, 'w', encoding='utf-8') as {_PREFIX}_file:\n"
        f"        {_PREFIX}_file.write(type({_PREFIX}_error).__name__ + ': ' + str({_PREFIX}_error))\n"
        + "\n".join(
            f"globals().pop({name if name.startswith(_PREFIX) else f'{_PREFIX}_{name}'!r}, None)"
            for name in names
        )
    )


def _load_reference(plan: ExportPlan, scratch: Path) -> tuple[Any, str]:
    """The reference cell's value, or None and why not ("" without a reference cell)."""
    if not plan.role("reference"):
        return None, ""
    label = plan.role("reference")[0].label
    error = scratch / "reference-error.txt"
    if error.is_file():
        reason = error.read_text(encoding="utf-8")
        return None, f"{label}'s value cannot be pickled ({reason}), so it was not kept"
    try:
        return _load(scratch / "reference.pkl", "the reference value"), ""
    except (NotebookFailed, EnvironmentProblem) as exc:
        return None, f"{label}: {exc.message}"


def _restored(files: dict[str, Path]) -> str:
    """Copy each file over the path the notebook's load cell reads (relative paths are the
    kernel's: the working folder)."""
    lines = [f"import os as {_PREFIX}_os, shutil as {_PREFIX}_shutil"]
    for target, source in files.items():
        lines += [
            f"{_PREFIX}_os.makedirs({_PREFIX}_os.path.dirname({target!r}) or '.', exist_ok=True)",
            f"{_PREFIX}_shutil.copyfile({str(source)!r}, {target!r})",
        ]
    return "\n".join([*lines, f"del {_PREFIX}_os, {_PREFIX}_shutil"])


def _snapshot(names: list[str]) -> str:
    return f"{{n: globals()[n] for n in {names!r} if n in globals()}}"


def _start(names: list[str], overrides: list[dict], path: Path) -> str:
    """Keep the example input; each override case starts from its own copy of it."""
    values = ", ".join(f"{name!r}: {name}" for name in names)
    code = _dump(f"{{{values}}}", path)
    if overrides:
        code += (
            f"\n{_PREFIX}_cases = []\n"
            f"for {_PREFIX}_params in {overrides!r}:\n"
            f"    with open({str(path)!r}, 'rb') as {_PREFIX}_file:\n"
            f"        {_PREFIX}_inputs = __import__('pickle').load({_PREFIX}_file)\n"
            f"    {_PREFIX}_cases.append({{**{_PREFIX}_inputs, **{_PREFIX}_params}})\n"
            f"del {_PREFIX}_params, {_PREFIX}_file, {_PREFIX}_inputs"
        )
    return code


def _enter_case(number: int, tracked: list[str]) -> str:
    """Keep the notebook's values, then bind the case's over the state before the cell."""
    return (
        f"{_PREFIX}_after = {_snapshot(tracked)}\n"
        f"for {_PREFIX}_name in {tracked!r}:\n"
        f"    globals().pop({_PREFIX}_name, None)\n"
        f"globals().update({_PREFIX}_before)\n"
        f"globals().update({_PREFIX}_cases[{number - 1}])"
    )


def _leave_case(number: int, tracked: list[str], dump: Path | None) -> str:
    """Keep what the case bound (and its answer), then put the notebook's values back."""
    code = f"{_PREFIX}_cases[{number - 1}] = {_snapshot(tracked)}\n"
    if dump is not None:
        code += _dump(f"{_PREFIX}_result", dump) + "\n"
    return code + (
        f"for {_PREFIX}_name in {tracked!r}:\n"
        f"    globals().pop({_PREFIX}_name, None)\n"
        f"globals().update({_PREFIX}_after)"
    )


def _finish() -> str:
    """Remove our names, so the cells after predict see only the notebook's."""
    names = ("result", "cases", "before", "after", "name")
    return "\n".join(f"globals().pop({f'{_PREFIX}_{n}'!r}, None)" for n in names)


def _dump(value: str, path: Path) -> str:
    return (
        f"import pickle as {_PREFIX}_pickle\n"
        f"with open({str(path)!r}, 'wb') as {_PREFIX}_file:\n"
        f"    {_PREFIX}_pickle.dump({value}, {_PREFIX}_file, protocol=4)\n"
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


def _failure(plan: ExportPlan, origins: dict, exc, workdir: Path) -> NotebookFailed:
    index, params = origins.get(exc.cell_index, (None, None))
    if index is None:
        return NotebookFailed(
            f"capturing a predict value failed: {exc.ename}: {exc.evalue}",
            "predict's inputs and output must be picklable data (frames, arrays, lists, ...)",
        )
    cell = plan.notebook.cells[index]
    case = f" with {Case(params).name}" if params is not None else ""
    hint = (
        f"fix the notebook so it runs top to bottom in a fresh kernel; it ran in {workdir} "
        "(use --cwd to run it elsewhere)"
    )
    if plan.settings and any(c.index == index for c in plan.role("predict")):
        named = ", ".join(f"`{n}`" for n in plan.settings)
        hint += (
            f"; the predict cells ran with a placeholder for {named}, never the real value: "
            "if they need the real credential, read it with os.environ in the predict cell"
        )
    return NotebookFailed(
        f"the notebook failed in {cell.label}{case}: {exc.ename}: {exc.evalue}", hint
    )
