"""Lint report formats: ``text`` (terminal), ``json``, ``sarif``, ``github``, ``junit``.

Every format locates a finding twice: in the cell (``cell 3``, line and column inside
the cell, as the Jupyter UI counts) and in the ``.ipynb`` file (``ipynb_line`` and a
physical column), so CI annotations and code-scanning alerts land on the JSON line
that holds the flagged source text.  The report carries only findings; code frames and
physical columns come from re-reading the notebooks, lazily, once per file, and a file
that cannot be re-read only loses its frame.  ``docs/output-formats.md`` documents
every format; the JSON and SARIF shapes are a stable contract.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

from nb2prod.errors import UsageError
from nb2prod.linter.engine import LintReport
from nb2prod.linter.formats.ci import render_github, render_junit
from nb2prod.linter.formats.sarif import render_sarif
from nb2prod.linter.formats.sources import ReportSources
from nb2prod.linter.formats.text import render_text
from nb2prod.linter.rule import Severity

FORMATS = ("text", "json", "sarif", "github", "junit")


def render(report: LintReport, fmt: str, *, color: bool = False, show_info: bool = False) -> str:
    """``report`` as text in format ``fmt`` (one of FORMATS).  ``color`` and ``show_info``
    only affect ``text``, which lists info findings only with ``show_info`` (and else
    counts them in one line); every other format is complete."""
    renderers: dict[str, Callable[[LintReport, ReportSources], str]] = {
        "json": lambda r, _s: render_json(r),
        "sarif": render_sarif,
        "github": render_github,
        "junit": render_junit,
        "text": lambda r, s: render_text(r, s, color=color, show_info=show_info),
    }
    if fmt not in renderers:
        raise UsageError(f"unknown report format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    return renderers[fmt](report, ReportSources())


def at_least(report: LintReport, severity: Severity) -> LintReport:
    """``report`` without the findings below ``severity`` (``--min-severity``): the SARIF
    the CI workflow uploads holds errors and warnings, so info findings never become
    code-scanning alerts.  ``report`` itself is unchanged."""
    if severity.rank <= Severity.INFO.rank:
        return report
    kept = [
        dataclasses.replace(
            result,
            findings=[f for f in result.findings if Severity(f.severity).rank >= severity.rank],
        )
        for result in report.files
    ]
    return dataclasses.replace(report, files=kept)


def render_json(report: LintReport) -> str:
    """``{"version": 1, "findings": [...], "files": [...]}`` (ARCHITECTURE §4.2).

    One finding or file per line: readable, diff-friendly, and encoded by the C encoder
    (``indent=`` would switch ``json`` to its pure-Python encoder, slow on big reports).
    """

    def array(items) -> str:
        lines = ",\n".join("    " + json.dumps(item) for item in items)
        return f"[\n{lines}\n  ]" if lines else "[]"

    findings = array(f.to_json() for f in report.findings)
    files = array(r.to_json() for r in report.files)
    return f'{{\n  "version": 1,\n  "findings": {findings},\n  "files": {files}\n}}\n'
