"""Redaction of text nb2prod prints or records: messages, code frames, diffs."""

from __future__ import annotations

import re

from nb2prod.credentials.recognise import redact

#: What nb2prod must not print in clear, even cut short or of an unknown kind: runs that
#: start like a known token, URL user info (``user:password@``, ``token@``), bearer
#: tokens and ``password=``-style values.  Used on messages, code frames and diffs.
_PRINTED = re.compile(
    r"(?<![A-Za-z0-9])(?P<token>(?:AKIA|ASIA|gh[pousr]_|github_pat_|sk-|xox[abposr]-|xapp-|AIza"
    r"|[sr]k_live_|hf_|dapi|glpat-|gsk_|r8_|SG\.|GOCSPX-|eyJ)[A-Za-z0-9_\-.+/=]{6,})"
    r"|://(?P<userinfo>[^\s/?#@'\"`]+)@"
    r"|://[^\s/?#@:'\"`]+:(?P<cut>[^\s/?#@'\"`]*?[A-Za-z][^\s/?#@'\"`]*?)(?=\.\.\.|…)"
    r"|(?i:\b(?:bearer|basic)[ \t]+)(?P<bearer>[A-Za-z0-9_\-.+/=]{8,})"
    r"|(?i:\b(?:pwd|password|passwd|secret|api[_-]?key|access[_-]?key|auth[_-]?token)"
    r"[ \t]*[=:][ \t]*)(?P<value>[^\s;,'\"`)]{4,})"
)


#: A ``token`` match that names a file or is a plain word (``hf_intro.ipynb``,
#: ``hf_models``, ``sk-learn_notes``): paths and words are never masked, only values.
#: Generated tokens mix cases and digits and none ends in a file extension.
_NOT_A_TOKEN = re.compile(r".*\.[A-Za-z][A-Za-z0-9]{0,5}|[^A-Z0-9]*[a-z][^A-Z0-9]*")


#: Every match of ``_PRINTED`` holds one of these (lower-cased): a cheap first test.
_PRINTED_HINTS = (
    "://",
    "akia",
    "asia",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "sk-",
    "xox",
    "xapp-",
    "aiza",
    "k_live_",
    "hf_",
    "dapi",
    "glpat-",
    "gsk_",
    "r8_",
    "sg.",
    "gocspx-",
    "eyj",
    "bearer",
    "basic",
    "pwd",
    "passw",
    "secret",
    "key",
    "token",
)


def redact_text(text: str, *, keep_length: bool = False) -> str:
    """``text`` with every credential-looking part masked.

    ``keep_length``: mask with ``*`` of the same length, so columns stay put (code frames).
    """
    lowered = text.lower()
    if not any(hint in lowered for hint in _PRINTED_HINTS) or not _PRINTED.search(text):
        return text

    def mask(match: re.Match) -> str:
        group = next(g for g in ("token", "userinfo", "cut", "bearer", "value") if match.group(g))
        start, end = match.span(group)
        secret = match.group(group)
        if group == "token" and _NOT_A_TOKEN.fullmatch(secret):
            return match.group(0)
        if keep_length:
            hidden = "*" * len(secret)
        elif group == "token":
            hidden = redact(secret, 4)
        else:
            hidden = "***"
        whole = match.group(0)
        return whole[: start - match.start()] + hidden + whole[end - match.start() :]

    return _PRINTED.sub(mask, text)
