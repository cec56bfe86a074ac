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
import bisect
import functools
import json
import re
from collections.abc import Iterable, Iterator

from nb2prod.credentials import (
    SECRET_NAME_HINT,
    UrlCredential,
    find_tokens,
    find_url_credentials,
    looks_like_secret_value,
    may_hold_tokens,
    redact_unknown,
    secret_part,
)
from nb2prod.linter.context import NotebookContext, walk_in_order
from nb2prod.linter.edits import remove_outputs
from nb2prod.linter.rule import Finding, Rule, Severity
from nb2prod.notebook import Cell
from nb2prod.syntax import parse_cell

# --------------------------------------------------------------------------- where text stands


class CellText:
    """One code cell's source with offset <-> (line, column) conversion."""

    def __init__(self, cell: Cell) -> None:
        self.cell = cell
        self.text = cell.source

    @functools.cached_property
    def _starts(self) -> list[int]:  # only cells with a finding need it
        return [0] + [m.end() for m in re.finditer("\n", self.text)]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based ``(line, column)`` of character ``offset``."""
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1

    def span(self, start: int, end: int) -> tuple[int, int, int, int]:
        return (*self.position(start), *self.position(end))


def _string_spans(ctx: NotebookContext, cell: Cell) -> list[tuple[int, int, int, int]]:
    """Spans of the cell's string literals (an f-string counts as one literal)."""
    index = ctx.index(cell)
    if index is None:  # no parsed Python
        return []
    parsed = index.parsed
    spans = []
    inside_fstring: set[int] = set()
    for node in index.order:
        if isinstance(node, ast.JoinedStr):
            inside_fstring.update(id(child) for child in ast.walk(node) if child is not node)
            spans.append(parsed.position(node))
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            if id(node) not in inside_fstring:
                spans.append(parsed.position(node))
    return spans


def _inside(position: tuple[int, int], span: tuple[int, int, int, int]) -> bool:
    return span[:2] <= position < span[2:]


def _url_credentials_in_code(
    ctx: NotebookContext, cell: Cell, text: CellText
) -> list[UrlCredential]:
    """URL credentials standing in string literals, IPython escapes (``%sql``, ``!git``),
    shell or SQL cell-magic bodies, and the unparsable lines of a broken cell."""
    found = find_url_credentials(text.text)
    if not found:
        return []
    parsed = ctx.parsed(cell)
    if cell.language not in (None, "python"):
        return []
    escape_lines = {e.line for e in parsed.escapes if e.kind != "cell_magic"}
    foreign_body = not parsed.python  # %%bash, %%sql...: every body line is a command
    strings = _string_spans(ctx, cell)
    covered = _statement_lines(parsed.tree) if parsed.error else None
    kept = []
    for credential in found:
        line, column = text.position(credential.start)
        line_text = cell.lines[line - 1]
        if line_text.lstrip().startswith("#"):
            continue
        if (
            foreign_body
            or line in escape_lines
            or any(_inside((line, column), span) for span in strings)
            or (covered is not None and line not in covered and _quoted(line_text, column))
        ):
            kept.append(credential)
    return kept


def _statement_lines(tree: ast.Module | None) -> set[int]:
    lines: set[int] = set()
    for statement in tree.body if tree is not None else ():
        lines.update(range(statement.lineno, (statement.end_lineno or statement.lineno) + 1))
    return lines


def _quoted(line_text: str, column: int) -> bool:
    """On a line Python could not parse: does a quote open before ``column``, outside a comment?"""
    before = line_text[: column - 1]
    quote = min((i for i in (before.find('"'), before.find("'")) if i >= 0), default=-1)
    return quote >= 0 and "#" not in before[:quote]


# --------------------------------------------------------------------------- NB501


#: ``NAME=value`` (also after ``export`` or as ``--flag=value``) in shell lines, and the
#: ``NAME value`` form of ``%set_env``.
_ENV_ASSIGNMENT = re.compile(
    r"(?:^|\s)(?:export\s+|--?)?(?P<name>[A-Za-z_][\w-]*)(?P<sep>=|\s+(?=\S))"
    r"(?P<quote>[\"']?)(?P<value>[^\s\"']+)(?P=quote)"
)


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
        tokens, urls, names = may_hold_tokens(code), "://" in code, _may_name_secret(code)
        if not (tokens or urls or names):
            return
        for cell in cells:
            text = CellText(cell)
            claimed = [(c.start, c.end) for c in _url_credentials_in_code(ctx, cell, text)]
            for token in find_tokens(text.text) if tokens else ():
                if token.secret in allowed or _overlaps((token.start, token.end), claimed):
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
        if not _may_name_secret(cell.source):
            return  # no name in the cell can be a secret's: skip the tree walk
        parsed = ctx.parsed(cell)
        found: list[tuple[str, str, object]] = []
        index = ctx.index(cell)
        if index is not None:  # parsed Python
            for name, node in _named_literals(index.order, ctx.qualified_name):
                found.append((name, _literal_text(node), node))
        found.extend(_env_assignments(cell, parsed))
        found.extend(_written_file_assignments(cell, parsed))
        claimed_spans = [text.span(start, end) for start, end in claimed]
        for name, literal, where in found:
            value = secret_part(name, literal)
            if value is None or value in allowed or not looks_like_secret_value(value):
                continue
            span = parsed.position(where) if isinstance(where, ast.AST) else where
            if any(_spans_overlap(span, other) for other in claimed_spans):
                continue
            claimed_spans.append(span)
            message = (
                f"hardcoded secret in `{name}` (`{redact_unknown(value)}`); read it from "
                "the environment (os.environ) or a secret manager instead"
            )
            yield self.report(ctx, message, cell, span=span)


_SECRET_NAME_WORDS = ("pass", "secret", "token", "credential", "key", "auth")


def _may_name_secret(source: str) -> bool:
    """``SECRET_NAME_HINT.search(source)``; for ASCII text (nearly every cell) the same
    test by lower-casing, several times faster than a case-insensitive regex."""
    if source.isascii():  # no non-ASCII letter that folds onto an ASCII one
        lowered = source.lower()
        return any(map(lowered.__contains__, _SECRET_NAME_WORDS))
    return SECRET_NAME_HINT.search(source) is not None


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in others)


def _spans_overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[:2] < b[2:] and b[:2] < a[2:]


def _literal_text(node: ast.Constant) -> str:
    value = node.value
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _is_literal(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))


#: Calls that bind their second argument to the name given by the first.
_SETTERS = frozenset({"os.environ.setdefault", "os.putenv"})
#: Classes called as ``(user, password)``.
_BASIC_AUTH = frozenset({"HTTPBasicAuth", "HTTPDigestAuth", "HTTPProxyAuth", "BasicAuth"})


def _named_literals(nodes: Iterable[ast.AST], qualify) -> Iterator[tuple[str, ast.Constant]]:
    """``(name, literal)`` for every string literal bound to a name: assignment targets,
    attribute and subscript stores, keyword arguments, dict keys, parameter defaults and
    ``os.environ.setdefault("NAME", "value")``.  ``nodes``: a tree's nodes in source order."""
    for node in nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                yield from _bound(target, node.value)
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            yield from _bound(node.target, node.value)
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg and _is_literal(keyword.value):
                    yield keyword.arg, keyword.value
                if keyword.arg == "auth" and _literal_pair(keyword.value):
                    yield "password", keyword.value.elts[1]  # requests: auth=(user, password)
            args = node.args
            if len(args) == 2 and _is_literal(args[0]) and _is_literal(args[1]):
                callee = qualify(node.func) or ""
                if isinstance(args[0].value, str) and callee in _SETTERS:
                    yield args[0].value, args[1]
                elif callee.rsplit(".", 1)[-1] in _BASIC_AUTH:
                    yield "password", args[1]
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if _is_literal(key) and isinstance(key.value, str) and _is_literal(value):
                    yield key.value, value
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield from _defaults(node.args)


def _literal_pair(node: ast.AST) -> bool:
    return isinstance(node, ast.Tuple) and len(node.elts) == 2 and all(map(_is_literal, node.elts))


def _bound(target: ast.AST, value: ast.AST) -> Iterator[tuple[str, ast.Constant]]:
    if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
        if len(target.elts) == len(value.elts):
            for sub_target, sub_value in zip(target.elts, value.elts):
                yield from _bound(sub_target, sub_value)
        return
    if not _is_literal(value):
        return
    if isinstance(target, ast.Name):
        yield target.id, value
    elif isinstance(target, ast.Attribute):
        yield target.attr, value
    elif isinstance(target, ast.Subscript) and _is_literal(target.slice):
        if isinstance(target.slice.value, str):
            yield target.slice.value, value


def _defaults(args: ast.arguments) -> Iterator[tuple[str, ast.Constant]]:
    positional = args.posonlyargs + args.args
    for arg, default in zip(positional[len(positional) - len(args.defaults) :], args.defaults):
        if _is_literal(default):
            yield arg.arg, default
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        if _is_literal(default):
            yield arg.arg, default


def _env_assignments(cell: Cell, parsed) -> Iterator[tuple[str, str, tuple[int, int, int, int]]]:
    """``%env NAME=value``, ``%set_env NAME value`` and ``export NAME=value`` in shell lines."""
    for escape in parsed.escapes:
        if not (
            escape.is_shell or (escape.kind == "line_magic" and escape.name in ("env", "set_env"))
        ):
            continue
        line_text = cell.lines[escape.line - 1] if escape.line <= len(cell.lines) else ""
        start = escape.column - 1
        if escape.kind == "line_magic":  # skip past the magic's name
            start = line_text.find(escape.name, start) + len(escape.name)
        for match in _ENV_ASSIGNMENT.finditer(line_text, start):
            if escape.is_shell and match.group("sep") != "=":
                continue  # a shell command's arguments, not an assignment
            if match.group("value").startswith(("$", "`", "%")):
                continue  # expanded by the shell or IPython at run time
            span = (escape.line, match.start("value") + 1, escape.line, match.end("value") + 1)
            yield match.group("name"), match.group("value"), span


#: ``NAME=value``, ``name: value``, ``"name": "value"`` lines of config and .env files.
_CONFIG_LINE = re.compile(
    r"\s*(?:export\s+)?[\"']?(?P<name>[A-Za-z_][\w.-]*)[\"']?\s*[=:]\s*"
    r"(?P<quote>[\"']?)(?P<value>[^\s\"'#,]+)(?P=quote)\s*,?\s*(?:#.*)?$"
)


def _written_file_assignments(
    cell: Cell, parsed
) -> Iterator[tuple[str, str, tuple[int, int, int, int]]]:
    """Secrets in the file a ``%%writefile`` cell creates: Python for ``.py`` files, else
    ``NAME=value`` config lines (``.env``, ``.ini``, YAML, JSON)."""
    magic = next((e for e in parsed.escapes if e.kind == "cell_magic"), None)
    if magic is None or magic.name not in ("writefile", "file") or not magic.args.split():
        return
    offset = magic.line  # cell line of the body's line 0
    if magic.args.split()[-1].endswith(".py"):
        body = parse_cell("\n".join(cell.lines[offset:]))
        nodes = walk_in_order(body.tree or ast.Module(body=[]))
        for name, node in _named_literals(nodes, lambda _: None):
            line, column, end_line, end_column = body.position(node)
            yield name, _literal_text(node), (line + offset, column, end_line + offset, end_column)
        return
    for number, text in enumerate(cell.lines[offset:], start=offset + 1):
        match = _CONFIG_LINE.match(text)
        if match:
            span = (number, match.start("value") + 1, number, match.end("value") + 1)
            yield match.group("name"), match.group("value"), span


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
            for credential in _url_credentials_in_code(ctx, cell, text):
                if credential.password in allowed:
                    continue
                message = (
                    f"password in connection URL `{credential.shown}`; read the URL or its "
                    "password from the environment (os.environ) and change the password"
                )
                yield self.report(
                    ctx, message, cell, span=text.span(credential.start, credential.end)
                )
