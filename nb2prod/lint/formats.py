"""Report formats (placeholder: text and json only until the full renderers land)."""

from __future__ import annotations

import json

from nb2prod.lint.engine import LintReport


def render(report: LintReport, fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        return json.dumps(
            {"version": 1, "findings": [f.to_json() for f in report.findings],
             "files": [r.to_json() for r in report.files]},
            indent=2,
        ) + "\n"
    return "\n".join(
        f"{f.path}:cell {f.cell}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message}"
        for f in report.findings
    ) + "\n"
