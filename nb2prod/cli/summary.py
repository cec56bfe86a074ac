"""``--summary FILE`` of ``nb2prod run`` and ``nb2prod export``: a Markdown section
appended to FILE, which GitHub Actions shows on the workflow run's page when FILE is
``$GITHUB_STEP_SUMMARY``.  A run adds a row to a table of jobs (notebook, parameters,
status, time, metrics, MLflow run); the rows of runs that follow one another in one file
stay one table.  An export adds its verification scorecard.  Every cell is redacted as
console output is: parameters by name and value, messages by what they hold.
"""

from __future__ import annotations

import os
import re

import click

#: The first line of the jobs table: a run whose file ends with this table adds its rows.
RUNS_HEADER = "| notebook | parameters | status | time | metrics | MLflow run |"
_RUNS_RULE = "|---|---|---|--:|---|---|"
_MAX_METRICS = 8  # the rest are in the tracking store; a row stays readable


def append_runs(path: str | None, results) -> None:
    """Add a row per job result to the jobs table at the end of ``path`` (or a new one)."""
    if not path:
        return
    rows = [_run_row(result) for result in results]
    existing = _tail(path)
    if _ends_with_runs_table(existing):
        _append(path, "".join(f"{row}\n" for row in rows))
    else:
        head = "\n" if existing and not existing.endswith("\n\n") else ""
        table = [f"{head}### nb2prod run", "", RUNS_HEADER, _RUNS_RULE, *rows]
        _append(path, "\n".join(table) + "\n")


def append_failure(path: str | None, command: str, target: str, error) -> None:
    """A command that stopped before it had a result: what and why, in one line."""
    if not path:
        return
    message = _cell(f"{error.message}" + (f" ({error.hint})" if error.hint else ""))
    _append(path, f"\n### nb2prod {command} {_code(target)}\n\n❌ {message}\n\n")


def append_export(path: str | None, notebook: str, target, scorecard=None) -> None:
    """The export's target and, when it was verified, each check and the verdict."""
    if not path:
        return
    shown = str(target)
    if os.path.isabs(shown) and not os.path.relpath(shown).startswith(".."):
        shown = os.path.relpath(shown)  # build/churn, as the workflow named it
    lines = [f"\n### nb2prod export {_code(notebook)} → {_code(shown)}\n"]
    if scorecard is None:
        lines.append("exported, not verified (`--verify` checks the package's answers)\n")
    else:
        lines += ["| check | result | detail |", "|---|---|---|"]
        failed = []
        for check in scorecard.checks:
            mark = "✅ pass" if check.ok else "❌ FAIL"
            lines.append(f"| {_cell(check.name)} | {mark} | {_cell(check.detail)} |")
            if check.diff:
                failed.append(check)
        lines.append("")
        for check in failed:  # how the answers differ, folded under the table
            diff = "\n".join(_redacted(line) for line in check.diff)
            title = _cell(check.name) + _largest_difference(check.diff)
            lines += [f"<details><summary>{title}</summary>\n", "```", diff, "```"]
            lines += ["</details>", ""]
        verdict = (
            "**verified**: the package gives the notebook's answers"
            if scorecard.ok
            else "**NOT verified**: see the failed checks"
        )
        lines.append(verdict + "\n")
    _append(path, "\n".join(lines) + "\n")


#: A compared value as verify words it: ``output[1]: notebook 0.2, package 0.4``.
_COMPARED = re.compile(r"(?P<where>.+?): notebook (?P<expected>[^,]+), package (?P<actual>\S+)$")


def _largest_difference(diff: list[str]) -> str:
    """``: largest difference 0.2 (output[1])`` over the numbers ``diff`` shows, or ""."""
    largest: tuple[float, str] | None = None
    for line in diff:
        match = _COMPARED.match(line)
        try:
            gap = abs(float(match["expected"]) - float(match["actual"])) if match else None
        except ValueError:  # not numbers: a shape, a type, a label
            continue
        if gap is not None and (largest is None or gap > largest[0]):
            largest = (gap, match["where"] if match else "")
    return f": largest difference {largest[0]:.4g} ({_cell(largest[1])})" if largest else ""


def _run_row(result) -> str:
    from nb2prod.tracking.values import param_text

    params = (
        " ".join(f"{k}={param_text(k, v)}" for k, v in sorted(result.params.items())) or "defaults"
    )
    if result.failure is not None:
        status = f"❌ {result.status}: {result.failure.message}"
    elif result.tracking_error is not None:
        status = f"⚠️ {result.status}, not recorded: {result.tracking_error.message}"
    else:
        status = f"✅ {result.status}"
    shown = sorted((k, v) for k, v in result.metrics.items() if k != "duration_s")
    metrics = " ".join(f"{k}={v:.4g}" for k, v in shown[:_MAX_METRICS])
    if len(shown) > _MAX_METRICS:
        metrics += f" (+{len(shown) - _MAX_METRICS} more)"
    run = _code(result.run_id[:8]) if result.run_id else "not tracked"
    cells = [_code(str(result.notebook)), _cell(params), _cell(status)]
    cells += [f"{result.seconds:.1f} s", _cell(metrics), run]
    return "| " + " | ".join(cells) + " |"


def _cell(text: str) -> str:
    """``text`` for a Markdown table cell: one line, ``|`` escaped, credentials masked."""
    return _redacted(" ".join(str(text).split())).replace("|", "\\|")


def _code(text: str) -> str:
    return f"`{_cell(text).replace('`', '')}`"


def _redacted(text: str) -> str:
    from nb2prod.credentials import redact_text

    return redact_text(text)


def _ends_with_runs_table(text: str) -> bool:
    lines = text.rstrip("\n").split("\n")
    while lines and lines[-1].startswith("| "):
        lines.pop()
    return bool(lines) and lines[-1] == _RUNS_RULE


def _tail(path: str) -> str:
    """The end of ``path`` (enough to see whether it ends with a jobs table)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 65536))
            return fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _append(path: str, text: str) -> None:
    # The summary is a report on the side: failing to write it must not fail the job.
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        click.echo(
            f"nb2prod: warning: {path}: cannot write the summary ({exc.strerror or exc})",
            err=True,
        )
