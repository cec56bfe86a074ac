"""Masking credentials in what leaves a notebook: an executed notebook (sources, text
outputs, metadata), the text files a job wrote, a traceback shown on the console.

Built on the linter's detection (NB501-NB503): token formats, ``user:password@`` in URLs,
and literals bound to secret names (``api_token = '…'``, ``%env DB_PASSWORD=…``).  The
values found in a notebook's code are then masked wherever they appear in it, in its
outputs and in the files it wrote, so a password printed or written under another name
is masked too.  Values only, never names of files or variables.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nb2prod.credentials.recognise import (
    SECRET_NAME_HINT,
    find_tokens,
    looks_like_secret_value,
    secret_part,
)
from nb2prod.credentials.urls import find_url_credentials

MASK = "<redacted>"
HTML_MASK = html.escape(MASK)
#: Text files larger than this are logged as they are (documented in docs/jobs.md).
MAX_TEXT_FILE = 64 * 1024 * 1024
#: Known values shorter than this are masked where a rule finds them, not everywhere.
_MIN_KNOWN = 6

#: Output representations that are text: the linter's NB502 scans the same ones.
_TEXT_MIMES = ("text/plain", "text/markdown", "text/latex", "text/x-python")
_HTML_MIMES = ("text/html", "image/svg+xml")
#: ``name = value``, ``name: value``, ``"name": "value"``, ``NAME=value`` in printed text,
#: configuration files and code: a secret name given a literal (quoted, or ending the
#: token).
_NAMED_VALUE = re.compile(
    r"(?P<name>[A-Za-z_][\w.-]{0,63})(?P<q1>[\"']?)[ \t]*[=:][ \t]*"
    r"(?:(?P<quote>[\"'])(?P<quoted>[^\"'\n]{4,4096}?)(?P=quote)"
    r"|(?P<bare>[^\s\"'#,;(){}\[\]<>]{4,4096})(?=[\s,;)}\]]|$))"
)

_NAME_CHARS = re.compile(r"[\w.-]")
_DATA_URI = re.compile(r"data:[\w.+-]+/[\w.+-]+;base64,[A-Za-z0-9+/=\s\\]*")
_HINT_WORDS = ("pass", "secret", "token", "credential", "key", "auth")


def code_secrets(source: str) -> set[str]:
    """The credentials a cell's code holds: tokens of known formats, URL passwords, and
    literals bound to secret names (as the linter's NB501 and NB503 find them)."""
    found = {token.secret for token in find_tokens(source)}
    found |= {url.password for url in find_url_credentials(source)}
    from nb2prod.linter.rules._secret_sites import may_name_secret

    if not may_name_secret(source):
        return found
    found |= _named_in_code(source)
    found |= {value for _, value in _named_values(source)}
    return found


def _named_in_code(source: str) -> set[str]:
    from nb2prod.linter.context import walk_in_order
    from nb2prod.linter.rules._secret_sites import env_assignments, literal_text, named_literals
    from nb2prod.notebook import Cell
    from nb2prod.syntax import parse_cell

    parsed = parse_cell(source)
    pairs: list[tuple[str, str]] = []
    if parsed.tree is not None:
        pairs += [
            (name, literal_text(node))
            for name, node in named_literals(walk_in_order(parsed.tree), lambda _: None)
        ]
    cell = Cell(index=0, cell_type="code", source=source)
    pairs += [(name, value) for name, value, _ in env_assignments(cell, parsed)]
    found = set()
    for name, literal in pairs:
        value = secret_part(name, literal)
        if value is not None and looks_like_secret_value(value):
            found.add(value)
    return found


def _named_values(text: str) -> list[tuple[tuple[int, int], str]]:
    """Spans and values of secret names given a literal in ``text``."""
    found: list[tuple[tuple[int, int], str]] = []
    end = 0
    for place in _hints(text):  # every secret name holds one
        if place < end:
            continue
        start = place
        while start > 0 and place - start < 64 and _NAME_CHARS.match(text, start - 1):
            start -= 1
        while start < place and not (text[start].isalpha() or text[start] == "_"):
            start += 1
        match = _NAMED_VALUE.match(text, start)
        if match is None:
            continue
        end = match.end()
        group = "quoted" if match.group("quoted") is not None else "bare"
        value = secret_part(match.group("name"), match.group(group))
        if value is not None and value == match.group(group) and looks_like_secret_value(value):
            found.append((match.span(group), value))
    return found


def _hints(text: str) -> list[int]:
    """Where ``SECRET_NAME_HINT`` matches in ``text``: found with ``str.find`` in ASCII
    text, many times faster than the case-insensitive regex on megabytes of output."""
    if not text.isascii():
        return [hint.start() for hint in SECRET_NAME_HINT.finditer(text)]
    lowered = text.lower()
    places = set()
    for word in _HINT_WORDS:
        place = lowered.find(word)
        while place >= 0:
            places.add(place)
            place = lowered.find(word, place + 1)
    return sorted(places)


def redact_string(text: str, known: Iterable[str] = (), mask: str = MASK) -> str:
    """``text`` with every credential in it, and every ``known`` value, masked.  Images
    inlined as base64 data URIs are left as they are, as the linter's NB502 skips them."""
    known = tuple(known)
    if "base64," in text:
        parts, last = [], 0
        for uri in _DATA_URI.finditer(text):
            parts += [_redact_plain(text[last : uri.start()], known, mask), uri.group(0)]
            last = uri.end()
        return "".join([*parts, _redact_plain(text[last:], known, mask)])
    return _redact_plain(text, known, mask)


def mask_keeping_length(text: str, known: Iterable[str] = ()) -> str:
    """``text`` with each credential :func:`redact_string` finds replaced by as many ``*``,
    so the columns of a code frame stay put."""
    return _redact_plain(text, tuple(known), None)


@functools.lru_cache(maxsize=256)
def cell_secrets(source: str) -> frozenset[str]:
    """The credentials of one cell's code, to mask wherever the cell is quoted (each
    finding's code frame quotes it again)."""
    return frozenset(notebook_secrets([source]))


def _redact_plain(text: str, known: Iterable[str], mask: str | None) -> str:
    spans = [(t.start, t.end) for t in find_tokens(text)]
    spans += [(u.start, u.end) for u in find_url_credentials(text)]
    spans += [span for span, _ in _named_values(text)]
    for value in known:
        for variant in {value, html.escape(value)}:
            start = text.find(variant)
            while start >= 0:
                spans.append((start, start + len(variant)))
                start = text.find(variant, start + len(variant))
    if not spans:
        return text
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts, last = [], 0
    for start, end in merged:
        parts += [text[last:start], mask if mask is not None else "*" * (end - start)]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def notebook_secrets(sources: Iterable[str], values: Iterable[Any] = ()) -> set[str]:
    """Credentials to mask everywhere: those in the code ``sources``, plus ``values`` (the
    secret parameters a job was given)."""
    found = {str(value) for value in values if str(value)}
    for source in sources:
        found |= code_secrets(source)
    return {value for value in found if len(value) >= _MIN_KNOWN}


def redact_notebook(node: Any, known: Iterable[str] = ()) -> None:
    """Mask, in place, the credentials of an nbformat notebook: in every cell's source,
    every text output (streams, text/plain, HTML, Markdown, JSON, errors and their
    tracebacks) and the metadata (papermill's parameters).  ``known``: values to mask
    wherever they appear, besides those the notebook's code holds."""
    sources = [cell.get("source", "") for cell in node.get("cells", [])]
    secrets = notebook_secrets([s for s in sources if isinstance(s, str)], known)
    for cell in node.get("cells", []):
        if isinstance(cell.get("source"), str):
            cell["source"] = redact_string(cell["source"], secrets)
        for output in cell.get("outputs", []) or []:
            _redact_output(output, secrets)
        _redact_strings(cell.get("metadata", {}), secrets)
    parameters = node.get("metadata", {}).get("papermill", {}).get("parameters")
    if isinstance(parameters, dict):
        from nb2prod.credentials.recognise import looks_secret

        for name, value in parameters.items():
            if looks_secret(name, str(value)):
                parameters[name] = MASK
    _redact_strings(node.get("metadata", {}), secrets)


def redact_json(value: Any, known: Iterable[str] = ()) -> Any:
    """A copy of the JSON structure ``value`` with every credential in its strings masked
    (keys are names, kept as they are): an answer for a front end."""
    if isinstance(value, str):
        return redact_string(value, known)
    if isinstance(value, (list, tuple)):
        return [redact_json(item, known) for item in value]
    if isinstance(value, dict):
        return {key: redact_json(item, known) for key, item in value.items()}
    return value


def _redact_output(output: dict, secrets: set[str]) -> None:
    kind = output.get("output_type")
    if kind == "stream":
        output["text"] = _redact_value(output.get("text", ""), secrets, MASK)
    elif kind == "error":
        output["evalue"] = _redact_value(output.get("evalue", ""), secrets, MASK)
        output["traceback"] = _redact_value(output.get("traceback", []), secrets, MASK)
    data = output.get("data")
    if isinstance(data, dict):
        for mime in list(data):
            if mime in _HTML_MIMES:
                data[mime] = _redact_value(data[mime], secrets, HTML_MASK)
            elif mime in _TEXT_MIMES or mime.endswith("json") or mime.startswith("text/"):
                data[mime] = _redact_value(data[mime], secrets, MASK)
    _redact_strings(output.get("metadata", {}), secrets)


def _redact_value(value: Any, secrets: set[str], mask: str) -> Any:
    """Strings, lists of strings and JSON structures, redacted."""
    if isinstance(value, str):
        return redact_string(value, secrets, mask)
    if isinstance(value, list):  # a traceback's frames (nbformat joins the lines of text)
        return [_redact_value(v, secrets, mask) for v in value]
    if isinstance(value, dict):
        _redact_strings(value, secrets, mask)
    return value


def _redact_strings(mapping: Any, secrets: set[str], mask: str = MASK) -> None:
    if isinstance(mapping, dict):
        for key, value in mapping.items():
            mapping[key] = _redact_value(value, secrets, mask)


def redact_file(path: Path, target: Path, known: Iterable[str] = ()) -> bool:
    """Write ``path`` to ``target`` with its credentials masked; False (nothing written)
    when it holds none, is binary (a NUL byte, or not UTF-8) or over
    :data:`MAX_TEXT_FILE`."""
    try:
        if path.stat().st_size > MAX_TEXT_FILE:
            return False
        data = path.read_bytes()
    except OSError:
        return False
    if b"\0" in data[:8192]:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    mask = HTML_MASK if path.suffix.lower() in (".html", ".htm", ".svg", ".xml") else MASK
    redacted = redact_string(text, known, mask)
    if redacted == text:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(redacted.encode("utf-8"))
    return True
