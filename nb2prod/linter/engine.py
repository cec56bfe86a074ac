"""Lint files: discover notebooks, run the enabled rules, apply suppressions, profiles
and safe fixes.  One bad file never stops the run: it becomes an ``NB003`` finding."""

from __future__ import annotations

import difflib
import itertools
import os
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nb2prod import filestamps
from nb2prod.atomic import write_atomically
from nb2prod.config import (
    LintOverrides,
    LintSettings,
    check_overrides,
    folder_settings,
    path_matches,
)
from nb2prod.credentials import redact_text
from nb2prod.errors import NotebookReadError, UsageError
from nb2prod.linter import noqa
from nb2prod.linter.context import NotebookContext
from nb2prod.linter.edits import replace_in_line
from nb2prod.linter.gitignored import ignored_under
from nb2prod.linter.rule import (
    REGISTRY,
    RENAMED_CODES,
    Finding,
    Rule,
    Severity,
    all_rules,
    renamed_note,
    selector_names,
)
from nb2prod.notebook import Notebook, load_notebook, parse_notebook

#: Folders never walked into.
SKIP_DIRS = frozenset(
    {
        ".ipynb_checkpoints",
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        "site-packages",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".nb2prod",
    }
)
#: Below this many files the cost of worker processes outweighs the gain.
_PARALLEL_FROM = 4
_CHUNK = 16  # notebooks a worker takes at a time


@dataclass
class FileResult:
    """What linting one file gave: ``status`` is ``ok``, ``error`` (unreadable) or ``skipped``."""

    path: str
    status: str = "ok"
    error: str | None = None
    findings: list[Finding] = field(default_factory=list)
    fixed: int = 0
    diff: str | None = None

    def to_json(self) -> dict:
        return {"path": self.path, "status": self.status, "error": self.error}


@dataclass
class LintReport:
    files: list[FileResult]

    @property
    def findings(self) -> list[Finding]:
        return sorted((f for r in self.files for f in r.findings), key=lambda f: f.sort_key)

    @property
    def fixed(self) -> int:
        return sum(r.fixed for r in self.files)

    def fails(self, threshold: Severity) -> bool:
        """True when a finding is at least as severe as ``threshold``."""
        return any(Severity(f.severity).rank >= threshold.rank for f in self.findings)


# --------------------------------------------------------------------------- discovery


def discover(paths: Sequence[str], overrides: LintOverrides | None = None) -> list[str]:
    """Notebooks under ``paths``: files as given, folders walked for ``*.ipynb``, skipping
    what git ignores there unless the folder's settings say ``respect-gitignore = false``."""
    return list(_discover(paths, overrides or LintOverrides()))


def _discover(paths: Sequence[str], overrides: LintOverrides) -> Iterator[str]:
    """:func:`discover`, each notebook as the walk finds it (a missing path stops it first)."""
    missing = next((path for path in paths if not os.path.exists(path)), None)
    if missing is not None:
        raise UsageError(f"{missing}: no such file or folder")
    seen: set[str] = set()  # the same file given twice (`.`, `./a.ipynb`, `/x/a.ipynb`)
    for path in paths:
        if os.path.isdir(path):
            respect = folder_settings(Path(path), overrides).respect_gitignore
            found = _walk(path, ignored_under(path) if respect else frozenset())
        else:
            found = iter([path])  # a FIFO or device becomes an NB003 "not a regular file"
        for notebook in found:
            absolute = os.path.abspath(notebook)
            if absolute not in seen:
                seen.add(absolute)
                yield notebook


def _walk(top: str, ignored: frozenset[str]) -> Iterable[str]:
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIP_DIRS
            and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))
            and not (ignored and os.path.normpath(os.path.join(folder, d)) in ignored)
        )
        for name in sorted(files):
            if name.endswith(".ipynb"):  # a FIFO among them becomes "not a regular file"
                path = os.path.join(folder, name)
                if not (ignored and os.path.normpath(path) in ignored):
                    yield path


def display_path(path: str) -> str:
    """``path`` relative to the working folder when it is below it."""
    # A relative path found by the walk is already that, once normalised (relpath would
    # ask for the working folder twice per notebook).
    relative = os.path.normpath(path)
    if os.path.isabs(relative) or relative.startswith(".."):
        relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else os.path.abspath(path)


# --------------------------------------------------------------------------- linting


def lint_paths(
    paths: Sequence[str],
    overrides: LintOverrides | None = None,
    *,
    fix: str | None = None,
    jobs: int | None = None,
) -> LintReport:
    """Lint every notebook under ``paths``; ``fix`` is None, ``"fix"`` or ``"diff"``."""
    overrides = overrides or LintOverrides()
    check_overrides(overrides)
    found = _jobs(paths, overrides, fix)
    first = list(itertools.islice(found, _PARALLEL_FROM))
    work = itertools.chain(first, found)
    jobs = jobs or os.cpu_count() or 1
    with filestamps.one_run():  # folders and files: looked at once per run, not per notebook
        if jobs > 1 and len(first) >= _PARALLEL_FROM:
            from concurrent.futures import ProcessPoolExecutor  # ~20 ms: only when it pays off
            from multiprocessing import get_context

            with ProcessPoolExecutor(jobs, mp_context=get_context("fork")) as pool:
                # The walk goes on while the workers lint what it has found so far.
                results = list(pool.map(_lint_job, work, chunksize=_CHUNK))
        else:
            results = [_lint_job(w) for w in work]
    return LintReport(results)


def _jobs(
    paths: Sequence[str], overrides: LintOverrides, fix: str | None
) -> Iterator[tuple[str, LintSettings, str | None]]:
    """Each notebook to lint with its settings, as the walk finds it."""
    by_folder: dict[str, LintSettings] = {}
    for path in _discover(paths, overrides):
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in by_folder:
            by_folder[folder] = folder_settings(Path(folder), overrides)
        settings = by_folder[folder].for_file(path)
        if not _excluded(path, settings):
            yield path, settings, fix


def _excluded(path: str, settings: LintSettings) -> bool:
    if not settings.exclude:
        return False
    base = Path(settings.config_path).parent if settings.config_path else Path.cwd()
    return any(path_matches(path, pattern, base) for pattern in settings.exclude)


def _lint_job(job: tuple[str, LintSettings, str | None]) -> FileResult:
    path, settings, fix = job
    return lint_file(path, settings, fix=fix)


def lint_file(path: str, settings: LintSettings, *, fix: str | None = None) -> FileResult:
    """Lint one file; never raises, so one file can never stop a run."""
    try:
        return _lint_file(path, settings, fix)
    except Exception as exc:  # a bug of nb2prod's: report it on this file and go on
        shown = display_path(path)
        message = f"nb2prod failed on this file ({type(exc).__name__}: {exc}); please report it"
        result = FileResult(shown, status="error", error=message)
        result.findings.append(_finding(REGISTRY["NB000"], message, shown))
        return result


def _lint_file(path: str, settings: LintSettings, fix: str | None) -> FileResult:
    shown = display_path(path)
    try:
        notebook = load_notebook(path)
    except NotebookReadError as exc:
        result = FileResult(shown, status="error", error=exc.reason)
        if "NB003" in settings.enabled:
            message = exc.reason + (f"; {exc.hint}" if exc.hint else "")
            result.findings.append(_finding(REGISTRY["NB003"], message, shown))
        return result
    result = FileResult(shown)
    result.findings = lint_notebook(notebook, settings, shown)
    if not notebook.is_python:
        result.status = "skipped"
    elif fix:
        _fix(notebook, settings, result, write=(fix == "fix"))
    return result


def lint_notebook(
    notebook: Notebook, settings: LintSettings, shown: str | None = None
) -> list[Finding]:
    """Findings of the enabled rules on a loaded notebook, suppressions applied."""
    shown = shown or notebook.path
    if not notebook.is_python:
        if "NB002" not in settings.enabled:
            return []
        message = f"kernel language is {notebook.language!r}, not Python: notebook not checked"
        return [_finding(REGISTRY["NB002"], message, shown)]
    ctx = NotebookContext(notebook, settings, shown)
    with filestamps.ensure_run():  # linted alone (the server, the kernel): a run of one
        findings = _rule_findings(ctx, shown)
    names = selector_names()
    found = noqa.suppressions(ctx.code_cells)
    findings = noqa.apply(findings, found, names) + _suppression_findings(ctx, found, names)
    for finding in findings:
        finding.severity = _severity(REGISTRY[finding.code], finding.severity, settings.profile)
        # Messages quote code, commands and outputs: never let them carry a credential.
        finding.message = redact_text(finding.message)
    return sorted(findings, key=lambda f: f.sort_key)


def _rule_findings(ctx: NotebookContext, shown: str) -> list[Finding]:
    findings: list[Finding] = []
    enabled = ctx.settings.enabled
    for rule_class in all_rules():
        if rule_class.code not in enabled:
            continue
        try:
            findings.extend(rule_class().check(ctx))
        except Exception as exc:  # a crashing rule must not lose the other findings
            if "NB000" in enabled:
                where = traceback.extract_tb(exc.__traceback__)[-1]
                message = (
                    f"rule {rule_class.code} failed on this notebook ({type(exc).__name__}: {exc} "
                    f"at {Path(where.filename).name}:{where.lineno}); please report it"
                )
                findings.append(_finding(REGISTRY["NB000"], message, shown))
    return findings


def _suppression_findings(
    ctx: NotebookContext, found: list[noqa.Suppression], names: dict[str, str]
) -> list[Finding]:
    """NB009 for suppressions that silenced nothing, NB010 for old codes they name."""
    findings = []
    enabled = ctx.settings.enabled
    for suppression in found:
        cell, line = suppression.cell, suppression.line
        message = noqa.unused(suppression, names, set(REGISTRY)) if "NB009" in enabled else None
        if message:
            span = (line, suppression.column, line, suppression.end_column) if line else None
            findings.append(REGISTRY["NB009"]().report(ctx, message, cell, span=span))
        if "NB010" not in enabled:
            continue
        for code, columns in noqa.renamed(suppression):
            new = RENAMED_CODES[code.upper()]
            span, edit = None, None
            if line and columns:
                span = (line, columns[0], line, columns[1])
                edit = replace_in_line(ctx.notebook, cell, line, *columns, new)
            findings.append(
                REGISTRY["NB010"]().report(
                    ctx, renamed_note(code), cell, span=span, edits=(edit,) if edit else ()
                )
            )
    return findings


def _severity(rule: type[Rule], severity: str, profile: str) -> str:
    if rule.family == "execution":
        return Severity.INFO.value if profile == "explore" else Severity.ERROR.value
    return severity


def _finding(rule: type[Rule], message: str, path: str) -> Finding:
    return Finding(rule.code, rule.name, rule.severity.value, message, path)


# --------------------------------------------------------------------------- fixes


def fixed_text(
    notebook: Notebook, settings: LintSettings, only: Callable[[Finding], bool] | None = None
) -> tuple[str | None, int]:
    """The notebook's text with its safe fixes applied, and how many findings they fix;
    ``(None, 0)`` when there is nothing to fix or the result would not read back.  For
    callers that save the text themselves (the server, through Jupyter's contents API).
    ``only`` picks the findings whose fixes apply (the panel's Fix: one finding's)."""
    found = lint_notebook(notebook, settings)
    result = FileResult(notebook.path, findings=[f for f in found if only is None or only(f)])
    text = _fix(notebook, settings, result, write=False)
    return (text, result.fixed) if text is not None and result.status == "ok" else (None, 0)


def _fix(
    notebook: Notebook, settings: LintSettings, result: FileResult, *, write: bool
) -> str | None:
    """Apply the safe fixes of ``result``'s findings to the raw text; re-lint what is left.
    Returns the fixed text (None when nothing was fixed)."""
    edits = sorted({e for f in result.findings for e in f.edits}, key=lambda e: e.start)
    kept, last_end = [], -1
    for edit in edits:  # overlapping edits cannot both apply: keep the first
        if edit.start >= last_end:
            kept.append(edit)
            last_end = edit.end
    if not kept:
        return None
    text = notebook.text
    for edit in reversed(kept):
        text = text[: edit.start] + edit.text + text[edit.end :]
    try:
        fixed = parse_notebook(text, notebook.path)
    except NotebookReadError:  # never write a notebook nb2prod cannot read back
        result.status, result.error = "error", "a fix produced an unreadable notebook; not written"
        return None
    result.diff = "".join(
        redact_text(line)
        for line in difflib.unified_diff(
            notebook.text.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=f"a/{result.path}",
            tofile=f"b/{result.path}",
        )
    )
    remaining = lint_notebook(fixed, settings, result.path)
    result.fixed = sum(1 for f in result.findings if f.edits)
    if not write:
        return text
    try:
        _replace_if_unchanged(notebook, text)
    except NotebookReadError as exc:
        hint = f"; {exc.hint}" if exc.hint else ""
        result.status, result.error = "error", f"not fixed: {exc.reason}{hint}"
        result.fixed = 0
        return None
    result.findings = remaining
    return text


def _replace_if_unchanged(notebook: Notebook, text: str) -> None:
    """Write ``text`` over the notebook atomically, unless the file changed since it was read.

    A symlink keeps pointing at its target, which is what gets rewritten; the target's
    mode and owner are kept; a read-only file is refused; nothing is left behind on error.
    """
    current = load_notebook(notebook.path).text
    if current != notebook.text:
        raise NotebookReadError(notebook.path, "the file changed on disk while it was linted")
    path = Path(os.path.realpath(notebook.path))
    try:
        status = path.stat()
    except OSError as exc:
        raise NotebookReadError(notebook.path, f"cannot read file: {exc.strerror}") from None
    if not status.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise NotebookReadError(
            notebook.path, "the file is read-only", "make it writable to apply fixes, or use --diff"
        )
    data = text.encode("utf-8")
    with open(path, "rb") as fh:
        if fh.read(3) == b"\xef\xbb\xbf":  # keep a byte-order mark
            data = b"\xef\xbb\xbf" + data
    try:
        write_atomically(path, data, like=status)
    except OSError as exc:
        raise NotebookReadError(
            notebook.path,
            f"cannot write the fixed notebook ({exc.strerror or exc})",
            "check the file's and its folder's permissions",
        ) from None
