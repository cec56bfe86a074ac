"""What a credential looks like: token formats (precise regexes over *decoded* text) and
secret-looking names and values; names are split into words so that ``tokenizer`` or
``max_tokens`` are not mistaken for secrets."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# --------------------------------------------------------------------------- token formats


@dataclass(frozen=True)
class TokenFormat:
    """A credential format: ``markers`` are substrings that must occur for ``pattern`` to
    be tried (a cheap filter for megabyte outputs); the ``secret`` group, when the
    pattern has one, is the credential itself, else the whole match is."""

    kind: str
    pattern: re.Pattern
    markers: tuple[str, ...]
    random: bool = True  # the secret must mix letters and digits, as generated keys do
    bounded: bool = True  # must not continue a run of key characters on its left
    #: Lower-case texts one of which every match starts with (ignoring case), for patterns
    #: ``re`` cannot search quickly: in a long text they are tried at those places only.
    starts: tuple[str, ...] = ()


def _format(
    kind: str,
    pattern: str,
    *markers: str,
    random: bool = True,
    bounded: bool = True,
    starts: tuple[str, ...] = (),
) -> TokenFormat:
    return TokenFormat(kind, re.compile(pattern), markers, random, bounded, starts)


# Boundaries exclude base64 characters, so a key-like run inside a base64 blob never matches.
# The left one is checked in Python: a leading look-behind makes `re` try every position.
_KEY_CHARS = frozenset(string.ascii_letters + string.digits + "_+/-")
_R = r"(?![A-Za-z0-9_+/=-])"

TOKEN_FORMATS = (
    _format("AWS access key id", r"(?:AKIA|ASIA)[A-Z0-9]{16}" + _R, "AKIA", "ASIA"),
    _format(
        "AWS secret access key",
        r"(?i:secret_?(?:access_?)?key)['\"]?\s*[:=]\s*[\"']?"
        r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        "ecret",
        "ECRET",
        bounded=False,
        starts=("secret",),
    ),
    _format("GitHub token", r"gh[pousr]_[A-Za-z0-9]{36}" + _R, *(f"gh{c}_" for c in "pousr")),
    _format("GitHub token", r"github_pat_[A-Za-z0-9_]{60,255}" + _R, "github_pat_"),
    _format("Anthropic API key", r"sk-ant-[A-Za-z0-9_-]{20,}", "sk-ant-"),
    _format(
        "OpenAI API key",
        r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}",
        "sk-proj-",
        "sk-svcacct-",
        "sk-admin-",
    ),
    # Legacy OpenAI keys have no project prefix: demand the mixed case of a generated key.
    _format(
        "OpenAI API key",
        r"sk-(?!ant-|proj-|svcacct-|admin-)(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*[A-Z])"
        r"[A-Za-z0-9_-]{32,}",
        "sk-",
    ),
    _format("Slack token", r"xox[abposr]-[A-Za-z0-9-]{10,}", "xox"),
    _format("Slack token", r"xapp-\d-[A-Za-z0-9-]{10,}", "xapp-"),
    _format(
        "Slack webhook URL",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9_/+-]{20,})",
        "hooks.slack.com",
        bounded=False,
    ),
    _format("Google API key", r"AIza[0-9A-Za-z_-]{35}" + _R, "AIza"),
    _format(
        "Stripe API key",
        r"[sr]k_live_[0-9A-Za-z]{20,}" + _R,
        "k_live_",
        starts=("sk_live_", "rk_live_"),
    ),
    _format("Hugging Face token", r"hf_[A-Za-z0-9]{34}" + _R, "hf_"),
    _format("Databricks token", r"dapi[0-9a-f]{32}(?:-\d)?" + _R, "dapi"),
    _format("GitLab token", r"glpat-[A-Za-z0-9_-]{20}" + _R, "glpat-"),
    _format("Groq API key", r"gsk_[A-Za-z0-9]{52}" + _R, "gsk_"),
    _format("Replicate API token", r"r8_[A-Za-z0-9]{37}" + _R, "r8_"),
    _format("SendGrid API key", r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}" + _R, "SG."),
    _format("Google OAuth client secret", r"GOCSPX-[A-Za-z0-9_-]{28}" + _R, "GOCSPX-"),
    _format(
        "Azure storage account key",
        r"(?i:AccountKey|SharedAccessKey)=(?P<secret>[A-Za-z0-9+/]{40,100}={0,2})(?![A-Za-z0-9+/=])",
        "ccountKey",
        "ccessKey",
        bounded=False,
        starts=("accountkey", "sharedaccesskey"),
    ),
    _format(
        "connection-string password",  # ODBC/ADO.NET `...;UID=etl;PWD=...`, libpq `password=...`
        r"(?i:(?:pwd|password)[ \t]*=[ \t]*)(?P<secret>[^;'\"\s{}%$<>]{4,})(?=[ \t]*(?:;|['\"]|$))",
        *(f"{word}=" for word in ("PWD", "pwd", "Pwd", "Password", "password", "PASSWORD")),
        random=False,
        starts=("pwd", "password"),
    ),
    _format(
        "private key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
        "PRIVATE KEY",
        random=False,
        bounded=False,
    ),
    _format(
        "JSON Web Token",
        r"eyJ[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}" + _R,
        "eyJ",
        random=False,
    ),
)

#: The signature of jwt.io's sample token, copied into countless tutorials.
_SAMPLE_JWT_SIGNATURE = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
#: Lower-case substrings that mark a value as a stand-in for a secret.
_PLACEHOLDER_MARKERS = tuple(
    """example xxxx your dummy fake placeholder redacted sample changeme change_me change-me
    replace insert todo fixme < > ${ … ...""".split()
)
_REPEATED_CHAR = re.compile(r"(.)\1{5,}")
_PEM_BODY = re.compile(
    r"(?:\\n|\\r|[\s\"'+])*(?:[A-Za-z-]+:[^\n]*\n)*(?:\\n|[\s\"'+])*[A-Za-z0-9+/=]{40}"
)


@dataclass(frozen=True)
class SecretMatch:
    """A credential found in a text: ``[start, end)`` is the span to point at."""

    kind: str
    secret: str
    start: int
    end: int
    shown: str  # redacted form for messages


#: Characters of the markers, rarest first in notebook code and outputs (measured).
_RARITY = "KJYXVGjOEAIRPz8S-CTkxbyv_gfhcumd.plonisr ate"


def _markers_by_gate() -> dict[str, tuple[str, ...]]:
    """Each marker filed under its rarest character, its *gate*: a text without that
    character cannot hold the marker, and looking for one character is far cheaper."""
    gates: dict[str, list[str]] = {}
    for marker in dict.fromkeys(m for f in TOKEN_FORMATS for m in f.markers):
        gate = min(marker, key=lambda c: _RARITY.index(c) if c in _RARITY else len(_RARITY))
        gates.setdefault(gate, []).append(marker)
    return {gate: tuple(markers) for gate, markers in gates.items()}


_MARKERS_BY_GATE = _markers_by_gate()


#: Texts longer than this (megabytes of printed logs) test every character of a marker
#: before searching for it: each test costs little, and rules most markers out.
_LONG_TEXT = 65536


def _markers_in(text: str) -> set[str]:
    """The format markers that occur in ``text``."""
    gates = [gate for gate in _MARKERS_BY_GATE if gate in text]
    if not gates:
        return set()
    long = len(text) > _LONG_TEXT
    return {
        marker
        for gate in gates
        for marker in _MARKERS_BY_GATE[gate]
        if (not long or all(char in text for char in marker)) and marker in text
    }


def may_hold_tokens(text: str) -> bool:
    """False when ``text`` can hold no credential of a known format (a cheap test)."""
    return bool(_markers_in(text))


def find_tokens(text: str) -> list[SecretMatch]:
    """Credentials of known formats in ``text``, left to right, without overlaps."""
    found: list[SecretMatch] = []
    present = _markers_in(text)
    if not present:  # most texts: no marker, nothing more to look for
        return found
    for fmt in TOKEN_FORMATS:
        if not any(marker in present for marker in fmt.markers):
            continue
        for match in _matches(fmt, text):
            group = "secret" if "secret" in fmt.pattern.groupindex else 0
            secret = match.group(group)
            if not _plausible(fmt, match, text) or _fake_token(fmt, secret, text, match.end()):
                continue
            start, end = match.span(group)
            shown = _shown(fmt, match, secret)
            found.append(SecretMatch(fmt.kind, secret, start, end, shown))
    return _without_overlaps(found)


def _matches(fmt: TokenFormat, text: str) -> Iterable[re.Match]:
    """``fmt.pattern.finditer(text)``.  In a long ASCII text (a plotly bundle in an HTML
    output), a pattern that starts case-insensitively is tried only where it can start."""
    if not fmt.starts or len(text) <= _LONG_TEXT or not text.isascii():
        return fmt.pattern.finditer(text)
    lowered = text.lower()  # for ASCII text, the same positions
    places = sorted({place for start in fmt.starts for place in _places(lowered, start)})
    found: list[re.Match] = []
    end = 0
    for place in places:  # left to right, without overlaps, as finditer goes
        if place >= end:
            match = fmt.pattern.match(text, place)
            if match:
                found.append(match)
                end = match.end()
    return found


def _places(text: str, part: str) -> Iterator[int]:
    """Where ``part`` starts in ``text``."""
    place = text.find(part)
    while place >= 0:
        yield place
        place = text.find(part, place + 1)


def _shown(fmt: TokenFormat, match: re.Match, secret: str) -> str:
    if fmt.kind == "private key":
        return match.group(0)  # the header is not secret, and says which kind of key
    # A public prefix (``sk-p``, ``AKIA``) identifies a key; a bare secret shows less.
    return redact(secret, 4) if match.group(0) == secret else redact_unknown(secret)


def _plausible(fmt: TokenFormat, match: re.Match, text: str) -> bool:
    start = match.start()
    if fmt.bounded and start > 0 and text[start - 1] in _KEY_CHARS:
        if not text.endswith("://", 0, start):  # a token as URL user info: https://ghp_…@
            return False
    if fmt.kind == "AWS secret access key":  # secret_key alone is not AWS's name
        name = match.group(0).lower()
        return "access" in name or text[max(0, start - 4) : start].lower().rstrip("_").endswith(
            "aws"
        )
    return True


def _fake_token(fmt: TokenFormat, secret: str, text: str, end: int) -> bool:
    if fmt.kind == "connection-string password":  # `PWD={pw}`, `password=***`, `PWD=password`
        return is_placeholder(secret) or not looks_like_secret_value(secret)
    if fmt.kind == "private key":  # only a header followed by key material is a key
        return not _PEM_BODY.match(text, end, end + 400)
    if fmt.kind == "JSON Web Token":
        return secret.endswith(_SAMPLE_JWT_SIGNATURE)
    if fmt.random and not (any(c.isdigit() for c in secret) and any(c.isalpha() for c in secret)):
        return True
    lowered = secret.lower()
    return any(m in lowered for m in _PLACEHOLDER_MARKERS) or bool(_REPEATED_CHAR.search(secret))


def _without_overlaps(found: list[SecretMatch]) -> list[SecretMatch]:
    kept: list[SecretMatch] = []
    for match in sorted(found, key=lambda m: (m.start, -m.end)):
        if not kept or match.start >= kept[-1].end:
            kept.append(match)
    return kept


def redact(secret: str, keep: int) -> str:
    """``sk-p…(51 chars)``: enough to recognise a credential, never enough to use it."""
    return f"{secret[:keep]}…({len(secret)} chars)"


def redact_unknown(secret: str) -> str:
    """Redact a secret without a public prefix (a password): show none of it."""
    return redact(secret, 0)


# --------------------------------------------------------------------------- secret names

#: Words that make a name secret; ``api key``-like pairs are matched as two words.
_SECRET_WORDS = frozenset(
    {"password", "passwd", "passphrase", "secret", "token", "credentials", "credential", "apikey"}
)
_SECRET_PAIRS = frozenset({("api", "key"), ("access", "key"), ("private", "key")})
#: Words that make a secret-named variable hold something else: a length, a column,
#: a file, an env-var name, a tokenizer's special token...
_NOT_SECRET_QUALIFIERS = frozenset(
    """count counts len length limit max min num number size budget usage used id ids type
    types index indices idx col cols column columns field fields name names hash hashed file
    filename files path paths dir folder url uri endpoint env var variable header prefix
    suffix regex re pattern policy strength reset expiry expires expiration ttl timeout
    label labels prompt placeholder position pos span start end offset mask embedding
    embeddings vocab pad padding eos bos unk sep cls sos eot special stop begin
    split separator delimiter text level rate format kind mode logits prob probs score
    scores weight weights attention sequence seq arn scope version ref manager vault store
    template widget validator regexp dummy fake mock example sample page next cursor
    continuation pagination sync sort primary foreign cache partition group join lookup row
    unique composite idempotency routing dedup object bucket blob""".split()
)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_ENV_VAR_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_LETTER_WORDS = re.compile(r"[A-Za-z]+(?:[_.\-][A-Za-z]+)*")
_REPO_ID = re.compile(r"[\w.-]*[.-][\w.-]*/[\w.-]+|[\w.-]+/[\w.-]*[.-][\w.-]*")
_FILE_NAME = re.compile(
    r".*\.(?:json|txt|pem|key|env|ya?ml|cfg|ini|conf|p12|pfx|crt|cer|csv|toml|pkl|gpg)",
    re.I,
)
_SPECIAL_TOKEN = re.compile(r"[\[<].*[\]>]")
_FORMAT_FIELD = re.compile(r"\{[^{}]*\}|%(?:\([^)]*\))?[sdr]|\$\{?\w+\}?")
#: Every secret name contains one of these (case-insensitively).
SECRET_NAME_HINT = re.compile(r"(?i)pass|secret|token|credential|key|auth")
#: A machine-made key: 20+ characters of letters and digits (and base64 punctuation).
_GENERATED = re.compile(r"(?=[^\s]*\d)[A-Za-z0-9_\-+/=.]{20,512}")
_AUTH_HEADER = re.compile(r"(?i)(?:bearer|basic|token)\s+(\S+)")


def words(name: str) -> list[str]:
    """``dbPassword`` -> ``["db", "password"]``; ``OPENAI_API_KEY`` -> ``["openai", "api", "key"]``."""
    return [w.lower() for w in _WORD.findall(name)]


def _has_secret_word(parts: list[str]) -> bool:
    # A glued word ending in a secret word counts too: PGPASSWORD, HFTOKEN, openaiapikey.
    return any(w.endswith(s) for w in parts for s in _SECRET_WORDS) or any(
        pair in _SECRET_PAIRS for pair in zip(parts, parts[1:])
    )


def is_secret_name(name: str) -> bool:
    """True for ``api_key``, ``DB_PASSWORD``, ``hfToken``; False for ``tokenizer``,
    ``max_tokens``, ``token_count``, ``password_column``."""
    parts = words(name)
    return _has_secret_word(parts) and not any(w in _NOT_SECRET_QUALIFIERS for w in parts)


def looks_secret(name: str, text: str) -> bool:
    """Would ``name = text`` (a parameter, a logged value) give a secret away?  A
    secret-looking name with a value, a value in a credential format, or a URL with a
    password (``postgresql://user:pw@host``)."""
    from nb2prod.credentials.urls import find_url_credentials  # urls.py imports this module

    if is_secret_name(name) and bool(text):
        return True
    return bool(find_tokens(text)) or bool(find_url_credentials(text))


def is_placeholder(value: str) -> bool:
    """``"<your key>"``, ``"xxx"``, ``"YOUR_API_KEY"``, ``"changeme"``, ``"***"``, ``"..."``,
    ``"TODO"``, ``"${VAR}"``, ``"{token}"``, ``"%s"``: text standing for a secret."""
    stripped = value.strip()
    lowered = stripped.lower()
    if not stripped or set(stripped) <= set("xX*.-_#?•… 0"):
        return True
    return (
        any(m in lowered for m in _PLACEHOLDER_MARKERS)
        or bool(_FORMAT_FIELD.search(stripped))
        or bool(_REPEATED_CHAR.search(stripped))
    )


def looks_like_secret_value(value: str) -> bool:
    """Could this literal, assigned to a secret-named variable, be the secret itself?

    Not a placeholder, an env-var name (``"OPENAI_API_KEY"``), a column or identifier
    (``"password"``, ``"user_password"``), a plain word (``"running"``), a path, a URL, a
    model id (``"bert-base-uncased"``), a sentence or a special token (``"[PAD]"``).
    """
    if len(value) < 4 or len(value) > 4096 or any(c.isspace() for c in value):
        return False
    if is_placeholder(value) or _ENV_VAR_NAME.fullmatch(value) or _word_like(value):
        return False
    if _has_secret_word(words(value)) or _SPECIAL_TOKEN.fullmatch(value):
        return False
    if "://" in value or value.startswith(("/", "./", "../", "~", "\\")):
        return False
    return not (_FILE_NAME.fullmatch(value) or _REPO_ID.fullmatch(value) or value[1:3] == ":\\")


def _word_like(value: str) -> bool:
    """Letters only (``"hunter"``, ``"user_name"``, ``"Admin"``): a word or identifier, unless
    it is a long mixed-case run such as a generated key."""
    if not _LETTER_WORDS.fullmatch(value):
        return False
    generated = len(value) >= 16 and value.isalpha() and not (value.islower() or value.isupper())
    return not generated


def secret_part(name: str, value: str) -> str | None:
    """The part of ``value`` that would be the credential when bound to ``name``, or None
    when ``name`` is not a secret's name.  ``Authorization: Bearer <token>`` gives the token;
    a generated-looking value of a ``*key`` name (``KAGGLE_KEY``, ``login(key=...)``) counts."""
    parts = words(name)
    if parts == ["authorization"]:
        match = _AUTH_HEADER.fullmatch(value.strip())
        return match.group(1) if match else None
    if is_secret_name(name):
        return value
    if parts and parts[-1] == "key" and not any(w in _NOT_SECRET_QUALIFIERS for w in parts):
        return (
            value
            if _GENERATED.fullmatch(value) and not value.isalpha() and not value.isdigit()
            else None
        )
    return None
