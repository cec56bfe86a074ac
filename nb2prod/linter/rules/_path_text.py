"""What a string that names a local file path looks like: absolute, user-specific,
relative, or not a path at all (URLs, routes, prose, regexes).  Pure text functions,
used by the path rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: First folders that are filesystem locations, never web routes (``/data/x`` vs ``/health``).
FILESYSTEM_ROOTS = frozenset(
    "data mnt opt srv var tmp etc usr media scratch workspace dbfs Volumes home Users root "
    "content kaggle gpfs lustre nfs".split()
)
#: Pseudo-filesystems of the kernel: the same on every Linux machine.
SYSTEM_ROOTS = frozenset({"dev", "proc", "sys"})
#: Folders of one person's machine or synced storage, as the systems spell them.
PERSONAL_FOLDERS = frozenset(
    {"Desktop", "Downloads", "Dropbox", "Google Drive", "My Drive", "iCloud Drive"}
)

_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]+:")  # a scheme of two or more characters
_DRIVE = re.compile(r"[A-Za-z]:[\\/]")
_UNC = re.compile(r"\\\\[^\\/\s]+[\\/]")
_HOME = re.compile(r"~(?:[\\/]|$)|~[\w.\-]+[\\/]")  # "~", "~/x", "~alice/x"; not "~flag"
_NOT_A_PATH = re.compile(r"[\n\r\t\x00<>|\"]")
#: Backslashes (never in POSIX paths) and regex-only constructs.
_REGEX_HINT = re.compile(r"\\|\(\?|\.[*+]|\[\^|\$$|^\^")
_EXTENSION = re.compile(r"[\w\-]{0,11}[A-Za-z][\w\-]{0,11}")
PLACEHOLDER = "{…}"  # stands for an f-string's replacement field
_MAX_PATH = 1024


@dataclass(frozen=True)
class LocalPath:
    """A string that names a location on the local filesystem, outside the working folder."""

    text: str  # as written (f-string fields shown as {…})
    path: str  # the path itself (a ``file://`` URL decoded)
    style: str  # "posix", "windows" (drive letter), "unc" or "home" (``~``)
    segments: tuple[str, ...]  # folder names after the root (or drive, or ``~user``)

    @property
    def has_extension(self) -> bool:
        """True when the last segment looks like a file name (``x.csv``, ``.env``)."""
        if not self.segments or "." not in self.segments[-1]:
            return False
        return bool(_EXTENSION.fullmatch(self.segments[-1].rsplit(".", 1)[1]))

    @property
    def is_file_url(self) -> bool:
        return self.text[:5].lower() == "file:"

    @property
    def has_space(self) -> bool:
        return _has_space(self.path)


#: First characters of every local path: ``/``, ``~``, ``\\`` (UNC) and ``f`` (``file:``).
_PATH_STARTS = frozenset("/~\\fF")


def may_be_local_path(text: object) -> bool:
    """A cheap first test: False for most strings (and for non-strings), which
    :func:`local_path` would reject; a path starts so, or with a drive letter and ``:``."""
    return isinstance(text, str) and bool(text) and (text[0] in _PATH_STARTS or text[1:2] == ":")


def local_path(text: str) -> LocalPath | None:
    """The absolute (or home-relative) local path ``text`` names, else None."""
    if not may_be_local_path(text):
        return None
    if len(text) > _MAX_PATH or text != text.strip() or _NOT_A_PATH.search(text):
        return None
    if text[:5].lower() == "file:":
        return _file_url(text)
    if _URI.match(text):
        return None  # https://, s3://, gs://, runs:/ ... are not local
    if _DRIVE.match(text):
        return LocalPath(text, text, "windows", _split(text[3:], "\\/"))
    if _UNC.match(text):
        return LocalPath(text, text, "unc", _split(text[2:], "\\/"))
    if _REGEX_HINT.search(text):
        return None  # a regular expression kept in a variable: r"/home/(\w+)/"
    home = _HOME.match(text)
    if home:
        return LocalPath(text, text, "home", _split(text[home.end() :], "\\/"))
    if text.startswith("/") and not text.startswith("//") and len(text) > 1:
        if text[1].isspace():
            return None  # "/ 2" reads as arithmetic or prose
        return LocalPath(text, text, "posix", _split(text, "/"))
    return None


def _file_url(text: str) -> LocalPath | None:
    rest = text[5:]
    if rest.startswith("//"):
        host, _, path = rest[2:].partition("/")
        if host.lower() not in ("", "localhost"):
            inner = local_path(host + "/" + path if len(host) == 2 else "\\\\" + host + "\\" + path)
            return LocalPath(text, inner.path, inner.style, inner.segments) if inner else None
        rest = "/" + path
    rest = rest.lstrip("/")
    inner = local_path(rest if _DRIVE.match(rest) else "/" + rest)
    return LocalPath(text, inner.path, inner.style, inner.segments) if inner else None


def _split(text: str, separators: str) -> tuple[str, ...]:
    return tuple(s for s in re.split(f"[{re.escape(separators)}]+", text) if s)


def user_location(path: LocalPath, flows_into_io: bool) -> str | None:
    """What makes ``path`` specific to one user or machine (``"a user's home folder"``), or None."""
    segments = path.segments
    if path.style == "home":
        if path.path == "~" and not flows_into_io:
            return None  # a lone "~" is often just a character
        return None if path.has_space and not path.has_extension else "a home folder (`~`)"
    if _reads_as_prose(path):
        return None
    first = segments[0] if segments else ""
    if path.style == "posix":
        where = _posix_location(first, segments)
        if where:
            return where
    if path.style == "windows" and first.lower() in ("users", "documents and settings"):
        return "a Windows user's home folder" if len(segments) >= 2 else None
    for segment in segments:
        if segment in PERSONAL_FOLDERS or segment.startswith("OneDrive"):
            return f"a personal folder ({segment})"
    return None


def _posix_location(first: str, segments: tuple[str, ...]) -> str | None:
    if first in ("Users", "home") and len(segments) >= 2:
        return "a user's home folder"
    if first == "root":
        return "the root user's home folder"
    if first == "content":
        drive = len(segments) >= 2 and segments[1] == "drive"
        return "Google Drive as mounted in Colab" if drive else "Google Colab's file system"
    if first == "kaggle":
        return "Kaggle's file system"
    if first == "Volumes" and len(segments) >= 2:
        return "a mounted macOS volume"
    if (
        first == "mnt"
        and len(segments) >= 3
        and len(segments[1]) == 1
        and segments[2].lower() == "users"
    ):
        return "a Windows user's home folder (under WSL)"
    return None


def _reads_as_prose(path: LocalPath) -> bool:
    """True for a string with spaces that reads as a sentence or a command, not a path.

    ``"/data/my file.csv"`` and ``"/Users/al/My Documents"`` are paths; ``"/data is
    mounted"``, ``"/home/al is empty"`` and ``"/usr/bin/env python"`` are not.
    """
    if not path.has_space:
        return False
    segments = path.segments
    if not segments or segments[0] != segments[0].strip():
        return True
    if path.style != "posix":
        return False
    first = segments[0]
    if _has_space(first) or (
        first in _NAMED_ROOTS and len(segments) > 1 and _has_space(segments[1])
    ):
        return True
    return not (path.has_extension or first in _NAMED_ROOTS or first in ("content", "kaggle"))


_NAMED_ROOTS = frozenset({"Users", "home", "Volumes"})  # the next folder is a user or a volume


def _has_space(text: str) -> bool:
    return any(char.isspace() for char in text)


def is_absolute_path(path: LocalPath, flows_into_io: bool) -> bool:
    """True for an absolute path; a bare ``/word`` counts only when it cannot be a web route."""
    if path.style == "home" or _reads_as_prose(path):
        return False
    if path.style != "posix":
        return True  # drive letters and UNC shares are unambiguous
    if not path.segments or path.segments[0] in SYSTEM_ROOTS:
        return False
    return (
        path.is_file_url
        or path.has_extension
        or path.segments[0] in FILESYSTEM_ROOTS
        or flows_into_io
    )


def is_allowed(path: LocalPath, prefixes: list[str]) -> bool:
    """True when ``path`` is under one of the configured ``allowed-path-prefixes``."""
    text = path.path.replace("\\", "/")
    for prefix in prefixes:
        prefix = str(prefix).replace("\\", "/").rstrip("/")
        if not prefix:
            continue
        candidate, wanted = (
            (text.lower(), prefix.lower()) if path.style == "windows" else (text, prefix)
        )
        if candidate == wanted or candidate.startswith(wanted + "/"):
            return True
    return False


def is_relative_file(text: str) -> bool:
    """True for a literal relative file path such as ``data/train.csv``."""
    if not text or text != text.strip() or len(text) > _MAX_PATH or _NOT_A_PATH.search(text):
        return False
    if text in ("-", ".", "..", ":memory:") or text[0] in "/\\~{[":
        return False
    return not (_URI.match(text) or re.match(r"[A-Za-z]:", text))
