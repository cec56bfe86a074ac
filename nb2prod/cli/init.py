"""``nb2prod init``: arguments in, :mod:`nb2prod.scaffold` calls, a list of files out."""

from __future__ import annotations

import click

from nb2prod.cli.errors import handle_errors


@click.command()
@click.argument("path", default=".", type=click.Path())
@click.option(
    "--ci",
    type=click.Choice(["github"]),
    required=True,
    help="CI system to write a workflow for (only GitHub Actions so far; others may come).",
)
@click.option("--force", is_flag=True, help="Replace files that exist already.")
@click.option("--dry-run", is_flag=True, help="Print the files and their content; write nothing.")
@handle_errors
def init(path, ci, force, dry_run):
    """Write a CI workflow and a pre-commit configuration for the project holding PATH.

    The workflow lints every notebook (SARIF for code scanning, annotations on pull
    requests), runs the notebooks that have a `parameters` cell with `nb2prod run` and
    exports + verifies those that have an `nb2prod:predict` cell. Existing files are
    never replaced without --force. PATH defaults to the current folder; the files go to
    its project root (the nearest folder with pyproject.toml or .git).
    """
    from nb2prod.linter.engine import display_path
    from nb2prod.scaffold import STORE_FOLDER, plan_ci, write_scaffold

    scaffold = plan_ci(path, ci)
    for skipped in scaffold.scan.skipped:
        click.echo(
            f"nb2prod: warning: {skipped.path}: not read ({skipped.reason}); "
            "linted in CI, but neither run nor exported",
            err=True,
        )
    if dry_run:
        for scaffold_file in scaffold.files:
            note = " (exists; --force replaces it)" if scaffold_file.exists else ""
            click.echo(f"--- would write {display_path(scaffold_file.path)}{note}")
            click.echo(scaffold_file.content, nl=False)
        for amended in scaffold.amended:
            click.echo(f"--- would add {STORE_FOLDER} to {display_path(amended.path)}")
        _say_kept(scaffold, display_path)
        return
    amended = {f.path for f in scaffold.amended}
    for written in write_scaffold(scaffold, force=force):
        if written in amended:
            click.echo(
                f"added {STORE_FOLDER} to {display_path(written)} (the local tracking store)"
            )
        else:
            click.echo(f"wrote {display_path(written)}")
    _say_kept(scaffold, display_path)
    _summary(scaffold)
    click.echo(
        "next: review and commit these files; run `pre-commit install` to lint staged "
        "notebooks before each commit"
    )


def _say_kept(scaffold, display_path) -> None:
    for kept in scaffold.kept:
        click.echo(
            f"kept {display_path(kept.path)} (it already runs the nb2prod-lint hook; "
            "to update it, raise its nb2prod-lint== pin, or its rev with `pre-commit autoupdate`)"
        )


def _summary(scaffold) -> None:
    """What the workflow will do, so nobody has to read the YAML to find out."""
    scan = scaffold.scan
    runs = [f"{job.path} [{job.label}]" if job.params else job.path for job in scan.jobs]
    jobs = ", ".join(runs) or "none (no `parameters` cell)"
    exports = list(scan.exports) + [e for s in scan.sequences for e in s.exports]
    exported = (
        ", ".join(f"{e.path} -> build/{e.package}" for e in exports)
        or "none (no `nb2prod:predict` cell)"
    )
    click.echo("  lint: every notebook (code scanning + pull-request annotations)")
    click.echo(f"  run as jobs: {jobs}")
    for sequence in scan.sequences:
        click.echo(
            f"  run in order, in one job ({sequence.key}): {' -> '.join(sequence.notebooks)}"
        )
    click.echo(f"  export + verify: {exported}")
    if scan.excluded:
        click.echo(f"  linted only ([tool.nb2prod.test] exclude): {', '.join(scan.excluded)}")
