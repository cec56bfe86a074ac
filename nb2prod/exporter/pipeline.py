"""``nb2prod export``: plan, run the notebook to capture its answers and artifacts, render,
write.  The one entry point the CLI, the kernel magic and the server share."""

from __future__ import annotations

import contextlib
import keyword
import re
import shlex
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, TypeVar

from nb2prod import __version__
from nb2prod.config import find_project_root
from nb2prod.errors import NotebookReadError, UsageError
from nb2prod.exporter.artifacts import find_artifacts
from nb2prod.exporter.build_values import refuse_setting, split_params, with_build_values
from nb2prod.exporter.capture import Capture, override_cases, run_and_capture
from nb2prod.exporter.contract import infer_contract
from nb2prod.exporter.from_run import RunValues, packaged_files, read_run
from nb2prod.exporter.plan import CODE_ROLES, ExportPlan, ExportRefusal, plan_export
from nb2prod.exporter.probe import probe_modules
from nb2prod.exporter.provenance import provenance, sha256
from nb2prod.exporter.reference import add_engine_requirements, shipped_statistics
from nb2prod.exporter.render import PackageSpec, render_package, ruff_findings
from nb2prod.exporter.requirements import (
    exact_pins,
    imported_modules,
    installed_pin,
    resolve_requirements,
    runtime_requirements,
)
from nb2prod.exporter.settings import shown
from nb2prod.exporter.verify import Scorecard
from nb2prod.exporter.writer import check_target, write_tree
from nb2prod.notebook import notebook_from_bytes
from nb2prod.parameters import coerce

_NAME = re.compile(r"[a-z_][a-z0-9_]*")
AnyPath = TypeVar("AnyPath", bound=PurePath)  # a path on this machine, or a server's API path


@dataclass
class ExportOptions:
    notebook: Path
    name: str | None = None
    output: Path | None = None  # default: default_output(notebook, name)
    version: str = "0.1.0"
    force: bool = False
    dry_run: bool = False
    # runtime parameters: overrides to check; build parameters: the values the notebook runs
    # with (and the package is built from), as typed
    params: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None  # where the notebook runs; default the notebook's folder
    kernel: str | None = None
    timeout: float | None = None
    from_run: str | None = None  # an MLflow run id: its build values and logged outputs
    tracking_uri: str | None = None  # where that run is (default: resolved as everywhere)


@dataclass
class ExportResult:
    plan: ExportPlan
    spec: PackageSpec
    target: Path
    files: list[str]
    capture: Capture | None
    notes: list[str] = field(default_factory=list)
    scorecard: Scorecard | None = None  # when it was verified
    build_sources: dict[str, str] = field(default_factory=dict)  # name -> "-p", "run …"
    from_run: RunValues | None = None  # what --from-run took from the run


def export_notebook(options: ExportOptions, say: Callable[[str], None] = lambda _: None):
    """Export ``options.notebook``; returns what was (or, dry, would be) written."""
    with tempfile.TemporaryDirectory(prefix="nb2prod-from-run-") as downloads:
        return _export(options, say, Path(downloads))


def preview_contract(
    options: ExportOptions, say: Callable[[str], None] = lambda _: None
) -> ExportResult:
    """The dry run of ``options`` (refused as it is) whose ``spec.contract`` is the input
    contract the export would ship: the notebook runs, as the export runs it, to capture its
    example input and reference data; nothing is written, probed or verified."""
    with tempfile.TemporaryDirectory(prefix="nb2prod-from-run-") as downloads:
        setup = _set_up(options, say, Path(downloads))
        result = _planned(setup)
        with _working_directory(options.cwd, setup.path) as workdir:
            capture = _capture(options, setup, workdir, say)
    setup.spec.contract = infer_contract(capture.inputs, getattr(capture, "reference", None))
    return result


@dataclass
class _SetUp:
    """What an export knows before the notebook runs."""

    path: Path
    data: bytes
    plan: ExportPlan
    spec: PackageSpec
    target: Path
    root: Path
    build: dict[str, Any]
    overrides: list[dict]
    sources: dict[str, str]
    origin: RunValues | None


def _set_up(options: ExportOptions, say: Callable[[str], None], downloads: Path) -> _SetUp:
    path = Path(options.notebook)
    data = read_notebook_bytes(path)
    notebook = notebook_from_bytes(data, str(path))
    if not notebook.is_python:
        raise UsageError(
            f"{path}: the notebook's kernel language is {notebook.language}",
            "nb2prod exports Python notebooks",
        )
    plan = plan_export(notebook)
    refuse_secrets(plan)
    name = options.name or default_name(path)
    check_name(name, plan)
    target = Path(options.output) if options.output else default_output(path, name)
    check_target(target, options.force, protected=[path])
    runtime, build = split_params(plan, options.params)
    sources = dict.fromkeys(build, "-p")
    origin = None
    if options.from_run:
        say(f"reading MLflow run {options.from_run}")
        origin = read_run(plan, path, options.from_run, options.tracking_uri, build, downloads)
        sources = {**dict.fromkeys(origin.values, f"run {origin.run_id}"), **sources}
        build = {**origin.values, **build}
    plan = with_build_values(plan, build)
    overrides = override_cases(plan, runtime)
    root = find_project_root(path.resolve().parent)
    requirements = resolve_requirements(plan, [path.resolve().parent, root])
    spec = PackageSpec(
        name=name,
        version=options.version,
        notebook=_relative(path.resolve(), root),
        requirements=requirements,
        lock=exact_pins([r.distribution for r in requirements]),
        extras={
            "mlflow": [installed_pin("mlflow-skinny", "mlflow-skinny>=2.16")],
            "parquet": [installed_pin("pyarrow", "pyarrow>=14")],
            "test": [installed_pin("pytest", "pytest>=8")],
        },
        nb2prod_version=__version__,
        rebuild=rebuild_command(options, name, _relative(path.resolve(), root), root),
    )
    return _SetUp(path, data, plan, spec, target, root, build, overrides, sources, origin)


def _planned(setup: _SetUp) -> ExportResult:
    """The dry run's result: the files the export would write, none written."""
    plan, origin = setup.plan, setup.origin
    files = render_package(plan, setup.spec)
    notes = [*plan.notes, *(origin.notes if origin else []), "dry run: nothing written"]
    return ExportResult(
        plan,
        setup.spec,
        setup.target,
        list(files),
        None,
        notes,
        build_sources=setup.sources,
        from_run=origin,
    )


def _capture(
    options: ExportOptions, setup: _SetUp, workdir: Path, say: Callable[[str], None]
) -> Capture:
    say(f"running {setup.path} with papermill")
    return run_and_capture(
        setup.plan,
        setup.overrides,
        workdir=workdir,
        kernel=options.kernel,
        timeout=options.timeout,
        build=setup.build,
        restore=setup.origin.files if setup.origin else None,
    )


def _export(options: ExportOptions, say: Callable[[str], None], downloads: Path):
    setup = _set_up(options, say, downloads)
    if options.dry_run:
        return _planned(setup)
    path, data, plan, spec, root = setup.path, setup.data, setup.plan, setup.spec, setup.root
    overrides, build, origin = setup.overrides, setup.build, setup.origin
    with _working_directory(options.cwd, path) as workdir:
        capture = _capture(options, setup, workdir, say)
        spec.artifacts = find_artifacts(plan, workdir, root)
        spec.inputs = capture.inputs
        # the input contract: values from the reference data when the notebook has some
        spec.contract = infer_contract(capture.inputs, getattr(capture, "reference", None))
        spec.cases = [
            {"name": case.name, "params": case.params, "output": case.output}
            for case in capture.cases
        ]
        spec.provenance = provenance(plan, spec, data, path)
        spec.provenance["checked_overrides"] = overrides
        spec.provenance["build_overrides"] = build  # typed, never a secret (split_params)
        if origin is not None:
            spec.provenance["from_run"] = origin.provenance()
        spec.reference_stats, reference_line = shipped_statistics(plan, capture)
        if spec.reference_stats is not None:
            add_engine_requirements(spec)  # scipy & co., before the lock is computed
        say("running the package outside the notebook to find its run-time dependencies")
        findings = add_runtime_requirements(plan, spec)
        files = render_package(plan, spec)
        write_tree(files, setup.target, force=options.force)
    notes = [*plan.notes, *(origin.notes if origin else [])]
    if reference_line and spec.reference_stats is None:
        notes.append(reference_line)
    notes += [f"ruff: {line} (in code copied from the notebook)" for line in findings]
    if sha256(read_notebook_bytes(path)) != sha256(data):
        notes.append(
            f"{path} changed on disk during the export; the package is built from the "
            "version read at the start (export again to pick up the change)"
        )
    return ExportResult(
        plan,
        spec,
        setup.target,
        list(files),
        capture,
        notes,
        build_sources=setup.sources,
        from_run=origin,
    )


def refuse_secrets(plan: ExportPlan) -> None:
    """The package's code is copied from its cells: refuse credentials written in them, as
    the linter finds them (NB501, NB503; its allowed secrets and noqa comments apply)."""
    from nb2prod.config import LintOverrides, lint_settings
    from nb2prod.linter.engine import lint_notebook

    notebook = plan.notebook
    settings = lint_settings(notebook.path, LintOverrides(select=("NB501", "NB503")))
    package_cells = {cell.number for role in CODE_ROLES for cell in plan.role(role)}
    for finding in lint_notebook(notebook, settings):
        if finding.cell in package_cells:
            cell = notebook.cells[finding.cell - 1]
            raise ExportRefusal(
                f"{cell.label}, line {finding.line}: {finding.message}",
                "the package would carry the secret in its code; read it from the "
                "environment at run time (os.environ) in the load cell",
            )


def add_runtime_requirements(plan: ExportPlan, spec: PackageSpec) -> list[str]:
    """Render into a scratch folder, run it (probe.py), and add what it needed at run time:
    to the dependencies when load/predict needed it, to the test extra when only the
    golden data did.  Returns what ruff says about the code, the notebook's included."""
    with tempfile.TemporaryDirectory(prefix="nb2prod-probe-") as scratch:
        staging = Path(scratch) / "project"
        write_tree(render_package(plan, spec), staging)
        golden = staging / "tests" / "golden" / "cases.pkl"
        seen = probe_modules(staging, spec.name, golden, plan.settings)
        findings = ruff_findings(staging)
    spec.requirements = sorted(
        spec.requirements + runtime_requirements(seen.package, spec.requirements, spec.name),
        key=lambda r: r.distribution.lower(),
    )
    spec.lock = exact_pins([r.distribution for r in spec.requirements])
    for requirement in runtime_requirements(seen.golden, spec.requirements, spec.name):
        spec.extras["test"].append(requirement.compatible)
    return findings


def recapture(
    folder: Path,
    params: dict[str, str],
    *,
    notebook: Path | None = None,
    cwd=None,
    kernel=None,
    timeout=None,
    say: Callable[[str], None] = lambda _: None,
) -> tuple[Capture, list[str]]:
    """Run the notebook an exported ``folder`` came from again, capturing the answers to
    check the package against (the overrides checked at export, or ``params``)."""
    from nb2prod.exporter.verify import locate_notebook, read_provenance

    package, recorded = read_provenance(folder)
    path = notebook or locate_notebook(Path(folder), recorded)
    data = read_notebook_bytes(path)
    notes = []
    if sha256(data) != recorded.get("notebook_sha256"):
        notes.append(
            f"{path} changed since it was exported; differences may come from that "
            "(export again with --force)"
        )
    plan = plan_export(notebook_from_bytes(data, str(path)))
    notes += plan.notes
    build = {n: v for n, v in recorded.get("build_overrides", {}).items() if n in plan.specs}
    plan = with_build_values(plan, build)
    restore = packaged_files(Path(folder), package, recorded, plan)  # --from-run's files
    chosen = typed_params(plan, params) if params else None
    overrides = override_cases(plan, chosen) if chosen else recorded.get("checked_overrides", [])
    say(f"running {path} with papermill")
    with _working_directory(cwd, path) as workdir:
        capture = run_and_capture(
            plan,
            overrides,
            workdir=workdir,
            kernel=kernel,
            timeout=timeout,
            build=build,
            restore=restore,
        )
    return capture, notes


@contextlib.contextmanager
def _working_directory(cwd: Path | None, notebook: Path):
    """Where the notebook runs (the working-directory rule): ``cwd``, else the notebook's
    own folder, as in Jupyter, papermill and ``nb2prod run``, so relative paths such as
    ``../data/x.csv`` mean the same in all of them, wherever the command is started."""
    yield Path(cwd) if cwd else Path(notebook).resolve().parent


def read_notebook_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise NotebookReadError(str(path), f"cannot read file: {exc.strerror or exc}") from None


def default_output(notebook: AnyPath, name: str) -> AnyPath:
    """Where the package goes when no folder is given: ``build/NAME`` next to the notebook.
    It does not depend on where a command runs, so the CLI, the magic, the API and the panel
    (whose server has no working folder of the user's) all put it in the same place."""
    return notebook.parent / "build" / name


def default_name(path: PurePath) -> str:
    """``Churn Model (v2).ipynb`` -> ``churn_model_v2``."""
    name = re.sub(r"[^a-z0-9]+", "_", path.stem.lower()).strip("_")
    name = name if name and not name[0].isdigit() else f"nb_{name}"
    return name if not keyword.iskeyword(name) else f"{name}_model"


def check_name(name: str, plan: ExportPlan) -> None:
    if not _NAME.fullmatch(name) or keyword.iskeyword(name):
        raise UsageError(
            f"--name {name!r} is not a package name",
            "use lower-case letters, digits and underscores, starting with a letter",
        )
    taken = set(sys.stdlib_module_names) | {m.split(".")[0] for m in imported_modules(plan)}
    if name in taken:
        raise UsageError(
            f"--name {name!r} is the name of a module the package would need or shadow",
            "choose another name",
        )


def typed_params(plan: ExportPlan, given: dict[str, str]) -> dict[str, Any]:
    """``-p NAME VALUE`` values, typed like the parameters cell's defaults."""
    typed = {}
    for name, text in given.items():
        if name not in plan.specs:
            raise UsageError(
                f"-p {name}: the notebook has no parameter `{name}`",
                f"parameters: {', '.join(plan.specs) or 'none'}",
            )
        refuse_setting(plan, name, f"-p {name}")
        if name not in plan.runtime_params:
            raise UsageError(
                f"-p {name}: `{name}` is a build parameter, fixed at export (nb2prod verify "
                "runs the notebook with the values the package was built from)",
                f"runtime parameters: {', '.join(plan.runtime_params) or 'none'}",
            )
        typed[name] = coerce(plan.specs[name], text, f"-p {name} {text}")
    return typed


def rebuild_command(options: ExportOptions, name: str, notebook: str, root: Path) -> str:
    """The command, run from the project root, that exports this package again as it was:
    the options that change what is built or checked (no secret: -p refuses them)."""
    words = ["nb2prod", "export", notebook, "--name", name, "-o", "<this folder>"]
    if options.version != ExportOptions.version:
        words += ["--version", options.version]
    if options.cwd is not None:
        cwd = Path(options.cwd).resolve()
        words += [
            "--cwd",
            cwd.relative_to(root).as_posix() if cwd.is_relative_to(root) else str(cwd),
        ]
    for param, text in options.params.items():
        words += ["-p", param, text]
    if options.from_run:
        words += ["--from-run", options.from_run]
        if options.tracking_uri:  # where the run is; --log-model's store changes no file
            from nb2prod.credentials import redact_text

            words += ["--tracking-uri", redact_text(options.tracking_uri)]
    if options.kernel:
        words += ["--kernel", options.kernel]
    if options.timeout is not None:
        words += ["--timeout", f"{options.timeout:g}"]
    quoted = [w if w == "<this folder>" else shlex.quote(w) for w in words]
    return " ".join([*quoted, "--force", "--verify"])


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def summary(result: ExportResult) -> str:
    """What was (or, dry, would be) exported, in a few lines: the call, the fixed
    parameters, artifacts, dependencies, and the files or the next step."""
    plan, spec = result.plan, result.spec
    verb = "would export" if result.capture is None else "exported"
    inputs = ", ".join(plan.inputs)
    params = ", ".join(
        f"{n}={shown(n, plan.settings)}" if n in plan.settings else f"{n}={plan.specs[n].default!r}"
        for n in plan.runtime_params
    )
    call = ", ".join(filter(None, [inputs, params and f"*, {params}"]))
    lines = [
        f"{verb} {spec.notebook} -> {result.target} ({len(result.files)} files)",
        f"  {spec.name}.predict({call}) returns `{plan.output}`",
    ]
    if plan.build_params:
        lines.append(f"  build parameters, fixed: {', '.join(plan.build_params)}")
    for name, source in result.build_sources.items():
        lines.append(f"    {name}={plan.specs[name].default!r} (from {source})")
    if result.from_run is not None:
        lines += result.from_run.summary()
    if spec.artifacts:
        lines.append(f"  artifacts: {', '.join(a.original for a in spec.artifacts)}")
    if result.capture is None and plan.role("reference"):
        cell = plan.role("reference")[0].label
        lines.append(f"  reference: {cell}'s value -> drift statistics, once the notebook runs")
    if spec.reference_stats is not None:
        stats = spec.reference_stats
        lines.append(
            f"  reference: {stats['rows']:,} rows x {len(stats['columns']):,} columns -> drift "
            f"statistics ({spec.name} drift --input FILE)"
        )
    deps = ", ".join(r.compatible for r in spec.requirements) or "none"
    lines.append(f"  dependencies: {deps}")
    if result.capture is None:
        lines += [f"  {path}" for path in result.files]
    else:
        lines.append(f"next: pip install {result.target} && {spec.name} predict --input FILE")
    return "\n".join(lines)
