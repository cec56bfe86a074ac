"""Recognising credentials in text: token formats, ``user:password@`` URLs and
secret-looking names and values.

Shared by the linter's secret rules and by tracking, which must never log a secret in
clear.  Token formats are precise regexes over *decoded* text; names are split into
words so that ``tokenizer`` or ``max_tokens`` are not mistaken for secrets.
"""

from nb2prod.credentials.printed import redact_text
from nb2prod.credentials.recognise import (
    SECRET_NAME_HINT,
    find_tokens,
    is_secret_name,
    looks_like_secret_value,
    looks_secret,
    may_hold_tokens,
    redact_unknown,
    secret_part,
)
from nb2prod.credentials.urls import UrlCredential, find_url_credentials

__all__ = [
    "SECRET_NAME_HINT",
    "UrlCredential",
    "find_tokens",
    "find_url_credentials",
    "is_secret_name",
    "looks_like_secret_value",
    "looks_secret",
    "may_hold_tokens",
    "redact_text",
    "redact_unknown",
    "secret_part",
]
