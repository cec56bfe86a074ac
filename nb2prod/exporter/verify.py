"""``nb2prod verify``: prove the exported package gives the notebook's answers.

The package is installed into a fresh virtual environment (its pinned dependencies, no
nb2prod, no Jupyter), ``predict`` is called there on the example input the notebook run
captured, with the default and with overridden runtime parameters, and every answer is
compared with the notebook's.  The generated tests run there too.  The result is a
scorecard; any failed check makes it fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nb2prod.child import Child, ChildError, copy_standalone
from nb2prod.config import find_project_root
from nb2prod.errors import (
    EnvironmentProblem,
    EquivalenceMismatch,
    Nb2ProdError,
    UsageError,
    VerificationFailed,
)
from nb2prod.exporter.capture import Capture
from nb2prod.exporter.compare import RTOL, differences


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""
    diff: list[str] = field(default_factory=list)


@dataclass
class Scorecard:
    package: str
    notebook: str
    checks: list[Check] = field(default_factory=list)
    #: What ``--log-model`` logged, ``{"model_uri", "run_id"}`` (empty when it did not):
    #: what ``--register`` registers.
    logged: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def mismatch(self) -> bool:
        """Did the package run and give different answers (rather than fail to run)?"""
        return any(c.diff for c in self.checks)

    def add(self, name: str, ok: bool, detail: str = "", diff: list[str] | None = None) -> Check:
        check = Check(name, ok, detail, diff or [])
        self.checks.append(check)
        return check

    def text(self) -> str:
        lines = [f"nb2prod verify: {self.package} from {self.notebook}"]
        width = max((len(c.name) for c in self.checks), default=0)
        for check in self.checks:
            mark = "PASS" if check.ok else "FAIL"
            lines.append(f"  {mark}  {check.name.ljust(width)}  {check.detail}".rstrip())
            lines += [f"          {line}" for line in check.diff]
        verdict = (
            "verified: the package gives the notebook's answers"
            if self.ok
            else "NOT verified: see the failed checks above"
        )
        return "\n".join([*lines, verdict])


def read_provenance(folder: Path) -> tuple[str, dict]:
    """(package name, provenance) of an exported project folder."""
    found = sorted(Path(folder).glob("src/*/provenance.json"))
    if not found:
        raise UsageError(
            f"{folder} is not a project nb2prod exported (no src/*/provenance.json)",
            "pass the folder `nb2prod export -o` wrote",
        )
    return found[0].parent.name, json.loads(found[0].read_text(encoding="utf-8"))


def locate_notebook(folder: Path, recorded: dict) -> Path:
    """The notebook named in provenance: relative to the project root holding ``folder``
    (looked for above it: the package's own pyproject.toml does not make a project root)."""
    relative = recorded.get("notebook") or ""
    for base in (find_project_root(folder.resolve().parent), Path.cwd()):
        if (base / relative).is_file():
            return base / relative
    raise UsageError(
        f"cannot find {relative!r}, the notebook {folder} was exported from",
        "pass it with --notebook, or run nb2prod verify from the project the notebook is in",
    )


def verify_package(
    folder: Path,
    capture: Capture,
    scorecard: Scorecard,
    *,
    say: Callable[[str], None] = lambda _: None,
) -> Scorecard:
    """Install ``folder`` into a fresh venv and compare its answers with ``capture``."""
    folder = Path(folder).resolve()
    name, provenance = read_provenance(folder)
    scratch = Path(tempfile.mkdtemp(prefix="nb2prod-verify-"))
    venv = scratch / "venv"
    # The package's required settings get their placeholders there, and only there.
    env = {**clean_env(), **settings_environment(provenance)}
    try:
        say(f"installing {name} into a fresh virtual environment")
        python = _install(folder, venv, scorecard)
        if python is None:
            return scorecard
        _compare_answers(name, python, capture, scratch, scorecard, env)
        _run_generated_tests(folder, python, scorecard, env)
        _run_cli(name, python, capture, scratch, scorecard, env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return scorecard


def check_package(
    folder: Path,
    capture: Capture,
    *,
    log_model: bool = False,
    tracking_uri: str | None = None,
    notebook: Path | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> Scorecard:
    """Every check of ``nb2prod verify`` on the package in ``folder`` against the answers
    in ``capture``; with ``log_model``, logged to MLflow (the store of ``notebook``, default
    the one its provenance names: ``mlflow_log.model_store``) and checked there too.
    Returns the scorecard when all pass, else raises with it as the error's ``result``."""
    name, provenance = read_provenance(folder)
    scorecard = Scorecard(name, provenance.get("notebook", "?"))
    scorecard.add("notebook ran", True, f"papermill, {capture.seconds:.1f} s")
    verify_package(folder, capture, scorecard, say=say)
    if log_model and scorecard.ok:
        from nb2prod.exporter.mlflow_log import log_and_check

        log_and_check(
            folder, capture, scorecard, tracking_uri=tracking_uri, notebook=notebook, say=say
        )
    logging = next((c for c in scorecard.checks if c.name == "mlflow log_model"), None)
    problem: Nb2ProdError | None = None
    if logging is not None and not logging.ok:
        problem = EnvironmentProblem(
            f"logging to MLflow failed: {(logging.diff or ['no detail'])[-1]}",
            "check that the tracking store is reachable (--tracking-uri, MLFLOW_TRACKING_URI)",
        )
    elif scorecard.mismatch:
        problem = EquivalenceMismatch("the package's answers differ from the notebook's")
    elif not scorecard.ok:
        failed = ", ".join(c.name for c in scorecard.checks if not c.ok)
        problem = VerificationFailed(f"the package failed these checks: {failed}")
    if problem is not None:
        problem.result = scorecard
        raise problem
    return scorecard


def install_in_fresh_venv(folder: Path, venv: Path) -> subprocess.CompletedProcess:
    """A new venv at ``venv`` with ``pip install -c requirements.lock.txt 'FOLDER[test]'``
    (the test extra: unpickling the golden data may need more than the package does).
    The venv's python is ``venv/bin/python``."""
    return _install_with_origin(folder, venv)[0]


def _install_with_origin(
    folder: Path, venv: Path
) -> tuple[subprocess.CompletedProcess, str | None]:
    """``install_in_fresh_venv``, and where its dependencies came from: "cached" when the
    venv began as a clone of the cached dependencies of this lock (see ``venv_cache``),
    "built" when they were installed for this call and cached, None without the cache: pip installs the package in it the same
    way, and anything it lacks, so the venv proves the same as one made from nothing."""
    from nb2prod.exporter.venv_cache import clone_cached

    shutil.rmtree(venv, ignore_errors=True)
    origin = clone_cached(folder, venv, clean_env())
    if origin is None:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    lock = folder / "requirements.lock.txt"
    command = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    command += ["--disable-pip-version-check"]
    command += ["-c", str(lock)] if lock.stat().st_size else []
    done = subprocess.run(
        [*command, f"{folder}[test]"], capture_output=True, text=True, env=clean_env()
    )
    return done, origin


def _install(folder: Path, venv: Path, scorecard: Scorecard) -> Path | None:
    started = time.perf_counter()
    done, origin = _install_with_origin(folder, venv)
    seconds = time.perf_counter() - started
    lock = folder / "requirements.lock.txt"
    pins = sum(1 for line in lock.read_text().splitlines() if line.strip())
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-6:]
        scorecard.add("install", False, "pip install failed in a fresh venv", tail)
        return None
    how = "fresh venv from cached dependencies of this lock" if origin == "cached" else "fresh venv"
    scorecard.add("install", True, f"{how}, {pins} pinned distributions ({seconds:.0f} s)")
    return venv / "bin" / "python"


def _compare_answers(
    name, python: Path, capture: Capture, scratch: Path, scorecard, env: dict[str, str]
) -> None:
    folder = scratch / "driver"
    driver = copy_standalone("nb2prod.exporter.verify_child", folder)
    env = dict(env)
    env.pop("PYTHONSAFEPATH", None)  # -m finds the driver in the current directory
    cases = [case.params for case in capture.cases]
    with Child(driver, python=python, cwd=folder, env=env) as child:
        try:
            seconds = child.call({"import": name})
        except ChildError as error:
            failed = "the installed package fails to import"
            scorecard.add(f"import {name}", False, failed, error.lines[-6:])
            return
        scorecard.add(f"import {name}", True, f"{seconds * 1000:.0f} ms")
        try:
            results = child.call({"predict": name, "inputs": capture.inputs, "cases": cases})
        except ChildError as error:
            scorecard.add("predict", False, "the example could not be run there", error.lines[-6:])
            return
    for case, result in zip(capture.cases, results):
        title = f"predict, {case.name}"
        if not result["ok"]:
            lines = result["error"].strip().splitlines()[-4:]
            scorecard.add(title, False, "predict raised", lines)
            continue
        diff = differences(case.output, result["value"])
        detail = f"{_describe(case.output)} equal (rtol={RTOL:g})" if not diff else "differs"
        check = scorecard.add(title, not diff, detail, diff)
        if not diff:
            first = " with load()" if case is capture.cases[0] else ""
            check.detail += f", {result['seconds'] * 1000:.3g} ms{first}"


def _run_generated_tests(folder: Path, python: Path, scorecard: Scorecard, env) -> None:
    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        capture_output=True,
        text=True,
        cwd=folder,
        env=env,
    )
    summary = (done.stdout.strip().splitlines() or [""])[-1]
    diff = [] if done.returncode == 0 else done.stdout.strip().splitlines()[-8:]
    scorecard.add("generated tests", done.returncode == 0, summary.strip("= "), diff)


def _run_cli(name: str, python: Path, capture: Capture, scratch: Path, scorecard, env) -> None:
    """The console script on the example input, written as a file the CLI reads."""
    example = _example_file(capture, scratch)
    if example is None:
        return
    output = scratch / "predictions.json"
    done = subprocess.run(
        [str(python.parent / name), "predict", "--input", str(example), "--output", str(output)],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        scorecard.add(f"{name} predict", False, "the command failed", done.stderr.splitlines()[-3:])
        return
    scorecard.add(f"{name} predict", True, f"--input {example.name} wrote {output.name}")


def _example_file(capture: Capture, scratch: Path) -> Path | None:
    if len(capture.inputs) != 1:
        return None
    value = next(iter(capture.inputs.values()))
    if hasattr(value, "to_csv") and hasattr(value, "columns"):
        path = scratch / "example.csv"
        value.to_csv(path, index=False)
        return path
    try:
        path = scratch / "example.json"
        path.write_text(json.dumps(value.tolist() if hasattr(value, "tolist") else value))
        return path
    except (TypeError, ValueError):
        return None


def _describe(value) -> str:
    shape = getattr(value, "shape", None)
    kind = type(value).__name__
    if isinstance(shape, tuple):
        return f"{kind} {'x'.join(map(str, shape))}"
    return f"{kind} of {len(value)}" if isinstance(value, (list, tuple, dict)) else kind


def settings_environment(provenance: dict) -> dict[str, str]:
    """The placeholders of the package's required settings, by variable."""
    from nb2prod.exporter.settings import placeholder_environment

    return placeholder_environment(provenance.get("settings_from_environment") or {})


def clean_env() -> dict[str, str]:
    """The environment without this one's Python paths, so the venv sees only itself."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.pop("VIRTUAL_ENV", None)
    return env
