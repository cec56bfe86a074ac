"""Credentials in notebooks: in cell source (NB501), in saved outputs (NB502) and inside
connection URLs (NB503).

Everything is scanned in *decoded* text: the cell source and output strings as Jupyter
shows them, not the raw JSON, where quoting and ``\\n`` escapes hide tokens from the
line-based scanners (gitleaks, detect-secrets).  Token formats are precise regexes;
the name heuristic (``password = "..."``) works on the AST.  Markdown cells, image
outputs and other base64 payloads are never scanned: they are not code, and base64
is where other scanners find their false positives.  Messages show secrets redacted.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator

from nb2prod.credentials import (
    find_tokens,
    find_url_credentials,
    looks_like_secret_value,
    may_hold_tokens,
    redact_unknown,
    secret_part,
)
from nb2prod.linter.context import NotebookContext
from nb2prod.linter.edits import remove_outputs
from nb2prod.linter.rule import Finding, Rule, Severity
from nb2prod.linter.rules._secret_sites import (
    CellText,
    env_assignments,
    literal_text,
    may_name_secret,
    named_literals,
    overlaps,
    spans_overlap,
    url_credentials_in_code,
    written_file_assignments,
)
from nb2prod.notebook import Cell

# --------------------------------------------------------------------------- NB501


class HardcodedSecret(Rule):
    """
    ## What it does
    Finds API keys, tokens and passwords written into code cells.  It knows the token
    formats of AWS, Azure storage, GitHub, GitLab, OpenAI, Anthropic, Groq, Replicate,
    Slack, Google, Stripe, SendGrid, Hugging Face, Databricks, private keys and JWTs,
    wherever they stand (strings, comments, shell cells, cells that do not parse), and
    string literals assigned to secret-named variables, keyword arguments, dict keys and
    attributes (``password``, ``api_key``, ``token``, ``client_secret``...) or set with
    ``%env`` and ``export``.

    Placeholders (``"<your key>"``, ``"xxx"``, ``"changeme"``, ``"${TOKEN}"``), env-var
    names (``"OPENAI_API_KEY"``), column names and values read at run time
    (``os.environ``, ``getpass()``, ``userdata.get``) are not reported; neither are
    names such as ``tokenizer``, ``max_tokens`` or ``password_column``.  The message
    shows the secret redacted.

    ## Why it blocks production
    A notebook is shared, committed and rendered on GitHub with every cell; a key in it
    is leaked for good (it stays in the history) and ties the code to one person's
    account.  Production reads credentials from its environment or a secret manager.

    ## Example
    ```python
    client = OpenAI(api_key="sk-proj-Xb3…")
    db_password = "hunter2!"
    ```

    ## Use instead
    ```python
    import os
    client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
    db_password = os.environ["DB_PASSWORD"]
    ```

    ## Fix
    None: move the secret out of the notebook, then revoke it, since it is in the history.
    List known-harmless values (a local demo password) in ``allowed-secrets``.
    """

    code = "NB501"
    name = "hardcoded-secret"
    family = "secrets"
    severity = Severity.ERROR
    options = {"allowed-secrets": []}

    def check(self, ctx: NotebookContext) -> Iterator[Finding]:
        allowed = set(ctx.option(self.code, "allowed-secrets"))
        cells = [cell for cell in ctx.notebook.cells if cell.is_code and cell.source.strip()]
        # One look at all the code first: most notebooks hold no token-format marker, no
        # URL and no secret-like name, and then no cell needs a look of its own.
        code = "\n".join(cell.source for cell in cells)
        tokens, urls, names = may_hold_tokens(code), "://" in code, may_name_secret(code)
        if not (tokens or urls or names):
            return
        for cell in cells:
            text = CellText(cell)
            claimed = [(c.start, c.end) for c in url_credentials_in_code(ctx, cell, text)]
            for token in find_tokens(text.text) if tokens else ():
                if token.secret in allowed or overlaps((token.start, token.end), claimed):
                    continue
                claimed.append((token.start, token.end))
                message = (
                    f"hardcoded {token.kind} `{token.shown}`; read it from the environment "
                    "(os.environ) or a secret manager, and revoke this one"
                )
                yield self.report(ctx, message, cell, span=text.span(token.start, token.end))
            if names and cell.language in (None, "python"):
                yield from self._named(ctx, cell, text, claimed, allowed)

    def _named(self, ctx, cell, text, claimed, allowed) -> Iterator[Finding]:
        """Literals bound to secret names, in Python code and in ``%env``/``export`` lines."""
        if not may_name_secret(cell.source):
            return  # no name in the cell can be a secret's: skip the tree walk
        parsed = ctx.parsed(cell)
        found: list[tuple[str, str, ast.AST | tuple[int, int, int, int]]] = []
        index = ctx.index(cell)
        if index is not None:  # parsed Python
            for name, node in named_literals(index.order, ctx.qualified_name):
                found.append((name, literal_text(node), node))
        found.extend(env_assignments(cell, parsed))
        found.extend(written_file_assignments(cell, parsed))
        claimed_spans = [text.span(start, end) for start, end in claimed]
        for name, literal, where in found:
            value = secret_part(name, literal)
            if value is None or value in allowed or not looks_like_secret_value(value):
                continue
            span = parsed.position(where) if isinstance(where, ast.AST) else where
            if any(spans_overlap(span, other) for other in claimed_spans):
                continue
            claimed_spans.append(span)
            message = (
                f"hardcoded secret in `{name}` (`{redact_unknown(value)}`); read it from "
                "the environment (os.environ) or a secret manager instead"
            )
            yield self.report(ctx, message, cell, span=span)


# --------------------------------------------------------------------------- NB502

#: Output representations that are text a person reads; images and widget state are not.
_TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
_DATA_URI = re.compile(r"data:[\w.+-]+/[\w.+-]+;base64,[A-Za-z0-9+/=\s\\]*")


def output_texts(output: dict) -> Iterator[tuple[str, str]]:
    """``(label, text)`` for each readable text of a saved output, ANSI escapes removed."""
    if not isinstance(output, dict):
        return
    kind = output.get("output_type")
    if kind == "stream":
        yield f"stream {output.get('name', 'stdout')}", _clean(output.get("text"))
    elif kind in ("execute_result", "display_data", "update_display_data"):
        data = output.get("data")
        for mime in _TEXT_MIMES:
            if isinstance(data, dict) and mime in data:
                yield mime, _clean(data[mime], strip_data_uris=mime != "text/plain")
    elif kind == "error":
        traceback = output.get("traceback")
        lines = traceback if isinstance(traceback, list) else []
        yield "error", _clean([output.get("evalue"), *lines], joiner="\n")


def _clean(value, *, joiner: str = "", strip_data_uris: bool = False) -> str:
    if isinstance(value, list):
        try:
            value = joiner.join(value)  # the usual list of lines, joined without a filter
        except TypeError:
            value = joiner.join(v for v in value if isinstance(v, str))
    elif isinstance(value, (dict, int, float)):
        value = json.dumps(value, ensure_ascii=False)
    elif not isinstance(value, str):
        return ""
    value = _ANSI.sub("", value) if "\x1b" in value else value
    if strip_data_uris and "base64," in value:
        value = _DATA_URI.sub("", value)
    return value


class SecretInOutput(Rule):
    """
    ## What it does
    Finds API keys, tokens and connection-URL passwords in saved outputs.  It looks for
    the token formats NB501 knows (not for secret-named variables) in printed text,
    results, HTML, Markdown, JSON and error tracebacks; images and other base64 payloads
    are not scanned.

    ## Why it blocks production
    Outputs are saved in the ``.ipynb`` and shown on GitHub like the code: a key that
    was printed once (``print(os.environ)``, a config dump, a traceback with a
    connection string) is leaked as surely as one typed into a cell, even when the code
    reads it from the environment.

    ## Example
    ```python
    print(config)  # output: {'api_key': 'sk-proj-Xb3…', ...}
    ```

    ## Use instead
    ```python
    print({k: v for k, v in config.items() if k != "api_key"})
    ```

    ## Fix
    Removes the outputs that show the credential.  Revoke it too: it is in the history.
    """

    code = "NB502"
    name = "secret-in-output"
    family = "secrets"
    severity = Severity.ERROR
    fix = "remove the outputs that show the credential"
    options = {"allowed-secrets": []}

    def check(self, ctx: NotebookContext) -> Iterator[Finding]:
        allowed = set(ctx.option(self.code, "allowed-secrets"))
        for cell in ctx.notebook.cells:
            if cell.is_code and cell.outputs:
                leaks = list(self._leaks(cell, allowed))
                if not leaks:
                    continue
                edit = remove_outputs(ctx.notebook, cell, {index for index, _ in leaks})
                for _, message in leaks:
                    yield self.report(ctx, message, cell, edits=(edit,) if edit else ())

    def _leaks(self, cell: Cell, allowed: set[str]) -> Iterator[tuple[int, str]]:
        """``(output index, message)`` once per credential of the cell's outputs."""
        seen: set[str] = set()
        for index, output in enumerate(cell.outputs):
            for label, text in output_texts(output):
                found = [(t.kind, t.secret, t.shown) for t in find_tokens(text)]
                found += [
                    ("password in connection URL", c.password, c.shown)
                    for c in find_url_credentials(text)
                ]
                for kind, secret, shown in found:
                    if secret in seen or secret in allowed:
                        continue
                    seen.add(secret)
                    yield (
                        index,
                        (
                            f"{kind} `{shown}` in output {index + 1} ({label}); clear the output, "
                            "stop printing the credential and revoke it"
                        ),
                    )


# --------------------------------------------------------------------------- NB503


class CredentialInUrl(Rule):
    """
    ## What it does
    Finds passwords inside connection URLs (``scheme://user:password@host``) in code
    cells.  It looks in string literals, ``%sql``/``!git`` lines and shell or SQL cells.
    Placeholders (``{password}`` in f-strings and format strings, ``%s``, ``***``,
    ``<password>``, ``${PASS}``) and well-known defaults (``postgres:postgres``,
    ``scott:tiger``) are not reported.

    ## Why it blocks production
    The password is leaked with the notebook and the URL points at one fixed database;
    production must take both from its configuration.

    ## Example
    ```python
    engine = create_engine("postgresql://analyst:Tr0ub4dor&3@db.internal/sales")
    ```

    ## Use instead
    ```python
    import os
    engine = create_engine(os.environ["SALES_DB_URL"])
    ```

    ## Fix
    None: read the URL or its password from the environment, then change the password.
    """

    code = "NB503"
    name = "credential-in-url"
    family = "secrets"
    severity = Severity.ERROR
    options = {"allowed-secrets": []}

    def check(self, ctx: NotebookContext) -> Iterator[Finding]:
        allowed = set(ctx.option(self.code, "allowed-secrets"))
        for cell in ctx.notebook.cells:
            if not cell.is_code or "://" not in cell.source:
                continue
            text = CellText(cell)
            for credential in url_credentials_in_code(ctx, cell, text):
                if credential.password in allowed:
                    continue
                message = (
                    f"password in connection URL `{credential.shown}`; read the URL or its "
                    "password from the environment (os.environ) and change the password"
                )
                yield self.report(
                    ctx, message, cell, span=text.span(credential.start, credential.end)
                )
