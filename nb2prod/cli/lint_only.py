"""The ``nb2prod`` command of an nb2prod-lint install: the linter alone, as the pre-commit
hook that ``nb2prod init`` writes installs it.

nb2prod-lint (packaging/nb2prod-lint) ships the whole nb2prod package with only the
dependencies of :data:`LINT_COMMANDS`, and this as its console script.  Any other command
would stop on an import deep inside its work; it stops before, with one line saying what
to install.  The commands themselves are the full command line's, unchanged.
"""

from __future__ import annotations

import click

from nb2prod.errors import EXIT_ENVIRONMENT

#: What nb2prod-lint's dependencies cover (packaging/nb2prod-lint/pyproject.toml).
LINT_COMMANDS = frozenset({"lint", "rule", "init"})
_WHAT_TO_INSTALL = "`pip install nb2prod` gives every command"


class LintOnlyGroup(click.Group):
    def resolve_command(self, ctx, args):
        name, command, rest = super().resolve_command(ctx, args)
        if name not in LINT_COMMANDS and not _full_install():
            click.echo(
                f"nb2prod: error: `nb2prod {name}` is not in this install, which has the "
                f"linter only (nb2prod-lint: {', '.join(sorted(LINT_COMMANDS))}); "
                f"{_WHAT_TO_INSTALL}",
                err=True,
            )
            ctx.exit(EXIT_ENVIRONMENT)
        return name, command, rest


def _full_install() -> bool:
    """True when the full nb2prod was installed over nb2prod-lint (its dependencies came
    with it), so every command works although this script stayed."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        distribution("nb2prod")
    except PackageNotFoundError:
        return False
    return True


def main() -> None:
    from nb2prod.cli.main import main as every_command

    group = LintOnlyGroup(
        name=every_command.name,
        commands=every_command.commands,
        params=every_command.params,
        callback=every_command.callback,
        help=every_command.help,
        epilog=f"This install (nb2prod-lint) has the linter only; {_WHAT_TO_INSTALL}.",
        context_settings=every_command.context_settings,
    )
    group()
