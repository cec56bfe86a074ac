"""Benchmark ``nb2prod lint`` against ``ruff check --select ALL`` on a corpus of notebooks.

Measures, in one run and on the same files (these machines are noisy, so only the ratios
to the peer measured alongside are comparable between runs):

1. the whole corpus, nb2prod vs ruff (best of N, interleaved);
2. the cold start on one typical notebook, nb2prod vs ruff (median of N fresh processes);
3. the peak memory of the nb2prod process tree on the whole corpus, vs ruff's;
4. robustness: every file has a result, unreadable files have an NB003, no NB000, NB001
   cells that IPython itself accepts, finding counts per rule; plus notebooks past the
   parsers' limits (``stress``), linted by nb2prod alone.

Prints PASS/MISS per goal; exits non-zero only when the benchmark itself breaks (or, with
``--strict``, when a goal is missed).  See bench/README.md.
"""

from __future__ import annotations

import argparse
import ast
import compileall
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus as corpus_module  # noqa: E402  (bench/ is not a package)
from common import Goals, cpu_model, executable, heading, tail  # noqa: E402

import nb2prod  # noqa: E402

GOAL_RATIO = 3.0  # nb2prod wall time <= 3x ruff's on the whole corpus
GOAL_COLD_MS = 300.0  # one notebook from a cold start
GOAL_MEMORY_MB = 300.0  # peak memory of the nb2prod process tree
#: Folders nb2prod's own walk skips (nb2prod/linter/engine.py SKIP_DIRS).
WALK_SKIPS = corpus_module.SKIPPED_DIRS - {"build", "dist", "_build"}


# --------------------------------------------------------------------------- tools


@dataclass
class Tools:
    nb2prod: str
    ruff: str

    @classmethod
    def find(cls, nb2prod: str | None, ruff: str | None) -> Tools:
        """The given executables, else those beside this Python (the venv), else on PATH."""
        return cls(_executable("nb2prod", nb2prod), _executable("ruff", ruff))

    def nb2prod_corpus(self, target: str, select_all: bool = False) -> list[str]:
        command = [self.nb2prod, "lint", "--isolated", "--format", "json", "--exit-zero"]
        return command + (["--select", "ALL"] if select_all else []) + [target]

    def ruff_files(self, files: list[str]) -> list[str]:
        return [
            self.ruff,
            "check",
            "--select",
            "ALL",
            "--isolated",
            "--no-cache",
            "--exit-zero",
            "--output-format",
            "json",
            "--quiet",
            *files,
        ]

    def nb2prod_one(self, path: str) -> list[str]:
        return [self.nb2prod, "lint", "--isolated", path]

    def ruff_one(self, path: str) -> list[str]:
        return [self.ruff, "check", "--select", "ALL", "--isolated", "--no-cache", "--quiet", path]


def _executable(name: str, given: str | None) -> str:
    found = given or executable(name)
    if not found:
        raise SystemExit(f"lint_bench: cannot find {name!r}; pass --{name} PATH")
    return found


def _version(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[0] if result.returncode == 0 and lines else "?"


# --------------------------------------------------------------------------- corpus


def list_notebooks(root: Path) -> list[str]:
    """The ``.ipynb`` files below ``root`` (relative, sorted) as nb2prod's walk finds them."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in WALK_SKIPS)
        found.extend(
            os.path.relpath(os.path.join(folder, name), root)
            for name in sorted(files)
            if name.endswith(".ipynb")
        )
    return found


@dataclass
class CorpusStats:
    files: int = 0
    megabytes: float = 0.0
    cells: int = 0
    code_cells: int = 0
    unreadable: int = 0
    code_cells_per_file: dict[str, int] = field(default_factory=dict)


def corpus_stats(root: Path, files: list[str]) -> CorpusStats:
    stats = CorpusStats(files=len(files))
    for name in files:
        path = root / name
        stats.megabytes += path.stat().st_size / 1e6
        try:
            notebook = json.loads(path.read_text(encoding="utf-8-sig"))
            cells = _cells(notebook)
        except (ValueError, UnicodeDecodeError, AttributeError, TypeError):
            stats.unreadable += 1
            continue
        code = sum(
            1 for cell in cells if isinstance(cell, dict) and cell.get("cell_type") == "code"
        )
        stats.cells += len(cells)
        stats.code_cells += code
        stats.code_cells_per_file[name] = code
    return stats


def _cells(notebook: dict) -> list:
    """The cells of an nbformat 4 notebook, or of all worksheets of an nbformat 3 one."""
    if "cells" in notebook:
        return notebook["cells"]
    return [cell for sheet in notebook.get("worksheets", []) for cell in sheet.get("cells", [])]


def typical_notebook(stats: CorpusStats) -> str:
    """The notebook with the median number of code cells (ties: the first by path)."""
    candidates = sorted(
        (count, name)
        for name, count in stats.code_cells_per_file.items()
        if count and not name.startswith("generated")
    )
    if not candidates:
        candidates = sorted((count, name) for name, count in stats.code_cells_per_file.items())
    if not candidates:
        raise SystemExit("lint_bench: the corpus has no readable notebook")
    return candidates[len(candidates) // 2][1]


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    seconds: float
    returncode: int
    stderr: str
    output: Path | None = None


def run_timed(command: list[str], cwd: Path, output: Path | None = None) -> Run:
    """Run ``command`` once; stdout goes to ``output`` (or nowhere)."""
    sink = open(output, "wb") if output else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, stdout=sink, stderr=subprocess.PIPE, check=False)
        seconds = time.perf_counter() - start
    finally:
        if output:
            sink.close()
    return Run(seconds, result.returncode, result.stderr.decode("utf-8", "replace"), output)


def alternate(
    commands: dict[str, list[str]],
    cwd: Path,
    repeat: int,
    warmup: bool,
    outputs: dict[str, Path] | None = None,
) -> dict[str, list[Run]]:
    """Run each command ``repeat`` times, interleaved (A B A B ...) so that a slow moment of
    the machine hits both tools alike; one untimed warm-up round first warms the caches."""
    outputs = outputs or {}
    if warmup:
        for name, command in commands.items():
            run_timed(command, cwd, outputs.get(name))
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            runs[name].append(run_timed(command, cwd, outputs.get(name)))
    return runs


@dataclass
class Memory:
    largest_process_mb: float  # peak RSS (VmHWM) of the largest single process in the tree
    tree_rss_mb: float  # peak of the summed RSS of the process tree (sampled)
    tree_pss_mb: float  # peak of the summed PSS (shared pages divided among sharers)
    samples: int
    returncode: int

    @property
    def peak_mb(self) -> float:
        """The conservative figure the goal is checked against: RSS counts the pages that
        forked workers share with their parent once per process."""
        return max(self.largest_process_mb, self.tree_rss_mb)


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(child) for child in fh.read().split()]
    except (OSError, ValueError):
        return []


def _kilobytes(path: str, fields: tuple[str, ...]) -> dict[str, float]:
    values = {}
    try:
        with open(path) as fh:
            for line in fh:
                name, _, rest = line.partition(":")
                if name in fields:
                    values[name] = float(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass  # the process ended between the listing and the read
    return values


def _tree_sample(root: int, high_water: dict[int, float]) -> tuple[float, float]:
    """(RSS, PSS) in kB summed over ``root`` and its descendants now; records each process's
    own peak (VmHWM, kept by the kernel since its exec) in ``high_water``."""
    rss = pss = 0.0
    pending = [root]
    while pending:
        pid = pending.pop()
        pending.extend(_children(pid))
        rollup = _kilobytes(f"/proc/{pid}/smaps_rollup", ("Rss", "Pss"))
        rss += rollup.get("Rss", 0.0)
        pss += rollup.get("Pss", 0.0)
        peak = _kilobytes(f"/proc/{pid}/status", ("VmHWM",)).get("VmHWM", 0.0)
        high_water[pid] = max(high_water.get(pid, 0.0), peak)
    return rss, pss


def _cmdline(pid: int | str) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""


_OWN_CMDLINE = _cmdline("self")


def measure_memory(command: list[str], cwd: Path, interval: float = 0.005) -> Memory:
    """Run ``command`` once and sample the memory of its process tree (stdout discarded).

    ``getrusage``/``wait4`` are not used: their max RSS includes the benchmark's own pages,
    which the child has between ``fork`` and ``exec``."""
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    high_water: dict[int, float] = {}
    peak = {"rss": 0.0, "pss": 0.0, "samples": 0}
    while process.poll() is None:
        if _cmdline(process.pid) == _OWN_CMDLINE:  # forked, not yet exec'd: our own pages
            time.sleep(0.0005)
            continue
        rss, pss = _tree_sample(process.pid, high_water)
        peak["rss"], peak["pss"] = max(peak["rss"], rss), max(peak["pss"], pss)
        peak["samples"] += 1
        time.sleep(interval)
    largest = max(high_water.values(), default=0.0)
    return Memory(
        largest / 1024, peak["rss"] / 1024, peak["pss"] / 1024, peak["samples"], process.returncode
    )


# --------------------------------------------------------------------------- robustness


@dataclass
class Robustness:
    process_ok: bool
    files_reported: int = 0
    missing: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors_without_nb003: list[str] = field(default_factory=list)
    internal_errors: list[dict] = field(default_factory=list)
    by_code: Counter = field(default_factory=Counter)
    files_by_code: Counter = field(default_factory=Counter)
    syntax_errors: list[dict] = field(default_factory=list)  # NB001 findings, with the cell
    findings: int = 0
    not_linted: set[str] = field(default_factory=set)  # status skipped or error

    @property
    def crashes(self) -> int:
        return (
            (not self.process_ok)
            + len(self.missing)
            + len(self.errors_without_nb003)
            + len(self.internal_errors)
        )

    @property
    def suspect_syntax_errors(self) -> list[dict]:
        return [s for s in self.syntax_errors if s["ipython_parses"]]


def analyse_report(report_path: Path, root: Path, files: list[str], run: Run) -> Robustness:
    """Check the JSON report of a whole-corpus run for crashes and collect prevalence."""
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Robustness(process_ok=False)
    result = Robustness(process_ok=run.returncode == 0)
    reported = {_normal(entry["path"]): entry for entry in report.get("files", [])}
    result.files_reported = len(reported)
    result.missing = [name for name in files if _normal(name) not in reported]
    result.statuses = Counter(entry["status"] for entry in reported.values())
    result.not_linted = {path for path, entry in reported.items() if entry["status"] != "ok"}
    findings = report.get("findings", [])
    result.findings = len(findings)
    nb003 = {_normal(f["path"]) for f in findings if f["code"] == "NB003"}
    result.errors_without_nb003 = [
        path for path, entry in reported.items() if entry["status"] == "error" and path not in nb003
    ]
    result.by_code = Counter(f["code"] for f in findings)
    result.files_by_code = Counter(code for code, _ in {(f["code"], f["path"]) for f in findings})
    result.internal_errors = [f for f in findings if f["code"] == "NB000"]
    result.syntax_errors = [_syntax_error(root, f) for f in findings if f["code"] == "NB001"]
    return result


def _normal(path: str) -> str:
    return os.path.normpath(path)


_CELL_CACHE: dict[str, list] = {}


def _cell_source(root: Path, path: str, number: int | None) -> str:
    if number is None:
        return ""
    if path not in _CELL_CACHE:
        try:
            notebook = json.loads((root / path).read_text(encoding="utf-8-sig"))
            _CELL_CACHE[path] = _cells(notebook)
        except (OSError, ValueError, UnicodeDecodeError):
            _CELL_CACHE[path] = []
    cells = _CELL_CACHE[path]
    if not 1 <= number <= len(cells):
        return ""
    source = cells[number - 1].get("source", cells[number - 1].get("input", ""))
    return "".join(source) if isinstance(source, list) else str(source)


def _syntax_error(root: Path, finding: dict) -> dict:
    source = _cell_source(root, finding["path"], finding.get("cell"))
    return {
        "path": finding["path"],
        "cell": finding.get("cell"),
        "line": finding.get("line"),
        "column": finding.get("column"),
        "message": finding["message"],
        "source": source,
        "ipython_parses": _ipython_parses(source),
    }


def _ipython_parses(source: str) -> bool:
    """True when IPython's own input transformer turns the cell into valid Python: an NB001
    there is probably a false "invalid syntax" report."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(TransformerManager().transform_cell(source))
        return True
    except Exception:  # noqa: BLE001  (SyntaxError, ValueError, RecursionError, ...)
        return False


@dataclass
class RuffProblems:
    syntax: set[str]  # files with a syntax error, relative to the corpus root
    unreadable: set[str]  # files ruff could not read as notebooks at all


def ruff_problems(report_path: Path, root: Path) -> RuffProblems | None:
    """What ruff could not check, from its JSON report (None when that is unreadable).  Ruff
    marks both syntax errors and unreadable notebooks with code ``invalid-syntax`` (older
    versions: null); an unreadable notebook's message says it does not match the schema."""
    try:
        diagnostics = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    problems = RuffProblems(set(), set())
    for diagnostic in diagnostics:
        if diagnostic.get("code") not in (None, "invalid-syntax"):
            continue
        path = _normal(os.path.relpath(diagnostic["filename"], root))
        message = diagnostic.get("message", "")
        unreadable = diagnostic.get("cell") is None and "Jupyter Notebook" in message
        (problems.unreadable if unreadable else problems.syntax).add(path)
    return problems


# --------------------------------------------------------------------------- printing


def _seconds(runs: list[Run]) -> tuple[float, float]:
    times = [run.seconds for run in runs]
    return min(times), statistics.median(times)


def _cell_excerpt(source: str, limit: int = 12) -> str:
    lines = source.split("\n")
    shown = lines[:limit] + (
        [f"... ({len(lines) - limit} more lines)"] if len(lines) > limit else []
    )
    return "\n".join("        | " + line[:160] for line in shown)


def print_machine(
    tools: Tools, root: Path, stats: CorpusStats, manifest: dict | None, jobs: int | None
) -> None:
    heading("machine and corpus")
    cpu = cpu_model()
    print(f"cores             {os.cpu_count()} ({cpu}); nb2prod jobs: {jobs or 'all cores'}")
    print(f"python            {platform.python_version()} ({sys.executable})")
    print(f"nb2prod           {_version([tools.nb2prod, '--version'])} ({tools.nb2prod})")
    print(f"ruff              {_version([tools.ruff, '--version'])} ({tools.ruff})")
    print(f"corpus            {root}")
    print(f"  files           {stats.files} ({stats.unreadable} not readable as JSON)")
    print(f"  cells           {stats.cells} ({stats.code_cells} code cells)")
    print(f"  size            {stats.megabytes:.1f} MB")
    if manifest:
        real = manifest["real_notebooks"]
        print(
            f"  real notebooks  {real} from {len(manifest['packages'])} PyPI sdists "
            "(bench/sources.txt):"
        )
        for package in manifest["packages"]:
            print(
                f"    {package['name']:<13} {package['version']:<9} {package['notebooks']:>4}"
                + (
                    f"  ({package['duplicates']} duplicates left out)"
                    if package["duplicates"]
                    else ""
                )
            )
        print(f"  generated       {', '.join(manifest['generated'])}")


def print_syntax_comparison(
    nb2prod_files: set[str], ruff: RuffProblems, result: Robustness, limit: int
) -> None:
    """Files where only one of the tools sees a syntax error.  Ruff-only files are either
    errors nb2prod misses or IPython syntax ruff does not know (notebooks nb2prod skips as
    non-Python are left out)."""
    ruff_only = sorted(ruff.syntax - nb2prod_files - result.not_linted)
    nb2prod_only = sorted(nb2prod_files - ruff.syntax - ruff.unreadable)
    print(f"  ruff: syntax errors in   {len(ruff.syntax)} notebooks")
    print(f"  only ruff sees one in    {len(ruff_only)} notebooks (nb2prod-skipped ones left out)")
    for name in ruff_only[:limit]:
        print(f"    {name}")
    print(f"  only nb2prod sees one in {len(nb2prod_only)} notebooks (ruff-unreadable left out)")
    for name in nb2prod_only[:limit]:
        print(f"    {name}")


_NB000 = re.compile(r"rule (NB\d+) failed on this notebook \((.*)\); please report it")


def print_internal_errors(findings: list[dict], limit: int) -> None:
    """NB000 findings grouped by notebook and cause: ``path: cause -- rules NB1, NB2``."""
    groups: dict[tuple[str, str], list[str]] = {}
    for finding in findings:
        match = _NB000.fullmatch(finding["message"])
        cause, rule = (match.group(2), match.group(1)) if match else (finding["message"], "?")
        groups.setdefault((finding["path"], cause), []).append(rule)
    for (path, cause), rules in list(groups.items())[:limit]:
        print(f"    {path}: {cause} -- rules {', '.join(rules)}")
    if len(groups) > limit:
        print(f"    ... {len(groups) - limit} more (see --json-out)")


def print_robustness(result: Robustness, ruff: RuffProblems | None, verbose_limit: int) -> None:
    heading("robustness (whole corpus, nb2prod default rules)")
    print(f"nb2prod exit status ok     {'yes' if result.process_ok else 'NO'}")
    print(
        f"files in the report        {result.files_reported}"
        f" ({', '.join(f'{k} {v}' for k, v in sorted(result.statuses.items()))})"
    )
    print(f"files missing from it      {len(result.missing)}")
    for name in result.missing[:verbose_limit]:
        print(f"    {name}")
    print(f"errors without NB003       {len(result.errors_without_nb003)}")
    for name in result.errors_without_nb003[:verbose_limit]:
        print(f"    {name}")
    if ruff is not None:
        read_by_nb2prod = len(ruff.unreadable - result.not_linted)
        print(
            f"ruff cannot read           {len(ruff.unreadable)} notebooks"
            f" (nb2prod lints {read_by_nb2prod} of them)"
        )
    print(f"NB000 (a rule crashed)     {len(result.internal_errors)}")
    print_internal_errors(result.internal_errors, verbose_limit)
    files_nb001 = {_normal(s["path"]) for s in result.syntax_errors}
    print(
        f"NB001 syntax errors        {len(result.syntax_errors)} cells in {len(files_nb001)}"
        " notebooks"
    )
    suspects = result.suspect_syntax_errors
    print(f"  of which IPython parses  {len(suspects)} (likely false 'invalid syntax' reports)")
    for item in suspects[:verbose_limit]:
        print(f"    {item['path']} cell {item['cell']} line {item['line']}: {item['message']}")
        print(_cell_excerpt(item["source"]))
    real = [s for s in result.syntax_errors if not s["ipython_parses"]]
    if real:
        print("  NB001 cells IPython rejects too (real errors, listed for review):")
        for item in real[:verbose_limit]:
            first = item["source"].split("\n")[(item["line"] or 1) - 1 :][:1]
            print(
                f"    {item['path']} cell {item['cell']} line {item['line']}: {item['message']}"
                f"  | {first[0][:80] if first else ''}"
            )
        if len(real) > verbose_limit:
            print(f"    ... {len(real) - verbose_limit} more (see --json-out)")
    if ruff is not None:
        print_syntax_comparison(files_nb001, ruff, result, verbose_limit)
    print(f"findings                   {result.findings}; per rule (findings / notebooks):")
    for code, count in sorted(result.by_code.items()):
        print(f"    {code}  {count:>7} / {result.files_by_code[code]:>5}")


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, help="lint the notebooks in DIR instead of building bench/.corpus"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one timed run each, 3 cold starts, no stress run (for smoke tests)",
    )
    parser.add_argument("--repeat", type=int, help="timed runs of the whole corpus (default 3)")
    parser.add_argument("--cold-runs", type=int, help="cold starts per tool (default 11)")
    parser.add_argument("--cold-notebook", help="notebook for the cold start (default: median)")
    parser.add_argument("-j", "--jobs", type=int, help="nb2prod --jobs (default: all cores)")
    parser.add_argument("--nb2prod", help="nb2prod executable (default: beside this Python)")
    parser.add_argument("--ruff", help="ruff executable (default: beside this Python)")
    parser.add_argument("--json-out", type=Path, help="write all measurements to FILE as JSON")
    parser.add_argument(
        "--verbose-limit",
        type=int,
        default=25,
        help="how many NB000/NB001 items to print (default 25)",
    )
    parser.add_argument(
        "--no-profile", action="store_true", help="skip the in-process per-rule time profile"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.cold_runs = args.cold_runs or (3 if args.quick else 11)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # show progress when piped to a file
    tools = Tools.find(args.nb2prod, args.ruff)
    # Measure nb2prod as installed: pip writes bytecode when it installs a wheel, but an
    # editable checkout under PYTHONDONTWRITEBYTECODE=1 recompiles every module per run.
    compileall.compile_dir(str(Path(nb2prod.__file__).parent), quiet=1)
    manifest = None
    stress_root = None
    if args.corpus:
        root = args.corpus.resolve()
        if not root.is_dir():
            raise SystemExit(f"lint_bench: {root} is not a folder")
    else:
        try:
            manifest = corpus_module.build_corpus()
        except (OSError, RuntimeError, ValueError, tarfile.TarError) as exc:
            raise SystemExit(
                f"lint_bench: cannot build the corpus: {exc}\n"
                "  (it needs PyPI once; or lint your own notebooks with --corpus DIR)"
            ) from exc
        root = corpus_module.CORPUS_DIR / "notebooks"
        stress_root = None if args.quick else corpus_module.CORPUS_DIR / "stress"
    files = list_notebooks(root)
    if not files:
        raise SystemExit(f"lint_bench: no .ipynb files under {root}")
    stats = corpus_stats(root, files)
    print_machine(tools, root, stats, manifest, args.jobs)
    goals = Goals()
    results: dict = {
        "corpus": {
            "root": str(root),
            "files": stats.files,
            "cells": stats.cells,
            "code_cells": stats.code_cells,
            "megabytes": stats.megabytes,
            "manifest": manifest,
        }
    }
    workdir = Path(tempfile.mkdtemp(prefix="lint-bench-"))
    try:
        whole_corpus(args, tools, root, files, workdir, goals, results)
        cold_start(args, tools, root, stats, goals, results)
        memory(args, tools, root, files, goals, results)
        robustness(args, tools, root, files, workdir, goals, results)
        if not args.quick and not args.no_profile:
            rule_profile(args, root, files, results)
        if stress_root is not None:
            stress(args, tools, stress_root, workdir, results)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return goals.report(results, args.json_out, args.strict)


def _nb2prod_command(tools: Tools, args, target: str, select_all: bool = False) -> list[str]:
    command = tools.nb2prod_corpus(target, select_all)
    if args.jobs:
        command[2:2] = ["--jobs", str(args.jobs)]
    return command


def _check_runs(label: str, runs: list[Run]) -> None:
    """A tool that fails outright breaks the benchmark: its time would mean nothing."""
    for run in runs:
        if run.returncode != 0:
            raise SystemExit(
                f"lint_bench: {label} exited with {run.returncode}:\n{tail(run.stderr)}"
            )


def whole_corpus(
    args, tools: Tools, root: Path, files: list[str], workdir: Path, goals: Goals, results: dict
) -> None:
    heading(f"whole corpus: {len(files)} notebooks, best of {args.repeat} (median)")
    outputs = {"nb2prod": workdir / "nb2prod.json", "ruff": workdir / "ruff.json"}
    commands = {"nb2prod": _nb2prod_command(tools, args, "."), "ruff": tools.ruff_files(files)}
    runs = alternate(commands, root, args.repeat, warmup=not args.quick, outputs=outputs)
    for name, tool_runs in runs.items():
        _check_runs(name, tool_runs)
    all_rules = alternate(
        {"nb2prod": _nb2prod_command(tools, args, ".", select_all=True)},
        root,
        max(1, args.repeat // 2),
        warmup=False,
    )["nb2prod"]
    _check_runs("nb2prod --select ALL", all_rules)
    best_nb, median_nb = _seconds(runs["nb2prod"])
    best_ruff, median_ruff = _seconds(runs["ruff"])
    best_all, median_all = _seconds(all_rules)
    ratio = best_nb / best_ruff
    print(f"nb2prod lint (default rules)   {best_nb:7.3f} s  ({median_nb:.3f} s)")
    print(f"nb2prod lint --select ALL      {best_all:7.3f} s  ({median_all:.3f} s)")
    print(f"ruff check --select ALL        {best_ruff:7.3f} s  ({median_ruff:.3f} s)")
    print(f"ratio nb2prod/ruff (whole corpus)          {ratio:6.2f}x   (goal <= {GOAL_RATIO:g}x)")
    print(f"ratio nb2prod --select ALL/ruff            {best_all / best_ruff:6.2f}x")
    print(
        f"nb2prod per notebook: {1000 * best_nb / len(files):.2f} ms; "
        f"ruff: {1000 * best_ruff / len(files):.2f} ms"
    )
    goals.check(
        f"whole corpus within {GOAL_RATIO:g}x ruff",
        ratio <= GOAL_RATIO,
        f"{ratio:.2f}x ({best_nb:.2f} s vs {best_ruff:.2f} s)",
    )
    results["whole_corpus"] = {
        "nb2prod_s": [r.seconds for r in runs["nb2prod"]],
        "nb2prod_select_all_s": [r.seconds for r in all_rules],
        "ruff_s": [r.seconds for r in runs["ruff"]],
        "ratio_best": ratio,
        "command_nb2prod": commands["nb2prod"],
        "command_ruff": commands["ruff"][:9] + ["FILES..."],
    }
    # Keep the reports of the last timed runs for the robustness section.
    for name, path in outputs.items():
        path.replace(workdir / f"{name}.last.json")


def cold_start(
    args, tools: Tools, root: Path, stats: CorpusStats, goals: Goals, results: dict
) -> None:
    notebook = args.cold_notebook or typical_notebook(stats)
    cells = stats.code_cells_per_file.get(notebook, "?")
    heading(f"cold start: one notebook, median of {args.cold_runs} fresh processes")
    print(f"notebook  {notebook} ({cells} code cells)")
    commands = {"nb2prod": tools.nb2prod_one(notebook), "ruff": tools.ruff_one(notebook)}
    runs = alternate(commands, root, args.cold_runs, warmup=True)
    nb_ms = statistics.median(r.seconds for r in runs["nb2prod"]) * 1000
    ruff_ms = statistics.median(r.seconds for r in runs["ruff"]) * 1000
    for name, tool_runs in runs.items():
        if any(r.returncode not in (0, 1) for r in tool_runs):
            raise SystemExit(f"lint_bench: {name} failed on {notebook}: {tool_runs[0].stderr}")
    print(
        f"nb2prod lint     {nb_ms:7.1f} ms  (min {min(r.seconds for r in runs['nb2prod']) * 1000:.1f})"
    )
    print(
        f"ruff check ALL   {ruff_ms:7.1f} ms  (min {min(r.seconds for r in runs['ruff']) * 1000:.1f})"
    )
    print(
        f"ratio nb2prod/ruff (cold start)            {nb_ms / ruff_ms:6.2f}x   "
        f"(goal: nb2prod < {GOAL_COLD_MS:g} ms)"
    )
    goals.check(
        f"cold start under {GOAL_COLD_MS:g} ms",
        nb_ms < GOAL_COLD_MS,
        f"{nb_ms:.0f} ms (ruff {ruff_ms:.0f} ms, {nb_ms / ruff_ms:.1f}x)",
    )
    results["cold_start"] = {
        "notebook": notebook,
        "nb2prod_ms": nb_ms,
        "ruff_ms": ruff_ms,
        "nb2prod_runs_s": [r.seconds for r in runs["nb2prod"]],
        "ruff_runs_s": [r.seconds for r in runs["ruff"]],
    }


def memory(args, tools: Tools, root: Path, files: list[str], goals: Goals, results: dict) -> None:
    heading("peak memory, whole corpus")
    nb = measure_memory(_nb2prod_command(tools, args, "."), root)
    ruff = measure_memory(tools.ruff_files(files), root)
    print("                  largest process   tree RSS   tree PSS   (samples)")
    for name, value in (("nb2prod", nb), ("ruff", ruff)):
        print(
            f"{name:<17} {value.largest_process_mb:10.1f} MB {value.tree_rss_mb:7.1f} MB "
            f"{value.tree_pss_mb:7.1f} MB   ({value.samples})"
        )
    print(
        f"ratio nb2prod/ruff (peak memory)           {nb.peak_mb / ruff.peak_mb:6.2f}x   "
        f"(goal: nb2prod < {GOAL_MEMORY_MB:g} MB)"
    )
    goals.check(
        f"peak memory under {GOAL_MEMORY_MB:g} MB",
        nb.peak_mb < GOAL_MEMORY_MB,
        f"{nb.peak_mb:.0f} MB (ruff {ruff.peak_mb:.0f} MB)",
    )
    results["memory"] = {"nb2prod": nb.__dict__, "ruff": ruff.__dict__}


def robustness(
    args, tools: Tools, root: Path, files: list[str], workdir: Path, goals: Goals, results: dict
) -> None:
    nb_last = workdir / "nb2prod.last.json"
    last_run = Run(0.0, 0, "", nb_last)  # the timed runs all exited 0 (_check_runs)
    result = analyse_report(nb_last, root, files, last_run)
    ruff = ruff_problems(workdir / "ruff.last.json", root)
    print_robustness(result, ruff, args.verbose_limit)
    goals.check(
        "zero crashes (every file: result or NB003)",
        result.crashes == 0,
        f"{len(result.internal_errors)} NB000, {len(result.missing)} missing, "
        f"{len(result.errors_without_nb003)} errors without NB003",
    )
    goals.check(
        "no NB001 on cells IPython parses",
        not result.suspect_syntax_errors,
        f"{len(result.suspect_syntax_errors)} of {len(result.syntax_errors)} NB001 cells",
    )
    results["robustness"] = {
        "files_reported": result.files_reported,
        "missing": result.missing,
        "statuses": dict(result.statuses),
        "errors_without_nb003": result.errors_without_nb003,
        "nb000": result.internal_errors,
        "nb001": result.syntax_errors,
        "findings_by_code": dict(result.by_code),
        "notebooks_by_code": dict(result.files_by_code),
        "ruff_syntax_errors": sorted(ruff.syntax) if ruff else None,
        "ruff_unreadable": sorted(ruff.unreadable) if ruff else None,
    }


def rule_profile(args, root: Path, files: list[str], results: dict) -> None:
    """Where nb2prod's time goes: one process, every rule selected, timed piece by piece.
    Imports nb2prod's internals, so it is skipped (with a note) when they have changed."""
    heading("where the time goes (in-process, one core, --select ALL)")
    try:
        timings = _profile_rules(root, files)
    except Exception as exc:  # noqa: BLE001  (internals changed: not worth breaking the run)
        print(f"rule profile unavailable: {type(exc).__name__}: {exc}")
        return
    total = sum(timings["parts"].values()) + sum(timings["rules"].values())
    print(f"total {total:.2f} s for {len(files)} notebooks")
    for name, seconds in timings["parts"].items():
        print(f"  {name:<40} {seconds:7.3f} s  {100 * seconds / total:5.1f} %")
    ranked = sorted(timings["rules"].items(), key=lambda item: -item[1])
    for code, seconds in ranked[:15]:
        print(f"  rule {code:<35} {seconds:7.3f} s  {100 * seconds / total:5.1f} %")
    rest = sum(seconds for _, seconds in ranked[15:])
    print(f"  {len(ranked) - 15 if len(ranked) > 15 else 0} other rules{'':<28} {rest:7.3f} s")
    print("slowest notebooks:")
    for name, seconds in sorted(timings["files"].items(), key=lambda item: -item[1])[:8]:
        print(f"  {seconds * 1000:8.1f} ms  {name}")
    results["rule_profile"] = timings


def _profile_rules(root: Path, files: list[str]) -> dict:
    from nb2prod.config import LintOverrides, lint_settings
    from nb2prod.errors import NotebookReadError
    from nb2prod.linter.context import NotebookContext
    from nb2prod.linter.rule import all_rules
    from nb2prod.notebook import load_notebook

    overrides = LintOverrides(select=("ALL",), isolated=True)
    parts = dict.fromkeys(
        (
            "load notebooks",
            "parse cells (ctx.trees)",
            "name flow (ctx.names, name_problems)",
            "shared indexes (ctx.calls, ctx.indexes)",
        ),
        0.0,
    )
    rules: Counter = Counter()
    per_file: dict[str, float] = {}
    clock = time.perf_counter
    for name in files:
        path = str(root / name)
        settings = lint_settings(path, overrides)
        start = clock()
        try:
            notebook = load_notebook(path)
        except NotebookReadError:
            continue
        loaded = clock()
        parts["load notebooks"] += loaded - start
        if not notebook.is_python:
            continue
        ctx = NotebookContext(notebook, settings, name)
        list(ctx.trees())
        parsed = clock()
        parts["parse cells (ctx.trees)"] += parsed - loaded
        try:
            ctx.names, ctx.name_problems  # noqa: B018  (computed once, shared by rules)
        except Exception:  # noqa: BLE001  (reported by the real run as NB000)
            pass
        flowed = clock()
        parts["name flow (ctx.names, name_problems)"] += flowed - parsed
        _force_shared(ctx)
        indexed = clock()
        parts["shared indexes (ctx.calls, ctx.indexes)"] += indexed - flowed
        for rule_class in all_rules():
            if rule_class.code not in settings.enabled:
                continue
            before = clock()
            try:
                list(rule_class().check(ctx))
            except Exception:  # noqa: BLE001
                pass
            rules[rule_class.code] += clock() - before
        per_file[name] = clock() - start
    return {"parts": parts, "rules": dict(rules), "files": per_file}


def _force_shared(ctx) -> None:
    """Compute the context's shared, cached indexes (those this nb2prod has), so that their
    cost is not charged to the first rule that asks for them."""
    for name in ("calls", "indexes"):
        try:
            value = getattr(ctx, name, None)
            if callable(value):
                value()
        except Exception:  # noqa: BLE001  (reported by the real run as NB000)
            pass


def stress(args, tools: Tools, stress_root: Path, workdir: Path, results: dict) -> None:
    """Notebooks past the parsers' limits: nb2prod must report them, never crash.  Ruff is
    run too, for the record; it aborts on some of them."""
    files = list_notebooks(stress_root)
    heading(f"stress: {len(files)} notebooks past the parsers' limits (not timed)")
    report = workdir / "stress.json"
    run = run_timed(_nb2prod_command(tools, args, "."), stress_root, report)
    result = analyse_report(report, stress_root, files, run)
    ruff = run_timed(tools.ruff_files(files), stress_root)
    nb000_files = Counter(f["path"] for f in result.internal_errors)
    syntax = {_normal(item["path"]): item["message"] for item in result.syntax_errors}
    for name in files:
        if nb000_files[name]:
            status = f"NB000 x{nb000_files[name]}"
        else:
            status = f"ok, NB001 {syntax[name]}" if name in syntax else "ok"
        print(f"  {name:<34} {status}")
    print(
        f"nb2prod: exit {run.returncode}, {len(result.internal_errors)} NB000 in "
        f"{len(nb000_files)} notebooks, {len(result.missing)} missing"
    )
    print_internal_errors(result.internal_errors, args.verbose_limit)
    ruff_status = "ok" if ruff.returncode == 0 else f"exit {ruff.returncode}"
    if ruff.returncode != 0 and ruff.stderr.strip():
        ruff_status += f" ({ruff.stderr.strip().splitlines()[-1][:80]})"
    print(f"ruff:    {ruff_status}")
    results["stress"] = {
        "nb2prod_exit": run.returncode,
        "nb000": result.internal_errors,
        "missing": result.missing,
        "ruff_exit": ruff.returncode,
    }


if __name__ == "__main__":
    sys.exit(main())
