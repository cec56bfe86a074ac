"""Credentials in URLs: ``scheme://user:password@host``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nb2prod.credentials.recognise import is_placeholder, redact_unknown

_URL_CREDENTIALS = re.compile(
    r"(?<![A-Za-z0-9+.-])(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{0,30})://"
    r"(?P<user>[^\s:/?#@'\"]*):(?P<password>[^\s/?#@'\"]+)@(?P<host>[^\s/?#'\"@:]*)"
)
_URL_PLACEHOLDER_PASSWORDS = frozenset(
    {"pass", "password", "passwd", "pwd", "pw", "secret", "x-oauth-basic", "tiger"}
)


@dataclass(frozen=True)
class UrlCredential:
    scheme: str
    user: str
    password: str
    host: str
    start: int  # span of the password
    end: int

    @property
    def shown(self) -> str:
        return f"{self.scheme}://{self.user}:{redact_unknown(self.password)}@{self.host}"


#: What every match of ``_URL_CREDENTIALS`` contains; it starts with a literal, so it is
#: found quickly (the full pattern starts with a look-behind tried at every position).
_URL_CREDENTIALS_CORE = re.compile(r"://[^\s:/?#@'\"]*:[^\s/?#@'\"]+@")


def find_url_credentials(text: str) -> list[UrlCredential]:
    """``scheme://user:password@host`` in ``text`` whose password is a real one."""
    if "://" not in text or "@" not in text or not _URL_CREDENTIALS_CORE.search(text):
        return []
    found = []
    for match in _URL_CREDENTIALS.finditer(text):
        user, password = match.group("user"), match.group("password")
        lowered = password.lower()
        if (
            is_placeholder(password)
            or lowered in _URL_PLACEHOLDER_PASSWORDS
            or "password" in lowered
            or password == user  # documented defaults such as postgres:postgres, guest:guest
        ):
            continue
        found.append(
            UrlCredential(
                match.group("scheme"), user, password, match.group("host"), *match.span("password")
            )
        )
    return found
