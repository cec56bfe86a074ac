"""What the line magics show: findings, runs and export results, as an HTML table in
Jupyter and as plain text in a terminal (both are sent; the front end picks)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from IPython.core.error import UsageError
from IPython.display import display

from nb2prod.errors import Nb2ProdError


def show_findings(notebook: Path, args) -> None:
    """``%nb2prod lint``: the linter on the notebook file as last saved."""
    from nb2prod.config import LintOverrides, shows_info, split_codes
    from nb2prod.linter.engine import lint_paths
    from nb2prod.linter.formats import render
    from nb2prod.linter.formats.text import hidden_info_note, shown_findings

    select = split_codes(args.select or ()) or None
    ignore = split_codes(args.ignore)
    overrides = LintOverrides(select=select, ignore=ignore, profile=args.profile)
    try:
        report = lint_paths([str(notebook)], overrides, jobs=1)
        show_info = args.show_info or shows_info([str(notebook)], overrides)
    except Nb2ProdError as exc:
        raise UsageError(f"%nb2prod lint: {exc}") from None
    findings = report.findings
    rows = [
        (
            _cell_link(notebook, f.cell, f.cell_id),
            f"{f.line}:{f.column}" if f.line else "",
            f.code,
            f.severity,
            f.message,
        )
        for f in shown_findings(findings, show_info)
    ]
    title = f"{len(findings)} finding(s) in {notebook.name} (as saved)"
    text = render(report, "text", show_info=show_info)
    note = None if show_info else hidden_info_note(findings)
    _show(title, ("cell", "line", "rule", "severity", "message"), rows, text, note)


def show_runs(
    store, experiment: str, notebook: Path | None, limit: int, secrets: frozenset[str]
) -> None:
    """``%nb2prod runs``: this notebook's recent runs, newest first; credentials masked
    (``secrets``, and every one of a known format), as a run logged with MLflow directly
    may hold them."""
    from nb2prod.credentials.notebooks import redact_string
    from nb2prod.tracking.context import notebook_label
    from nb2prod.tracking.store import TrackingRejected, TrackingUnavailable

    label = notebook_label(notebook) if notebook else None
    try:
        runs, _ = store.runs(
            experiment=None if label else experiment, notebook=label, max_results=limit
        )
    except (TrackingUnavailable, TrackingRejected) as exc:
        raise UsageError(f"%nb2prod runs: {exc.message}") from None
    rows = [
        tuple(
            redact_string(value, secrets)
            for value in (
                run.started.strftime("%Y-%m-%d %H:%M:%S"),
                run.name,
                run.status,
                ", ".join(f"{k}={v}" for k, v in sorted(run.params.items())),
                ", ".join(f"{k}={v:.4g}" for k, v in sorted(run.metrics.items())),
                run.run_id[:8],
                run.error or "",
            )
        )
        for run in runs
    ]
    text = "\n".join("  ".join(row).rstrip() for row in rows) or "no runs yet"
    title = f"{len(rows)} run(s) of {label or experiment}"
    header = ("started", "name", "status", "params", "metrics", "run", "error")
    _show(title, header, rows, text)


def run_export(notebook: Path, args) -> None:
    """``%nb2prod export``: :func:`nb2prod.export` on the notebook file as last saved."""
    import nb2prod
    from nb2prod.exporter.pipeline import summary

    try:
        result = nb2prod.export(
            notebook,
            args.output,
            name=args.name,
            force=args.force,
            dry_run=args.dry_run,
            verify=args.verify,
            log_model=args.log_model,
            progress=lambda text: print(f"nb2prod: {text}"),
        )
    except Nb2ProdError as exc:
        if exc.result is not None:  # the package was written, a check failed: show both
            print(summary(exc.result))
            if exc.result.scorecard is not None:
                print(exc.result.scorecard.text())
        hint = f" ({exc.hint})" if exc.hint else ""
        raise UsageError(f"%nb2prod export: {exc.message}{hint}") from None
    print(summary(result))
    if result.scorecard is not None:
        print(result.scorecard.text())


class _Link(NamedTuple):
    text: str
    href: str


def _cell_link(notebook: Path, number: int | None, cell_id: str | None) -> str | _Link:
    """The finding's cell; with an id, a link JupyterLab follows to that cell (its
    ``#cell-id=`` fragment, resolved beside the notebook the output is in)."""
    if not number or not cell_id:
        return str(number or "")
    return _Link(f"{number} ({cell_id})", f"{quote(notebook.name)}#cell-id={quote(cell_id)}")


def _html_value(value) -> str:
    if isinstance(value, _Link):
        return f'<a href="{html.escape(value.href)}">{html.escape(value.text)}</a>'
    return html.escape(str(value))


def _show(
    title: str, header: tuple[str, ...], rows: list[tuple], text: str, note: str | None = None
) -> None:
    cells = "".join(
        "<tr>" + "".join(f"<td>{_html_value(v)}</td>" for v in row) + "</tr>" for row in rows
    )
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    table = f"<p><b>{html.escape(title)}</b></p><table><tr>{head}</tr>{cells}</table>"
    if note:  # what the table leaves out (info findings), as the text report says it
        table += f"<p>{html.escape(note)}</p>"
    display({"text/html": table, "text/plain": f"{title}\n{text}".rstrip()}, raw=True)
