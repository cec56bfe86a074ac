"""The ``nb2prod`` command line: translates arguments to core calls and errors to exit codes."""

from __future__ import annotations

import os
import sys
import warnings

import click

from nb2prod import __version__
from nb2prod.cli.errors import handle_errors
from nb2prod.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError

FORMATS = ("text", "json", "sarif", "github", "junit")


def _codes(ctx, param, value):
    """``--select NB201,NB3 --select NB6`` -> ``("NB201", "NB3", "NB6")``."""
    if not value:
        return None if param.name == "select" else ()
    from nb2prod.config import split_codes

    return split_codes(value)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nb2prod")
def main() -> None:
    """Take Jupyter notebooks to production: lint, track, export, run."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option(
    "--show-info",
    is_flag=True,
    help="List info findings in the text report too (by default one line counts them; "
    "setting: show-info = true).",
)
@click.option(
    "--select",
    multiple=True,
    callback=_codes,
    metavar="CODES",
    help="Only these rules (codes, prefixes such as NB2, names, or ALL).",
)
@click.option("--ignore", multiple=True, callback=_codes, metavar="CODES", help="Skip these rules.")
@click.option(
    "--extend-select",
    multiple=True,
    callback=_codes,
    metavar="CODES",
    help="Rules to add to the selection (e.g. rules that are off by default).",
)
@click.option(
    "--profile",
    type=click.Choice(["explore", "prod"]),
    help="explore: execution-state findings are info; prod (default): errors.",
)
@click.option("--fix", is_flag=True, help="Apply safe fixes in place.")
@click.option(
    "--diff",
    is_flag=True,
    help="Print the safe fixes as a unified diff (to -o FILE if given); change nothing.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default="warning",
    show_default=True,
    help="Lowest severity that makes the exit code 1.",
)
@click.option(
    "--min-severity",
    type=click.Choice(["error", "warning", "info"]),
    default="info",
    show_default=True,
    help="Leave findings below this severity out of the report and the exit code "
    "(warning: SARIF without info findings, so they never become code-scanning alerts).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores)."
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Use this pyproject.toml instead of the closest one.",
)
@click.option("--isolated", is_flag=True, help="Ignore configuration files.")
@handle_errors
def lint(
    paths,
    output_format,
    output,
    show_info,
    select,
    ignore,
    extend_select,
    profile,
    fix,
    diff,
    fail_on,
    min_severity,
    exit_zero,
    jobs,
    config_file,
    isolated,
):
    """Find what stops notebooks from running unattended in production.

    PATHS are notebooks or folders (walked for *.ipynb); default: the current folder.

    The text report lists errors and warnings first and counts info findings in one line
    (--show-info or --fail-on info lists them); the other formats hold every finding.

    Exit codes: 0 clean, 1 findings, 2 usage error or unreadable single input.
    """
    import gc

    from nb2prod.config import LintOverrides, shows_info
    from nb2prod.linter.engine import lint_paths

    # Parsing allocates millions of AST nodes that reference counting frees; at the
    # default threshold the cycle collector would rescan them thousands of times
    # (measured: ~10% of a corpus run) without finding a cycle.
    gc.set_threshold(1_000_000, 50, 100)
    from nb2prod.linter.formats import at_least, render
    from nb2prod.linter.rule import Severity

    if fix and diff:
        raise UsageError("--fix and --diff exclude each other", "--diff shows what --fix would do")
    if output and os.path.exists(output) and any(_same_file(output, p) for p in paths):
        raise UsageError(f"{output}: refusing to write the report over an input")
    overrides = LintOverrides(
        select=select,
        ignore=ignore,
        extend_select=extend_select,
        profile=profile,
        config_file=config_file,
        isolated=isolated,
    )
    report = lint_paths(
        paths or ["."], overrides, fix="diff" if diff else "fix" if fix else None, jobs=jobs
    )
    report = at_least(report, Severity(min_severity))
    if not report.files:
        click.echo(f"nb2prod: warning: no notebooks found in {' '.join(paths or ['.'])}", err=True)
    if diff:
        patch = "".join(r.diff for r in report.files if r.diff)
        _write_report(output, patch) if output else click.echo(patch, nl=False)
        sys.exit(EXIT_FINDINGS if any(r.diff for r in report.files) and not exit_zero else EXIT_OK)
    color = output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    if output_format == "text" and not show_info:  # info findings that fail the run are shown
        show_info = fail_on == "info" or shows_info(paths or ["."], overrides)
    text = render(report, output_format, color=color, show_info=show_info)
    if output:
        _write_report(output, text)
    else:
        click.echo(text, nl=not text.endswith("\n"))
    if len(report.files) == 1 and report.files[0].status == "error" and len(paths) <= 1:
        sys.exit(EXIT_USAGE)  # the only input is unreadable
    sys.exit(EXIT_FINDINGS if report.fails(Severity(fail_on)) and not exit_zero else EXIT_OK)


def _same_file(a: str, b: str) -> bool:
    return os.path.exists(b) and os.path.samefile(a, b)


def _write_report(output: str, text: str) -> None:
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write the report ({exc.strerror or exc})") from None


@main.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print the documentation of every rule.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@handle_errors
def rule(code, show_all, output_format):
    """Explain a rule, or list every rule.

    CODE is a rule code or name (NB201, hardcoded-absolute-path); without it, all rules
    are listed.
    """
    from nb2prod.linter import docs
    from nb2prod.linter.rule import RENAMED_CODES, all_rules, get_rule, renamed_note

    if code and code.upper() in RENAMED_CODES:
        warnings.warn(renamed_note(code), FutureWarning, stacklevel=1)
    if code:
        found = get_rule(code) or next((r for r in all_rules() if r.name == code), None)
        if found is None:
            raise UsageError(f"unknown rule {code!r}", "`nb2prod rule` lists every rule")
        chosen = [found]
    else:
        chosen = all_rules()
    if output_format == "json":
        click.echo(docs.rules_json(chosen))
    elif code or show_all:
        click.echo("\n\n".join(docs.rule_markdown(r) for r in chosen))
    else:
        click.echo(docs.rule_table(chosen))


def _add_commands() -> None:
    # Their modules import only click at the top, so `nb2prod lint` stays light.
    from nb2prod.cli.doctor import doctor
    from nb2prod.cli.drift import drift
    from nb2prod.cli.export import export, verify
    from nb2prod.cli.init import init
    from nb2prod.cli.jobs import run, runs, ui
    from nb2prod.cli.rollout import promote, shadow
    from nb2prod.cli.score import score

    for command in (export, verify, run, runs, ui, init, doctor, score, promote, shadow, drift):
        main.add_command(command)


_add_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
