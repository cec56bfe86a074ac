"""Rules about steps that need a person at the keyboard: prompts, the clipboard, Colab
uploads and mounts, debuggers."""

from __future__ import annotations

import ast

from nb2prod.linter.rule import Rule, Severity
from nb2prod.linter.rules._callees import callees
from nb2prod.linter.rules._magic_uses import magic_uses


def _parents_in(ctx, cell) -> dict[ast.AST, ast.AST]:
    """Parent of each node of ``cell``'s tree."""
    return next(index.parents for index in ctx.indexes if index.cell is cell)


def _shadowed_locally(name: str, node: ast.AST, parents: dict) -> bool:
    """True when an enclosing function or lambda binds ``name`` (a parameter or a local)."""
    scope = parents.get(node)
    while scope is not None:
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            arguments = scope.args
            params = [
                *arguments.posonlyargs,
                *arguments.args,
                *arguments.kwonlyargs,
                arguments.vararg,
                arguments.kwarg,
            ]
            if any(p is not None and p.arg == name for p in params):
                return True
            body = scope.body if isinstance(scope.body, list) else [scope.body]
            for statement in body:
                for inner in ast.walk(statement):
                    if (
                        isinstance(inner, ast.Name)
                        and inner.id == name
                        and isinstance(inner.ctx, ast.Store)
                    ):
                        return True
        scope = parents.get(scope)
    return False


class InteractiveInput(Rule):
    """
    ## What it does
    Finds prompts for keyboard input.  They are the builtins ``input()`` and
    ``raw_input()``, and ``getpass.getpass()``.  A notebook that defines its own ``input`` is not reported.

    ## Why it blocks production
    A scheduled job or a papermill run has no one to answer: the prompt fails with
    ``StdinNotImplementedError`` or waits forever.

    ## Example
    ```python
    threshold = float(input("Threshold? "))
    password = getpass.getpass()
    ```

    ## Use instead
    ```python
    # parameters cell
    threshold = 0.7
    ```
    ```python
    password = os.environ["DB_PASSWORD"]
    ```

    ## Fix
    None: make the value a parameter; read secrets from the environment or a secret
    manager.
    """

    code = "NB301"
    name = "interactive-input"
    family = "interactive"
    severity = Severity.ERROR

    _PROMPTS = {"input": "input", "raw_input": "raw_input", "builtins.input": "input"}
    _PASSWORDS = frozenset({"getpass.getpass"})

    def check(self, ctx):
        if not callees(ctx).any_qualified([*self._PROMPTS, *self._PASSWORDS]):
            return
        for cell, _parsed, call, qualified in ctx.calls():
            if qualified in self._PROMPTS:
                if isinstance(call.func, ast.Name) and _shadowed_locally(
                    call.func.id, call, _parents_in(ctx, cell)
                ):
                    continue
                message = (
                    f"`{self._PROMPTS[qualified]}()` waits for someone to type a value, and a job "
                    "has no one to answer; make the value a parameter (a variable in the "
                    "`parameters` cell)"
                )
                yield self.report(ctx, message, cell, node=call)
            elif qualified in self._PASSWORDS:
                message = (
                    "`getpass()` prompts for a secret, and a job has no one to answer; read it "
                    "from an environment variable or a secret manager"
                )
                yield self.report(ctx, message, cell, node=call)


class ClipboardRead(Rule):
    """
    ## What it does
    Finds data read from the clipboard.  They are ``pandas.read_clipboard()`` and
    ``pyperclip.paste()``.

    ## Why it blocks production
    The data is whatever someone copied before running the cell; a server has no
    clipboard at all, and nobody can tell later which data the results came from.

    ## Example
    ```python
    df = pd.read_clipboard()
    ```

    ## Use instead
    ```python
    # parameters cell
    INPUT_PATH = "data/input.csv"
    ```
    ```python
    df = pd.read_csv(INPUT_PATH)
    ```

    ## Fix
    None: save the data to a file (or table) and read it from there.
    """

    code = "NB311"
    name = "clipboard-read"
    family = "interactive"
    severity = Severity.ERROR

    _CALLS = frozenset({"pandas.read_clipboard", "pyperclip.paste", "clipboard.paste"})

    def check(self, ctx):
        if not callees(ctx).any_qualified(self._CALLS):
            return
        for cell, _parsed, call, qualified in ctx.calls():
            if qualified in self._CALLS:
                message = (
                    f"`{qualified}()` reads whatever is on the clipboard, and a job has no "
                    "clipboard; save the data to a file and read it from a path parameter"
                )
                yield self.report(ctx, message, cell, node=call)


class ColabManualIO(Rule):
    """
    ## What it does
    Finds Google Colab steps that need a person in the browser.  They are
    ``google.colab.files.upload()`` and ``download()``, ``google.colab.drive.mount()``
    and ``google.colab.auth.authenticate_user()``, however they are imported.

    ## Why it blocks production
    They open a file picker or an authorization prompt that only Colab's browser UI can
    answer; outside Colab the import itself fails.

    ## Example
    ```python
    from google.colab import drive, files
    drive.mount("/content/drive")
    uploaded = files.upload()
    ```

    ## Use instead
    ```python
    # parameters cell
    INPUT_PATH = "gs://my-bucket/input.csv"
    ```
    ```python
    df = pd.read_csv(INPUT_PATH)
    ```

    ## Fix
    None: read the data from storage the job can reach, with credentials from the
    environment.
    """

    code = "NB312"
    name = "colab-manual-io"
    family = "interactive"
    severity = Severity.ERROR

    _CALLS = {
        "google.colab.files.upload": "opens a file picker in the browser",
        "google.colab.files.download": "sends a file to the browser",
        "google.colab.drive.mount": "asks someone to authorize Google Drive in the browser",
        "google.colab.auth.authenticate_user": "asks someone to sign in in the browser",
    }

    def check(self, ctx):
        if not callees(ctx).any_qualified(self._CALLS):
            return
        for cell, _parsed, call, qualified in ctx.calls():
            if qualified in self._CALLS:
                short = qualified.removeprefix("google.colab.")
                message = (
                    f"`{short}()` {self._CALLS[qualified]}, which only works in Colab with "
                    "someone at the keyboard; read and write data where jobs can reach it"
                )
                yield self.report(ctx, message, cell, node=call)


class DebuggerCall(Rule):
    """
    ## What it does
    Finds debugger entry points left in the notebook.  They are ``breakpoint()``,
    ``pdb.set_trace()``, ``ipdb.set_trace()``, ``pdb.pm()``, ``pdb.post_mortem()``,
    ``IPython.embed()``, ``IPython.core.debugger.set_trace()`` (any ``.set_trace()``),
    and the magics ``%debug``, ``%%debug`` and ``%pdb`` (turned on).

    ## Why it blocks production
    A debugger waits for commands on standard input: a job hangs or fails there, and
    ``%pdb on`` stops at the first exception instead of failing the run.

    ## Example
    ```python
    def score(x):
        breakpoint()
        return model.predict(x)
    ```

    ## Use instead
    ```python
    def score(x):
        return model.predict(x)
    ```

    ## Fix
    None: delete the call or the magic.
    """

    code = "NB313"
    name = "debugger-call"
    family = "interactive"
    severity = Severity.ERROR

    _CALLS = frozenset(
        "breakpoint builtins.breakpoint pdb.set_trace pdb.pm pdb.post_mortem pdb.run "
        "pdb.runcall pdb.runctx pdb.runeval ipdb.set_trace ipdb.pm ipdb.post_mortem "
        "ipdb.launch_ipdb_on_exception pudb.set_trace pudb.pm pudb.post_mortem "
        "IPython.embed IPython.terminal.embed.embed IPython.core.debugger.set_trace "
        "debugpy.breakpoint debugpy.wait_for_client".split()
    )
    _PDB_OFF = frozenset({"off", "0", "false"})
    _ADVICE = "a job has no one to drive the debugger; delete it"

    def check(self, ctx):
        called = callees(ctx)
        calls = (
            ctx.calls()
            if called.any_qualified(self._CALLS) or "set_trace" in called.written
            else ()
        )
        for cell, _parsed, call, qualified in calls:
            func = call.func
            if qualified in self._CALLS or (
                isinstance(func, ast.Attribute) and func.attr == "set_trace"
            ):
                shown = qualified or func.attr
                message = f"`{shown}()` starts a debugger; {self._ADVICE}"
                yield self.report(ctx, message, cell, node=call)
        for use in magic_uses(ctx):
            if use.name == "debug" or (
                use.name == "pdb"
                and use.kind == "line_magic"
                and (use.args or "").lower() not in self._PDB_OFF
            ):
                message = f"`{use.shown}` starts a debugger; {self._ADVICE}"
                yield self.report(ctx, message, use.cell, span=use.span)
