"""Environment rules about packages installed while the notebook runs: runtime installs
(NB405), ``!pip`` (NB406) and unpinned installs (NB402)."""

from __future__ import annotations

import re

from nb2prod.dependencies.declared import requirement_name
from nb2prod.linter.context import NotebookContext
from nb2prod.linter.edits import replace_in_line
from nb2prod.linter.installs import InstallCommand, shell_segments
from nb2prod.linter.rule import Rule, Severity
from nb2prod.linter.rules._commands import Command, commands
from nb2prod.linter.rules._guards import install_guard

#: The ``!pip`` prefixes the NB406 fix rewrites to ``%pip``.
_FIXABLE_PIP = re.compile(r"!\s*(?:pip3?|python3?\s+-m\s+pip)(?=\s|$)")
#: Executables that resolve ``pip`` through PATH (not ``{sys.executable} -m pip``).
_PATH_PIP = re.compile(r"(?:pip|python)(?:\d+(?:\.\d+)?)?")


def _listing(items, limit: int = 5) -> str:
    items = list(dict.fromkeys(items))
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# --------------------------------------------------------------------------- rules


class RuntimePackageInstall(Rule):
    """
    ## What it does
    Finds packages installed or removed while the notebook runs.  These are ``%pip install``,
    ``!pip install``, ``!python -m pip install``, ``!uv pip install``, ``%conda install``,
    ``!mamba install``, ``!apt-get install``, automagic ``pip install x``, install lines of
    ``%%bash`` cells, ``subprocess.run([sys.executable, "-m", "pip", "install", ...])``, and
    ``pip uninstall``.  ``pip list``/``pip freeze`` are not installs.

    One install is one finding: while this rule is enabled, NB402 (unpinned-install) and
    NB406 (bang-pip-install) leave the installs it reports to it, and its message names the
    packages without an exact version when NB402 is enabled too.  An install that runs only
    in a hosted notebook or where a package is missing (``if IN_COLAB:``,
    ``if 'google.colab' in sys.modules:``, ``if not installed:``, the
    ``except ImportError:`` of ``try: import x``) is reported as info: a production job does
    not run it, but its environment still needs the packages.

    ## Why it blocks production
    Every run then depends on the package index being reachable and on whatever version
    it serves that day; installs in a running kernel may not even be imported until a
    restart.  A job's environment must be complete before the job starts.

    ## Example
    ```python
    %pip install lightgbm shap
    ```

    ## Use instead
    Declare the packages in the project's dependency file and build the environment from it:
    ```toml
    # pyproject.toml
    [project]
    dependencies = ["lightgbm==4.3.0", "shap==0.45.0"]
    ```

    ## Fix
    None: move the packages to requirements.txt / pyproject.toml (environment.yml for conda,
    the image for system packages) and delete the cell line.
    """

    code = "NB405"
    name = "runtime-package-install"
    family = "environment"
    severity = Severity.ERROR

    def check(self, ctx):
        pins = UnpinnedInstall.code in ctx.settings.enabled
        for command in commands(ctx):
            guard = install_guard(ctx, command) if command.installs else None
            for install in command.installs:
                message = _install_message(install, guard)
                unpinned = install.unpinned() if pins else []
                if unpinned:
                    message += f"; {_pin_advice(install, unpinned, name=True)}"
                yield self.report(
                    ctx,
                    message,
                    command.cell,
                    span=command.span,
                    severity=Severity.INFO if guard else None,
                )


def _install_message(install: InstallCommand, guard: str | None) -> str:
    named = [*install.packages, *(f"-r {name}" for name in install.files)]
    what = _listing(named) if named else "packages"
    them = "it" if len(named) == 1 else "them"
    how = f"`{install.label}`"
    when = f", run only {guard}: not in a production job" if guard else ""
    if install.action == "uninstall":
        return (
            f"runtime uninstall of {what} ({how}){when}; remove {them} from the project's "
            "dependency file and build the job's environment without them"
        )
    if not install.python:
        return (
            f"runtime install of system packages {what} ({how}){when}; install {them} in the "
            "job's environment image (e.g. its Dockerfile) before the job runs"
        )
    where = (
        "(environment.yml)" if install.tool == "conda" else "(requirements.txt / pyproject.toml)"
    )
    return (
        f"runtime install of {what} ({how}){when}; declare {them} in the project's dependency "
        f"file {where} and install {them} before the job runs"
    )


def _pin_advice(install: InstallCommand, unpinned: list[str], *, name: bool = False) -> str:
    example = requirement_name(unpinned[0].split("::")[-1]) or "name"
    pin = "=" if install.tool == "conda" else "=="
    if name:  # NB405's message names the packages first; say which are unpinned
        return (
            f"pin {_listing(unpinned)} ({example}{pin}<version>) so every run installs the "
            "same packages"
        )
    return f"pin exact versions ({example}{pin}<version>) so every run installs the same packages"


class BangPipInstall(Rule):
    """
    ## What it does
    Finds ``!pip install``, which installs into the first ``pip`` on the PATH.  That
    ``pip`` need not belong to the kernel's Python; ``!pip3``, ``!python -m pip`` and ``pip``
    lines of ``%%bash`` cells are reported too.  While NB405 (runtime-package-install) is
    enabled it reports these installs instead (one install, one finding), so this rule speaks
    only when NB405 is not enabled (``--select NB406``, or NB405 ignored).  An install that
    runs only in a hosted notebook or where a package is missing (``if IN_COLAB:``) is info.

    ## Why it blocks production
    The package lands in another environment, so the import still fails, or works only on
    the machine where PATH happens to point at the kernel's environment.  ``%pip`` always
    installs into the running kernel's environment.

    ## Example
    ```python
    !pip install lightgbm
    ```

    ## Use instead
    ```python
    %pip install lightgbm
    ```
    (and, for production, declare the package instead of installing it at runtime: NB405).

    ## Fix
    Safe: ``!pip``, ``!pip3``, ``!python -m pip`` and ``!python3 -m pip`` at the start of a
    line become ``%pip``.  Not offered for ``!sudo pip``, chained commands, ``x = !pip``
    or ``%%bash`` cells.
    """

    code = "NB406"
    name = "bang-pip-install"
    family = "environment"
    severity = Severity.WARNING
    fix = "use %pip install"

    def check(self, ctx):
        if RuntimePackageInstall.code in ctx.settings.enabled:
            return  # one install, one finding: NB405's
        for command in commands(ctx):
            if command.via not in ("bang", "capture", "system", "shell-cell"):
                continue
            install = next((i for i in command.installs if _runs_path_pip(i)), None)
            if install is None:
                continue
            edit = _percent_pip(ctx, command, install)
            where = " in a Python cell" if command.via == "shell-cell" else ""
            guard = install_guard(ctx, command)
            yield self.report(
                ctx,
                f"`{command.shown}` installs with the first `pip` on PATH, which may not be the "
                f"kernel's environment; use `%pip {install.subcommand}`{where}{_only(guard)}",
                command.cell,
                span=command.span,
                edits=(edit,) if edit else (),
                severity=Severity.INFO if guard else None,
            )


def _runs_path_pip(install: InstallCommand) -> bool:
    program = install.launcher[0].rsplit("/", 1)[-1]
    return install.tool == "pip" and program != "uv" and bool(_PATH_PIP.fullmatch(program))


def _percent_pip(ctx: NotebookContext, command: Command, install: InstallCommand):
    """The edit ``!pip`` -> ``%pip``, when it changes nothing else."""
    if command.bang is None or install.prefixed or len(shell_segments(command.text)) != 1:
        return None
    line = command.cell.lines[command.span[0] - 1]
    match = _FIXABLE_PIP.match(line, command.bang - 1)
    if match is None:
        return None
    return replace_in_line(
        ctx.notebook, command.cell, command.span[0], command.bang, match.end() + 1, "%pip"
    )


class UnpinnedInstall(Rule):
    """
    ## What it does
    Finds packages installed at runtime without an exact version (``==``/``===``).  For
    example ``%pip install pandas``, ``!pip install "numpy>=1.26"``, ``pip install -U torch``,
    ``%conda install scipy``.  Requirement files (``-r requirements.txt``), constraint
    files, local paths, ``-e .`` and VCS URLs at a commit are not reported.  While NB405
    (runtime-package-install) is enabled it reports these installs instead and names the
    unpinned packages (one install, one finding), so this rule speaks only when NB405 is not
    enabled (``--select NB402``, or NB405 ignored).  An install that runs only in a hosted
    notebook or where a package is missing (``if IN_COLAB:``) is info.

    ## Why it blocks production
    Each run installs whatever version is newest that day, so the same notebook gives
    different results, or breaks, from one run to the next.

    ## Example
    ```python
    %pip install pandas "scikit-learn>=1.3"
    ```

    ## Use instead
    ```python
    %pip install pandas==2.2.2 scikit-learn==1.5.0
    ```
    (better still, declare them in the dependency file: NB405).

    ## Fix
    None: pin each package to the version you tested with (``pip freeze`` shows it).
    """

    code = "NB402"
    name = "unpinned-install"
    family = "environment"
    severity = Severity.WARNING

    def check(self, ctx):
        if RuntimePackageInstall.code in ctx.settings.enabled:
            return  # one install, one finding: NB405's, which names the unpinned packages
        for command in commands(ctx):
            for install in command.installs:
                unpinned = install.unpinned()
                if not unpinned:
                    continue
                guard = install_guard(ctx, command)
                yield self.report(
                    ctx,
                    f"unpinned install of {_listing(unpinned)} (`{install.label}`); "
                    f"{_pin_advice(install, unpinned)}{_only(guard)}",
                    command.cell,
                    span=command.span,
                    severity=Severity.INFO if guard else None,
                )


def _only(guard: str | None) -> str:
    return f" (run only {guard}: not in a production job)" if guard else ""
